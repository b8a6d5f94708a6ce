#include "lake/blob_stream.h"

#include <fcntl.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace sluice::lake {
namespace {

constexpr size_t kBufferBytes = 4 << 20;
constexpr size_t kBuffers = 4;  // bounds the memory of one put to 16 MiB
constexpr uint64_t kWritebackEvery = 32 << 20;

struct Chunk {
  // Left uninitialised: a small body touches only the pages it fills.
  std::unique_ptr<char[]> bytes{new char[kBufferBytes]};
  size_t size = 0;
};

// Hands filled chunks from the hashing thread to the writing thread and empty ones back.
class ChunkPipe {
 public:
  // An empty chunk to fill, or null once the writer failed. Chunks are allocated on demand, up
  // to kBuffers.
  std::unique_ptr<Chunk> TakeFree() {
    std::unique_lock lock(mutex_);
    if (free_.empty() && allocated_ < kBuffers && !writer_failed_) {
      ++allocated_;
      return std::make_unique<Chunk>();
    }
    changed_.wait(lock, [&] { return !free_.empty() || writer_failed_; });
    return writer_failed_ ? nullptr : Pop(free_);
  }

  // The next filled chunk to write, or null once the reader has ended and all are written.
  std::unique_ptr<Chunk> TakeFilled() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !filled_.empty() || reader_done_; });
    return filled_.empty() ? nullptr : Pop(filled_);
  }

  void PutFilled(std::unique_ptr<Chunk> chunk) { Put(filled_, std::move(chunk)); }
  void PutFree(std::unique_ptr<Chunk> chunk) { Put(free_, std::move(chunk)); }

  // The reader will send no more chunks (end of body, or it failed).
  void ReaderDone() { Set(reader_done_); }
  // The writer stopped on an error: the reader should stop too.
  void WriterFailed() { Set(writer_failed_); }

 private:
  static std::unique_ptr<Chunk> Pop(std::deque<std::unique_ptr<Chunk>>& from) {
    auto chunk = std::move(from.front());
    from.pop_front();
    return chunk;
  }

  void Set(bool& flag) {
    std::lock_guard lock(mutex_);
    flag = true;
    changed_.notify_all();
  }

  void Put(std::deque<std::unique_ptr<Chunk>>& to, std::unique_ptr<Chunk> chunk) {
    std::lock_guard lock(mutex_);
    to.push_back(std::move(chunk));
    changed_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<Chunk>> free_;    // guarded by mutex_
  std::deque<std::unique_ptr<Chunk>> filled_;  // guarded by mutex_
  size_t allocated_ = 0;                       // guarded by mutex_
  bool reader_done_ = false;                   // guarded by mutex_
  bool writer_failed_ = false;                 // guarded by mutex_
};

// Fills `chunk` from `body` as far as it goes; returns false at the end of the body.
Result<bool> Fill(ByteSource& body, Chunk& chunk) {
  chunk.size = 0;
  while (chunk.size < kBufferBytes) {
    SLUICE_ASSIGN_OR_RETURN(size_t n,
                            body.Read(chunk.bytes.get() + chunk.size, kBufferBytes - chunk.size));
    if (n == 0) return false;
    chunk.size += n;
  }
  return true;
}

Status WriteChunks(ChunkPipe& pipe, PendingBlob& blob) {
  uint64_t started_writeback_at = 0;
  while (auto chunk = pipe.TakeFilled()) {
    Status written = blob.Write(chunk->bytes.get(), chunk->size);
    if (!written.ok()) return written;
    if (blob.size() - started_writeback_at >= kWritebackEvery) {
      // Advisory: failure only means the final sync does all the work.
      (void)::sync_file_range(blob.fd(), static_cast<off_t>(started_writeback_at),
                              static_cast<off_t>(blob.size() - started_writeback_at),
                              SYNC_FILE_RANGE_WRITE);
      started_writeback_at = blob.size();
    }
    pipe.PutFree(std::move(chunk));
  }
  return Status::Ok();
}

}  // namespace

Status StreamIntoBlob(ByteSource& body, PendingBlob& blob, Md5& md5) {
  ChunkPipe pipe;
  auto first = pipe.TakeFree();
  SLUICE_ASSIGN_OR_RETURN(bool more, Fill(body, *first));
  md5.Update(first->bytes.get(), first->size);
  if (!more) return blob.Write(first->bytes.get(), first->size);

  Status write_status;
  std::thread writer([&] {
    write_status = WriteChunks(pipe, blob);
    if (!write_status.ok()) pipe.WriterFailed();
  });
  pipe.PutFilled(std::move(first));
  Status read_status;
  while (more) {
    auto chunk = pipe.TakeFree();
    if (!chunk) break;  // the writer failed
    auto filled = Fill(body, *chunk);
    if (!filled.ok()) {
      read_status = filled.status();
      break;
    }
    more = *filled;
    md5.Update(chunk->bytes.get(), chunk->size);
    pipe.PutFilled(std::move(chunk));
  }
  pipe.ReaderDone();
  writer.join();
  SLUICE_RETURN_IF_ERROR(read_status);
  return write_status;
}

}  // namespace sluice::lake

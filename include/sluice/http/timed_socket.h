// TimedSocket: a connected TCP socket whose every read and write gives up when the peer makes no
// progress in time, or when the server stops. It has the shape of Beast's SyncReadStream and
// SyncWriteStream, so Beast's HTTP parser and serializer run on it directly, one thread per
// connection, with none of Asio's sync calls (which block without a timeout).
//
// Two limits apply to each call: the deadline (an absolute time, set per request phase, so a
// client trickling one header byte at a time cannot hold the connection forever) and the
// progress timeout (how long one call may wait for the peer). Errors are Asio's: timed_out when
// either passes, eof when the peer closed, operation_aborted when the server stops.
//
// One thread uses a TimedSocket at a time.
#pragma once

#include <sys/uio.h>

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>
#include <cstdint>

#include "sluice/common/posix_file.h"

namespace sluice::http {

class TimedSocket {
 public:
  using Clock = std::chrono::steady_clock;

  // `fd`: a connected socket (made non-blocking here). `stop_fd`: readable once the server
  // stops (an eventfd it owns).
  TimedSocket(UniqueFd fd, int stop_fd, std::chrono::milliseconds progress_timeout);

  int fd() const { return fd_.get(); }
  void set_deadline(Clock::time_point deadline) { deadline_ = deadline; }
  void clear_deadline() { deadline_ = Clock::time_point::max(); }

  template <typename MutableBuffers>
  size_t read_some(const MutableBuffers& buffers, boost::system::error_code& error) {
    IoVectors vectors;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers) && vectors.count < kMaxVectors; ++it) {
      boost::asio::mutable_buffer buffer(*it);
      vectors.Add(buffer.data(), buffer.size());
    }
    return ReadVectors(vectors, error);
  }

  template <typename ConstBuffers>
  size_t write_some(const ConstBuffers& buffers, boost::system::error_code& error) {
    IoVectors vectors;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers) && vectors.count < kMaxVectors; ++it) {
      boost::asio::const_buffer buffer(*it);
      vectors.Add(const_cast<void*>(buffer.data()), buffer.size());
    }
    return WriteVectors(vectors, error);
  }

  template <typename Buffers>
  size_t read_some(const Buffers& buffers) {
    boost::system::error_code error;
    size_t n = read_some(buffers, error);
    if (error) throw boost::system::system_error(error);
    return n;
  }

  template <typename Buffers>
  size_t write_some(const Buffers& buffers) {
    boost::system::error_code error;
    size_t n = write_some(buffers, error);
    if (error) throw boost::system::system_error(error);
    return n;
  }

  // Sends `length` bytes of the file `file_fd` from `offset`, copied by the kernel (sendfile).
  void SendFile(int file_fd, uint64_t offset, uint64_t length, boost::system::error_code& error);

  // No more writes: the peer reads end of file after what was sent.
  void ShutdownWrite();

  // While set, writes tell the kernel more data follows (MSG_MORE), so a response header and
  // the file sent after it leave in full packets rather than a small one for the header.
  void set_more_follows(bool more) { more_follows_ = more; }

 private:
  static constexpr int kMaxVectors = 16;
  struct IoVectors {
    iovec items[kMaxVectors];
    int count = 0;
    void Add(void* data, size_t size) {
      if (size > 0) items[count++] = {data, size};
    }
  };

  size_t ReadVectors(IoVectors& vectors, boost::system::error_code& error);
  size_t WriteVectors(IoVectors& vectors, boost::system::error_code& error);
  // Waits until the socket is ready for `events` (POLLIN or POLLOUT); false with `error` set
  // when a limit passes or the server stops.
  bool Wait(short events, boost::system::error_code& error);

  UniqueFd fd_;
  int stop_fd_;
  std::chrono::milliseconds progress_timeout_;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool more_follows_ = false;
};

}  // namespace sluice::http

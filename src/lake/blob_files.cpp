#include "lake/blob_files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <vector>

#include "sluice/common/hex.h"
#include "sluice/common/ids.h"

namespace sluice::lake {
namespace {

constexpr size_t kIdBytes = 16;
constexpr size_t kCopyBufferBytes = 1 << 20;

bool LooksLikeBlobId(const std::string& name) {
  if (name.size() != 2 * kIdBytes) return false;
  for (char c : name) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status UnlinkIfPresent(const std::filesystem::path& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus("cannot remove " + path.string(), errno);
  }
  return Status::Ok();
}

}  // namespace

PendingBlob::PendingBlob(PendingBlob&& other) noexcept
    : files_(other.files_),
      id_(std::move(other.id_)),
      fd_(std::move(other.fd_)),
      size_(other.size_),
      published_(other.published_),
      committed_(other.committed_) {
  other.committed_ = true;  // the moved-from shell must not clean anything up
}

PendingBlob::~PendingBlob() {
  if (committed_) return;
  // Final name first, tmp name second, lock last: Recover() treats an unlocked tmp name as the
  // sign that cleanup may be needed, so it must be the last thing to go.
  if (published_) (void)UnlinkIfPresent(files_->PathOf(id_));
  (void)UnlinkIfPresent(files_->TempPathOf(id_));
}

Status PendingBlob::Write(const char* data, size_t size) {
  SLUICE_RETURN_IF_ERROR(WriteAll(fd_.get(), data, size, files_->TempPathOf(id_).string()));
  size_ += size;
  return Status::Ok();
}

Status PendingBlob::CopyFrom(int from, uint64_t offset, uint64_t size, const std::string& what) {
  auto in_offset = static_cast<loff_t>(offset);
  const auto end = static_cast<loff_t>(offset + size);
  while (in_offset < end) {
    ssize_t n = ::copy_file_range(from, &in_offset, fd_.get(), nullptr,
                                  static_cast<size_t>(end - in_offset), 0);
    if (n > 0) {
      size_ += static_cast<uint64_t>(n);
      continue;
    }
    if (n == 0) return Status::Corruption(what + ": its file is shorter than its recorded size");
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) {
      return ErrnoStatus("cannot copy " + what, errno);
    }
    // No in-kernel copy here: fall back to reading and writing.
    std::vector<char> buffer(kCopyBufferBytes);
    while (in_offset < end) {
      size_t chunk = static_cast<size_t>(std::min<loff_t>(buffer.size(), end - in_offset));
      SLUICE_ASSIGN_OR_RETURN(
          size_t got, ReadAt(from, buffer.data(), chunk, static_cast<uint64_t>(in_offset), what));
      if (got == 0) {
        return Status::Corruption(what + ": its file is shorter than its recorded size");
      }
      SLUICE_RETURN_IF_ERROR(Write(buffer.data(), got));
      in_offset += static_cast<loff_t>(got);
    }
  }
  return Status::Ok();
}

Status PendingBlob::Publish() {
  std::filesystem::path final_path = files_->PathOf(id_);
  // Link first, sync second: on a journaling file system the file's sync then commits the new
  // name in the same journal transaction, and the directory's sync finds nothing left to do.
  // A crash in between is safe: the tmp name still marks the blob as uncommitted.
  if (::link(files_->TempPathOf(id_).c_str(), final_path.c_str()) != 0) {
    return ErrnoStatus("cannot link " + final_path.string(), errno);
  }
  published_ = true;
  SLUICE_RETURN_IF_ERROR(SyncFile(fd_.get(), final_path.string()));
  return SyncDirectory(final_path.parent_path());
}

void PendingBlob::MarkCommitted() {
  committed_ = true;
  (void)UnlinkIfPresent(files_->TempPathOf(id_));
  fd_.Reset();
}

BlobFiles::BlobFiles(std::filesystem::path root) : root_(std::move(root)) {}

Status BlobFiles::Init() {
  SLUICE_RETURN_IF_ERROR(CreateDirectories(root_ / "tmp"));
  // All 256 shards exist from the start, so a put never has to create and sync a folder.
  for (int shard = 0; shard < 256; ++shard) {
    SLUICE_RETURN_IF_ERROR(
        CreateDirectories(root_ / "objects" / ToHex(std::string(1, char(shard)))));
  }
  SLUICE_ASSIGN_OR_RETURN(objects_dir_, OpenFile(root_ / "objects", O_RDONLY | O_DIRECTORY));
  return Status::Ok();
}

std::filesystem::path BlobFiles::PathOf(std::string_view id) const {
  return root_ / "objects" / std::string(id.substr(0, 2)) / std::string(id);
}

UniqueFd BlobFiles::OpenForRead(std::string_view id) const {
  if (!objects_dir_.valid()) return UniqueFd(::open(PathOf(id).c_str(), O_RDONLY | O_CLOEXEC));
  char relative[128];
  int n = std::snprintf(relative, sizeof relative, "%.2s/%.*s", id.data(),
                        static_cast<int>(id.size()), id.data());
  if (n < 0 || static_cast<size_t>(n) >= sizeof relative) {
    errno = ENAMETOOLONG;
    return UniqueFd();
  }
  return UniqueFd(::openat(objects_dir_.get(), relative, O_RDONLY | O_CLOEXEC));
}

std::filesystem::path BlobFiles::TempPathOf(std::string_view id) const {
  return root_ / "tmp" / std::string(id);
}

Result<PendingBlob> BlobFiles::Create() const {
  // Between creating a tmp file and locking it, another process's Recover() may take it for a
  // dead writer's leftover and remove it. So lock, then check the name still leads to the file
  // locked; if not, start over under a new id.
  constexpr int kAttempts = 8;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    std::string id = RandomHex(kIdBytes);
    std::filesystem::path path = TempPathOf(id);
    SLUICE_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_WRONLY | O_CREAT | O_EXCL, 0644));
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK) return ErrnoStatus("cannot lock " + path.string(), errno);
      continue;  // Recover() holds it and is about to remove it
    }
    struct stat by_fd, by_name;
    if (::fstat(fd.get(), &by_fd) == 0 && ::stat(path.c_str(), &by_name) == 0 &&
        by_fd.st_ino == by_name.st_ino && by_fd.st_dev == by_name.st_dev) {
      return PendingBlob(*this, std::move(id), std::move(fd));
    }
    if (errno != ENOENT) return ErrnoStatus("cannot stat " + path.string(), errno);
  }
  return Status::IoError("cannot create a temporary file in " + (root_ / "tmp").string() +
                         ": removed by concurrent recovery " + std::to_string(kAttempts) +
                         " times in a row");
}

Status BlobFiles::Remove(std::string_view id) const {
  return UnlinkIfPresent(PathOf(id));
}

Result<int> BlobFiles::Recover(
    const std::function<Result<bool>(const std::string& id)>& is_committed) const {
  int cleaned = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root_ / "tmp", ec)) {
    std::string id = entry.path().filename().string();
    if (!LooksLikeBlobId(id)) continue;
    auto fd = OpenFile(entry.path(), O_RDONLY);
    if (!fd.ok()) continue;                                    // its writer finished meanwhile
    if (::flock(fd->get(), LOCK_EX | LOCK_NB) != 0) continue;  // a live writer holds it
    SLUICE_ASSIGN_OR_RETURN(bool committed, is_committed(id));
    if (!committed) SLUICE_RETURN_IF_ERROR(Remove(id));
    SLUICE_RETURN_IF_ERROR(UnlinkIfPresent(entry.path()));
    ++cleaned;
  }
  if (ec) return ErrnoStatus("cannot list " + (root_ / "tmp").string(), ec.value());
  return cleaned;
}

}  // namespace sluice::lake

// Thin, Status-returning wrappers over the POSIX file calls the lake and the store need: an owning
// file descriptor, full reads and writes that survive EINTR and short counts, and the directory
// fsync that makes a new name durable.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "sluice/common/result.h"

namespace sluice {

// Owns a file descriptor and closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = other.Release();
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset();

 private:
  int fd_ = -1;
};

// open(2) with O_CLOEXEC; the error names the path.
Result<UniqueFd> OpenFile(const std::filesystem::path& path, int flags, int mode = 0644);
// Writes all of `data`, retrying short writes and EINTR.
Status WriteAll(int fd, const void* data, size_t size, std::string_view what);
// Reads up to `size` bytes at `offset`; returns fewer only at end of file.
Result<size_t> ReadAt(int fd, void* buffer, size_t size, uint64_t offset, std::string_view what);
// fsync(2) of a file.
Status SyncFile(int fd, std::string_view what);
// fsync(2) of a directory, so that names created or removed in it survive a crash.
Status SyncDirectory(const std::filesystem::path& dir);
// Creates `dir` and its missing parents, syncing each parent whose entries changed.
Status CreateDirectories(const std::filesystem::path& dir);

}  // namespace sluice

#include "sluice/lake/byte_sources.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sluice::lake {

Result<size_t> StringByteSource::Read(char* buffer, size_t size) {
  size_t n = std::min(size, data_.size() - position_);
  std::memcpy(buffer, data_.data() + position_, n);
  position_ += n;
  return n;
}

Result<size_t> FdByteSource::Read(char* buffer, size_t size) {
  while (true) {
    ssize_t n = ::read(fd_, buffer, size);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return ErrnoStatus("cannot read " + name_, errno);
  }
}

}  // namespace sluice::lake

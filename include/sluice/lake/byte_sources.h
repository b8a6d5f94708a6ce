// Ready-made ByteSources: a string held in memory and an open file descriptor.
#pragma once

#include <string>

#include "sluice/lake/object_store.h"

namespace sluice::lake {

class StringByteSource final : public ByteSource {
 public:
  explicit StringByteSource(std::string data) : data_(std::move(data)) {}
  Result<size_t> Read(char* buffer, size_t size) override;

 private:
  std::string data_;
  size_t position_ = 0;
};

// Reads from `fd` (not owned) until end of file.
class FdByteSource final : public ByteSource {
 public:
  FdByteSource(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  Result<size_t> Read(char* buffer, size_t size) override;

 private:
  int fd_;
  std::string name_;  // for error messages
};

}  // namespace sluice::lake

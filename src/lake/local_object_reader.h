// The ObjectReader of the local lake: pread over the blob file, which stays readable after the
// object is replaced or deleted because the reader holds it open.
#pragma once

#include "sluice/common/posix_file.h"
#include "sluice/lake/object_store.h"

namespace sluice::lake {

class LocalObjectReader final : public ObjectReader {
 public:
  LocalObjectReader(ObjectInfo info, UniqueFd fd, uint64_t offset, uint64_t length)
      : info_(std::move(info)), fd_(std::move(fd)), offset_(offset), length_(length) {}

  const ObjectInfo& info() const override { return info_; }
  uint64_t offset() const override { return offset_; }
  uint64_t length() const override { return length_; }
  Result<size_t> Read(char* buffer, size_t size) override;

  int fd() const override { return fd_.get(); }
  UniqueFd ReleaseFd() { return std::move(fd_); }

 private:
  ObjectInfo info_;
  UniqueFd fd_;
  uint64_t offset_;
  uint64_t length_;
  uint64_t consumed_ = 0;
};

}  // namespace sluice::lake

#include "lake/local_object_reader.h"

#include <algorithm>

#include "lake/object_rows.h"

namespace sluice::lake {

Result<size_t> LocalObjectReader::Read(char* buffer, size_t size) {
  size_t wanted = static_cast<size_t>(std::min<uint64_t>(size, length_ - consumed_));
  if (wanted == 0) return size_t{0};
  SLUICE_ASSIGN_OR_RETURN(size_t n, ReadAt(fd_.get(), buffer, wanted, offset_ + consumed_,
                                           DescribeObject(info_.bucket, info_.key)));
  if (n == 0) {
    return Status::Corruption(DescribeObject(info_.bucket, info_.key) +
                              ": its file is shorter than its recorded size");
  }
  consumed_ += n;
  return n;
}

}  // namespace sluice::lake

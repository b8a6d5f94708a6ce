#include <algorithm>

#include "lake/object_rows.h"
#include "sluice/lake/object_store.h"

namespace sluice::lake {

Result<ResolvedRange> ResolveRange(const std::optional<ByteRange>& range, const ObjectInfo& info) {
  const uint64_t size = info.size;
  if (!range) return ResolvedRange{0, size};
  auto unsatisfiable = [&] {
    return Status::InvalidArgument(DescribeObject(info.bucket, info.key) + " is " +
                                       std::to_string(size) +
                                       " bytes long; the requested range is not satisfiable",
                                   "InvalidRange");
  };
  if (range->suffix_length) {
    if (*range->suffix_length == 0 || size == 0) return unsatisfiable();
    uint64_t length = std::min(*range->suffix_length, size);
    return ResolvedRange{size - length, length};
  }
  uint64_t first = range->first.value_or(0);
  if (first >= size) return unsatisfiable();
  uint64_t last = std::min(range->last.value_or(size - 1), size - 1);
  if (last < first) {
    return Status::InvalidArgument("range ends before it starts", "InvalidArgument");
  }
  return ResolvedRange{first, last - first + 1};
}

}  // namespace sluice::lake

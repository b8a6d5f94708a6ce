// Incremental MD5, for S3 ETags. Not thread-safe; one instance per stream.
#pragma once

#include "sluice/common/digest.h"

namespace sluice {

class Md5 : public Digest {
 public:
  Md5() : Digest(DigestAlgorithm::kMd5) {}
};

}  // namespace sluice

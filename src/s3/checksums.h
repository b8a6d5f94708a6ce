// The checksums S3 clients send with object bytes (x-amz-checksum-crc32, -crc32c, -crc64nvme,
// -sha1, -sha256; base64 of the big-endian digest) and base64 itself. Not thread-safe; one
// Checksum per stream.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/common/base64.h"
#include "sluice/common/digest.h"

namespace sluice::s3 {

enum class ChecksumAlgorithm { kCrc32, kCrc32c, kCrc64Nvme, kSha1, kSha256 };

// From "CRC32" (x-amz-sdk-checksum-algorithm) or "crc32" (the header suffix), any case.
std::optional<ChecksumAlgorithm> ChecksumAlgorithmNamed(std::string_view name);
// "x-amz-checksum-crc32".
std::string ChecksumHeaderName(ChecksumAlgorithm algorithm);
// "CRC32".
std::string_view ChecksumAlgorithmName(ChecksumAlgorithm algorithm);

// Whether a header (its name lower-case) carries a checksum: x-amz-checksum-<something> but not
// the settings x-amz-checksum-mode, -type and -algorithm.
bool CarriesChecksum(std::string_view lower_name);

class Checksum {
 public:
  explicit Checksum(ChecksumAlgorithm algorithm);
  ~Checksum();
  Checksum(const Checksum&) = delete;
  Checksum& operator=(const Checksum&) = delete;

  ChecksumAlgorithm algorithm() const { return algorithm_; }
  void Update(const char* data, size_t size);
  // The digest, base64. The checksum must not be updated afterwards.
  std::string FinishBase64();

 private:
  ChecksumAlgorithm algorithm_;
  uint64_t crc_ = 0;
  std::unique_ptr<Digest> digest_;  // SHA-1 / SHA-256
};

}  // namespace sluice::s3

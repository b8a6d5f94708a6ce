// SHA-256 and HMAC-SHA256, for AWS Signature Version 4 and S3's x-amz-content-sha256.
// Free functions are thread-safe; a Sha256 object is not (one instance per stream).
#pragma once

#include <string>
#include <string_view>

#include "sluice/common/digest.h"

namespace sluice {

// The 32-byte digest of `data`.
std::string Sha256Binary(std::string_view data);
// The digest as 64 lower-case hex characters.
std::string Sha256Hex(std::string_view data);
// The 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);

// Incremental SHA-256, for bodies that arrive in pieces.
class Sha256 : public Digest {
 public:
  Sha256() : Digest(DigestAlgorithm::kSha256) {}
};

}  // namespace sluice

// SHA-256 and HMAC-SHA256, for AWS Signature Version 4 and S3's x-amz-content-sha256.
// Free functions are thread-safe; a Sha256 object is not (one instance per stream).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace sluice {

// The 32-byte digest of `data`.
std::string Sha256Binary(std::string_view data);
// The digest as 64 lower-case hex characters.
std::string Sha256Hex(std::string_view data);
// The 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);

// Incremental SHA-256, for bodies that arrive in pieces.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(const void* data, size_t size);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  // The 32-byte digest. The object must not be updated afterwards.
  std::string FinishBinary();
  // The digest as 64 lower-case hex characters.
  std::string FinishHex();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace sluice

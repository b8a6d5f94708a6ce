// Incremental message digests (MD5, SHA-1, SHA-256) on OpenSSL. Each algorithm is fetched from
// OpenSSL's provider once per process: OpenSSL 3 otherwise looks it up again on every
// initialisation, which costs more than hashing a short string.
// Not thread-safe; one instance per stream.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace sluice {

enum class DigestAlgorithm { kMd5, kSha1, kSha256 };

class Digest {
 public:
  explicit Digest(DigestAlgorithm algorithm);
  ~Digest();
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  void Update(const void* data, size_t size);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  // The digest's bytes. The object must not be updated afterwards.
  std::string FinishBinary();
  // The digest as lower-case hex.
  std::string FinishHex();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace sluice

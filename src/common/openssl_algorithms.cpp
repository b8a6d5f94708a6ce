#include "common/openssl_algorithms.h"

#include <stdexcept>

namespace sluice {
namespace {

EVP_MD* FetchDigest(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) throw std::runtime_error(std::string("OpenSSL: no ") + name);
  return md;
}

}  // namespace

const EVP_MD* FetchedDigest(DigestAlgorithm algorithm) {
  static EVP_MD* const md5 = FetchDigest("MD5");
  static EVP_MD* const sha1 = FetchDigest("SHA1");
  static EVP_MD* const sha256 = FetchDigest("SHA256");
  switch (algorithm) {
    case DigestAlgorithm::kMd5:
      return md5;
    case DigestAlgorithm::kSha1:
      return sha1;
    case DigestAlgorithm::kSha256:
      return sha256;
  }
  return sha256;
}

EVP_MAC* FetchedHmac() {
  static EVP_MAC* const hmac = [] {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) throw std::runtime_error("OpenSSL: no HMAC");
    return mac;
  }();
  return hmac;
}

}  // namespace sluice

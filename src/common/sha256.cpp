#include "sluice/common/sha256.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <stdexcept>

#include "common/openssl_algorithms.h"
#include "sluice/common/hex.h"

namespace sluice {
namespace {

// One context per thread, reused: the one-shot functions run on every signed request. The HMAC
// context is told its digest once; naming it on every init looks the digest up again.
struct ThreadContexts {
  EVP_MD_CTX* digest = EVP_MD_CTX_new();
  EVP_MAC_CTX* hmac = NewHmacSha256();
  ~ThreadContexts() {
    EVP_MD_CTX_free(digest);
    EVP_MAC_CTX_free(hmac);
  }

  static EVP_MAC_CTX* NewHmacSha256() {
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(FetchedHmac());
    char digest_name[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                           OSSL_PARAM_construct_end()};
    if (ctx != nullptr && EVP_MAC_CTX_set_params(ctx, params) != 1) {
      EVP_MAC_CTX_free(ctx);
      return nullptr;
    }
    return ctx;
  }
};

ThreadContexts& Contexts() {
  thread_local ThreadContexts contexts;
  if (contexts.digest == nullptr || contexts.hmac == nullptr) {
    throw std::runtime_error("OpenSSL: cannot set up SHA-256 / HMAC-SHA256");
  }
  return contexts;
}

}  // namespace

std::string Sha256Binary(std::string_view data) {
  EVP_MD_CTX* ctx = Contexts().digest;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestInit_ex(ctx, FetchedDigest(DigestAlgorithm::kSha256), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, digest, &length) != 1) {
    throw std::runtime_error("OpenSSL: SHA-256 failed");
  }
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string Sha256Hex(std::string_view data) {
  return ToHex(Sha256Binary(data));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  EVP_MAC_CTX* ctx = Contexts().hmac;
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t length = 0;
  if (EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), nullptr) !=
          1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx, mac, &length, sizeof mac) != 1) {
    throw std::runtime_error("OpenSSL: HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<char*>(mac), length);
}

}  // namespace sluice

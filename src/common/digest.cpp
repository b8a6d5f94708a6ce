#include "sluice/common/digest.h"

#include <openssl/evp.h>

#include <stdexcept>

#include "common/openssl_algorithms.h"
#include "sluice/common/hex.h"

namespace sluice {

struct Digest::Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(ctx); }
};

Digest::Digest(DigestAlgorithm algorithm) : context_(std::make_unique<Context>()) {
  if (context_->ctx == nullptr ||
      EVP_DigestInit_ex(context_->ctx, FetchedDigest(algorithm), nullptr) != 1) {
    throw std::runtime_error("OpenSSL: cannot initialise a digest");
  }
}

Digest::~Digest() = default;

void Digest::Update(const void* data, size_t size) {
  EVP_DigestUpdate(context_->ctx, data, size);
}

std::string Digest::FinishBinary() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context_->ctx, digest, &length);
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string Digest::FinishHex() {
  return ToHex(FinishBinary());
}

}  // namespace sluice

#include "sluice/common/sha256.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "sluice/common/hex.h"

namespace sluice {

struct Sha256::Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
  if (context_->ctx == nullptr || EVP_DigestInit_ex(context_->ctx, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL: cannot initialise SHA-256");
  }
}

Sha256::~Sha256() = default;

void Sha256::Update(const void* data, size_t size) {
  EVP_DigestUpdate(context_->ctx, data, size);
}

std::string Sha256::FinishBinary() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context_->ctx, digest, &length);
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string Sha256::FinishHex() {
  return ToHex(FinishBinary());
}

std::string Sha256Binary(std::string_view data) {
  Sha256 sha;
  sha.Update(data);
  return sha.FinishBinary();
}

std::string Sha256Hex(std::string_view data) {
  return ToHex(Sha256Binary(data));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  // HMAC() is OpenSSL 3's one-shot, not deprecated (unlike HMAC_CTX).
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
           &length) == nullptr) {
    throw std::runtime_error("OpenSSL: HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<char*>(mac), length);
}

}  // namespace sluice

#include "sluice/common/md5.h"

#include <openssl/evp.h>

#include <stdexcept>

#include "sluice/common/hex.h"

namespace sluice {

struct Md5::Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(ctx); }
};

Md5::Md5() : context_(std::make_unique<Context>()) {
  if (context_->ctx == nullptr || EVP_DigestInit_ex(context_->ctx, EVP_md5(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL: cannot initialise MD5");
  }
}

Md5::~Md5() = default;

void Md5::Update(const void* data, size_t size) {
  EVP_DigestUpdate(context_->ctx, data, size);
}

std::string Md5::FinishBinary() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context_->ctx, digest, &length);
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string Md5::FinishHex() {
  return ToHex(FinishBinary());
}

}  // namespace sluice

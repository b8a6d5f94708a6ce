// OpenSSL algorithms fetched once per process and kept: OpenSSL 3 looks an algorithm up in its
// provider on every initialisation that names it with EVP_sha256() and the like, which costs more
// than hashing a short string. The objects live until the process ends.
#pragma once

#include <openssl/evp.h>

#include "sluice/common/digest.h"

namespace sluice {

const EVP_MD* FetchedDigest(DigestAlgorithm algorithm);
EVP_MAC* FetchedHmac();

}  // namespace sluice

// The string to sign, the derived signing key and the request signature.
#include "sluice/common/hex.h"
#include "sluice/common/sha256.h"
#include "sluice/s3/sigv4.h"

namespace sluice::s3 {

std::string CredentialScope(std::string_view date, std::string_view region,
                            std::string_view service) {
  std::string out(date);
  out += '/';
  out += region;
  out += '/';
  out += service;
  out += "/aws4_request";
  return out;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out += '\n';
  out += amz_date;
  out += '\n';
  out += scope;
  out += '\n';
  out += Sha256Hex(canonical_request);
  return out;
}

std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service) {
  // Deriving the key takes four HMACs, and a client signs every request of a day with the same
  // key: each thread keeps the last one it derived.
  struct Derived {
    std::string secret;
    std::string scope;
    std::string key;
  };
  thread_local Derived last;
  std::string scope = CredentialScope(date, region, service);
  if (last.key.empty() || last.secret != secret || last.scope != scope) {
    std::string key = HmacSha256("AWS4" + std::string(secret), date);
    key = HmacSha256(key, region);
    key = HmacSha256(key, service);
    last = {std::string(secret), std::move(scope), HmacSha256(key, "aws4_request")};
  }
  return last.key;
}

std::string Signature(std::string_view signing_key, std::string_view string_to_sign) {
  return ToHex(HmacSha256(signing_key, string_to_sign));
}

}  // namespace sluice::s3

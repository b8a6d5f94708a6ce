// Signatures of aws-chunked bodies: each chunk's chains on the one before, starting from the
// request's signature (the seed), and a signed trailer chains on the final, empty chunk's.
#include "sluice/common/sha256.h"
#include "sluice/s3/sigv4.h"

namespace sluice::s3 {
namespace {

std::string ChainedStringToSign(std::string_view algorithm, std::string_view amz_date,
                                std::string_view scope, std::string_view previous_signature) {
  std::string out(algorithm);
  out += '\n';
  out += amz_date;
  out += '\n';
  out += scope;
  out += '\n';
  out += previous_signature;
  out += '\n';
  return out;
}

}  // namespace

std::string ChunkSignature(std::string_view signing_key, std::string_view amz_date,
                           std::string_view scope, std::string_view previous_signature,
                           std::string_view chunk_sha256_hex) {
  std::string to_sign =
      ChainedStringToSign("AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous_signature);
  // Where the request's string to sign has the canonical request's hash, a chunk's has the hash
  // of empty "chunk headers" (always empty in SigV4) and then the chunk's.
  to_sign += kEmptySha256;
  to_sign += '\n';
  to_sign += chunk_sha256_hex;
  return Signature(signing_key, to_sign);
}

std::string TrailerSignature(std::string_view signing_key, std::string_view amz_date,
                             std::string_view scope, std::string_view previous_signature,
                             std::string_view trailer_lines) {
  // Signers hash the trailer with "\n" line ends while the wire has "\r\n".
  std::string canonical;
  canonical.reserve(trailer_lines.size());
  for (size_t i = 0; i < trailer_lines.size(); ++i) {
    if (trailer_lines[i] == '\r' && i + 1 < trailer_lines.size() && trailer_lines[i + 1] == '\n') {
      continue;
    }
    canonical.push_back(trailer_lines[i]);
  }
  std::string to_sign =
      ChainedStringToSign("AWS4-HMAC-SHA256-TRAILER", amz_date, scope, previous_signature);
  to_sign += Sha256Hex(canonical);
  return Signature(signing_key, to_sign);
}

}  // namespace sluice::s3

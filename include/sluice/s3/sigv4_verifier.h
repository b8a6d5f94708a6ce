// SigV4Verifier: decides whether an S3 request is signed by a known access key, either with an
// Authorization header or as a presigned URL. It checks the signature over the method, path,
// query, the signed headers and the payload hash the client declared; it does not read the body.
// The caller checks the body afterwards with what Verify returns: the declared SHA-256, or each
// aws-chunked chunk's signature (ChunkSignature) starting from the seed signature.
//
// Errors are Statuses whose aws_code() is the S3 error code to answer with:
//   AccessDenied (403)                 no signature at all; presigned URL expired or not yet valid;
//                                      no usable Date / x-amz-date
//   InvalidAccessKeyId (403)           the access key is unknown
//   SignatureDoesNotMatch (403)        the signature is wrong
//   RequestTimeTooSkewed (403)         header-signed request more than 15 minutes off the clock
//   AuthorizationHeaderMalformed (400) bad Authorization header, wrong region/service/scope date
//   AuthorizationQueryParametersError (400)  the same for a presigned URL's X-Amz-* parameters
//   InvalidRequest / InvalidArgument (400)   x-amz-content-sha256 missing or not a valid value;
//                                      both a header and a query signature
// Their StatusCode is kInvalidArgument throughout: the aws_code is what tells 400 from 403.
//
// Verify is const and the verifier holds no mutable state: thread-safe if `secret_for` is.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/common/clock.h"
#include "sluice/common/result.h"
#include "sluice/s3/sigv4.h"

namespace sluice::s3 {

// The secret of an access key, or nullopt when the key is unknown.
using SecretLookup = std::function<std::optional<std::string>(std::string_view access_key)>;

// How far a header-signed request's time may be from the server's clock, either way.
inline constexpr std::chrono::minutes kMaxClockSkew{15};

// What a verified request was signed with, for checking its body.
struct VerifiedRequest {
  AuthLocation location = AuthLocation::kHeader;
  std::string access_key;
  std::string signing_key;     // 32 bytes: the key for ChunkSignature / TrailerSignature
  std::string amz_date;        // "20130524T000000Z": the request time as signed
  std::string scope;           // "20130524/us-east-1/s3/aws4_request"
  std::string seed_signature;  // the request's signature: the "previous" of the first chunk
  // As signed: a hex SHA-256 the body must match, UNSIGNED-PAYLOAD or a STREAMING-... mode.
  std::string payload_hash;
  std::string session_token;  // x-amz-security-token / X-Amz-Security-Token; empty when absent
  TimePoint request_time;
};

class SigV4Verifier {
 public:
  // `region`: the one region credentials must be scoped to; empty accepts any. `service`: the
  // service requests must be signed for, with the path rules it signs with ("s3" and kS3; the
  // Lambda API is "lambda" with kGeneric).
  SigV4Verifier(SecretLookup secret_for, std::string region, std::string service = "s3",
                UriRules uri_rules = UriRules::kS3);

  // The header form is used when the request has an Authorization header, the presigned form
  // when its query has X-Amz-Algorithm, X-Amz-Credential or X-Amz-Signature. The payload hash is
  // request.payload_hash, else the x-amz-content-sha256 header; the header form requires one, a
  // presigned URL defaults to UNSIGNED-PAYLOAD. The path is canonicalised with the verifier's
  // UriRules.
  Result<VerifiedRequest> Verify(const SigningRequest& request, TimePoint now) const;

 private:
  Result<VerifiedRequest> VerifyHeader(const SigningRequest& request,
                                       std::string_view authorization, TimePoint now) const;
  Result<VerifiedRequest> VerifyPresigned(const SigningRequest& request, TimePoint now) const;
  // Region and service of the credential; `aws_code` names the form's malformed error.
  Status CheckScope(const Credential& credential, std::string_view aws_code) const;
  Result<std::string> SecretFor(std::string_view access_key) const;

  SecretLookup secret_for_;
  std::string region_;
  std::string service_;
  UriRules uri_rules_;
};

}  // namespace sluice::s3

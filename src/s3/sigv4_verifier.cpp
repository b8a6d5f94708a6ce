#include "sluice/s3/sigv4_verifier.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "s3/uri_encoding.h"
#include "sluice/common/time_format.h"
#include "sluice/s3/s3_error.h"

namespace sluice::s3 {
namespace {

constexpr std::string_view kHeaderMalformed = "AuthorizationHeaderMalformed";
constexpr std::string_view kQueryError = "AuthorizationQueryParametersError";

bool SignsHost(const std::vector<std::string>& signed_headers) {
  std::vector<std::string> sorted = SortedSignedHeaders(signed_headers);
  return std::binary_search(sorted.begin(), sorted.end(), "host");
}

bool IsHexSha256(std::string_view hash) {
  return hash.size() == 64 && std::all_of(hash.begin(), hash.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

// The payload hash the client signed: see SigV4Verifier::Verify.
Result<std::string> SignedPayloadHash(const SigningRequest& request, AuthLocation location) {
  std::string hash = request.payload_hash;
  if (hash.empty()) {
    hash = CanonicalHeaderValue(request.headers, "x-amz-content-sha256").value_or("");
  }
  if (hash.empty()) {
    if (location == AuthLocation::kQuery) return std::string(kUnsignedPayload);
    return S3Refusal("InvalidRequest",
                     "Missing required header for this request: x-amz-content-sha256");
  }
  if (!IsHexSha256(hash) && hash != kUnsignedPayload && hash != kStreamingPayload &&
      hash != kStreamingPayloadTrailer && hash != kStreamingUnsignedTrailer) {
    return S3Refusal("InvalidArgument", "x-amz-content-sha256 \"" + hash +
                                            "\" is not UNSIGNED-PAYLOAD, a supported "
                                            "STREAMING-... mode or a hex SHA-256");
  }
  return hash;
}

// The request time and its x-amz-date spelling: x-amz-date, else the Date header.
std::optional<std::pair<TimePoint, std::string>> RequestTime(const std::vector<Header>& headers) {
  if (std::optional<std::string> amz_date = CanonicalHeaderValue(headers, "x-amz-date")) {
    std::optional<TimePoint> time = ParseAmzDate(*amz_date);
    if (!time) return std::nullopt;
    return std::pair(*time, *amz_date);
  }
  if (std::optional<std::string> date = CanonicalHeaderValue(headers, "date")) {
    std::optional<TimePoint> time = ParseHttpDate(*date);
    if (!time) return std::nullopt;
    return std::pair(*time, FormatAmzDate(*time));
  }
  return std::nullopt;
}

Status DateMatchesScope(const Credential& credential, std::string_view amz_date,
                        std::string_view aws_code) {
  if (amz_date.substr(0, 8) == credential.date) return Status::Ok();
  return S3Refusal(aws_code, "the credential date \"" + credential.date +
                                 "\" is not the date of the request time \"" +
                                 std::string(amz_date) + "\"");
}

// Signs what the request carries with the client's claimed scope and compares, in constant
// time, with the signature it sent. Fills in what a body check needs.
Result<VerifiedRequest> CheckSignature(const SigningRequest& request,
                                       const std::vector<std::string>& signed_headers,
                                       const Credential& credential, std::string_view secret,
                                       std::string_view provided_signature, UriRules uri_rules,
                                       VerifiedRequest verified) {
  verified.access_key = credential.access_key;
  verified.scope = credential.Scope();
  verified.signing_key = SigningKey(secret, credential.date, credential.region, credential.service);
  std::string canonical = CanonicalRequest(request, signed_headers, uri_rules, verified.location,
                                           verified.payload_hash);
  verified.seed_signature =
      Signature(verified.signing_key, StringToSign(verified.amz_date, verified.scope, canonical));
  if (provided_signature.size() != verified.seed_signature.size() ||
      CRYPTO_memcmp(provided_signature.data(), verified.seed_signature.data(),
                    provided_signature.size()) != 0) {
    return S3Refusal("SignatureDoesNotMatch",
                     "The request signature we calculated does not match the signature you "
                     "provided. Check your key and signing method.");
  }
  return verified;
}

}  // namespace

SigV4Verifier::SigV4Verifier(SecretLookup secret_for, std::string region, std::string service,
                             UriRules uri_rules)
    : secret_for_(std::move(secret_for)),
      region_(std::move(region)),
      service_(std::move(service)),
      uri_rules_(uri_rules) {}

Result<VerifiedRequest> SigV4Verifier::Verify(const SigningRequest& request, TimePoint now) const {
  std::optional<std::string> authorization = CanonicalHeaderValue(request.headers, "authorization");
  bool presigned = HasPresignedParameters(request.query);
  if (authorization && presigned) {
    return S3Refusal("InvalidArgument",
                     "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter "
                     "or the Authorization header should be specified");
  }
  bool signature_v2 = (authorization && authorization->rfind("AWS ", 0) == 0) ||
                      (!presigned && Query::Parse(request.query).Has("AWSAccessKeyId"));
  if (signature_v2) {
    return S3Refusal("InvalidRequest",
                     "The authorization mechanism you have provided (Signature Version 2) is not "
                     "supported. Please use AWS4-HMAC-SHA256 (boto3: "
                     "Config(signature_version='s3v4')).");
  }
  if (authorization) return VerifyHeader(request, *authorization, now);
  if (presigned) return VerifyPresigned(request, now);
  return S3Refusal("AccessDenied",
                   "anonymous requests are refused: sign the request with an access key (AWS "
                   "Signature Version 4)");
}

Result<VerifiedRequest> SigV4Verifier::VerifyHeader(const SigningRequest& request,
                                                    std::string_view authorization,
                                                    TimePoint now) const {
  SLUICE_ASSIGN_OR_RETURN(AuthorizationHeader header, ParseAuthorization(authorization));
  SLUICE_RETURN_IF_ERROR(CheckScope(header.credential, kHeaderMalformed));
  if (!SignsHost(header.signed_headers)) {
    return S3Refusal(kHeaderMalformed, "SignedHeaders must include host");
  }
  SLUICE_ASSIGN_OR_RETURN(std::string secret, SecretFor(header.credential.access_key));

  VerifiedRequest verified;
  verified.location = AuthLocation::kHeader;
  auto time = RequestTime(request.headers);
  if (!time) {
    return S3Refusal("AccessDenied",
                     "AWS authentication requires a valid Date or x-amz-date header");
  }
  std::tie(verified.request_time, verified.amz_date) = *time;
  SLUICE_RETURN_IF_ERROR(DateMatchesScope(header.credential, verified.amz_date, kHeaderMalformed));
  auto skew =
      now > verified.request_time ? now - verified.request_time : verified.request_time - now;
  if (skew > kMaxClockSkew) {
    return S3Refusal("RequestTimeTooSkewed",
                     "The difference between the request time (" +
                         FormatRfc3339Seconds(verified.request_time) + ") and the server's time (" +
                         FormatRfc3339Seconds(now) + ") is more than 15 minutes.");
  }
  SLUICE_ASSIGN_OR_RETURN(verified.payload_hash, SignedPayloadHash(request, AuthLocation::kHeader));
  verified.session_token =
      CanonicalHeaderValue(request.headers, "x-amz-security-token").value_or("");
  return CheckSignature(request, header.signed_headers, header.credential, secret, header.signature,
                        uri_rules_, std::move(verified));
}

Result<VerifiedRequest> SigV4Verifier::VerifyPresigned(const SigningRequest& request,
                                                       TimePoint now) const {
  SLUICE_ASSIGN_OR_RETURN(PresignedQuery query, ParsePresignedQuery(request.query));
  SLUICE_RETURN_IF_ERROR(CheckScope(query.credential, kQueryError));
  if (!SignsHost(query.signed_headers)) {
    return S3Refusal(kQueryError, "X-Amz-SignedHeaders must include host");
  }
  SLUICE_ASSIGN_OR_RETURN(std::string secret, SecretFor(query.credential.access_key));
  SLUICE_RETURN_IF_ERROR(DateMatchesScope(query.credential, query.amz_date, kQueryError));
  // A URL dated in the future is refused as MinIO does; the clock allowance is the header form's.
  if (query.time > now + kMaxClockSkew) {
    return S3Refusal("AccessDenied", "Request is not valid yet");
  }
  if (now > query.time + std::chrono::seconds(query.expires_seconds)) {
    return S3Refusal("AccessDenied", "Request has expired");
  }

  VerifiedRequest verified;
  verified.location = AuthLocation::kQuery;
  verified.request_time = query.time;
  verified.amz_date = query.amz_date;
  verified.session_token = query.security_token;
  SLUICE_ASSIGN_OR_RETURN(verified.payload_hash, SignedPayloadHash(request, AuthLocation::kQuery));
  return CheckSignature(request, query.signed_headers, query.credential, secret, query.signature,
                        uri_rules_, std::move(verified));
}

Status SigV4Verifier::CheckScope(const Credential& credential, std::string_view aws_code) const {
  if (!region_.empty() && credential.region != region_) {
    return S3Refusal(aws_code, "the region \"" + credential.region + "\" is wrong; expecting \"" +
                                   region_ + "\"");
  }
  if (credential.service != service_) {
    return S3Refusal(aws_code, "the service \"" + credential.service + "\" is wrong; expecting \"" +
                                   service_ + "\"");
  }
  return Status::Ok();
}

Result<std::string> SigV4Verifier::SecretFor(std::string_view access_key) const {
  std::optional<std::string> secret = secret_for_ ? secret_for_(access_key) : std::nullopt;
  if (!secret) {
    return S3Refusal("InvalidAccessKeyId", "The AWS Access Key Id \"" + std::string(access_key) +
                                               "\" does not exist in our records.");
  }
  return *secret;
}

}  // namespace sluice::s3

// Signs requests the way S3 clients do, with an Authorization header or as a presigned URL: for
// tests of the verifier, and for any S3 client sluice grows. Pure functions: thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "sluice/common/clock.h"
#include "sluice/s3/sigv4.h"

namespace sluice::s3 {

struct SigningParams {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // sent, and signed, when not empty
  std::string region = "us-east-1";
  std::string service = "s3";
  TimePoint time;
  UriRules uri_rules = UriRules::kS3;
};

// The signature and the steps that led to it, for tests and for debugging a mismatch.
struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
};

// Adds x-amz-date (the request must not have one), x-amz-content-sha256 (request.payload_hash,
// kEmptySha256 when empty) unless the request has it, x-amz-security-token when there is a token,
// then the Authorization header. Signs `signed_headers` plus host and the headers it added.
SigningResult SignWithHeader(SigningRequest& request, std::vector<std::string> signed_headers,
                             const SigningParams& params);

// Appends X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders (`signed_headers` plus
// host), -Security-Token when there is a token, and last X-Amz-Signature to request.query. The
// payload is request.payload_hash, UNSIGNED-PAYLOAD when empty.
SigningResult Presign(SigningRequest& request, std::vector<std::string> signed_headers,
                      const SigningParams& params, std::chrono::seconds expires);

}  // namespace sluice::s3

#include "sluice/s3/sigv4_signer.h"

namespace sluice::s3 {
namespace {

std::string JoinSorted(const std::vector<std::string>& signed_headers) {
  std::string out;
  for (const std::string& name : SortedSignedHeaders(signed_headers)) {
    if (!out.empty()) out += ';';
    out += name;
  }
  return out;
}

void AppendParam(std::string& query, std::string_view name, std::string_view value) {
  if (!query.empty()) query += '&';
  query += name;
  query += '=';
  query += UriEncode(value, /*keep_slash=*/false);
}

SigningResult Sign(const SigningRequest& request, const std::vector<std::string>& signed_headers,
                   const SigningParams& params, AuthLocation location) {
  std::string amz_date = FormatAmzDate(params.time);
  std::string scope = CredentialScope(amz_date.substr(0, 8), params.region, params.service);
  SigningResult result;
  result.canonical_request = CanonicalRequest(request, signed_headers, params.uri_rules, location);
  result.string_to_sign = StringToSign(amz_date, scope, result.canonical_request);
  result.signature =
      Signature(SigningKey(params.secret_key, amz_date.substr(0, 8), params.region, params.service),
                result.string_to_sign);
  return result;
}

}  // namespace

SigningResult SignWithHeader(SigningRequest& request, std::vector<std::string> signed_headers,
                             const SigningParams& params) {
  std::string amz_date = FormatAmzDate(params.time);
  if (request.payload_hash.empty()) request.payload_hash = kEmptySha256;
  request.headers.emplace_back("X-Amz-Date", amz_date);
  if (!CanonicalHeaderValue(request.headers, "x-amz-content-sha256")) {
    request.headers.emplace_back("x-amz-content-sha256", request.payload_hash);
  }
  signed_headers.insert(signed_headers.end(), {"host", "x-amz-date", "x-amz-content-sha256"});
  if (!params.session_token.empty()) {
    request.headers.emplace_back("X-Amz-Security-Token", params.session_token);
    signed_headers.emplace_back("x-amz-security-token");
  }
  SigningResult result = Sign(request, signed_headers, params, AuthLocation::kHeader);
  std::string scope = CredentialScope(amz_date.substr(0, 8), params.region, params.service);
  request.headers.emplace_back(
      "Authorization", std::string(kAlgorithm) + " Credential=" + params.access_key + "/" + scope +
                           ", SignedHeaders=" + JoinSorted(signed_headers) +
                           ", Signature=" + result.signature);
  return result;
}

SigningResult Presign(SigningRequest& request, std::vector<std::string> signed_headers,
                      const SigningParams& params, std::chrono::seconds expires) {
  std::string amz_date = FormatAmzDate(params.time);
  if (request.payload_hash.empty()) request.payload_hash = kUnsignedPayload;
  signed_headers.emplace_back("host");
  std::string scope = CredentialScope(amz_date.substr(0, 8), params.region, params.service);
  AppendParam(request.query, "X-Amz-Algorithm", kAlgorithm);
  AppendParam(request.query, "X-Amz-Credential", params.access_key + "/" + scope);
  AppendParam(request.query, "X-Amz-Date", amz_date);
  AppendParam(request.query, "X-Amz-Expires", std::to_string(expires.count()));
  AppendParam(request.query, "X-Amz-SignedHeaders", JoinSorted(signed_headers));
  if (!params.session_token.empty()) {
    AppendParam(request.query, "X-Amz-Security-Token", params.session_token);
  }
  SigningResult result = Sign(request, signed_headers, params, AuthLocation::kQuery);
  AppendParam(request.query, "X-Amz-Signature", result.signature);
  return result;
}

}  // namespace sluice::s3

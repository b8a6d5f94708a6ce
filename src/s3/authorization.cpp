// Parsers for the two places a SigV4 signature travels: the Authorization header and the
// X-Amz-* parameters of a presigned URL. They check form only; sigv4_verifier.cpp checks meaning
// (region, time, key, signature).
#include <algorithm>
#include <map>

#include "s3/ascii.h"
#include "s3/uri_encoding.h"
#include "sluice/s3/s3_error.h"
#include "sluice/s3/sigv4.h"

namespace sluice::s3 {
namespace {

constexpr std::string_view kHeaderMalformed = "AuthorizationHeaderMalformed";
constexpr std::string_view kQueryError = "AuthorizationQueryParametersError";

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "AKID/20130524/us-east-1/s3/aws4_request".
Result<Credential> ParseCredential(std::string_view text, std::string_view aws_code) {
  std::vector<std::string_view> parts = Split(text, '/');
  bool empty_part = std::any_of(parts.begin(), parts.end(), [](auto p) { return p.empty(); });
  if (parts.size() != 5 || empty_part || parts[1].size() != 8 || !AllDigits(parts[1]) ||
      parts[4] != "aws4_request") {
    return S3Refusal(aws_code, "the credential \"" + std::string(text) +
                                   "\" is not <access key>/<yyyyMMdd>/<region>/<service>/"
                                   "aws4_request");
  }
  return Credential{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                    std::string(parts[3])};
}

Result<std::vector<std::string>> ParseSignedHeaders(std::string_view text,
                                                    std::string_view aws_code) {
  std::vector<std::string> names;
  for (std::string_view name : Split(text, ';')) {
    if (name.empty()) {
      return S3Refusal(aws_code, "the signed headers \"" + std::string(text) +
                                     "\" are not a ';'-separated list of header names");
    }
    names.emplace_back(name);
  }
  return names;
}

// 64 hex digits, returned lower-case (the case the server computes).
Result<std::string> ParseSignature(std::string_view text, std::string_view aws_code) {
  bool hex = std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
  if (text.size() != 64 || !hex) {
    return S3Refusal(aws_code, "the signature \"" + std::string(text) + "\" is not 64 hex digits");
  }
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

Result<int64_t> ParseExpires(std::string_view text) {
  if (!AllDigits(text)) {
    return S3Refusal(kQueryError, "X-Amz-Expires \"" + std::string(text) + "\" is not a number");
  }
  // Eight digits or more is out of range anyway; checking the length first keeps stoll in range.
  int64_t seconds =
      text.size() > 7 ? kMaxPresignedExpirySeconds + 1 : std::stoll(std::string(text));
  if (seconds < 1) return S3Refusal(kQueryError, "X-Amz-Expires must be at least 1 second");
  if (seconds > kMaxPresignedExpirySeconds) {
    return S3Refusal(kQueryError, "X-Amz-Expires must be at most 604800 seconds (a week)");
  }
  return seconds;
}

}  // namespace

Result<AuthorizationHeader> ParseAuthorization(std::string_view value) {
  value = TrimAscii(value);
  size_t space = value.find_first_of(" \t");
  std::string_view algorithm = value.substr(0, space);
  if (algorithm != kAlgorithm) {
    return S3Refusal(kHeaderMalformed, "the authorization algorithm \"" + std::string(algorithm) +
                                           "\" is not supported; use AWS4-HMAC-SHA256");
  }
  std::map<std::string_view, std::string_view> fields;
  std::string_view rest = space == std::string_view::npos ? "" : value.substr(space);
  for (std::string_view part : Split(rest, ',')) {
    part = TrimAscii(part);
    size_t equals = part.find('=');
    std::string_view key = part.substr(0, equals);
    if (equals == std::string_view::npos ||
        (key != "Credential" && key != "SignedHeaders" && key != "Signature")) {
      return S3Refusal(kHeaderMalformed, "the Authorization header has \"" + std::string(part) +
                                             "\" where Credential=, SignedHeaders= or Signature= "
                                             "belongs");
    }
    if (!fields.emplace(key, part.substr(equals + 1)).second) {
      return S3Refusal(kHeaderMalformed,
                       "the Authorization header has " + std::string(key) + "= twice");
    }
  }
  for (std::string_view key : {"Credential", "SignedHeaders", "Signature"}) {
    if (!fields.count(key)) {
      return S3Refusal(kHeaderMalformed,
                       "the Authorization header lacks " + std::string(key) + "=");
    }
  }
  AuthorizationHeader header;
  SLUICE_ASSIGN_OR_RETURN(header.credential,
                          ParseCredential(fields["Credential"], kHeaderMalformed));
  SLUICE_ASSIGN_OR_RETURN(header.signed_headers,
                          ParseSignedHeaders(fields["SignedHeaders"], kHeaderMalformed));
  SLUICE_ASSIGN_OR_RETURN(header.signature, ParseSignature(fields["Signature"], kHeaderMalformed));
  return header;
}

bool HasPresignedParameters(std::string_view raw_query) {
  for (const QueryParam& param : SplitQuery(raw_query)) {
    if (param.name == "X-Amz-Algorithm" || param.name == "X-Amz-Credential" ||
        param.name == "X-Amz-Signature") {
      return true;
    }
  }
  return false;
}

Result<PresignedQuery> ParsePresignedQuery(std::string_view raw_query) {
  static constexpr std::string_view kRequired[] = {"X-Amz-Algorithm",     "X-Amz-Credential",
                                                   "X-Amz-Signature",     "X-Amz-Date",
                                                   "X-Amz-SignedHeaders", "X-Amz-Expires"};
  std::map<std::string, std::string, std::less<>> fields;
  for (QueryParam& param : SplitQuery(raw_query)) {
    if (param.name.rfind("X-Amz-", 0) != 0) continue;
    std::string name = param.name;
    if (!fields.emplace(std::move(param.name), std::move(param.value)).second) {
      return S3Refusal(kQueryError, "the query has " + name + " twice");
    }
  }
  for (std::string_view name : kRequired) {
    if (!fields.count(name)) {
      return S3Refusal(kQueryError,
                       "Query-string authentication version 4 requires the X-Amz-Algorithm, "
                       "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
                       "X-Amz-Expires parameters; " +
                           std::string(name) + " is missing");
    }
  }
  if (fields["X-Amz-Algorithm"] != kAlgorithm) {
    return S3Refusal(kQueryError, "X-Amz-Algorithm \"" + fields["X-Amz-Algorithm"] +
                                      "\" is not supported; use AWS4-HMAC-SHA256");
  }
  PresignedQuery query;
  SLUICE_ASSIGN_OR_RETURN(query.credential,
                          ParseCredential(fields["X-Amz-Credential"], kQueryError));
  query.amz_date = fields["X-Amz-Date"];
  std::optional<TimePoint> time = ParseAmzDate(query.amz_date);
  if (!time) {
    return S3Refusal(kQueryError,
                     "X-Amz-Date \"" + query.amz_date +
                         "\" is not in the ISO 8601 basic format yyyyMMdd'T'HHmmss'Z'");
  }
  query.time = *time;
  SLUICE_ASSIGN_OR_RETURN(query.expires_seconds, ParseExpires(fields["X-Amz-Expires"]));
  SLUICE_ASSIGN_OR_RETURN(query.signed_headers,
                          ParseSignedHeaders(fields["X-Amz-SignedHeaders"], kQueryError));
  SLUICE_ASSIGN_OR_RETURN(query.signature, ParseSignature(fields["X-Amz-Signature"], kQueryError));
  if (auto token = fields.find("X-Amz-Security-Token"); token != fields.end()) {
    query.security_token = token->second;
  }
  return query;
}

}  // namespace sluice::s3

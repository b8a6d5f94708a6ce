// AWS Signature Version 4, the pieces: canonical request, string to sign, signing key, signature,
// aws-chunked chunk and trailer signatures, and the parsers for the Authorization header and the
// presigned-URL query. The S3 endpoint verifies requests with them (sigv4_verifier.h); tests and
// clients sign with them (sigv4_signer.h).
//
// The S3 flavour differs from the generic one that most AWS services use: S3 signs the path as the
// client sent it, encoded once and never normalised (UriRules below).
//
// Everything here is a pure function of its arguments: thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/common/clock.h"
#include "sluice/common/result.h"

namespace sluice::s3 {

using Header = std::pair<std::string, std::string>;

// An HTTP request as the signature sees it.
struct SigningRequest {
  std::string method;  // "GET", "PUT", ...
  // The path as on the wire, percent-encoded as the client sent it ("/bucket/a%20b").
  std::string path;
  // The raw query string, without the '?'.
  std::string query;
  // As received: names in any case, duplicates allowed, in arrival order.
  std::vector<Header> headers;
  // The x-amz-content-sha256 value: 64 hex digits, UNSIGNED-PAYLOAD, STREAMING-...; empty when
  // the request has none (the verifier then reads the header itself).
  std::string payload_hash;
};

// How the path becomes the canonical URI.
enum class UriRules {
  // S3: every byte outside A-Za-z0-9-._~ and '/' is %XX (upper case), once. Escapes the client
  // sent are decoded first so that "%7e" and "~" sign alike; an escaped "%2F" stays escaped.
  // Never normalised: "//", "." and ".." are signed as they are.
  kS3,
  // Every other service: "." and ".." segments resolved, "//" collapsed, then the wire path
  // encoded again (so "%" becomes "%25": double encoding). Only for the generic test vectors.
  kGeneric,
};

// Where the signature travels.
enum class AuthLocation {
  kHeader,  // Authorization: AWS4-HMAC-SHA256 ...
  kQuery,   // presigned URL: X-Amz-Signature in the query, left out of the canonical query
};

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kStreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
inline constexpr std::string_view kStreamingPayloadTrailer =
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
inline constexpr std::string_view kStreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
// SHA-256 of the empty string: the payload hash of a request without a body.
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// Presigned URLs live at most a week.
inline constexpr int64_t kMaxPresignedExpirySeconds = 604800;

// ---- Canonical request ----------------------------------------------------------------------

// Percent-encodes every byte outside A-Za-z0-9-._~ (and '/', when `keep_slash`) as upper-case %XX.
std::string UriEncode(std::string_view bytes, bool keep_slash);
std::string CanonicalUri(std::string_view path, UriRules rules);
// Each name and value decoded ('+' is a literal plus), re-encoded with UriEncode, sorted by name
// then value, a bare name as "name=". With kQuery, X-Amz-Signature is left out.
std::string CanonicalQuery(std::string_view raw_query, AuthLocation location);
// Lower-cased, sorted, without duplicates: the order the canonical request lists them in.
std::vector<std::string> SortedSignedHeaders(const std::vector<std::string>& signed_headers);
// A header's value as it is signed: every value of `name` (any case) trimmed, inner whitespace
// runs (folded lines included) made one space, joined with ',' in arrival order. nullopt when the
// request has no such header.
std::optional<std::string> CanonicalHeaderValue(const std::vector<Header>& headers,
                                                std::string_view name);
// "name:value\n" for each signed header, sorted by name. A signed header the request lacks is
// signed with an empty value (so the signature will not match).
std::string CanonicalHeaders(const std::vector<Header>& headers,
                             const std::vector<std::string>& signed_headers);
// METHOD \n URI \n QUERY \n HEADERS \n SIGNEDHEADERS \n PAYLOADHASH, with request.payload_hash.
std::string CanonicalRequest(const SigningRequest& request,
                             const std::vector<std::string>& signed_headers, UriRules rules,
                             AuthLocation location = AuthLocation::kHeader);
// The same with `payload_hash` in place of request.payload_hash.
std::string CanonicalRequest(const SigningRequest& request,
                             const std::vector<std::string>& signed_headers, UriRules rules,
                             AuthLocation location, std::string_view payload_hash);

// ---- Signing ---------------------------------------------------------------------------------

// "20130524/us-east-1/s3/aws4_request".
std::string CredentialScope(std::string_view date, std::string_view region,
                            std::string_view service);
// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256 of canonical_request>".
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);
// The 32-byte key HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service);
// Hex HMAC of `string_to_sign` under `signing_key`.
std::string Signature(std::string_view signing_key, std::string_view string_to_sign);

// aws-chunked (STREAMING-AWS4-HMAC-SHA256-PAYLOAD): the signature of one chunk, chained on the
// previous one (the request's signature for the first chunk). `chunk_sha256_hex` is the hex
// SHA-256 of the chunk's data (kEmptySha256 for the final, empty chunk).
std::string ChunkSignature(std::string_view signing_key, std::string_view amz_date,
                           std::string_view scope, std::string_view previous_signature,
                           std::string_view chunk_sha256_hex);
// The signed trailer's signature, chained on the final chunk's. `trailer_lines` are the trailer
// headers as received but for x-amz-trailer-signature itself, "name:value" each ending in "\n";
// "\r\n" endings are accepted and hashed as "\n", as signers do.
std::string TrailerSignature(std::string_view signing_key, std::string_view amz_date,
                             std::string_view scope, std::string_view previous_signature,
                             std::string_view trailer_lines);

// ---- Dates -----------------------------------------------------------------------------------

// "20130524T000000Z" (ISO 8601 basic, UTC): x-amz-date and X-Amz-Date.
std::string FormatAmzDate(TimePoint t);
std::optional<TimePoint> ParseAmzDate(std::string_view text);
// "Fri, 24 May 2013 00:00:00 GMT" (RFC 1123): the Date header.
std::optional<TimePoint> ParseHttpDate(std::string_view text);

// ---- What the client sent --------------------------------------------------------------------

// The Credential: AKID/20130524/us-east-1/s3/aws4_request.
struct Credential {
  std::string access_key;
  std::string date;  // YYYYMMDD
  std::string region;
  std::string service;

  std::string Scope() const { return CredentialScope(date, region, service); }
};

struct AuthorizationHeader {
  Credential credential;
  std::vector<std::string> signed_headers;  // as listed
  std::string signature;                    // 64 lower-case hex digits
};

// Parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=a;b, Signature=hex" (", " or ","
// between the parts). Errors carry aws_code AuthorizationHeaderMalformed.
Result<AuthorizationHeader> ParseAuthorization(std::string_view value);

struct PresignedQuery {
  Credential credential;
  std::string amz_date;  // X-Amz-Date as sent
  TimePoint time;        // X-Amz-Date parsed
  int64_t expires_seconds = 0;
  std::vector<std::string> signed_headers;
  std::string signature;       // 64 lower-case hex digits
  std::string security_token;  // X-Amz-Security-Token, empty when absent
};

// True when the raw query carries any X-Amz-Algorithm, X-Amz-Credential or X-Amz-Signature.
bool HasPresignedParameters(std::string_view raw_query);
// Reads the X-Amz-* parameters of a presigned URL (X-Amz-Expires 1 to 604800). Errors carry
// aws_code AuthorizationQueryParametersError.
Result<PresignedQuery> ParsePresignedQuery(std::string_view raw_query);

}  // namespace sluice::s3

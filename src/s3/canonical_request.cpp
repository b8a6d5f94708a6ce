// The canonical request: METHOD \n URI \n QUERY \n HEADERS \n SIGNEDHEADERS \n PAYLOADHASH.
#include <algorithm>

#include "s3/ascii.h"
#include "s3/uri_encoding.h"
#include "sluice/s3/sigv4.h"

namespace sluice::s3 {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Trimmed, with every whitespace run inside (including the line breaks of a folded header) made
// one space. Quoted strings get no exception: "a   b" signs as "a b", as the signers do.
std::string CollapseWhitespace(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (char c : value) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::string JoinSignedHeaders(const std::vector<std::string>& sorted) {
  std::string out;
  for (const std::string& name : sorted) {
    if (!out.empty()) out += ';';
    out += name;
  }
  return out;
}

}  // namespace

std::string CanonicalQuery(std::string_view raw_query, AuthLocation location) {
  std::vector<std::pair<std::string, std::string>> encoded;
  for (QueryParam& param : SplitQuery(raw_query)) {
    if (location == AuthLocation::kQuery && param.name == "X-Amz-Signature") continue;
    encoded.emplace_back(UriEncode(param.name, false), UriEncode(param.value, false));
  }
  // Sorted on the encoded bytes, as the signers do ("%E1..." sorts before "P").
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

std::vector<std::string> SortedSignedHeaders(const std::vector<std::string>& signed_headers) {
  std::vector<std::string> sorted;
  sorted.reserve(signed_headers.size());
  for (const std::string& name : signed_headers)
    sorted.push_back(ToLowerAscii(name));
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  return sorted;
}

std::optional<std::string> CanonicalHeaderValue(const std::vector<Header>& headers,
                                                std::string_view name) {
  std::optional<std::string> joined;
  for (const auto& [header_name, value] : headers) {
    if (!EqualsIgnoreCaseAscii(header_name, name)) continue;
    if (joined) {
      *joined += ',';
      *joined += CollapseWhitespace(value);
    } else {
      joined = CollapseWhitespace(value);
    }
  }
  return joined;
}

std::string CanonicalHeaders(const std::vector<Header>& headers,
                             const std::vector<std::string>& signed_headers) {
  std::string out;
  for (const std::string& name : SortedSignedHeaders(signed_headers)) {
    out += name;
    out += ':';
    out += CanonicalHeaderValue(headers, name).value_or("");
    out += '\n';
  }
  return out;
}

std::string CanonicalRequest(const SigningRequest& request,
                             const std::vector<std::string>& signed_headers, UriRules rules,
                             AuthLocation location) {
  return CanonicalRequest(request, signed_headers, rules, location, request.payload_hash);
}

std::string CanonicalRequest(const SigningRequest& request,
                             const std::vector<std::string>& signed_headers, UriRules rules,
                             AuthLocation location, std::string_view payload_hash) {
  std::string out = request.method;
  out += '\n';
  out += CanonicalUri(request.path, rules);
  out += '\n';
  out += CanonicalQuery(request.query, location);
  out += '\n';
  out += CanonicalHeaders(request.headers, signed_headers);
  out += '\n';
  out += JoinSignedHeaders(SortedSignedHeaders(signed_headers));
  out += '\n';
  out += payload_hash;
  return out;
}

}  // namespace sluice::s3

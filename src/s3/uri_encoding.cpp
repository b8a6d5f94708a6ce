#include "s3/uri_encoding.h"

#include <optional>

#include "sluice/s3/sigv4.h"

namespace sluice::s3 {
namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The byte a valid "%XX" at `text[i]` stands for.
std::optional<unsigned char> EscapeAt(std::string_view text, size_t i) {
  if (text[i] != '%' || i + 2 >= text.size()) return std::nullopt;
  int high = HexValue(text[i + 1]);
  int low = HexValue(text[i + 2]);
  if (high < 0 || low < 0) return std::nullopt;
  return static_cast<unsigned char>(high * 16 + low);
}

void AppendEncoded(std::string& out, unsigned char c, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  if (IsUnreserved(c) || (keep_slash && c == '/')) {
    out.push_back(static_cast<char>(c));
    return;
  }
  out.push_back('%');
  out.push_back(kDigits[c >> 4]);
  out.push_back(kDigits[c & 0xf]);
}

// RFC 3986 dot-segment removal plus "//" collapsing, as the generic SigV4 signers do:
// "/a/./b/../c//" -> "/a/c/".
std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> segments;
  bool trailing_slash = false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    bool last = end == path.size();
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    // A path ending in "/", "/." or "/.." names a directory.
    if (last) trailing_slash = segment.empty() || segment == "." || segment == "..";
    start = end + 1;
  }
  std::string out;
  for (std::string_view segment : segments) {
    out += '/';
    out += segment;
  }
  if (out.empty() || trailing_slash) out += '/';
  return out;
}

}  // namespace

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (auto byte = EscapeAt(text, i)) {
      out.push_back(static_cast<char>(*byte));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::vector<QueryParam> SplitQuery(std::string_view raw_query) {
  std::vector<QueryParam> params;
  size_t start = 0;
  while (start <= raw_query.size()) {
    size_t end = raw_query.find('&', start);
    if (end == std::string_view::npos) end = raw_query.size();
    std::string_view piece = raw_query.substr(start, end - start);
    if (!piece.empty()) {
      size_t equals = piece.find('=');
      std::string_view name = piece.substr(0, equals);
      std::string_view value =
          equals == std::string_view::npos ? std::string_view() : piece.substr(equals + 1);
      params.push_back({PercentDecode(name), PercentDecode(value)});
    }
    start = end + 1;
  }
  return params;
}

std::string UriEncode(std::string_view bytes, bool keep_slash) {
  std::string out;
  out.reserve(bytes.size() * 3);
  for (unsigned char c : bytes)
    AppendEncoded(out, c, keep_slash);
  return out;
}

std::string CanonicalUri(std::string_view path, UriRules rules) {
  if (path.empty()) return "/";
  if (rules == UriRules::kGeneric) return UriEncode(NormalizePath(path), /*keep_slash=*/true);
  std::string out;
  out.reserve(path.size() * 3);
  for (size_t i = 0; i < path.size(); ++i) {
    if (auto byte = EscapeAt(path, i)) {
      // An escaped '/' is part of a segment, not a separator: it stays escaped.
      AppendEncoded(out, *byte, /*keep_slash=*/false);
      i += 2;
    } else {
      AppendEncoded(out, static_cast<unsigned char>(path[i]), /*keep_slash=*/true);
    }
  }
  return out;
}

}  // namespace sluice::s3

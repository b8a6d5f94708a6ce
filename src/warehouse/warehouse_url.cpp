#include "warehouse/warehouse_url.h"

#include <libpq-fe.h>

#include <cctype>
#include <optional>
#include <vector>

namespace sluice::warehouse {
namespace {

constexpr std::string_view kSchemeEnd = "://";
constexpr std::string_view kRedshiftDefaultPort = "5439";

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

Status Malformed(std::string_view url, std::string_view why) {
  return Status::InvalidArgument("malformed warehouse URL \"" + RedactUrl(url) +
                                 "\": " + std::string(why));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int high = HexValue(text[i + 1]), low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

// libpq's own check of a connection URI, without connecting.
Status CheckConninfo(std::string_view url, const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    std::string message = error ? error : "libpq cannot parse it";
    PQfreemem(error);
    while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) {
      message.pop_back();
    }
    return Malformed(url, message);
  }
  PQconninfoFree(options);
  return Status::Ok();
}

// The parts of scheme://USERINFO@HOST:PORT/PATH?QUERY that a Redshift URL needs.
struct UriParts {
  std::string_view userinfo;  // empty when there is none
  std::string_view host;
  std::string_view port;
  std::string_view path;  // "/db" or empty
  std::string_view query;
};

Result<UriParts> SplitUri(std::string_view url, std::string_view rest) {
  UriParts parts;
  size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
  if (tail.find('#') != std::string_view::npos)
    return Malformed(url, "a fragment (#) is not allowed");
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    parts.userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
  }
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    parts.port = authority.substr(colon + 1);
    authority = authority.substr(0, colon);
    if (parts.port.empty() ||
        parts.port.find_first_not_of("0123456789") != std::string_view::npos) {
      return Malformed(url, "the port is not a number");
    }
  }
  parts.host = authority;
  if (parts.host.empty()) return Malformed(url, "no host");
  size_t question = tail.find('?');
  parts.path = tail.substr(0, question);
  if (question != std::string_view::npos) parts.query = tail.substr(question + 1);
  return parts;
}

Result<WarehouseUrl> ParseRedshift(std::string_view url, std::string_view rest) {
  SLUICE_ASSIGN_OR_RETURN(UriParts parts, SplitUri(url, rest));
  WarehouseUrl parsed;
  parsed.kind = WarehouseKind::kRedshift;
  std::vector<std::string_view> passed_on;
  size_t start = 0;
  while (start <= parts.query.size() && !parts.query.empty()) {
    size_t end = parts.query.find('&', start);
    std::string_view pair = parts.query.substr(start, end - start);
    size_t equals = pair.find('=');
    std::string_view name = pair.substr(0, equals);
    std::string_view value = equals == std::string_view::npos ? "" : pair.substr(equals + 1);
    if (name == "iam_role" || name == "region") {
      std::optional<std::string> decoded = PercentDecode(value);
      if (!decoded) return Malformed(url, "bad percent-encoding in " + std::string(name));
      (name == "iam_role" ? parsed.iam_role : parsed.region) = *decoded;
    } else if (!pair.empty()) {
      passed_on.push_back(pair);
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (parsed.iam_role.empty()) {
    return Malformed(url,
                     "a Redshift warehouse needs iam_role=ARN (the role COPY uses to read "
                     "the lake)");
  }
  std::string conninfo = "postgresql://";
  if (!parts.userinfo.empty()) conninfo += std::string(parts.userinfo) + "@";
  conninfo += std::string(parts.host) + ":";
  conninfo += parts.port.empty() ? kRedshiftDefaultPort : parts.port;
  conninfo += parts.path;
  for (size_t i = 0; i < passed_on.size(); ++i) {
    conninfo += (i == 0 ? "?" : "&") + std::string(passed_on[i]);
  }
  SLUICE_RETURN_IF_ERROR(CheckConninfo(url, conninfo));
  parsed.conninfo = std::move(conninfo);
  return parsed;
}

}  // namespace

Result<WarehouseUrl> ParseWarehouseUrl(std::string_view url) {
  size_t scheme_end = url.find(kSchemeEnd);
  if (scheme_end == std::string_view::npos || scheme_end == 0) {
    return Malformed(url, "expected duckdb://PATH, postgresql://…, postgres://… or redshift://…");
  }
  std::string_view scheme = url.substr(0, scheme_end);
  std::string_view rest = url.substr(scheme_end + kSchemeEnd.size());
  WarehouseUrl parsed;
  parsed.display = RedactUrl(url);
  if (EqualsIgnoreCase(scheme, "duckdb")) {
    if (rest.empty()) return Malformed(url, "no database file after duckdb://");
    parsed.kind = WarehouseKind::kDuckDb;
    parsed.path = std::string(rest);
    return parsed;
  }
  if (EqualsIgnoreCase(scheme, "postgresql") || EqualsIgnoreCase(scheme, "postgres")) {
    parsed.kind = WarehouseKind::kPostgres;
    parsed.conninfo = std::string(url);
    SLUICE_RETURN_IF_ERROR(CheckConninfo(url, parsed.conninfo));
    return parsed;
  }
  if (EqualsIgnoreCase(scheme, "redshift")) {
    SLUICE_ASSIGN_OR_RETURN(WarehouseUrl redshift, ParseRedshift(url, rest));
    redshift.display = std::move(parsed.display);
    return redshift;
  }
  return Status::InvalidArgument("unsupported warehouse URL \"" + RedactUrl(url) +
                                 "\": the scheme must be duckdb, postgresql, postgres or redshift");
}

std::string RedactUrl(std::string_view url) {
  size_t scheme_end = url.find(kSchemeEnd);
  if (scheme_end == std::string_view::npos) return std::string(url);
  size_t authority_start = scheme_end + kSchemeEnd.size();
  size_t authority_end = url.find_first_of("/?#", authority_start);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  std::string out(url.substr(0, authority_start));
  std::string_view authority = url.substr(authority_start, authority_end - authority_start);
  size_t at = authority.rfind('@');
  size_t colon = at == std::string_view::npos ? std::string_view::npos : authority.find(':');
  if (colon != std::string_view::npos && colon < at) {
    out += std::string(authority.substr(0, colon + 1)) + "***" + std::string(authority.substr(at));
  } else {
    out += authority;
  }
  // Query parameters: password=… (libpq's) is hidden too.
  std::string_view tail = url.substr(authority_end);
  size_t question = tail.find('?');
  out += tail.substr(0, question);
  if (question == std::string_view::npos) return out;
  out += '?';
  std::string_view query = tail.substr(question + 1);
  size_t start = 0;
  while (true) {
    size_t end = query.find('&', start);
    std::string_view pair = query.substr(start, end - start);
    if (pair.substr(0, pair.find('=')) == "password") {
      out += "password=***";
    } else {
      out += pair;
    }
    if (end == std::string_view::npos) break;
    out += '&';
    start = end + 1;
  }
  return out;
}

}  // namespace sluice::warehouse

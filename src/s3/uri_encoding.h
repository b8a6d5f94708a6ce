// Percent-decoding and query splitting shared by the canonical request and the presigned-URL
// parser.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::s3 {

// Decodes %XX escapes. A '%' not followed by two hex digits is kept as a literal '%'; '+' stays
// '+' (SigV4 does not use form encoding).
std::string PercentDecode(std::string_view text);

struct QueryParam {
  std::string name;   // decoded
  std::string value;  // decoded; empty for a bare "name"
};

// Splits "a=1&b&c=" on '&' (empty pieces skipped) and the first '=', decoding both sides.
std::vector<QueryParam> SplitQuery(std::string_view raw_query);

// A request's query parameters, looked up by name.
struct Query {
  std::vector<QueryParam> params;

  static Query Parse(std::string_view raw_query) { return {SplitQuery(raw_query)}; }
  bool Has(std::string_view name) const {
    return std::any_of(params.begin(), params.end(),
                       [&](const QueryParam& p) { return p.name == name; });
  }
  // The first value of `name`; "" when absent.
  std::string Get(std::string_view name) const {
    for (const QueryParam& p : params) {
      if (p.name == name) return p.value;
    }
    return "";
  }
};

}  // namespace sluice::s3

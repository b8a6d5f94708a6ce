// `wildcard` patterns: `*` matches any run of characters (also none); `\*` is a literal star and
// `\\` a literal backslash.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"

namespace sluice::bus {

// A parsed wildcard: literal segments split at each `*`. "a*b*" is {"a", "b", ""}.
struct Wildcard {
  std::vector<std::string> segments;  // segments.size() - 1 stars

  bool Matches(std::string_view value) const;
  const std::string& LiteralPrefix() const { return segments.front(); }
  const std::string& LiteralSuffix() const { return segments.back(); }
  bool HasStar() const { return segments.size() > 1; }
};

// How non-deterministic matching the wildcards of one field can get: the most automaton states
// that can be active at once, over every possible input, counting all the patterns together.
// Stops counting at `cap`.
int WildcardComplexity(const std::vector<Wildcard>& wildcards, int cap);

// Parses the text of a wildcard pattern; fails with Ruler's reason ("Consecutive wildcard
// characters at pos 3", "Invalid escape character at pos 1").
Result<Wildcard> ParseWildcard(std::string_view text);

}  // namespace sluice::bus

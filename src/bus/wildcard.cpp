#include "bus/wildcard.h"

namespace sluice::bus {
namespace {

// Ruler parses the value with its opening quote in front, so its positions count from 1.
constexpr size_t kRulerPositionOffset = 1;

}  // namespace

Result<Wildcard> ParseWildcard(std::string_view text) {
  Wildcard wildcard;
  wildcard.segments.emplace_back();
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '*') {
      if (i + 1 < text.size() && text[i + 1] == '*') {
        return Status::InvalidArgument("Consecutive wildcard characters at pos " +
                                       std::to_string(i + kRulerPositionOffset));
      }
      wildcard.segments.emplace_back();
    } else if (c == '\\') {
      if (i + 1 < text.size() && (text[i + 1] == '*' || text[i + 1] == '\\')) {
        wildcard.segments.back().push_back(text[++i]);
      } else {
        return Status::InvalidArgument("Invalid escape character at pos " +
                                       std::to_string(i + kRulerPositionOffset));
      }
    } else {
      wildcard.segments.back().push_back(c);
    }
  }
  return wildcard;
}

bool Wildcard::Matches(std::string_view value) const {
  const std::string& first = segments.front();
  if (!HasStar()) return value == first;
  const std::string& last = segments.back();
  if (value.size() < first.size() + last.size()) return false;
  if (!value.starts_with(first) || !value.ends_with(last)) return false;
  // The middle segments, in order, each at its leftmost place: greedy is exact for `*` globs.
  std::string_view rest = value.substr(first.size(), value.size() - first.size() - last.size());
  for (size_t i = 1; i + 1 < segments.size(); ++i) {
    size_t at = rest.find(segments[i]);
    if (at == std::string_view::npos) return false;
    rest.remove_prefix(at + segments[i].size());
  }
  return true;
}

}  // namespace sluice::bus

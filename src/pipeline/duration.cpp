#include "pipeline/duration.h"

#include <limits>

namespace sluice::pipeline {

std::optional<int64_t> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    int64_t value = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      value = value * 10 + (text[i] - '0');
      if (value > kMax) return std::nullopt;
    }
    if (i == text.size()) {
      // A bare number is seconds, but only on its own: "1h30" is more likely a mistake.
      if (total != 0 || text.find_first_not_of("0123456789") != std::string_view::npos) {
        return std::nullopt;
      }
      return value;
    }
    int64_t unit = 0;
    switch (text[i++]) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        return std::nullopt;
    }
    total += value * unit;
    if (total > kMax) return std::nullopt;
  }
  return total;
}

}  // namespace sluice::pipeline

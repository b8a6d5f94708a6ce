// Durations in a pipeline spec: "90s", "10m", "1h", "2d", combinations ("1h30m"), or a number of
// seconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::pipeline {

// Seconds, or nullopt when `text` is not a duration (negative, empty, unknown unit, overflow).
std::optional<int64_t> ParseDuration(std::string_view text);

}  // namespace sluice::pipeline

// The timestamp spellings AWS uses, always in UTC.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sluice/common/clock.h"

namespace sluice {

// "2021-11-12T00:00:00Z": EventBridge's `time` field (RFC 3339, whole seconds).
std::string FormatRfc3339Seconds(TimePoint t);
// "2009-10-12T17:50:30.000Z": S3's XML timestamps (ISO 8601 with milliseconds).
std::string FormatIso8601Millis(TimePoint t);
// "Wed, 12 Oct 2009 17:50:00 GMT": HTTP dates (RFC 1123).
std::string FormatHttpDate(TimePoint t);

// Reads "2021-11-12T00:00:00Z", with optional fractional seconds and a "+hh:mm"/"-hh:mm" offset
// instead of "Z", or a bare date "2021-11-12" (midnight UTC). nullopt when it is neither.
std::optional<TimePoint> ParseRfc3339(std::string_view text);

}  // namespace sluice

#include "sluice/common/time_format.h"

#include <fmt/format.h>

#include <ctime>

namespace sluice {
namespace {

struct Parts {
  std::tm tm{};
  int millis = 0;
};

Parts Split(TimePoint t) {
  int64_t ms = ToUnixMillis(t);
  int64_t seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  Parts parts;
  parts.millis = static_cast<int>(ms - seconds * 1000);
  std::time_t tt = static_cast<std::time_t>(seconds);
  gmtime_r(&tt, &parts.tm);
  return parts;
}

}  // namespace

std::string FormatRfc3339Seconds(TimePoint t) {
  Parts p = Split(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", p.tm.tm_year + 1900, p.tm.tm_mon + 1,
                     p.tm.tm_mday, p.tm.tm_hour, p.tm.tm_min, p.tm.tm_sec);
}

std::string FormatIso8601Millis(TimePoint t) {
  Parts p = Split(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", p.tm.tm_year + 1900,
                     p.tm.tm_mon + 1, p.tm.tm_mday, p.tm.tm_hour, p.tm.tm_min, p.tm.tm_sec,
                     p.millis);
}

std::string FormatHttpDate(TimePoint t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  Parts p = Split(t);
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT", kDays[p.tm.tm_wday], p.tm.tm_mday,
                     kMonths[p.tm.tm_mon], p.tm.tm_year + 1900, p.tm.tm_hour, p.tm.tm_min,
                     p.tm.tm_sec);
}

}  // namespace sluice

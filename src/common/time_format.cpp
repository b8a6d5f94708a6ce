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

std::optional<TimePoint> ParseRfc3339(std::string_view text) {
  auto digits = [&](size_t at, size_t count) -> std::optional<int> {
    if (at + count > text.size()) return std::nullopt;
    int value = 0;
    for (size_t i = at; i < at + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  if (!year || !month || !day || text.size() < 10 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  if (*month < 1 || *month > 12 || *day < 1 || *day > 31) return std::nullopt;
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  int64_t millis = 0, offset_seconds = 0;
  if (text.size() > 10) {
    auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
    if ((text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !hour || !minute || !second ||
        text[13] != ':' || text[16] != ':' || *hour > 23 || *minute > 59 || *second > 60) {
      return std::nullopt;
    }
    tm.tm_hour = *hour;
    tm.tm_min = *minute;
    tm.tm_sec = *second;
    size_t i = 19;
    if (i < text.size() && text[i] == '.') {
      int64_t scale = 100;
      for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, scale /= 10) {
        millis += (text[i] - '0') * scale;
      }
    }
    std::string_view zone = text.substr(std::min(i, text.size()));
    if (zone == "Z" || zone == "z") {
      offset_seconds = 0;
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
      auto zh = digits(i + 1, 2), zm = digits(i + 4, 2);
      if (!zh || !zm) return std::nullopt;
      offset_seconds = (zone[0] == '+' ? 1 : -1) * (*zh * 3600 + *zm * 60);
    } else {
      return std::nullopt;
    }
  }
  std::time_t seconds = timegm(&tm);
  return FromUnixMillis((static_cast<int64_t>(seconds) - offset_seconds) * 1000 + millis);
}

}  // namespace sluice

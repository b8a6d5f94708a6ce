// The two request-time spellings SigV4 accepts: x-amz-date and the HTTP Date header.
#include <array>
#include <chrono>

#include "sluice/common/time_format.h"
#include "sluice/s3/sigv4.h"

namespace sluice::s3 {
namespace {

// The number in text[pos, pos + count), all digits, or -1.
int Digits(std::string_view text, size_t pos, size_t count) {
  if (pos + count > text.size()) return -1;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

std::optional<TimePoint> MakeTime(int year, int month, int day, int hour, int minute, int second) {
  namespace chrono = std::chrono;
  chrono::year_month_day date{chrono::year(year), chrono::month(static_cast<unsigned>(month)),
                              chrono::day(static_cast<unsigned>(day))};
  // Leap seconds (":60") are refused: neither signer produces them.
  if (!date.ok() || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 ||
      second > 59) {
    return std::nullopt;
  }
  return TimePoint(chrono::sys_days(date) + chrono::hours(hour) + chrono::minutes(minute) +
                   chrono::seconds(second));
}

}  // namespace

std::string FormatAmzDate(TimePoint t) {
  // "2013-05-24T00:00:00Z" without its separators.
  std::string text = FormatRfc3339Seconds(t);
  std::erase_if(text, [](char c) { return c == '-' || c == ':'; });
  return text;
}

std::optional<TimePoint> ParseAmzDate(std::string_view text) {
  // yyyyMMdd'T'HHmmss'Z'
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  int year = Digits(text, 0, 4), month = Digits(text, 4, 2), day = Digits(text, 6, 2);
  int hour = Digits(text, 9, 2), minute = Digits(text, 11, 2), second = Digits(text, 13, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
    return std::nullopt;
  }
  return MakeTime(year, month, day, hour, minute, second);
}

std::optional<TimePoint> ParseHttpDate(std::string_view text) {
  // "Fri, 24 May 2013 00:00:00 GMT": fixed width in RFC 1123.
  static constexpr std::array<std::string_view, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed",
                                                                "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  bool weekday_known = false;
  for (std::string_view weekday : kWeekdays)
    weekday_known |= text.substr(0, 3) == weekday;
  int month = 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (text.substr(8, 3) == kMonths[i]) month = static_cast<int>(i) + 1;
  }
  int day = Digits(text, 5, 2), year = Digits(text, 12, 4);
  int hour = Digits(text, 17, 2), minute = Digits(text, 20, 2), second = Digits(text, 23, 2);
  if (!weekday_known || month == 0 || day < 0 || year < 0 || hour < 0 || minute < 0 || second < 0) {
    return std::nullopt;
  }
  return MakeTime(year, month, day, hour, minute, second);
}

}  // namespace sluice::s3

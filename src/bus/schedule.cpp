#include "sluice/bus/schedule.h"

#include <bitset>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <variant>
#include <vector>

namespace sluice::bus {

namespace chr = std::chrono;

namespace {

constexpr int kFirstYear = 1970;
constexpr int kLastYear = 2199;

// One cron field as EventBridge's documentation names and bounds it. `names` spell the values
// from `min` up (JAN = 1, SUN = 1); fields without names take numbers only.
struct Field {
  std::string_view name;
  int min;
  int max;
  bool allows_step;
  const std::vector<std::string_view>* names;
};

const std::vector<std::string_view> kMonthNames = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                   "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
const std::vector<std::string_view> kWeekdayNames = {"SUN", "MON", "TUE", "WED",
                                                     "THU", "FRI", "SAT"};

const Field kMinutes{"Minutes", 0, 59, true, nullptr};
const Field kHours{"Hours", 0, 23, true, nullptr};
const Field kDayOfMonth{"Day-of-month", 1, 31, true, nullptr};
const Field kMonth{"Month", 1, 12, true, &kMonthNames};
const Field kDayOfWeek{"Day-of-week", 1, 7, false, &kWeekdayNames};
const Field kYear{"Year", kFirstYear, kLastYear, true, nullptr};

// EventBridge numbers weekdays 1 (SUN) to 7 (SAT).
constexpr int kSunday = 1;
constexpr int kSaturday = 7;

// The values a field allows: bit v is set when value v is allowed (years are stored minus 1970).
class ValueSet {
 public:
  explicit ValueSet(int min = 0) : min_(min) {}
  void Add(int v) { bits_.set(static_cast<size_t>(v - min_)); }
  bool Has(int v) const { return bits_.test(static_cast<size_t>(v - min_)); }
  // The smallest allowed value in [from, to], or nullopt.
  std::optional<int> First(int from, int to) const {
    for (int v = from; v <= to; ++v) {
      if (Has(v)) return v;
    }
    return std::nullopt;
  }

 private:
  int min_;
  std::bitset<kLastYear - kFirstYear + 1> bits_;
};

struct DayOfMonth {
  enum class Kind {
    kAny,             // ?: Day-of-week decides
    kDays,            // days from a list
    kLast,            // L: the last day of the month
    kLastWeekday,     // LW: the last Monday-to-Friday of the month
    kNearestWeekday,  // nW: the weekday nearest day n, without leaving the month
  };
  Kind kind = Kind::kAny;
  ValueSet days{1};
  int day = 0;  // kNearestWeekday
};

struct DayOfWeek {
  enum class Kind {
    kAny,   // ?: Day-of-month decides
    kDays,  // weekdays from a list (a lone L is SAT)
    kLast,  // nL: the last weekday n of the month
    kNth,   // n#k: the k-th weekday n of the month
  };
  Kind kind = Kind::kDays;
  ValueSet days{1};
  int weekday = 0;  // kLast, kNth
  int nth = 0;      // kNth
};

struct Cron {
  ValueSet minutes{0};
  ValueSet hours{0};
  DayOfMonth day_of_month;
  ValueSet months{1};
  DayOfWeek day_of_week;
  ValueSet years{kFirstYear};
};

struct Rate {
  TimePoint::duration period;
};

Status Invalid(std::string_view reason) {
  return Status::InvalidArgument(
      "Parameter ScheduleExpression is not valid. (" + std::string(reason) + ")",
      "ValidationException");
}

std::string Quoted(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A number or (in Month and Day-of-week) a name, within the field's bounds.
Result<int> ParseValue(const Field& field, std::string_view token) {
  std::string range = std::to_string(field.min) + "-" + std::to_string(field.max);
  if (AllDigits(token)) {
    int v = 0;
    auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), v);
    if (error != std::errc() || end != token.data() + token.size() || v < field.min ||
        v > field.max) {
      return Invalid(std::string(field.name) + ": " + std::string(token) + " is out of range " +
                     range);
    }
    return v;
  }
  if (field.names != nullptr) {
    std::string upper = Upper(token);
    for (size_t i = 0; i < field.names->size(); ++i) {
      if ((*field.names)[i] == upper) return field.min + static_cast<int>(i);
    }
    range += " or " + std::string(field.names->front()) + "-" + std::string(field.names->back());
  }
  return Invalid(std::string(field.name) + ": " + Quoted(token) + " is not a value in " + range);
}

// The special characters only some fields allow, caught before they read as a bad value.
Status CheckSpecials(const Field& field, std::string_view item) {
  bool day_field = &field == &kDayOfMonth || &field == &kDayOfWeek;
  std::string prefix = std::string(field.name) + ": ";
  if (item.find('?') != std::string_view::npos) {
    return Invalid(prefix + (day_field ? "? must stand alone"
                                       : "? is allowed only in Day-of-month and Day-of-week"));
  }
  if (item.find('#') != std::string_view::npos) {
    return Invalid(prefix + "# is allowed only in Day-of-week");
  }
  if (!field.allows_step && item.find('/') != std::string_view::npos) {
    return Invalid(prefix + "/ is not allowed");
  }
  if (field.names == nullptr && !day_field) {
    std::string upper = Upper(item);
    if (upper.find('L') != std::string::npos) {
      return Invalid(prefix + "L is allowed only in Day-of-month and Day-of-week");
    }
    if (upper.find('W') != std::string::npos) {
      return Invalid(prefix + "W is allowed only in Day-of-month");
    }
  }
  return Status::Ok();
}

// One comma-separated item: *, v, a-b, each optionally followed by /step.
Status AddItem(const Field& field, std::string_view item, ValueSet& set) {
  std::string prefix = std::string(field.name) + ": ";
  if (item.empty()) return Invalid(prefix + "empty item in the list");
  SLUICE_RETURN_IF_ERROR(CheckSpecials(field, item));
  std::string_view base = item;
  int step = 1;
  size_t slash = item.find('/');
  if (slash != std::string_view::npos) {
    base = item.substr(0, slash);
    std::string_view step_text = item.substr(slash + 1);
    int max_step = field.max - field.min;
    std::errc error =
        std::from_chars(step_text.data(), step_text.data() + step_text.size(), step).ec;
    if (!AllDigits(step_text) || error != std::errc() || step < 1 || step > max_step) {
      return Invalid(prefix + "increment " + Quoted(step_text) + " must be a number from 1 to " +
                     std::to_string(max_step));
    }
  }
  int low = field.min;
  int high = field.max;
  size_t dash = base.find('-');
  if (base == "*") {
    // the whole field
  } else if (dash != std::string_view::npos) {
    if (dash == 0 || dash + 1 == base.size()) {
      return Invalid(prefix + "range " + Quoted(base) + " is missing a value");
    }
    SLUICE_ASSIGN_OR_RETURN(low, ParseValue(field, base.substr(0, dash)));
    SLUICE_ASSIGN_OR_RETURN(high, ParseValue(field, base.substr(dash + 1)));
    if (low > high) {
      return Invalid(prefix + "range " + std::string(base) +
                     " runs backwards (wrap-around ranges are not supported)");
    }
  } else {
    SLUICE_ASSIGN_OR_RETURN(low, ParseValue(field, base));
    if (slash == std::string_view::npos) high = low;  // "5/10" runs from 5 to the field's end
  }
  for (int v = low; v <= high; v += step) {
    set.Add(v);
  }
  return Status::Ok();
}

// A comma-separated list of items.
Result<ValueSet> ParseList(const Field& field, std::string_view text) {
  ValueSet set(field.min);
  while (true) {
    size_t comma = text.find(',');
    SLUICE_RETURN_IF_ERROR(AddItem(field, text.substr(0, comma), set));
    if (comma == std::string_view::npos) return set;
    text.remove_prefix(comma + 1);
  }
}

// ?, L, LW, nW, or a list. L and W stand alone: EventBridge documents no list containing them.
Result<DayOfMonth> ParseDayOfMonth(std::string_view text) {
  DayOfMonth dom;
  std::string upper = Upper(text);
  if (upper == "?") return dom;
  if (upper == "L") {
    dom.kind = DayOfMonth::Kind::kLast;
  } else if (upper == "LW") {
    dom.kind = DayOfMonth::Kind::kLastWeekday;
  } else if (upper.size() > 1 && upper.back() == 'W' &&
             AllDigits(text.substr(0, text.size() - 1))) {
    dom.kind = DayOfMonth::Kind::kNearestWeekday;
    SLUICE_ASSIGN_OR_RETURN(dom.day, ParseValue(kDayOfMonth, text.substr(0, text.size() - 1)));
  } else if (upper.find_first_of("LW") != std::string::npos) {
    return Invalid("Day-of-month: " + Quoted(text) +
                   " is not valid; L and W stand alone, as L, LW or nW");
  } else {
    dom.kind = DayOfMonth::Kind::kDays;
    SLUICE_ASSIGN_OR_RETURN(dom.days, ParseList(kDayOfMonth, text));
  }
  return dom;
}

// ?, L (SAT), nL, n#k, or a list. Weekday names hold no L, so any L here is the wildcard.
Result<DayOfWeek> ParseDayOfWeek(std::string_view text) {
  DayOfWeek dow;
  std::string upper = Upper(text);
  size_t hash = text.find('#');
  if (upper == "?") {
    dow.kind = DayOfWeek::Kind::kAny;
  } else if (hash != std::string_view::npos) {
    if (text.find(',') != std::string_view::npos) {
      return Invalid("Day-of-week: a field with # holds only that one expression, like 3#2");
    }
    dow.kind = DayOfWeek::Kind::kNth;
    SLUICE_ASSIGN_OR_RETURN(dow.weekday, ParseValue(kDayOfWeek, text.substr(0, hash)));
    std::string_view nth = text.substr(hash + 1);
    if (nth.size() != 1 || nth[0] < '1' || nth[0] > '5') {
      return Invalid("Day-of-week: the occurrence after # in " + Quoted(text) + " must be 1-5");
    }
    dow.nth = nth[0] - '0';
  } else if (upper == "L") {
    dow.days.Add(kSaturday);
  } else if (size_t l = upper.find('L'); l != std::string::npos) {
    if (l != upper.size() - 1 || upper.find_first_of(",-*/") != std::string::npos) {
      return Invalid("Day-of-week: " + Quoted(text) + " is not valid; L stands alone, as L or nL");
    }
    dow.kind = DayOfWeek::Kind::kLast;
    SLUICE_ASSIGN_OR_RETURN(dow.weekday, ParseValue(kDayOfWeek, text.substr(0, l)));
  } else {
    SLUICE_ASSIGN_OR_RETURN(dow.days, ParseList(kDayOfWeek, text));
  }
  return dow;
}

// Splits on runs of spaces; empty when the text starts or ends with a space.
std::vector<std::string_view> SplitOnSpaces(std::string_view text) {
  std::vector<std::string_view> parts;
  if (text.empty() || text.front() == ' ' || text.back() == ' ') return parts;
  while (!text.empty()) {
    size_t space = text.find(' ');
    parts.push_back(text.substr(0, space));
    if (space == std::string_view::npos) break;
    text.remove_prefix(text.find_first_not_of(' ', space));
  }
  return parts;
}

Result<Cron> ParseCron(std::string_view fields) {
  if (fields.find_first_of("\t\n\v\f\r") != std::string_view::npos) {
    return Invalid("cron fields must be separated by spaces");
  }
  std::vector<std::string_view> parts = SplitOnSpaces(fields);
  if (parts.empty() && !fields.empty()) {
    return Invalid(
        "cron fields must be separated by spaces, with none before the first field or "
        "after the last");
  }
  if (parts.size() != 6) {
    return Invalid(
        "cron expressions have 6 fields (Minutes Hours Day-of-month Month Day-of-week "
        "Year); got " +
        std::to_string(parts.size()));
  }
  Cron cron;
  SLUICE_ASSIGN_OR_RETURN(cron.minutes, ParseList(kMinutes, parts[0]));
  SLUICE_ASSIGN_OR_RETURN(cron.hours, ParseList(kHours, parts[1]));
  SLUICE_ASSIGN_OR_RETURN(cron.day_of_month, ParseDayOfMonth(parts[2]));
  SLUICE_ASSIGN_OR_RETURN(cron.months, ParseList(kMonth, parts[3]));
  SLUICE_ASSIGN_OR_RETURN(cron.day_of_week, ParseDayOfWeek(parts[4]));
  SLUICE_ASSIGN_OR_RETURN(cron.years, ParseList(kYear, parts[5]));
  bool dom_any = cron.day_of_month.kind == DayOfMonth::Kind::kAny;
  bool dow_any = cron.day_of_week.kind == DayOfWeek::Kind::kAny;
  if (dom_any && dow_any) return Invalid("Day-of-month and Day-of-week can't both be ?");
  if (!dom_any && !dow_any) {
    return Invalid("Day-of-month and Day-of-week can't both be specified; use ? in one of them");
  }
  return cron;
}

Result<Rate> ParseRate(std::string_view fields) {
  std::vector<std::string_view> parts = SplitOnSpaces(fields);
  if (parts.size() != 2 || fields.find_first_of("\t\n\v\f\r") != std::string_view::npos) {
    return Invalid("rate expressions are rate(value unit), separated by a space");
  }
  std::string_view value_text = parts[0];
  std::string_view unit = parts[1];
  uint64_t value = 0;
  std::errc error =
      std::from_chars(value_text.data(), value_text.data() + value_text.size(), value).ec;
  if (!AllDigits(value_text) || value_text[0] == '0') {
    return Invalid("rate value " + Quoted(value_text) + " must be a positive integer");
  }
  struct Unit {
    std::string_view singular;
    int64_t minutes;
  };
  static constexpr Unit kUnits[] = {{"minute", 1}, {"hour", 60}, {"day", 24 * 60}};
  const Unit* found = nullptr;
  for (const Unit& u : kUnits) {
    if (unit == u.singular || unit == std::string(u.singular) + "s") found = &u;
  }
  if (found == nullptr) {
    return Invalid("rate unit " + Quoted(unit) + " must be minute(s), hour(s) or day(s)");
  }
  std::string_view singular = found->singular;
  const int64_t unit_minutes = found->minutes;
  bool plural = unit.size() > singular.size();
  if (value == 1 && plural) {
    return Invalid("a rate of 1 takes the singular unit " + Quoted(singular));
  }
  if (value != 1 && !plural) {
    return Invalid("a rate of " + std::string(value_text) + " takes the plural unit " +
                   Quoted(std::string(singular) + "s"));
  }
  const auto max_minutes = static_cast<uint64_t>(
      chr::duration_cast<chr::minutes>(TimePoint::duration::max()).count() / unit_minutes);
  if (error != std::errc() || value > max_minutes) {
    return Invalid("rate value " + std::string(value_text) + " is too large");
  }
  return Rate{chr::minutes(static_cast<int64_t>(value) * unit_minutes)};
}

TimePoint NextRate(const Rate& rate, TimePoint after, TimePoint anchor) {
  // Unsigned arithmetic: the distance between any two time points fits, and overflow is checked.
  auto raw = [](TimePoint t) { return static_cast<uint64_t>(t.time_since_epoch().count()); };
  const uint64_t period = static_cast<uint64_t>(rate.period.count());
  uint64_t k = after < anchor ? 1 : (raw(after) - raw(anchor)) / period + 1;
  if (k > std::numeric_limits<uint64_t>::max() / period) return TimePoint::max();
  uint64_t offset = k * period;
  if (offset > raw(TimePoint::max()) - raw(anchor)) return TimePoint::max();
  return TimePoint(TimePoint::duration(static_cast<TimePoint::rep>(raw(anchor) + offset)));
}

// EventBridge's weekday number (1 = SUN .. 7 = SAT) of day `day` in a month whose first day is
// `first_weekday`.
int WeekdayOf(int day, int first_weekday) {
  return (first_weekday - 1 + day - 1) % 7 + 1;
}

// The days of month `month` of `year` on which the cron fires, as bits 1-31.
uint32_t MatchingDays(const Cron& cron, int year, int month) {
  chr::year_month ym{chr::year{year}, chr::month{static_cast<unsigned>(month)}};
  const int last = static_cast<int>(static_cast<unsigned>((ym / chr::last).day()));
  const int first = static_cast<int>(chr::weekday{chr::sys_days{ym / 1}}.c_encoding()) + 1;
  auto weekday = [&](int day) { return WeekdayOf(day, first); };
  const DayOfMonth& dom = cron.day_of_month;
  const DayOfWeek& dow = cron.day_of_week;
  uint32_t days = 0;
  auto add = [&](int day) { days |= uint32_t{1} << day; };
  switch (dom.kind) {
    case DayOfMonth::Kind::kAny:
      break;
    case DayOfMonth::Kind::kDays:
      for (int d = 1; d <= last; ++d) {
        if (dom.days.Has(d)) add(d);
      }
      return days;
    case DayOfMonth::Kind::kLast:
      add(last);
      return days;
    case DayOfMonth::Kind::kLastWeekday: {
      int w = weekday(last);
      add(w == kSaturday ? last - 1 : w == kSunday ? last - 2 : last);
      return days;
    }
    case DayOfMonth::Kind::kNearestWeekday: {
      int d = dom.day;
      if (d > last) return days;  // 31W in a 30-day month: no day at all, as for 31
      int w = weekday(d);
      if (w == kSaturday) d = d == 1 ? 3 : d - 1;       // Friday, or Monday the 3rd
      if (w == kSunday) d = d == last ? d - 2 : d + 1;  // Monday, or the Friday before
      add(d);
      return days;
    }
  }
  switch (dow.kind) {
    case DayOfWeek::Kind::kAny:
      break;
    case DayOfWeek::Kind::kDays:
      for (int d = 1; d <= last; ++d) {
        if (dow.days.Has(weekday(d))) add(d);
      }
      break;
    case DayOfWeek::Kind::kLast:
      add(last - (weekday(last) - dow.weekday + 7) % 7);
      break;
    case DayOfWeek::Kind::kNth: {
      int d = 1 + (dow.weekday - first + 7) % 7 + 7 * (dow.nth - 1);
      if (d <= last) add(d);
      break;
    }
  }
  return days;
}

// Walks year, month, day, hour, minute, each loop skipping straight to the next allowed value
// and resetting the finer fields; at most 230 years of 12 months, so a cron that never fires
// again costs microseconds.
TimePoint NextCron(const Cron& cron, TimePoint after) {
  const chr::sys_days first_day{chr::year{kFirstYear} / 1 / 1};
  const chr::sys_days end_day{chr::year{kLastYear + 1} / 1 / 1};
  if (after >= end_day - chr::minutes(1)) return TimePoint::max();
  const auto start = after < first_day ? chr::sys_time<chr::minutes>{first_day}
                                       : chr::floor<chr::minutes>(after) + chr::minutes(1);
  const chr::sys_days start_day = chr::floor<chr::days>(start);
  const chr::year_month_day ymd{start_day};
  const chr::hh_mm_ss hms{start - start_day};
  int y = static_cast<int>(ymd.year());
  int m = static_cast<int>(static_cast<unsigned>(ymd.month()));
  int d = static_cast<int>(static_cast<unsigned>(ymd.day()));
  int h = static_cast<int>(hms.hours().count());
  int minute_from = static_cast<int>(hms.minutes().count());
  for (; y <= kLastYear; ++y, m = 1, d = 1, h = 0, minute_from = 0) {
    if (!cron.years.Has(y)) continue;
    for (; m <= 12; ++m, d = 1, h = 0, minute_from = 0) {
      if (!cron.months.Has(m)) continue;
      const uint32_t days = MatchingDays(cron, y, m);
      for (; d <= 31; ++d, h = 0, minute_from = 0) {
        if ((days >> d & 1) == 0) continue;
        for (; h <= 23; ++h, minute_from = 0) {
          if (!cron.hours.Has(h)) continue;
          if (std::optional<int> minute = cron.minutes.First(minute_from, 59)) {
            chr::year_month_day date{chr::year{y}, chr::month{static_cast<unsigned>(m)},
                                     chr::day{static_cast<unsigned>(d)}};
            return chr::sys_days{date} + chr::hours(h) + chr::minutes(*minute);
          }
        }
      }
    }
  }
  return TimePoint::max();
}

}  // namespace

struct Schedule::Form {
  std::variant<Rate, Cron> value;
};

TimePoint Schedule::NextAfter(TimePoint after, TimePoint anchor) const {
  if (const Rate* rate = std::get_if<Rate>(&form_->value)) return NextRate(*rate, after, anchor);
  return NextCron(std::get<Cron>(form_->value), after);
}

Result<Schedule> ParseSchedule(std::string_view expression) {
  auto inside = [&](std::string_view keyword) -> std::optional<std::string_view> {
    if (expression.substr(0, keyword.size()) != keyword) return std::nullopt;
    return expression.substr(keyword.size());
  };
  std::optional<std::string_view> rate = inside("rate(");
  std::optional<std::string_view> cron = inside("cron(");
  std::optional<std::string_view> body = rate ? rate : cron;
  if (!body) return Invalid("expected rate(value unit) or cron(fields)");
  if (body->empty() || body->back() != ')') return Invalid("expected \")\" at the end");
  body->remove_suffix(1);
  auto form = std::make_shared<Schedule::Form>();
  if (rate) {
    SLUICE_ASSIGN_OR_RETURN(form->value, ParseRate(*body));
  } else {
    SLUICE_ASSIGN_OR_RETURN(form->value, ParseCron(*body));
  }
  return Schedule(std::string(expression), std::move(form));
}

}  // namespace sluice::bus

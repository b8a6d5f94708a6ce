// Schedule expressions as tables: for each valid expression, the next firing after a given time
// (worked out by hand from a calendar); for each invalid one, the exact reason EventBridge's
// message carries. Times are UTC and written "YYYY-MM-DD HH:MM[:SS[.mmm]]".
#include "sluice/bus/schedule.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "sluice/common/time_format.h"

namespace sluice::bus {
namespace {

constexpr std::string_view kNever = "never";

TimePoint Utc(std::string_view text) {
  if (text == kNever) return TimePoint::max();
  std::tm tm{};
  int seconds = 0;
  int millis = 0;
  int parsed = std::sscanf(std::string(text).c_str(), "%d-%d-%d %d:%d:%d.%d", &tm.tm_year,
                           &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &seconds, &millis);
  EXPECT_GE(parsed, 5) << "bad time in test table: " << text;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_sec = seconds;
  return FromUnixMillis(static_cast<int64_t>(timegm(&tm)) * 1000 + millis);
}

std::string Show(TimePoint t) {
  return t == TimePoint::max() ? std::string(kNever) : FormatIso8601Millis(t);
}

Schedule MustParse(std::string_view expression) {
  Result<Schedule> schedule = ParseSchedule(expression);
  EXPECT_TRUE(schedule.ok()) << expression << ": " << schedule.status().message();
  if (!schedule.ok()) return MustParse("rate(1 minute)");
  return *schedule;
}

struct CronCase {
  std::string_view expression;
  std::string_view after;
  std::string_view next;  // or "never"
};

const CronCase kCronCases[] = {
    // Minutes and Hours: values, lists, ranges, increments.
    {"cron(0 12 * * ? *)", "2024-01-01 00:00", "2024-01-01 12:00"},
    {"cron(0 12 * * ? *)", "2024-01-01 11:59:59.999", "2024-01-01 12:00"},
    {"cron(0 12 * * ? *)", "2024-01-01 12:00", "2024-01-02 12:00"},  // strictly after
    {"cron(0 12 * * ? *)", "2024-01-01 12:00:00.001", "2024-01-02 12:00"},
    {"cron(0 12 * * ? *)", "2024-12-31 12:00", "2025-01-01 12:00"},
    {"cron(0/15 * * * ? *)", "2024-01-01 10:07", "2024-01-01 10:15"},
    {"cron(0/15 * * * ? *)", "2024-01-01 10:45", "2024-01-01 11:00"},
    {"cron(0/15 * * * ? *)", "2024-01-01 23:59", "2024-01-02 00:00"},
    {"cron(1/10 * * * ? *)", "2024-01-01 10:00", "2024-01-01 10:01"},
    {"cron(1/10 * * * ? *)", "2024-01-01 10:51", "2024-01-01 11:01"},
    {"cron(*/20 8-10 * * ? *)", "2024-01-01 10:40", "2024-01-02 08:00"},
    {"cron(15,45 6,18 * * ? *)", "2024-01-01 06:15", "2024-01-01 06:45"},
    {"cron(15,45 6,18 * * ? *)", "2024-01-01 06:45", "2024-01-01 18:15"},
    {"cron(10-12 0 * * ? *)", "2024-01-01 00:10", "2024-01-01 00:11"},
    {"cron(10-12 0 * * ? *)", "2024-01-01 00:12", "2024-01-02 00:10"},
    {"cron(0 10-20/5 * * ? *)", "2024-01-01 15:00", "2024-01-01 20:00"},
    {"cron(0 10-20/5 * * ? *)", "2024-01-01 20:00", "2024-01-02 10:00"},
    {"cron(59 23 * * ? *)", "2024-12-31 23:58:59", "2024-12-31 23:59"},
    {"cron(* * * * ? *)", "2024-02-28 23:59:30", "2024-02-29 00:00"},
    {"cron(00 09 * * ? *)", "2024-01-01 00:00", "2024-01-01 09:00"},        // leading zeros
    {"cron(0  12   *  * ?    *)", "2024-01-01 00:00", "2024-01-01 12:00"},  // runs of spaces

    // Day-of-month: values, months too short for them, leap days.
    {"cron(0 0 1 * ? *)", "2024-01-15 00:00", "2024-02-01 00:00"},
    {"cron(0 0 31 * ? *)", "2024-01-31 00:00", "2024-03-31 00:00"},  // no Feb 31
    {"cron(0 0 31 * ? *)", "2024-03-31 00:00", "2024-05-31 00:00"},  // no Apr 31
    {"cron(0 0 29 2 ? *)", "2023-01-01 00:00", "2024-02-29 00:00"},
    {"cron(0 0 29 2 ? *)", "2024-02-29 00:00", "2028-02-29 00:00"},
    {"cron(0 0 29 2 ? *)", "2096-02-29 00:00", "2104-02-29 00:00"},  // 2100 is not a leap year
    {"cron(0 0 30 2 ? *)", "2024-01-01 00:00", "never"},
    {"cron(0 0 29 FEB ? 2100-2103)", "2024-01-01 00:00", "never"},
    {"cron(0 0 1-10/3,20 * ? *)", "2024-01-04 00:00", "2024-01-07 00:00"},
    {"cron(0 0 1-10/3,20 * ? *)", "2024-01-10 00:00", "2024-01-20 00:00"},
    {"cron(0 0 5/10 * ? *)", "2024-01-25 00:00", "2024-02-05 00:00"},
    {"cron(0 0 * * ? *)", "2024-02-29 00:00", "2024-03-01 00:00"},

    // L: the last day of the month.
    {"cron(0 0 L * ? *)", "2024-02-01 00:00", "2024-02-29 00:00"},
    {"cron(0 0 L * ? *)", "2023-02-01 00:00", "2023-02-28 00:00"},
    {"cron(0 0 L * ? *)", "2100-02-01 00:00", "2100-02-28 00:00"},
    {"cron(0 0 L * ? *)", "2024-04-01 00:00", "2024-04-30 00:00"},
    {"cron(0 0 L * ? *)", "2024-01-31 00:00", "2024-02-29 00:00"},
    {"cron(0 0 l * ? *)", "2024-04-01 00:00", "2024-04-30 00:00"},
    // LW: the last weekday. Mar 31 2024 is a Sunday, Aug 31 2024 a Saturday, Feb 29 2024 a Thu.
    {"cron(0 0 LW * ? *)", "2024-03-01 00:00", "2024-03-29 00:00"},
    {"cron(0 0 LW * ? *)", "2024-08-01 00:00", "2024-08-30 00:00"},
    {"cron(0 0 LW * ? *)", "2024-02-01 00:00", "2024-02-29 00:00"},
    {"cron(0 0 lw * ? *)", "2024-03-29 00:00", "2024-04-30 00:00"},
    // nW: the nearest weekday, never leaving the month.
    {"cron(0 9 1W * ? *)", "2023-06-30 00:00", "2023-07-03 09:00"},   // Jul 1 2023 is a Sat
    {"cron(0 9 1W * ? *)", "2024-08-31 00:00", "2024-09-02 09:00"},   // Sep 1 2024 is a Sun
    {"cron(0 9 1W * ? *)", "2024-01-31 00:00", "2024-02-01 09:00"},   // Feb 1 2024 is a Thu
    {"cron(0 9 15W * ? *)", "2024-06-01 00:00", "2024-06-14 09:00"},  // Sat 15th: Fri 14th
    {"cron(0 9 15W * ? *)", "2024-09-01 00:00", "2024-09-16 09:00"},  // Sun 15th: Mon 16th
    {"cron(0 9 31W * ? *)", "2024-03-01 00:00", "2024-03-29 09:00"},  // Sun 31st: Fri 29th
    {"cron(0 9 31W * ? *)", "2024-08-01 00:00", "2024-08-30 09:00"},  // Sat 31st: Fri 30th
    {"cron(0 9 31W * ? *)", "2024-04-01 00:00", "2024-05-31 09:00"},  // no Apr 31
    {"cron(0 9 30W 2 ? *)", "2024-01-01 00:00", "never"},

    // Day-of-week: numbers (1 = SUN), names in any case, ranges, lists.
    {"cron(0 8 ? * MON-FRI *)", "2024-01-05 08:00", "2024-01-08 08:00"},  // Fri to Mon
    {"cron(0 8 ? * 2-6 *)", "2024-01-06 00:00", "2024-01-08 08:00"},
    {"cron(0 8 ? * 1,7 *)", "2024-01-01 00:00", "2024-01-06 08:00"},
    {"cron(0 8 ? * sun *)", "2024-01-01 00:00", "2024-01-07 08:00"},
    {"cron(0 8 ? * Sat,Sun *)", "2024-01-06 08:00", "2024-01-07 08:00"},
    {"cron(0 8 ? * * *)", "2024-01-06 08:00", "2024-01-07 08:00"},
    {"cron(0 0 ? * L *)", "2024-01-01 00:00", "2024-01-06 00:00"},  // a lone L is SAT
    // nL: the last such weekday of the month.
    {"cron(0 0 ? * 6L *)", "2024-01-01 00:00", "2024-01-26 00:00"},
    {"cron(0 0 ? * 6L *)", "2024-01-26 00:00", "2024-02-23 00:00"},
    {"cron(0 0 ? * FRIL *)", "2024-01-01 00:00", "2024-01-26 00:00"},
    {"cron(0 0 ? * 1L *)", "2024-03-01 00:00", "2024-03-31 00:00"},
    {"cron(0 0 ? * 5L *)", "2024-02-01 00:00", "2024-02-29 00:00"},
    // n#k: the k-th such weekday; months without a fifth one are skipped.
    {"cron(0 0 ? * 2#1 *)", "2024-01-01 00:00", "2024-02-05 00:00"},
    {"cron(0 0 ? * MON#1 *)", "2023-12-31 23:59", "2024-01-01 00:00"},
    {"cron(0 0 ? * 3#2 *)", "2024-01-01 00:00", "2024-01-09 00:00"},
    {"cron(0 0 ? * 5#5 *)", "2024-01-01 00:00", "2024-02-29 00:00"},
    {"cron(0 0 ? * 5#5 *)", "2024-02-29 00:00", "2024-05-30 00:00"},
    {"cron(0 0 ? FEB 5#5 *)", "2024-02-29 00:00", "2052-02-29 00:00"},

    // Month: numbers, names, ranges, increments.
    {"cron(0 0 1 JAN-MAR ? *)", "2024-03-01 00:00", "2025-01-01 00:00"},
    {"cron(0 0 1 1/4 ? *)", "2024-01-01 00:00", "2024-05-01 00:00"},
    {"cron(0 0 1 jul,Dec ? *)", "2024-07-01 00:00", "2024-12-01 00:00"},
    {"cron(0 0 1 * ? *)", "2024-12-01 00:00", "2025-01-01 00:00"},

    // Year, and its bounds.
    {"cron(0 0 1 1 ? 2025)", "2024-06-01 00:00", "2025-01-01 00:00"},
    {"cron(0 0 1 1 ? 2025)", "2025-01-01 00:00", "never"},
    {"cron(0 0 1 1 ? 1970)", "2024-01-01 00:00", "never"},
    {"cron(0 0 1 1 ? 1970)", "1969-12-31 23:59", "1970-01-01 00:00"},
    {"cron(0 0 1 1 ? *)", "1900-01-01 00:00", "1970-01-01 00:00"},
    {"cron(59 23 31 12 ? 2199)", "2199-12-31 23:58", "2199-12-31 23:59"},
    {"cron(59 23 31 12 ? 2199)", "2199-12-31 23:59", "never"},
    {"cron(* * * * ? *)", "2199-12-31 23:59", "never"},
    {"cron(* * * * ? *)", "2250-01-01 00:00", "never"},
    {"cron(0 0 1 1 ? 2020-2030/5)", "2021-01-01 00:00", "2025-01-01 00:00"},
    {"cron(0 0 1 1 ? 2100/50)", "2024-01-01 00:00", "2100-01-01 00:00"},
    {"cron(0 0 1 1 ? 2100/50)", "2150-01-01 00:00", "never"},

    // UTC throughout: US (Mar 10 2024) and EU (Mar 31 2024) clock changes don't exist here.
    {"cron(30 2 * * ? *)", "2024-03-10 00:00", "2024-03-10 02:30"},
    {"cron(0 1 * * ? *)", "2024-03-30 23:00", "2024-03-31 01:00"},
    {"cron(30 1 * * ? *)", "2024-11-03 01:30", "2024-11-04 01:30"},
};

TEST(ScheduleCronTest, NextFiringFromTable) {
  for (const CronCase& c : kCronCases) {
    Schedule schedule = MustParse(c.expression);
    EXPECT_EQ(Show(schedule.NextAfter(Utc(c.after), Utc("2000-01-01 00:00"))), Show(Utc(c.next)))
        << c.expression << " after " << c.after;
  }
}

// Successive firings, each found from the one before.
struct SequenceCase {
  std::string_view expression;
  std::string_view start;
  std::vector<std::string_view> firings;
};

const SequenceCase kSequences[] = {
    {"cron(0 0 ? * 5#5 *)",
     "2024-01-01 00:00",
     {"2024-02-29 00:00", "2024-05-30 00:00", "2024-08-29 00:00", "2024-10-31 00:00",
      "2025-01-30 00:00"}},
    {"cron(0 0 29 2 ? 2096-2108)",
     "2000-01-01 00:00",
     {"2096-02-29 00:00", "2104-02-29 00:00", "2108-02-29 00:00", "never"}},
    {"cron(0 12 LW JAN-MAR ? 2024)",
     "2024-01-01 00:00",
     {"2024-01-31 12:00", "2024-02-29 12:00", "2024-03-29 12:00", "never"}},
    {"cron(45 23 ? * 1 *)",
     "2024-01-06 23:45",
     {"2024-01-07 23:45", "2024-01-14 23:45", "2024-01-21 23:45"}},
};

TEST(ScheduleCronTest, SuccessiveFirings) {
  for (const SequenceCase& c : kSequences) {
    Schedule schedule = MustParse(c.expression);
    TimePoint t = Utc(c.start);
    for (std::string_view expected : c.firings) {
      t = schedule.NextAfter(t, TimePoint{});
      EXPECT_EQ(Show(t), Show(Utc(expected))) << c.expression;
    }
  }
}

TEST(ScheduleCronTest, EveryMinuteForADay) {
  Schedule schedule = MustParse("cron(* * * * ? *)");
  TimePoint t = Utc("2024-02-28 12:00");
  for (int i = 0; i < 24 * 60; ++i) {
    TimePoint next = schedule.NextAfter(t, TimePoint{});
    ASSERT_EQ(next - t, std::chrono::minutes(1)) << Show(t);
    t = next;
  }
  EXPECT_EQ(Show(t), Show(Utc("2024-02-29 12:00")));
}

TEST(ScheduleCronTest, ExtremeTimesAndTheAnchorIsIgnored) {
  Schedule schedule = MustParse("cron(0 12 * * ? *)");
  EXPECT_EQ(Show(schedule.NextAfter(TimePoint::min(), TimePoint{})), "1970-01-01T12:00:00.000Z");
  EXPECT_EQ(schedule.NextAfter(TimePoint::max(), TimePoint{}), TimePoint::max());
  EXPECT_EQ(schedule.NextAfter(Utc("2024-01-01 00:00"), Utc("2024-01-01 11:00")),
            schedule.NextAfter(Utc("2024-01-01 00:00"), TimePoint::max()));
}

struct RateCase {
  std::string_view expression;
  std::string_view anchor;
  std::string_view after;
  std::string_view next;
};

const RateCase kRateCases[] = {
    {"rate(5 minutes)", "2024-01-01 00:00", "2023-12-31 00:00", "2024-01-01 00:05"},  // before
    {"rate(5 minutes)", "2024-01-01 00:00", "2024-01-01 00:00", "2024-01-01 00:05"},  // at
    {"rate(5 minutes)", "2024-01-01 00:00", "2024-01-01 00:04:59.999", "2024-01-01 00:05"},
    {"rate(5 minutes)", "2024-01-01 00:00", "2024-01-01 00:05", "2024-01-01 00:10"},
    {"rate(5 minutes)", "2024-01-01 00:00", "2024-01-01 00:07:30", "2024-01-01 00:10"},
    {"rate(1 minute)", "2024-01-01 00:00:17.250", "2024-01-01 00:10", "2024-01-01 00:10:17.250"},
    {"rate(1 minute)", "1970-01-01 00:00", "2024-01-01 00:00:30", "2024-01-01 00:01"},
    {"rate(90 minutes)", "2024-01-01 00:00", "2024-01-01 02:00", "2024-01-01 03:00"},
    {"rate(1 hour)", "2024-03-10 00:30", "2024-03-10 01:45", "2024-03-10 02:30"},  // US DST day
    {"rate(2 hours)", "2024-01-01 23:00", "2024-01-01 23:30", "2024-01-02 01:00"},
    {"rate(1 day)", "2024-02-28 06:00", "2024-02-28 06:00", "2024-02-29 06:00"},
    {"rate(1 day)", "2024-02-28 06:00", "2024-02-29 06:00", "2024-03-01 06:00"},
    {"rate(7 days)", "2024-01-01 09:00", "2024-01-20 00:00", "2024-01-22 09:00"},
    {"rate(7 days)", "2024-01-01 09:00", "1990-01-01 00:00", "2024-01-08 09:00"},
    {"rate(365 days)", "2023-03-01 00:00", "2023-03-01 00:00", "2024-02-29 00:00"},
};

TEST(ScheduleRateTest, AnchoredFiringsFromTable) {
  for (const RateCase& c : kRateCases) {
    Schedule schedule = MustParse(c.expression);
    EXPECT_EQ(Show(schedule.NextAfter(Utc(c.after), Utc(c.anchor))), Show(Utc(c.next)))
        << c.expression << " anchored at " << c.anchor << ", after " << c.after;
  }
}

TEST(ScheduleRateTest, PastTheEndOfTimeIsNever) {
  Schedule schedule = MustParse("rate(1 day)");
  EXPECT_EQ(schedule.NextAfter(TimePoint::max(), TimePoint{}), TimePoint::max());
  EXPECT_EQ(schedule.NextAfter(TimePoint{}, TimePoint::max() - std::chrono::hours(1)),
            TimePoint::max());
  EXPECT_EQ(schedule.NextAfter(TimePoint::max() - std::chrono::hours(1), TimePoint::min()),
            TimePoint::max());
  Schedule longest = MustParse("rate(106751 days)");
  EXPECT_EQ(Show(longest.NextAfter(TimePoint{}, TimePoint{})), "2262-04-11T00:00:00.000Z");
}

TEST(ScheduleTest, KeepsTheExpressionAndCopiesShareIt) {
  Schedule schedule = MustParse("cron(0  12 * * ? *)");
  Schedule copy = schedule;
  EXPECT_EQ(copy.expression(), "cron(0  12 * * ? *)");
  EXPECT_EQ(copy.NextAfter(Utc("2024-01-01 00:00"), TimePoint{}),
            schedule.NextAfter(Utc("2024-01-01 00:00"), TimePoint{}));
}

struct InvalidCase {
  std::string_view expression;
  std::string_view reason;
};

const InvalidCase kInvalidCases[] = {
    // The envelope.
    {"", "expected rate(value unit) or cron(fields)"},
    {"every 5 minutes", "expected rate(value unit) or cron(fields)"},
    {"Rate(5 minutes)", "expected rate(value unit) or cron(fields)"},
    {" rate(5 minutes)", "expected rate(value unit) or cron(fields)"},
    {"rate(5 minutes", "expected \")\" at the end"},
    {"rate(5 minutes) ", "expected \")\" at the end"},
    {"cron(0 12 * * ? *)x", "expected \")\" at the end"},

    // rate(value unit)
    {"rate()", "rate expressions are rate(value unit), separated by a space"},
    {"rate(5)", "rate expressions are rate(value unit), separated by a space"},
    {"rate(5 minutes later)", "rate expressions are rate(value unit), separated by a space"},
    {"rate( 5 minutes)", "rate expressions are rate(value unit), separated by a space"},
    {"rate(5 minutes )", "rate expressions are rate(value unit), separated by a space"},
    {"rate(5\tminutes)", "rate expressions are rate(value unit), separated by a space"},
    {"rate(0 minutes)", "rate value \"0\" must be a positive integer"},
    {"rate(-5 minutes)", "rate value \"-5\" must be a positive integer"},
    {"rate(+5 minutes)", "rate value \"+5\" must be a positive integer"},
    {"rate(1.5 hours)", "rate value \"1.5\" must be a positive integer"},
    {"rate(05 minutes)", "rate value \"05\" must be a positive integer"},
    {"rate(five minutes)", "rate value \"five\" must be a positive integer"},
    {"rate(5 weeks)", "rate unit \"weeks\" must be minute(s), hour(s) or day(s)"},
    {"rate(30 seconds)", "rate unit \"seconds\" must be minute(s), hour(s) or day(s)"},
    {"rate(5 Minutes)", "rate unit \"Minutes\" must be minute(s), hour(s) or day(s)"},
    {"rate(1 minutes)", "a rate of 1 takes the singular unit \"minute\""},
    {"rate(1 hours)", "a rate of 1 takes the singular unit \"hour\""},
    {"rate(1 days)", "a rate of 1 takes the singular unit \"day\""},
    {"rate(5 minute)", "a rate of 5 takes the plural unit \"minutes\""},
    {"rate(2 day)", "a rate of 2 takes the plural unit \"days\""},
    {"rate(106752 days)", "rate value 106752 is too large"},
    {"rate(99999999999999999999 minutes)", "rate value 99999999999999999999 is too large"},

    // cron(...): six fields separated by spaces.
    {"cron()",
     "cron expressions have 6 fields (Minutes Hours Day-of-month Month Day-of-week "
     "Year); got 0"},
    {"cron(0 12 * * ?)",
     "cron expressions have 6 fields (Minutes Hours Day-of-month Month "
     "Day-of-week Year); got 5"},
    {"cron(0 12 * * ? * *)",
     "cron expressions have 6 fields (Minutes Hours Day-of-month Month "
     "Day-of-week Year); got 7"},
    {"cron( 0 12 * * ? *)",
     "cron fields must be separated by spaces, with none before the first "
     "field or after the last"},
    {"cron(0 12 * * ? * )",
     "cron fields must be separated by spaces, with none before the first "
     "field or after the last"},
    {"cron(0\t12 * * ? *)", "cron fields must be separated by spaces"},

    // Values out of range or unknown.
    {"cron(60 12 * * ? *)", "Minutes: 60 is out of range 0-59"},
    {"cron(0 24 * * ? *)", "Hours: 24 is out of range 0-23"},
    {"cron(0 0 0 * ? *)", "Day-of-month: 0 is out of range 1-31"},
    {"cron(0 0 32 * ? *)", "Day-of-month: 32 is out of range 1-31"},
    {"cron(0 0 1 0 ? *)", "Month: 0 is out of range 1-12"},
    {"cron(0 0 1 13 ? *)", "Month: 13 is out of range 1-12"},
    {"cron(0 0 ? * 0 *)", "Day-of-week: 0 is out of range 1-7"},
    {"cron(0 0 ? * 8 *)", "Day-of-week: 8 is out of range 1-7"},
    {"cron(0 0 1 1 ? 1969)", "Year: 1969 is out of range 1970-2199"},
    {"cron(0 0 1 1 ? 2200)", "Year: 2200 is out of range 1970-2199"},
    {"cron(99999999999 0 * * ? *)", "Minutes: 99999999999 is out of range 0-59"},
    {"cron(0 0 1 FOO ? *)", "Month: \"FOO\" is not a value in 1-12 or JAN-DEC"},
    {"cron(0 0 1 JANUARY ? *)", "Month: \"JANUARY\" is not a value in 1-12 or JAN-DEC"},
    {"cron(0 0 ? * FUN *)", "Day-of-week: \"FUN\" is not a value in 1-7 or SUN-SAT"},
    {"cron(MON 0 * * ? *)", "Minutes: \"MON\" is not a value in 0-59"},
    {"cron(1.5 0 * * ? *)", "Minutes: \"1.5\" is not a value in 0-59"},
    {"cron(0 0 1 1 ? 2024-2030-2040)", "Year: \"2030-2040\" is not a value in 1970-2199"},

    // Lists, ranges, increments.
    {"cron(1,,2 * * * ? *)", "Minutes: empty item in the list"},
    {"cron(1, * * * ? *)", "Minutes: empty item in the list"},
    {"cron(-5 * * * ? *)", "Minutes: range \"-5\" is missing a value"},
    {"cron(0 5- * * ? *)", "Hours: range \"5-\" is missing a value"},
    {"cron(0 22-2 * * ? *)",
     "Hours: range 22-2 runs backwards (wrap-around ranges are not "
     "supported)"},
    {"cron(0 8 ? * FRI-MON *)",
     "Day-of-week: range FRI-MON runs backwards (wrap-around ranges "
     "are not supported)"},
    {"cron(0 0 1 NOV-FEB ? *)",
     "Month: range NOV-FEB runs backwards (wrap-around ranges are not "
     "supported)"},
    {"cron(0/0 * * * ? *)", "Minutes: increment \"0\" must be a number from 1 to 59"},
    {"cron(0/60 * * * ? *)", "Minutes: increment \"60\" must be a number from 1 to 59"},
    {"cron(0/ * * * ? *)", "Minutes: increment \"\" must be a number from 1 to 59"},
    {"cron(0/x * * * ? *)", "Minutes: increment \"x\" must be a number from 1 to 59"},
    {"cron(0 0 1/31 * ? *)", "Day-of-month: increment \"31\" must be a number from 1 to 30"},
    {"cron(0 0 ? * 2/2 *)", "Day-of-week: / is not allowed"},
    {"cron(0 0 ? * MON-FRI/2 *)", "Day-of-week: / is not allowed"},

    // Wildcards outside the fields that allow them.
    {"cron(? 0 * * ? *)", "Minutes: ? is allowed only in Day-of-month and Day-of-week"},
    {"cron(0 0 1 1 * ?)", "Year: ? is allowed only in Day-of-month and Day-of-week"},
    {"cron(0 0 1,? * ? *)", "Day-of-month: ? must stand alone"},
    {"cron(0 0 ? * ?,2 *)", "Day-of-week: ? must stand alone"},
    {"cron(0 L * * ? *)", "Hours: L is allowed only in Day-of-month and Day-of-week"},
    {"cron(0 0 1 1 ? L)", "Year: L is allowed only in Day-of-month and Day-of-week"},
    {"cron(5W 0 * * ? *)", "Minutes: W is allowed only in Day-of-month"},
    {"cron(0 0 1#2 * ? *)", "Day-of-month: # is allowed only in Day-of-week"},
    {"cron(0 0 1 1#2 ? *)", "Month: # is allowed only in Day-of-week"},
    {"cron(0 0 1 L ? *)", "Month: \"L\" is not a value in 1-12 or JAN-DEC"},

    // L, W and # in the day fields.
    {"cron(0 0 L-3 * ? *)",
     "Day-of-month: \"L-3\" is not valid; L and W stand alone, as L, LW "
     "or nW"},
    {"cron(0 0 1,L * ? *)",
     "Day-of-month: \"1,L\" is not valid; L and W stand alone, as L, LW "
     "or nW"},
    {"cron(0 0 1-15W * ? *)",
     "Day-of-month: \"1-15W\" is not valid; L and W stand alone, as L, "
     "LW or nW"},
    {"cron(0 0 1W,15W * ? *)",
     "Day-of-month: \"1W,15W\" is not valid; L and W stand alone, as "
     "L, LW or nW"},
    {"cron(0 0 W * ? *)",
     "Day-of-month: \"W\" is not valid; L and W stand alone, as L, LW or "
     "nW"},
    {"cron(0 0 WL * ? *)",
     "Day-of-month: \"WL\" is not valid; L and W stand alone, as L, LW or "
     "nW"},
    {"cron(0 0 0W * ? *)", "Day-of-month: 0 is out of range 1-31"},
    {"cron(0 0 32W * ? *)", "Day-of-month: 32 is out of range 1-31"},
    {"cron(0 0 ? * 6L,2 *)", "Day-of-week: \"6L,2\" is not valid; L stands alone, as L or nL"},
    {"cron(0 0 ? * 2-6L *)", "Day-of-week: \"2-6L\" is not valid; L stands alone, as L or nL"},
    {"cron(0 0 ? * LL *)", "Day-of-week: \"LL\" is not valid; L stands alone, as L or nL"},
    {"cron(0 0 ? * 8L *)", "Day-of-week: 8 is out of range 1-7"},
    {"cron(0 0 ? * 3#1,6#3 *)",
     "Day-of-week: a field with # holds only that one expression, "
     "like 3#2"},
    {"cron(0 0 ? * 2#0 *)", "Day-of-week: the occurrence after # in \"2#0\" must be 1-5"},
    {"cron(0 0 ? * 2#6 *)", "Day-of-week: the occurrence after # in \"2#6\" must be 1-5"},
    {"cron(0 0 ? * 2# *)", "Day-of-week: the occurrence after # in \"2#\" must be 1-5"},
    {"cron(0 0 ? * 8#1 *)", "Day-of-week: 8 is out of range 1-7"},
    {"cron(0 0 ? * #1 *)", "Day-of-week: \"\" is not a value in 1-7 or SUN-SAT"},

    // Exactly one of Day-of-month and Day-of-week is ?.
    {"cron(0 0 * * * *)",
     "Day-of-month and Day-of-week can't both be specified; use ? in one of them"},
    {"cron(0 0 1 * MON *)",
     "Day-of-month and Day-of-week can't both be specified; use ? in one of them"},
    {"cron(0 0 L * 6L *)",
     "Day-of-month and Day-of-week can't both be specified; use ? in one of them"},
    {"cron(0 0 ? * ? *)", "Day-of-month and Day-of-week can't both be ?"},
};

TEST(ScheduleParseTest, RejectsWithTheReasonFromTable) {
  for (const InvalidCase& c : kInvalidCases) {
    Result<Schedule> schedule = ParseSchedule(c.expression);
    ASSERT_FALSE(schedule.ok()) << c.expression;
    EXPECT_EQ(schedule.status().message(),
              "Parameter ScheduleExpression is not valid. (" + std::string(c.reason) + ")")
        << c.expression;
  }
}

TEST(ScheduleParseTest, ErrorsAreEventBridgeValidationExceptions) {
  Result<Schedule> bad_minute = ParseSchedule("cron(60 12 * * ? *)");
  ASSERT_FALSE(bad_minute.ok());
  EXPECT_EQ(bad_minute.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_minute.status().aws_code(), "ValidationException");
  EXPECT_EQ(bad_minute.status().message(),
            "Parameter ScheduleExpression is not valid. (Minutes: 60 is out of range 0-59)");

  Result<Schedule> plural = ParseSchedule("rate(1 minutes)");
  ASSERT_FALSE(plural.ok());
  EXPECT_EQ(plural.status().aws_code(), "ValidationException");
  EXPECT_EQ(plural.status().message(),
            "Parameter ScheduleExpression is not valid. (a rate of 1 takes the singular unit "
            "\"minute\")");

  Result<Schedule> both_days = ParseSchedule("cron(0 12 * * * *)");
  ASSERT_FALSE(both_days.ok());
  EXPECT_EQ(both_days.status().message(),
            "Parameter ScheduleExpression is not valid. (Day-of-month and Day-of-week can't "
            "both be specified; use ? in one of them)");

  Result<Schedule> wraps = ParseSchedule("cron(0 8 ? * FRI-MON *)");
  ASSERT_FALSE(wraps.ok());
  EXPECT_EQ(wraps.status().message(),
            "Parameter ScheduleExpression is not valid. (Day-of-week: range FRI-MON runs "
            "backwards (wrap-around ranges are not supported))");
}

// Valid spellings not covered by the firing tables: every wildcard each field documents.
TEST(ScheduleParseTest, AcceptsEveryDocumentedWildcard) {
  const std::string_view kValid[] = {
      "rate(1 minute)",
      "rate(2 minutes)",
      "rate(1 hour)",
      "rate(24 hours)",
      "rate(1 day)",
      "rate(106751 days)",
      "rate(153722867 minutes)",
      "rate(5    minutes)",
      "cron(0,30 * * * ? *)",
      "cron(0-59 0-23 1-31 1-12 ? 1970-2199)",
      "cron(*/5 */2 */3 */4 ? */10)",
      "cron(0 0 ? 1-12 1-7 *)",
      "cron(0 0 ? * SUN-SAT *)",
      "cron(0 0 ? * mon,WED,Fri *)",
      "cron(0 0 ? * 7L *)",
      "cron(0 0 ? * SAT#5 *)",
      "cron(0 0 1W * ? *)",
      "cron(0 0 31W * ? *)",
      "cron(0 0 lw * ? *)",
      "cron(0 0 15w * ? *)",
      "cron(0 0 ? * l *)",
      "cron(0 0 ? * 6l *)",
      "cron(0 0 1 JAN/2 ? *)",
      "cron(0 0 1 * ? 2024/1)",
  };
  for (std::string_view expression : kValid) {
    Result<Schedule> schedule = ParseSchedule(expression);
    EXPECT_TRUE(schedule.ok()) << expression << ": " << schedule.status().message();
  }
}

}  // namespace
}  // namespace sluice::bus

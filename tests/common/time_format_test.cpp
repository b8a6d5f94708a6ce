#include "sluice/common/time_format.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(TimeFormatTest, AwsSpellings) {
  TimePoint t = FromUnixMillis(1255369830123);  // 2009-10-12T17:50:30.123Z, a Monday
  EXPECT_EQ(FormatRfc3339Seconds(t), "2009-10-12T17:50:30Z");
  EXPECT_EQ(FormatIso8601Millis(t), "2009-10-12T17:50:30.123Z");
  EXPECT_EQ(FormatHttpDate(t), "Mon, 12 Oct 2009 17:50:30 GMT");
}

TEST(TimeFormatTest, EpochAndLeapDay) {
  EXPECT_EQ(FormatIso8601Millis(FromUnixMillis(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Seconds(FromUnixMillis(951782400000)), "2000-02-29T00:00:00Z");
}

TEST(TimeFormatTest, ParsesRfc3339) {
  EXPECT_EQ(ToUnixMillis(*ParseRfc3339("2009-10-12T17:50:30Z")), 1255369830000);
  EXPECT_EQ(ToUnixMillis(*ParseRfc3339("2009-10-12T17:50:30.123Z")), 1255369830123);
  EXPECT_EQ(ToUnixMillis(*ParseRfc3339("2009-10-12T19:50:30+02:00")), 1255369830000);
  EXPECT_EQ(ToUnixMillis(*ParseRfc3339("2009-10-12")), 1255305600000);
  for (const char* bad : {"", "2009", "2009-13-01", "2009-10-12T25:00:00Z", "2009-10-12T17:50:30",
                          "2009-10-12T17:50:30+0200", "yesterday"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

TEST(ManualClockTest, MovesOnlyWhenTold) {
  ManualClock clock(FromUnixMillis(1000));
  EXPECT_EQ(ToUnixMillis(clock.Now()), 1000);
  clock.Advance(std::chrono::hours(2));
  EXPECT_EQ(ToUnixMillis(clock.Now()), 1000 + 2 * 3600 * 1000);
  clock.Set(FromUnixMillis(5));
  EXPECT_EQ(ToUnixMillis(clock.Now()), 5);
}

}  // namespace
}  // namespace sluice

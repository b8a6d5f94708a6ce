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

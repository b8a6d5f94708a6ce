#include "pipeline/duration.h"

#include <gtest/gtest.h>

#include "pipeline/did_you_mean.h"

namespace sluice::pipeline {
namespace {

TEST(Duration, Forms) {
  EXPECT_EQ(ParseDuration("90"), 90);
  EXPECT_EQ(ParseDuration("90s"), 90);
  EXPECT_EQ(ParseDuration("10m"), 600);
  EXPECT_EQ(ParseDuration("1h"), 3600);
  EXPECT_EQ(ParseDuration("2d"), 172800);
  EXPECT_EQ(ParseDuration("1h30m"), 5400);
  EXPECT_EQ(ParseDuration("0"), 0);
}

TEST(Duration, Refused) {
  for (const char* bad : {"", "-1h", "1w", "h", "1h30", "10 minutes", "1.5h", "99999999999s"}) {
    EXPECT_EQ(ParseDuration(bad), std::nullopt) << bad;
  }
}

TEST(DidYouMean, CloseNamesOnly) {
  EXPECT_EQ(ClosestMatch("idle_timout", {"idle_timeout", "max_lifetime"}), "idle_timeout");
  EXPECT_EQ(ClosestMatch("detail-type", {"detail_type", "source"}), "detail_type");
  EXPECT_EQ(ClosestMatch("zzz", {"idle_timeout"}), "");
}

}  // namespace
}  // namespace sluice::pipeline

#include "sluice/common/ids.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace sluice {
namespace {

TEST(IdsTest, UuidIsVersion4) {
  std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (int i = 0; i < 100; ++i)
    EXPECT_TRUE(std::regex_match(NewUuid(), v4));
}

TEST(IdsTest, IdsDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i)
    EXPECT_TRUE(seen.insert(RandomHex(16)).second);
  EXPECT_EQ(RandomHex(3).size(), 6u);
}

}  // namespace
}  // namespace sluice

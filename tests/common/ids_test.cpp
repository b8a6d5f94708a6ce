#include "sluice/common/ids.h"

#include <gtest/gtest.h>

#include <map>
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

TEST(IdsTest, RandomStringUsesEveryCharacterOfItsAlphabetAndNoOther) {
  // 36 characters, like access key ids: each is drawn about 1000 times in 36000.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string drawn = RandomString(36000, alphabet);
  ASSERT_EQ(drawn.size(), 36000u);
  std::map<char, int> counts;
  for (char c : drawn) ++counts[c];
  ASSERT_EQ(counts.size(), alphabet.size());
  for (const auto& [c, n] : counts) {
    EXPECT_NE(alphabet.find(c), std::string::npos);
    EXPECT_GT(n, 750) << c;  // 1000 expected; 750 is more than 7 standard deviations away
    EXPECT_LT(n, 1250) << c;
  }
  EXPECT_EQ(RandomString(0, alphabet), "");
}

}  // namespace
}  // namespace sluice

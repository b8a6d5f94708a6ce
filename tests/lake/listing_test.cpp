// Listing: hand-picked edge cases, then random listings checked against a brute-force model.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "lake/lake_fixture.h"

namespace sluice::lake {
namespace {

class ListingTest : public LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    ASSERT_TRUE(lake_->CreateBucket("lake").ok());
  }

  void PutAll(const std::vector<std::string>& keys) {
    for (const auto& key : keys)
      ASSERT_TRUE(Put("lake", key, "x").ok()) << key;
  }

  // The page's entries, keys and common prefixes merged in order, common prefixes marked "P:".
  static std::vector<std::string> Entries(const ListPage& page) {
    std::vector<std::string> out;
    for (const auto& o : page.objects)
      out.push_back(o.key);
    for (const auto& p : page.common_prefixes)
      out.push_back("P:" + p);
    std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
      auto strip = [](const std::string& s) { return s.rfind("P:", 0) == 0 ? s.substr(2) : s; };
      return strip(a) < strip(b);
    });
    return out;
  }

  ListPage List(ListRequest request) {
    auto page = lake_->ListObjects("lake", request);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? *page : ListPage{};
  }

  // Every entry of the listing, following next_marker page by page; checks page invariants.
  std::vector<std::string> ListAll(ListRequest request) {
    std::vector<std::string> all;
    for (int pages = 0; pages < 100000; ++pages) {
      ListPage page = List(request);
      auto entries = Entries(page);
      EXPECT_LE(static_cast<int>(entries.size()), request.max_keys);
      all.insert(all.end(), entries.begin(), entries.end());
      if (!page.truncated) {
        EXPECT_TRUE(page.next_marker.empty());
        return all;
      }
      EXPECT_EQ(static_cast<int>(entries.size()), request.max_keys);
      std::string last =
          entries.back().rfind("P:", 0) == 0 ? entries.back().substr(2) : entries.back();
      EXPECT_EQ(page.next_marker, last);
      request.start_after = page.next_marker;
    }
    ADD_FAILURE() << "listing did not end";
    return all;
  }
};

TEST_F(ListingTest, Utf8ByteOrderNotUtf16Order) {
  // UTF-16 would put U+1F642 (a surrogate pair, 0xD83D...) before U+FF61; UTF-8 puts it after.
  PutAll({"b", "\xef\xbd\xa1", "🙂", "é", "Z", "a", "\x7f"});
  auto entries = Entries(List({}));
  EXPECT_EQ(entries,
            (std::vector<std::string>{"Z", "a", "b", "\x7f", "é", "\xef\xbd\xa1", "🙂"}));
}

TEST_F(ListingTest, PrefixAndDelimiterRollUp) {
  PutAll({"raw/2024/a.csv", "raw/2024/b.csv", "raw/2025/a.csv", "raw/top.csv", "raw/", "rawer",
          "results/x"});
  ListRequest request;
  request.prefix = "raw/";
  request.delimiter = "/";
  ListPage page = List(request);
  EXPECT_EQ(Entries(page),
            (std::vector<std::string>{"raw/", "P:raw/2024/", "P:raw/2025/", "raw/top.csv"}));
  EXPECT_FALSE(page.truncated);

  request.prefix = "";
  EXPECT_EQ(Entries(List(request)), (std::vector<std::string>{"P:raw/", "rawer", "P:results/"}));

  request.prefix = "raw";  // no trailing slash: "raw/" and "rawer" share it
  EXPECT_EQ(Entries(List(request)), (std::vector<std::string>{"P:raw/", "rawer"}));
}

TEST_F(ListingTest, MultiCharacterDelimiter) {
  PutAll({"a--b--c", "a--d", "a-e", "x"});
  ListRequest request;
  request.delimiter = "--";
  EXPECT_EQ(Entries(List(request)), (std::vector<std::string>{"P:a--", "a-e", "x"}));
}

TEST_F(ListingTest, CommonPrefixCountsOnceTowardsMaxKeys) {
  PutAll({"d/1", "d/2", "d/3", "e", "f"});
  ListRequest request;
  request.delimiter = "/";
  request.max_keys = 2;
  ListPage page = List(request);
  EXPECT_EQ(Entries(page), (std::vector<std::string>{"P:d/", "e"}));
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.next_marker, "e");
  request.start_after = page.next_marker;
  page = List(request);
  EXPECT_EQ(Entries(page), (std::vector<std::string>{"f"}));
  EXPECT_FALSE(page.truncated);
}

TEST_F(ListingTest, ContinuingAfterACommonPrefixSkipsItsKeys) {
  PutAll({"d/1", "d/2", "d/3", "e"});
  ListRequest request;
  request.delimiter = "/";
  request.max_keys = 1;
  ListPage page = List(request);
  EXPECT_EQ(Entries(page), (std::vector<std::string>{"P:d/"}));
  EXPECT_EQ(page.next_marker, "d/");
  request.start_after = "d/";
  EXPECT_EQ(Entries(List(request)), (std::vector<std::string>{"e"}));
}

TEST_F(ListingTest, NotTruncatedWhenThePageEndsExactlyAtTheLastKey) {
  PutAll({"a", "b"});
  ListRequest request;
  request.max_keys = 2;
  ListPage page = List(request);
  EXPECT_EQ(page.objects.size(), 2u);
  EXPECT_FALSE(page.truncated);
  // Nor when the only thing left is under a common prefix already listed.
  PutAll({"c/1", "c/2"});
  request.delimiter = "/";
  request.max_keys = 3;
  page = List(request);
  EXPECT_EQ(Entries(page), (std::vector<std::string>{"a", "b", "P:c/"}));
  EXPECT_FALSE(page.truncated);
}

TEST_F(ListingTest, MaxKeysZeroListsNothing) {
  PutAll({"a"});
  ListRequest request;
  request.max_keys = 0;
  ListPage page = List(request);
  EXPECT_TRUE(page.objects.empty());
  EXPECT_FALSE(page.truncated);
}

TEST_F(ListingTest, StartAfterIsExclusiveAndMayNameNoKey) {
  PutAll({"a", "b", "c"});
  ListRequest request;
  request.start_after = "b";
  EXPECT_EQ(Entries(List(request)), (std::vector<std::string>{"c"}));
  request.start_after = "bb";
  EXPECT_EQ(Entries(List(request)), (std::vector<std::string>{"c"}));
  request.start_after = "z";
  EXPECT_TRUE(Entries(List(request)).empty());
}

TEST_F(ListingTest, ListsCarrySizeEtagAndTime) {
  ASSERT_TRUE(Put("lake", "k", "12345").ok());
  ListPage page = List({});
  ASSERT_EQ(page.objects.size(), 1u);
  EXPECT_EQ(page.objects[0].size, 5u);
  EXPECT_EQ(page.objects[0].etag, "827ccb0eea8a706c4c34a16891f84e7b");
  EXPECT_EQ(ToUnixMillis(page.objects[0].last_modified), ToUnixMillis(clock_.Now()));
  EXPECT_EQ(lake_->ListObjects("nobucket", {}).status().aws_code(), "NoSuchBucket");
}

// The listing S3 defines, computed the slow, obvious way.
std::vector<std::string> ModelListing(const std::set<std::string>& keys,
                                      const ListRequest& request) {
  std::vector<std::string> entries;
  for (const auto& key : keys) {  // std::set<std::string> orders bytewise
    if (key.rfind(request.prefix, 0) != 0) continue;
    std::string entry = key;
    bool rolled_up = false;
    if (!request.delimiter.empty()) {
      size_t at = key.find(request.delimiter, request.prefix.size());
      if (at != std::string::npos) {
        entry = key.substr(0, at + request.delimiter.size());
        rolled_up = true;
      }
    }
    if (entry <= request.start_after) continue;
    std::string tagged = rolled_up ? "P:" + entry : entry;
    if (entries.empty() || entries.back() != tagged) entries.push_back(tagged);
  }
  return entries;
}

TEST_F(ListingTest, RandomListingsMatchTheModel) {
  std::mt19937 rng(20261124);
  const std::vector<std::string> pieces = {"a", "b", "/", "-", "é", "🙂", "\x7f", "ab", "a/"};
  auto random_string = [&](int max_pieces) {
    std::string s;
    int n = std::uniform_int_distribution<int>(0, max_pieces)(rng);
    for (int i = 0; i < n; ++i)
      s += pieces[rng() % pieces.size()];
    return s;
  };
  std::set<std::string> keys;
  while (keys.size() < 300) {
    std::string key = random_string(6);
    if (!key.empty()) keys.insert(key);
  }
  PutAll({keys.begin(), keys.end()});

  for (int round = 0; round < 150; ++round) {
    ListRequest request;
    request.prefix = random_string(2);
    request.delimiter =
        rng() % 4 == 0 ? "" : std::vector<std::string>{"/", "-", "a", "é"}[rng() % 4];
    request.start_after = rng() % 3 == 0 ? random_string(3) : "";
    request.max_keys = std::vector<int>{1, 2, 3, 7, 1000}[rng() % 5];
    SCOPED_TRACE("prefix='" + request.prefix + "' delimiter='" + request.delimiter +
                 "' start_after='" + request.start_after +
                 "' max_keys=" + std::to_string(request.max_keys));
    EXPECT_EQ(ListAll(request), ModelListing(keys, request));
  }
}

}  // namespace
}  // namespace sluice::lake

// The lake's EventBridge events: exact envelope and detail, one per committed change.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "lake/lake_fixture.h"

namespace sluice::lake {
namespace {

using nlohmann::json;

class LakeEventsTest : public LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    ASSERT_TRUE(lake_->CreateBucket("lake").ok());
  }

  std::vector<json> EventBodies() {
    std::vector<json> bodies;
    for (const auto& e : Events())
      bodies.push_back(json::parse(e.body));
    return bodies;
  }
};

TEST_F(LakeEventsTest, PutEmitsObjectCreatedWithS3Fields) {
  clock_.Set(FromUnixMillis(1636675200000));  // 2021-11-12T00:00:00Z
  PutOptions options;
  options.request = {"N4N7GDK58NMKJ12R", "123456789012", "1.2.3.4"};
  ASSERT_TRUE(Put("lake", "raw/orders/o 1.csv", "hello", options).ok());

  auto events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].source, "aws.s3");
  EXPECT_EQ(events[0].detail_type, "Object Created");
  json e = json::parse(events[0].body);
  EXPECT_EQ(e["version"], "0");
  EXPECT_EQ(e["id"], events[0].id);
  EXPECT_TRUE(std::regex_match(
      e["id"].get<std::string>(),
      std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  EXPECT_EQ(e["detail-type"], "Object Created");
  EXPECT_EQ(e["source"], "aws.s3");
  EXPECT_EQ(e["account"], "000000000000");
  EXPECT_EQ(e["time"], "2021-11-12T00:00:00Z");
  EXPECT_EQ(e["region"], "us-east-1");
  EXPECT_EQ(e["resources"], json::array({"arn:aws:s3:::lake"}));
  const json& d = e["detail"];
  EXPECT_EQ(d["version"], "0");
  EXPECT_EQ(d["bucket"]["name"], "lake");
  EXPECT_EQ(d["object"]["key"], "raw/orders/o 1.csv");  // the key itself, not URL-encoded
  EXPECT_EQ(d["object"]["size"], 5);
  EXPECT_EQ(d["object"]["etag"], "5d41402abc4b2a76b9719d911017c592");
  EXPECT_TRUE(d["object"]["sequencer"].is_string());
  EXPECT_EQ(d["request-id"], "N4N7GDK58NMKJ12R");
  EXPECT_EQ(d["requester"], "123456789012");
  EXPECT_EQ(d["source-ip-address"], "1.2.3.4");
  EXPECT_EQ(d["reason"], "PutObject");
  EXPECT_FALSE(d.contains("deletion-type"));
}

TEST_F(LakeEventsTest, WithoutARequestTheRequesterIsTheAccountAndNoSourceIp) {
  ASSERT_TRUE(Put("lake", "k", "v").ok());
  json d = EventBodies()[0]["detail"];
  EXPECT_EQ(d["requester"], "000000000000");
  EXPECT_FALSE(d.contains("source-ip-address"));
  EXPECT_FALSE(d["request-id"].get<std::string>().empty());
}

TEST_F(LakeEventsTest, DeleteEmitsObjectDeletedWithoutSize) {
  ASSERT_TRUE(Put("lake", "k", "v").ok());
  ASSERT_TRUE(lake_->DeleteObject("lake", "k").ok());
  auto bodies = EventBodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[1]["detail-type"], "Object Deleted");
  const json& d = bodies[1]["detail"];
  EXPECT_EQ(d["reason"], "DeleteObject");
  EXPECT_EQ(d["deletion-type"], "Permanently Deleted");
  EXPECT_EQ(d["object"]["key"], "k");
  EXPECT_FALSE(d["object"].contains("size"));
  EXPECT_GT(d["object"]["sequencer"].get<std::string>(),
            bodies[0]["detail"]["object"]["sequencer"].get<std::string>());
}

TEST_F(LakeEventsTest, CopyEmitsObjectCreatedWithReasonCopyObject) {
  ASSERT_TRUE(Put("lake", "a", "v").ok());
  ASSERT_TRUE(lake_->CopyObject("lake", "a", "lake", "b", CopyOptions{}).ok());
  auto bodies = EventBodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[1]["detail"]["reason"], "CopyObject");
  EXPECT_EQ(bodies[1]["detail"]["object"]["key"], "b");
}

TEST_F(LakeEventsTest, ExactlyOneEventPerCommittedChangeAndNoneOtherwise) {
  ASSERT_TRUE(Put("lake", "k", "1").ok());
  ASSERT_TRUE(Put("lake", "k", "2").ok());                  // overwrite: a second Created
  ASSERT_TRUE(lake_->DeleteObject("lake", "absent").ok());  // no change, no event
  ASSERT_FALSE(Put("nobucket", "k", "x").ok());             // refused, no event
  ASSERT_FALSE(lake_->CopyObject("lake", "absent", "lake", "x", CopyOptions{}).ok());
  ASSERT_TRUE(lake_->CreateBucket("other").ok());  // bucket changes emit no S3 event
  auto events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(json::parse(events[1].body)["detail"]["object"]["size"], 1);
}

TEST_F(LakeEventsTest, HostileKeysSurviveInTheEventJson) {
  std::string key = "quote\" back\\slash \x01 日本 🙂";
  ASSERT_TRUE(Put("lake", key, "v").ok());
  EXPECT_EQ(EventBodies()[0]["detail"]["object"]["key"], key);
}

TEST(SequencerTest, FixedWidthHexKeepsOrder) {
  EXPECT_EQ(FormatSequencer(1), "0000000000000001");
  EXPECT_EQ(FormatSequencer(255), "00000000000000FF");
  EXPECT_LT(FormatSequencer(9), FormatSequencer(10));
}

}  // namespace
}  // namespace sluice::lake

// Multipart uploads in the local lake: S3's completion rules, the multipart ETag, one event per
// completed object, part replacement, abort, listings, and that no part blob outlives its upload.
#include <gtest/gtest.h>

#include "lake/lake_fixture.h"
#include "sluice/common/hex.h"
#include "sluice/common/md5.h"

namespace sluice::lake {
namespace {

std::string Md5Binary(const std::string& bytes) {
  Md5 md5;
  md5.Update(bytes);
  return md5.FinishBinary();
}

class MultipartTest : public LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    ASSERT_TRUE(lake_->CreateBucket("lake").ok());
  }

  std::string Start(const std::string& key, PutOptions options = {}) {
    auto upload = lake_->CreateMultipartUpload("lake", key, options);
    EXPECT_TRUE(upload.ok()) << upload.status().ToString();
    return upload.ok() ? upload->upload_id : "";
  }

  Result<PartInfo> Part(const std::string& key, const std::string& upload_id, int number,
                        std::string bytes) {
    StringByteSource source(std::move(bytes));
    return lake_->UploadPart("lake", key, upload_id, number, source, std::nullopt);
  }

  Result<ObjectInfo> Complete(const std::string& key, const std::string& upload_id,
                              const std::vector<CompletedPart>& parts) {
    return lake_->CompleteMultipartUpload("lake", key, upload_id, parts, PutOptions{});
  }

  const std::string big_a_ = std::string(kMinPartSize, 'a');
  const std::string big_b_ = std::string(kMinPartSize + 3, 'b');
};

TEST_F(MultipartTest, CompletesIntoOneObjectWithTheMultipartEtagAndOneEvent) {
  PutOptions options;
  options.content_type = "text/csv";
  options.metadata = {{"origin", "test"}};
  std::string id = Start("big.csv", options);
  auto p2 = Part("big.csv", id, 2, big_b_);
  auto p1 = Part("big.csv", id, 1, big_a_);  // parts may arrive in any order
  auto p3 = Part("big.csv", id, 3, "tail");
  ASSERT_TRUE(p1.ok() && p2.ok() && p3.ok());
  EXPECT_TRUE(ObjectCreatedKeys().empty());  // nothing is visible before completion

  auto object = Complete("big.csv", id, {{1, p1->etag}, {2, p2->etag}, {3, p3->etag}});
  ASSERT_TRUE(object.ok()) << object.status().ToString();
  Md5 md5;
  md5.Update(Md5Binary(big_a_) + Md5Binary(big_b_) + Md5Binary("tail"));
  EXPECT_EQ(object->etag, md5.FinishHex() + "-3");
  EXPECT_EQ(object->size, big_a_.size() + big_b_.size() + 4);
  EXPECT_EQ(Get("lake", "big.csv"), big_a_ + big_b_ + "tail");
  auto head = lake_->HeadObject("lake", "big.csv");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->content_type, "text/csv");
  EXPECT_EQ(head->metadata.at("origin"), "test");
  EXPECT_EQ(head->part_sizes, (std::vector<uint64_t>{big_a_.size(), big_b_.size(), 4}));

  ASSERT_EQ(ObjectCreatedKeys(), std::vector<std::string>{"big.csv"});
  auto event = nlohmann::json::parse(Events().back().body);
  EXPECT_EQ(event["detail"]["reason"], "CompleteMultipartUpload");
  EXPECT_EQ(event["detail"]["object"]["etag"], object->etag);

  // The upload is over, and its part files are gone: only the object's blob is left.
  EXPECT_EQ(lake_->AbortMultipartUpload("lake", "big.csv", id).aws_code(), "NoSuchUpload");
  EXPECT_EQ(FilesUnder("objects").size(), 1u);
  EXPECT_TRUE(FilesUnder("tmp").empty());
}

TEST_F(MultipartTest, RefusesWhatS3Refuses) {
  std::string id = Start("k");
  auto small = Part("k", id, 1, "small");
  auto big = Part("k", id, 2, big_a_);
  ASSERT_TRUE(small.ok() && big.ok());
  EXPECT_EQ(Complete("k", id, {}).status().aws_code(), "MalformedXML");
  EXPECT_EQ(Complete("k", id, {{2, big->etag}, {1, small->etag}}).status().aws_code(),
            "InvalidPartOrder");
  EXPECT_EQ(Complete("k", id, {{1, small->etag}, {3, big->etag}}).status().aws_code(),
            "InvalidPart");
  EXPECT_EQ(Complete("k", id, {{2, small->etag}}).status().aws_code(), "InvalidPart");
  EXPECT_EQ(Complete("k", id, {{1, small->etag}, {2, big->etag}}).status().aws_code(),
            "EntityTooSmall");
  EXPECT_EQ(Complete("k", "no-such-upload", {{1, small->etag}}).status().aws_code(),
            "NoSuchUpload");
  EXPECT_EQ(Complete("other-key", id, {{2, big->etag}}).status().aws_code(), "NoSuchUpload");
  EXPECT_EQ(Part("k", id, 0, "x").status().aws_code(), "InvalidArgument");
  EXPECT_EQ(Part("k", id, 10001, "x").status().aws_code(), "InvalidArgument");
  EXPECT_TRUE(ObjectCreatedKeys().empty());

  // Completing with a subset of the parts is allowed (here: the big one alone).
  auto object = Complete("k", id, {{2, big->etag}});
  ASSERT_TRUE(object.ok()) << object.status().ToString();
  EXPECT_EQ(object->size, big_a_.size());
}

TEST_F(MultipartTest, APartUploadedAgainReplacesTheEarlierOne) {
  std::string id = Start("k");
  ASSERT_TRUE(Part("k", id, 1, "first").ok());
  auto again = Part("k", id, 1, "second");
  ASSERT_TRUE(again.ok());
  auto parts = lake_->ListParts("lake", "k", id, 0, 1000);
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->parts.size(), 1u);
  EXPECT_EQ(parts->parts[0].etag, again->etag);
  EXPECT_EQ(parts->parts[0].size, 6u);
  EXPECT_EQ(FilesUnder("objects").size(), 1u);  // the first part's file was collected
  ASSERT_TRUE(Complete("k", id, {{1, again->etag}}).ok());
  EXPECT_EQ(Get("lake", "k"), "second");
}

TEST_F(MultipartTest, AbortDropsThePartsAndLeavesTheOldObject) {
  ASSERT_TRUE(Put("lake", "k", "old").ok());
  std::string id = Start("k");
  ASSERT_TRUE(Part("k", id, 1, "new").ok());
  ASSERT_TRUE(lake_->AbortMultipartUpload("lake", "k", id).ok());
  EXPECT_EQ(Get("lake", "k"), "old");
  EXPECT_EQ(Part("k", id, 2, "late").status().aws_code(), "NoSuchUpload");
  EXPECT_EQ(lake_->ListParts("lake", "k", id, 0, 10).status().aws_code(), "NoSuchUpload");
  EXPECT_EQ(FilesUnder("objects").size(), 1u);
}

TEST_F(MultipartTest, CompletionHonoursWriteConditions) {
  ASSERT_TRUE(Put("lake", "k", "exists").ok());
  std::string id = Start("k");
  auto part = Part("k", id, 1, "new");
  ASSERT_TRUE(part.ok());
  PutOptions only_if_absent;
  only_if_absent.if_none_match_any = true;
  EXPECT_EQ(lake_->CompleteMultipartUpload("lake", "k", id, {{1, part->etag}}, only_if_absent)
                .status()
                .aws_code(),
            "PreconditionFailed");
  EXPECT_EQ(Get("lake", "k"), "exists");
  // The upload survives a failed condition, as in S3.
  EXPECT_TRUE(Complete("k", id, {{1, part->etag}}).ok());
  EXPECT_EQ(Get("lake", "k"), "new");
}

TEST_F(MultipartTest, ListsPartsAndUploadsInPages) {
  std::string id = Start("k");
  for (int n = 1; n <= 5; ++n)
    ASSERT_TRUE(Part("k", id, n, std::to_string(n)).ok());
  auto page = lake_->ListParts("lake", "k", id, 0, 2);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_part_number_marker, 2);
  page = lake_->ListParts("lake", "k", id, 4, 2);
  ASSERT_TRUE(page.ok());
  EXPECT_FALSE(page->truncated);
  ASSERT_EQ(page->parts.size(), 1u);
  EXPECT_EQ(page->parts[0].part_number, 5);

  std::string a1 = Start("dir/a");
  clock_.Advance(std::chrono::seconds(1));
  std::string a2 = Start("dir/a");
  Start("dir/sub/b");
  Start("top");
  UploadListRequest request;
  request.prefix = "dir/";
  request.delimiter = "/";
  auto uploads = lake_->ListMultipartUploads("lake", request);
  ASSERT_TRUE(uploads.ok());
  ASSERT_EQ(uploads->uploads.size(), 2u);
  EXPECT_EQ(uploads->uploads[0].upload_id, a1);  // by key, then by when they began
  EXPECT_EQ(uploads->uploads[1].upload_id, a2);
  EXPECT_EQ(uploads->common_prefixes, std::vector<std::string>{"dir/sub/"});

  request = {};
  request.max_uploads = 2;
  uploads = lake_->ListMultipartUploads("lake", request);
  ASSERT_TRUE(uploads.ok());
  EXPECT_TRUE(uploads->truncated);
  EXPECT_EQ(uploads->next_key_marker, "dir/a");
  request.key_marker = uploads->next_key_marker;
  request.upload_id_marker = uploads->next_upload_id_marker;
  uploads = lake_->ListMultipartUploads("lake", request);
  ASSERT_TRUE(uploads.ok());
  ASSERT_EQ(uploads->uploads.size(), 2u);
  EXPECT_EQ(uploads->uploads[0].key, "dir/sub/b");
  EXPECT_EQ(uploads->uploads[1].key, "k");
  EXPECT_TRUE(uploads->truncated);
}

TEST_F(MultipartTest, CommittedPartsSurviveARestartAndDeletingTheBucketDropsThem) {
  std::string id = Start("k");
  auto part = Part("k", id, 1, "kept");
  ASSERT_TRUE(part.ok());
  Reopen();
  EXPECT_EQ(lake_->recovered_leftovers(), 0);
  auto parts = lake_->ListParts("lake", "k", id, 0, 10);
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->parts.size(), 1u);
  EXPECT_EQ(FilesUnder("objects").size(), 1u);  // recovery kept the committed part's file

  ASSERT_TRUE(lake_->DeleteBucket("lake").ok());
  EXPECT_TRUE(FilesUnder("objects").empty());
}

}  // namespace
}  // namespace sluice::lake

#include "sluice/lake/local_object_store.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <thread>

#include "lake/lake_fixture.h"
#include "sluice/common/md5.h"

namespace sluice::lake {
namespace {

class LocalObjectStoreTest : public LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    ASSERT_TRUE(lake_->CreateBucket("lake").ok());
  }
};

std::string Md5Hex(const std::string& s) {
  Md5 md5;
  md5.Update(s);
  return md5.FinishHex();
}

TEST_F(LocalObjectStoreTest, BucketLifecycle) {
  EXPECT_EQ(lake_->CreateBucket("lake").aws_code(), "BucketAlreadyOwnedByYou");
  EXPECT_EQ(lake_->CreateBucket("Bad_Name").aws_code(), "InvalidBucketName");
  ASSERT_TRUE(lake_->CreateBucket("archive").ok());
  auto buckets = lake_->ListBuckets();
  ASSERT_TRUE(buckets.ok());
  ASSERT_EQ(buckets->size(), 2u);
  EXPECT_EQ((*buckets)[0].name, "archive");  // sorted by name
  EXPECT_EQ((*buckets)[1].name, "lake");
  EXPECT_EQ(ToUnixMillis((*buckets)[0].created), ToUnixMillis(clock_.Now()));

  ASSERT_TRUE(Put("archive", "k", "v").ok());
  EXPECT_EQ(lake_->DeleteBucket("archive").aws_code(), "BucketNotEmpty");
  ASSERT_TRUE(lake_->DeleteObject("archive", "k").ok());
  EXPECT_TRUE(lake_->DeleteBucket("archive").ok());
  EXPECT_EQ(lake_->DeleteBucket("archive").aws_code(), "NoSuchBucket");
  EXPECT_EQ(lake_->HeadBucket("archive").status().aws_code(), "NoSuchBucket");
  EXPECT_TRUE(lake_->HeadBucket("lake").ok());
}

TEST_F(LocalObjectStoreTest, PutGetHeadRoundTrip) {
  std::string bytes = "order_id,amount\n1,9.99\n";
  PutOptions options;
  options.content_type = "text/csv";
  options.metadata = {{"origin", "test"}, {"batch", "7"}};
  auto put = Put("lake", "raw/orders.csv", bytes, options);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->etag, Md5Hex(bytes));
  EXPECT_EQ(put->size, bytes.size());

  EXPECT_EQ(Get("lake", "raw/orders.csv"), bytes);
  auto head = lake_->HeadObject("lake", "raw/orders.csv");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->etag, Md5Hex(bytes));
  EXPECT_EQ(head->size, bytes.size());
  EXPECT_EQ(head->content_type, "text/csv");
  EXPECT_EQ(head->metadata, options.metadata);
  EXPECT_EQ(ToUnixMillis(head->last_modified), ToUnixMillis(clock_.Now()));
}

TEST_F(LocalObjectStoreTest, DefaultContentTypeAndEmptyObject) {
  ASSERT_TRUE(Put("lake", "empty", "").ok());
  auto head = lake_->HeadObject("lake", "empty");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->content_type, "binary/octet-stream");
  EXPECT_EQ(head->size, 0u);
  EXPECT_EQ(head->etag, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Get("lake", "empty"), "");
}

TEST_F(LocalObjectStoreTest, MissingThingsHaveS3Errors) {
  EXPECT_EQ(Get("lake", "nope"), "!NoSuchKey");
  EXPECT_EQ(Get("nobucket", "k"), "!NoSuchBucket");
  EXPECT_EQ(lake_->HeadObject("lake", "nope").status().aws_code(), "NoSuchKey");
  EXPECT_EQ(Put("nobucket", "k", "v").status().aws_code(), "NoSuchBucket");
  EXPECT_EQ(Put("lake", "", "v").status().aws_code(), "InvalidArgument");
  EXPECT_EQ(Put("lake", std::string(1025, 'k'), "v").status().aws_code(), "KeyTooLongError");
  EXPECT_EQ(lake_->DeleteObject("nobucket", "k").status().aws_code(), "NoSuchBucket");
  auto missing = lake_->DeleteObject("lake", "never-existed");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(*missing);
  // Failed writes leave no files behind.
  EXPECT_TRUE(FilesUnder("objects").empty());
  EXPECT_TRUE(FilesUnder("tmp").empty());
}

TEST_F(LocalObjectStoreTest, HostileKeysAreStoredVerbatimAndNeverUsedAsPaths) {
  std::vector<std::string> keys = {"../../../../etc/escape",
                                   "/abs",
                                   "a//b",
                                   "dir/",
                                   "with space & plus+",
                                   "日本語/🙂.csv",
                                   std::string(1024, 'x'),
                                   "nul\x01"
                                   "ctl",
                                   "."};
  for (const auto& key : keys)
    ASSERT_TRUE(Put("lake", key, "bytes of " + key).ok()) << key;
  for (const auto& key : keys)
    EXPECT_EQ(Get("lake", key), "bytes of " + key) << key;
  EXPECT_FALSE(std::filesystem::exists(dir_.path().parent_path() / "etc" / "escape"));
  // Files are named by ids only: 32 hex digits, in a shard named by the first two.
  for (const auto& file : FilesUnder("objects")) {
    EXPECT_EQ(file.filename().string().size(), 32u) << file;
    EXPECT_EQ(file.parent_path().filename().string(), file.filename().string().substr(0, 2));
  }
  EXPECT_EQ(FilesUnder("objects").size(), keys.size());
}

TEST_F(LocalObjectStoreTest, OverwriteReplacesAndReclaimsTheOldFile) {
  ASSERT_TRUE(Put("lake", "k", "first version").ok());
  auto before = FilesUnder("objects");
  ASSERT_EQ(before.size(), 1u);
  ASSERT_TRUE(Put("lake", "k", "second").ok());
  EXPECT_EQ(Get("lake", "k"), "second");
  auto after = FilesUnder("objects");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_NE(before[0], after[0]);
  EXPECT_EQ(lake_->HeadObject("lake", "k")->etag, Md5Hex("second"));
}

TEST_F(LocalObjectStoreTest, DeleteRemovesTheObjectAndItsFile) {
  ASSERT_TRUE(Put("lake", "k", "v").ok());
  auto deleted = lake_->DeleteObject("lake", "k");
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(*deleted);
  EXPECT_EQ(Get("lake", "k"), "!NoSuchKey");
  EXPECT_TRUE(FilesUnder("objects").empty());
}

TEST_F(LocalObjectStoreTest, AReaderKeepsItsVersionAcrossOverwriteAndDelete) {
  ASSERT_TRUE(Put("lake", "k", "old bytes").ok());
  auto reader = lake_->GetObject("lake", "k");
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(Put("lake", "k", "new bytes!").ok());
  ASSERT_TRUE(lake_->DeleteObject("lake", "k").ok());
  char buffer[64];
  auto n = (*reader)->Read(buffer, sizeof buffer);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(buffer, *n), "old bytes");
}

TEST_F(LocalObjectStoreTest, RangeReads) {
  ASSERT_TRUE(Put("lake", "k", "0123456789").ok());
  EXPECT_EQ(Get("lake", "k", ByteRange::FromTo(2, 5)), "2345");
  EXPECT_EQ(Get("lake", "k", ByteRange::FromTo(0, 0)), "0");
  EXPECT_EQ(Get("lake", "k", ByteRange::FromTo(8, 100)), "89");  // clipped to the end
  EXPECT_EQ(Get("lake", "k", ByteRange::From(7)), "789");
  EXPECT_EQ(Get("lake", "k", ByteRange::Suffix(3)), "789");
  EXPECT_EQ(Get("lake", "k", ByteRange::Suffix(100)), "0123456789");
  EXPECT_EQ(Get("lake", "k", ByteRange::From(10)), "!InvalidRange");
  EXPECT_EQ(Get("lake", "k", ByteRange::Suffix(0)), "!InvalidRange");
  auto reader = lake_->GetObject("lake", "k", ByteRange::FromTo(2, 5));
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->offset(), 2u);
  EXPECT_EQ((*reader)->length(), 4u);
  EXPECT_EQ((*reader)->info().size, 10u);

  ASSERT_TRUE(Put("lake", "empty", "").ok());
  EXPECT_EQ(Get("lake", "empty", ByteRange::From(0)), "!InvalidRange");
}

TEST_F(LocalObjectStoreTest, ConditionalWrites) {
  PutOptions if_absent;
  if_absent.if_none_match_any = true;
  ASSERT_TRUE(Put("lake", "k", "one", if_absent).ok());
  EXPECT_EQ(Put("lake", "k", "two", if_absent).status().aws_code(), "PreconditionFailed");
  EXPECT_EQ(Get("lake", "k"), "one");

  PutOptions if_match;
  if_match.if_match_etag = Md5Hex("not it");
  EXPECT_EQ(Put("lake", "k", "three", if_match).status().aws_code(), "PreconditionFailed");
  if_match.if_match_etag = Md5Hex("one");
  EXPECT_TRUE(Put("lake", "k", "three", if_match).ok());
  EXPECT_EQ(Get("lake", "k"), "three");
  EXPECT_EQ(Put("lake", "absent", "x", if_match).status().aws_code(), "NoSuchKey");
  // Refused writes leave neither objects nor files nor events.
  EXPECT_EQ(FilesUnder("objects").size(), 1u);
  EXPECT_TRUE(FilesUnder("tmp").empty());
  EXPECT_EQ(Events().size(), 2u);
}

TEST_F(LocalObjectStoreTest, ConcurrentIfNoneMatchHasExactlyOneWinner) {
  constexpr int kThreads = 8;
  std::atomic<int> wins{0}, precondition_failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      PutOptions options;
      options.if_none_match_any = true;
      auto r = Put("lake", "lock", "writer " + std::to_string(i), options);
      if (r.ok()) ++wins;
      if (r.status().aws_code() == "PreconditionFailed") ++precondition_failures;
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(wins, 1);
  EXPECT_EQ(precondition_failures, kThreads - 1);
  EXPECT_EQ(FilesUnder("objects").size(), 1u);
}

TEST_F(LocalObjectStoreTest, CopyKeepsOrReplacesMetadata) {
  PutOptions options;
  options.content_type = "text/csv";
  options.metadata = {{"origin", "src"}};
  ASSERT_TRUE(Put("lake", "src", "payload", options).ok());
  ASSERT_TRUE(lake_->CreateBucket("other").ok());

  auto copied = lake_->CopyObject("lake", "src", "other", "dst", CopyOptions{});
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  EXPECT_EQ(Get("other", "dst"), "payload");
  auto head = lake_->HeadObject("other", "dst");
  EXPECT_EQ(head->content_type, "text/csv");
  EXPECT_EQ(head->metadata, options.metadata);
  EXPECT_EQ(head->etag, Md5Hex("payload"));

  CopyOptions replace;
  replace.replace_metadata = true;
  replace.content_type = "application/json";
  replace.metadata = {{"new", "yes"}};
  ASSERT_TRUE(lake_->CopyObject("lake", "src", "lake", "src", replace).ok());
  head = lake_->HeadObject("lake", "src");
  EXPECT_EQ(head->content_type, "application/json");
  EXPECT_EQ(head->metadata, replace.metadata);
  EXPECT_EQ(Get("lake", "src"), "payload");

  EXPECT_EQ(lake_->CopyObject("lake", "src", "lake", "src", CopyOptions{}).status().aws_code(),
            "InvalidRequest");
  EXPECT_EQ(lake_->CopyObject("lake", "nope", "lake", "x", CopyOptions{}).status().aws_code(),
            "NoSuchKey");
  EXPECT_EQ(lake_->CopyObject("lake", "src", "nobucket", "x", CopyOptions{}).status().aws_code(),
            "NoSuchBucket");
  // The source and the two copies; the in-place copy reclaimed the source's old file.
  EXPECT_EQ(FilesUnder("objects").size(), 2u);
}

std::string ReadWholeFd(int fd) {
  std::string content;
  char buffer[256];
  for (off_t at = 0;;) {
    ssize_t n = ::pread(fd, buffer, sizeof buffer, at);
    if (n <= 0) return content;
    content.append(buffer, static_cast<size_t>(n));
    at += n;
  }
}

TEST_F(LocalObjectStoreTest, OpenObjectFileKeepsTheBytesItOpened) {
  ASSERT_TRUE(Put("lake", "data.csv", "a,b\n").ok());
  auto file = lake_->OpenObjectFile("lake", "data.csv");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->info.size, 4u);
  // Overwritten and then deleted: the open file still holds what was opened.
  ASSERT_TRUE(Put("lake", "data.csv", "changed\n").ok());
  ASSERT_TRUE(lake_->DeleteObject("lake", "data.csv").ok());
  EXPECT_EQ(ReadWholeFd(file->fd.get()), "a,b\n");
  EXPECT_EQ(lake_->OpenObjectFile("lake", "nope").status().aws_code(), "NoSuchKey");
}

TEST_F(LocalObjectStoreTest, PutObjectsCommitsAllTogetherWithOneEventEach) {
  StringByteSource a("first"), b("second");
  auto infos = lake_->PutObjects("lake", {{"out/a.csv", &a}, {"out/b.csv", &b, "text/csv"}}, {});
  ASSERT_TRUE(infos.ok()) << infos.status().ToString();
  ASSERT_EQ(infos->size(), 2u);
  EXPECT_EQ((*infos)[1].content_type, "text/csv");
  EXPECT_EQ(Get("lake", "out/a.csv"), "first");
  EXPECT_EQ(Get("lake", "out/b.csv"), "second");
  EXPECT_EQ(ObjectCreatedKeys(), (std::vector<std::string>{"out/a.csv", "out/b.csv"}));
}

TEST_F(LocalObjectStoreTest, PutObjectsWithABadKeyCommitsNothing) {
  StringByteSource a("first"), b("second");
  std::string too_long(1025, 'k');
  auto infos = lake_->PutObjects("lake", {{"out/a.csv", &a}, {too_long, &b}}, {});
  EXPECT_EQ(infos.status().aws_code(), "KeyTooLongError");
  EXPECT_EQ(lake_->HeadObject("lake", "out/a.csv").status().aws_code(), "NoSuchKey");
  EXPECT_TRUE(ObjectCreatedKeys().empty());
  EXPECT_TRUE(FilesUnder("tmp").empty());
}

TEST_F(LocalObjectStoreTest, LargeStreamedObjectRoundTrips) {
  // Bigger than the internal buffer, and not a multiple of it.
  std::string bytes;
  for (int64_t i = 0; bytes.size() < (3u << 20) + 123; ++i)
    bytes += std::to_string(i * 7919) + ",";
  ASSERT_TRUE(Put("lake", "big", bytes).ok());
  EXPECT_EQ(Get("lake", "big") == bytes, true);
  EXPECT_EQ(lake_->HeadObject("lake", "big")->etag, Md5Hex(bytes));
}

class FailingSource final : public ByteSource {
 public:
  Result<size_t> Read(char* buffer, size_t size) override {
    if (calls_++ == 2) return Status::IoError("connection reset by peer");
    std::memset(buffer, 'x', size);
    return size;
  }

 private:
  int calls_ = 0;
};

TEST_F(LocalObjectStoreTest, ABodyThatFailsMidwayLeavesNothing) {
  ASSERT_TRUE(Put("lake", "k", "original").ok());
  FailingSource source;
  auto r = lake_->PutObject("lake", "k", source, PutOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("connection reset"), std::string::npos);
  EXPECT_EQ(Get("lake", "k"), "original");
  EXPECT_EQ(FilesUnder("objects").size(), 1u);
  EXPECT_TRUE(FilesUnder("tmp").empty());
  EXPECT_EQ(Events().size(), 1u);
}

TEST_F(LocalObjectStoreTest, StateSurvivesReopening) {
  PutOptions options;
  options.metadata = {{"k", "v"}};
  ASSERT_TRUE(Put("lake", "persist", "durable", options).ok());
  Reopen();
  EXPECT_EQ(Get("lake", "persist"), "durable");
  EXPECT_EQ(lake_->HeadObject("lake", "persist")->metadata, options.metadata);
  EXPECT_EQ(lake_->recovered_leftovers(), 0);
}

}  // namespace
}  // namespace sluice::lake

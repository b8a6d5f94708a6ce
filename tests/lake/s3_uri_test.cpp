#include "sluice/lake/s3_uri.h"

#include <gtest/gtest.h>

namespace sluice::lake {
namespace {

TEST(S3UriTest, SplitsBucketAndKey) {
  auto uri = ParseS3Uri("s3://lake/raw/orders/2024.csv");
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(uri->bucket, "lake");
  EXPECT_EQ(uri->key, "raw/orders/2024.csv");
  EXPECT_EQ(uri->ToString(), "s3://lake/raw/orders/2024.csv");
}

TEST(S3UriTest, BucketOnly) {
  EXPECT_EQ(ParseS3Uri("s3://lake")->key, "");
  EXPECT_EQ(ParseS3Uri("s3://lake/")->key, "");
  EXPECT_EQ(ParseS3Uri("s3://lake/")->bucket, "lake");
}

TEST(S3UriTest, KeepsTheKeyVerbatim) {
  EXPECT_EQ(ParseS3Uri("s3://b//a/../x y")->key, "/a/../x y");
}

TEST(S3UriTest, RejectsOtherSchemesAndMissingBucket) {
  EXPECT_FALSE(ParseS3Uri("lake/key").ok());
  EXPECT_FALSE(ParseS3Uri("S3://lake/key").ok());
  EXPECT_FALSE(ParseS3Uri("s3://").ok());
  EXPECT_FALSE(ParseS3Uri("s3:///key").ok());
}

}  // namespace
}  // namespace sluice::lake

#include "sluice/common/status.h"

#include <gtest/gtest.h>

#include "sluice/common/result.h"

namespace sluice {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, CarriesCodeMessageAndAwsCode) {
  Status s = Status::NotFound("s3://b/k does not exist", "NoSuchKey");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.aws_code(), "NoSuchKey");
  EXPECT_EQ(s.ToString(), "NoSuchKey: s3://b/k does not exist");
  EXPECT_EQ(Status::IoError("disk").ToString(), "io error: disk");
}

TEST(StatusTest, WithContextPrefixesMessageAndKeepsCodes) {
  Status s = Status::NotFound("gone", "NoSuchKey").WithContext("get s3://b/k");
  EXPECT_EQ(s.message(), "get s3://b/k: gone");
  EXPECT_EQ(s.aws_code(), "NoSuchKey");
  EXPECT_TRUE(Status::Ok().WithContext("x").ok());
}

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  SLUICE_ASSIGN_OR_RETURN(int half, Half(x));
  SLUICE_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(ResultTest, AssignOrReturnPropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd");
  EXPECT_EQ(std::move(r).WithContext("quarter 6").status().message(), "quarter 6: odd");
}

TEST(ResultTest, ErrnoStatusNamesTheCall) {
  Status s = ErrnoStatus("cannot open /x", ENOENT);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message(), "cannot open /x: No such file or directory");
}

}  // namespace
}  // namespace sluice

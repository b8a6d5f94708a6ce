#include "sluice/lake/names.h"

#include <gtest/gtest.h>

namespace sluice::lake {
namespace {

TEST(BucketNameTest, AcceptsValidNames) {
  for (const std::string& name :
       std::vector<std::string>{"abc", "lake", "my-bucket.2024", "a1b", "0123456789", "a-b-c.d-e-f",
                                std::string(63, 'a'), "192.168.5.a"}) {
    EXPECT_TRUE(ValidateBucketName(name).ok()) << name;
  }
}

TEST(BucketNameTest, RejectsInvalidNamesWithInvalidBucketName) {
  for (const std::string& name : std::vector<std::string>{"",
                                                          "ab",
                                                          "Lake",
                                                          "my_bucket",
                                                          "-lake",
                                                          "lake-",
                                                          ".lake",
                                                          "lake.",
                                                          "la..ke",
                                                          "la ke",
                                                          "192.168.5.4",
                                                          "xn--lake",
                                                          "sthree-lake",
                                                          "amzn-s3-demo-lake",
                                                          "lake-s3alias",
                                                          "lake--ol-s3",
                                                          "lake.mrap",
                                                          "lake--x-s3",
                                                          "lake--table-s3",
                                                          "läke",
                                                          std::string(64, 'a')}) {
    Status s = ValidateBucketName(name);
    EXPECT_EQ(s.aws_code(), "InvalidBucketName") << "'" << name << "'";
    EXPECT_NE(s.message().find(name), std::string::npos) << s.message();
  }
}

TEST(ObjectKeyTest, AcceptsAnyValidUtf8UpTo1024Bytes) {
  for (std::string key :
       {std::string("a"), std::string("../../etc/passwd"), std::string("a b+c%20"),
        std::string("日本語/файл/🙂"), std::string("dir/"), std::string("//"),
        std::string(1024, 'k'), std::string("\x01\x7f", 2)}) {
    EXPECT_TRUE(ValidateObjectKey(key).ok()) << key;
  }
}

TEST(ObjectKeyTest, RejectsEmptyTooLongAndMalformed) {
  EXPECT_EQ(ValidateObjectKey("").aws_code(), "InvalidArgument");
  EXPECT_EQ(ValidateObjectKey(std::string(1025, 'k')).aws_code(), "KeyTooLongError");
  // 1024 bytes of 3-byte characters plus one more character crosses the byte limit.
  std::string euro;
  for (int i = 0; i < 342; ++i)
    euro += "€";
  EXPECT_EQ(ValidateObjectKey(euro).aws_code(), "KeyTooLongError");
  EXPECT_EQ(ValidateObjectKey("bad\xff").aws_code(), "InvalidArgument");
}

TEST(Utf8Test, RejectsOverlongSurrogatesAndTruncation) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("\xc3\xa9"));           // é
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));   // U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation
  EXPECT_FALSE(IsValidUtf8("\xf8\x88\x80\x80\x80"));
}

}  // namespace
}  // namespace sluice::lake

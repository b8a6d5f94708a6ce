// The checksums S3 clients send, against their published check values, and base64.
#include "s3/checksums.h"

#include <gtest/gtest.h>

namespace sluice::s3 {
namespace {

std::string ChecksumOf(ChecksumAlgorithm algorithm, const std::string& bytes, size_t piece) {
  Checksum checksum(algorithm);
  for (size_t at = 0; at < bytes.size(); at += piece)
    checksum.Update(bytes.data() + at, std::min(piece, bytes.size() - at));
  return checksum.FinishBase64();
}

std::string Base64OfBigEndian(uint64_t value, int bytes) {
  std::string raw(static_cast<size_t>(bytes), '\0');
  for (int i = bytes - 1; i >= 0; --i, value >>= 8)
    raw[static_cast<size_t>(i)] = static_cast<char>(value & 0xFF);
  return Base64Encode(raw);
}

// The CRC catalogue's check value: the CRC of "123456789".
TEST(ChecksumsTest, CrcsMatchTheirCheckValuesHoweverTheBytesArrive) {
  const std::string check = "123456789";
  for (size_t piece : {1u, 4u, 9u}) {
    EXPECT_EQ(ChecksumOf(ChecksumAlgorithm::kCrc32, check, piece),
              Base64OfBigEndian(0xCBF43926, 4));
    EXPECT_EQ(ChecksumOf(ChecksumAlgorithm::kCrc32c, check, piece),
              Base64OfBigEndian(0xE3069283, 4));
    EXPECT_EQ(ChecksumOf(ChecksumAlgorithm::kCrc64Nvme, check, piece),
              Base64OfBigEndian(0xAE8B14860A799888ull, 8));
  }
  // The empty body's CRC32, which some presigned URLs carry.
  EXPECT_EQ(ChecksumOf(ChecksumAlgorithm::kCrc32, "", 1), "AAAAAA==");
}

TEST(ChecksumsTest, ShaDigestsAreBase64) {
  EXPECT_EQ(ChecksumOf(ChecksumAlgorithm::kSha256, "abc", 2),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  EXPECT_EQ(ChecksumOf(ChecksumAlgorithm::kSha1, "abc", 1), "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
}

TEST(ChecksumsTest, AlgorithmsByEitherSpelling) {
  EXPECT_EQ(ChecksumAlgorithmNamed("CRC32C"), ChecksumAlgorithm::kCrc32c);
  EXPECT_EQ(ChecksumAlgorithmNamed("crc64nvme"), ChecksumAlgorithm::kCrc64Nvme);
  EXPECT_FALSE(ChecksumAlgorithmNamed("md5").has_value());
  EXPECT_EQ(ChecksumHeaderName(ChecksumAlgorithm::kSha256), "x-amz-checksum-sha256");
}

TEST(ChecksumsTest, Base64IsStrict) {
  EXPECT_EQ(Base64Decode("aGVsbG8="), "hello");
  EXPECT_EQ(Base64Decode(""), "");
  EXPECT_EQ(Base64Decode(Base64Encode(std::string("\0\xff\x10", 3))), std::string("\0\xff\x10", 3));
  EXPECT_FALSE(Base64Decode("aGVsbG8").has_value());    // no padding
  EXPECT_FALSE(Base64Decode("aGV sbG8=").has_value());  // whitespace
  EXPECT_FALSE(Base64Decode("aGV*bG8=").has_value());
}

}  // namespace
}  // namespace sluice::s3

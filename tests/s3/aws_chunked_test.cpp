// Decoding aws-chunked bodies: signed chunks (each signature checked, chained from the request's),
// unsigned chunks with a checksum trailer, signed trailers, and every way a body can be bad.
#include "s3/aws_chunked.h"

#include <gtest/gtest.h>

#include "sluice/common/sha256.h"
#include "sluice/lake/byte_sources.h"
#include "sluice/s3/sigv4.h"

namespace sluice::s3 {
namespace {

const ChunkSigning kSigning{SigningKey("secret", "20260101", "us-east-1", "s3"), "20260101T000000Z",
                            "20260101/us-east-1/s3/aws4_request", std::string(64, 'a')};

// An aws-chunked body of `chunks`, signed as a client would sign it, with `trailer` lines
// ("name:value\r\n" each) after the final chunk.
std::string SignedBody(const std::vector<std::string>& chunks, const std::string& trailer = "") {
  std::string body;
  std::string previous = kSigning.seed_signature;
  auto add = [&](const std::string& data) {
    std::string signature = ChunkSignature(kSigning.signing_key, kSigning.amz_date, kSigning.scope,
                                           previous, Sha256Hex(data));
    char size[32];
    std::snprintf(size, sizeof size, "%zx", data.size());
    body += std::string(size) + ";chunk-signature=" + signature + "\r\n" + data;
    body += data.empty() && !trailer.empty() ? "" : "\r\n";
    previous = signature;
  };
  for (const std::string& chunk : chunks)
    add(chunk);
  add("");
  if (!trailer.empty()) {
    body += trailer + "x-amz-trailer-signature:" +
            TrailerSignature(kSigning.signing_key, kSigning.amz_date, kSigning.scope, previous,
                             trailer) +
            "\r\n\r\n";
  }
  return body;
}

// What decoding `encoded` yields, or "!" and the error's AWS code.
std::string Decode(const std::string& encoded, std::optional<ChunkSigning> signing,
                   std::map<std::string, std::string>* trailers = nullptr) {
  lake::StringByteSource source(encoded);
  AwsChunkedDecoder decoder(source, std::move(signing));
  std::string out;
  char buffer[5];  // small on purpose: chunks span reads
  for (;;) {
    auto n = decoder.Read(buffer, sizeof buffer);
    if (!n.ok()) return "!" + n.status().aws_code();
    if (*n == 0) break;
    out.append(buffer, *n);
  }
  if (trailers != nullptr) *trailers = decoder.trailers();
  return out;
}

TEST(AwsChunkedTest, DecodesSignedChunks) {
  EXPECT_EQ(Decode(SignedBody({"hello ", "chunked ", "world"}), kSigning), "hello chunked world");
  EXPECT_EQ(Decode(SignedBody({}), kSigning), "");
}

TEST(AwsChunkedTest, RefusesABadChunkSignatureOrAReorderedBody) {
  std::string body = SignedBody({"hello ", "world"});
  std::string tampered = body;
  tampered[tampered.find("hello")] = 'j';
  EXPECT_EQ(Decode(tampered, kSigning), "!SignatureDoesNotMatch");
  ChunkSigning other_seed = kSigning;
  other_seed.seed_signature = std::string(64, 'b');
  EXPECT_EQ(Decode(body, other_seed), "!SignatureDoesNotMatch");
  std::string unsigned_chunk = "5\r\nhello\r\n0\r\n\r\n";
  EXPECT_EQ(Decode(unsigned_chunk, kSigning), "!IncompleteBody");
}

TEST(AwsChunkedTest, ChecksTheSignedTrailer) {
  std::string trailer = "x-amz-checksum-crc32:NhCmhg==\r\n";
  std::map<std::string, std::string> trailers;
  EXPECT_EQ(Decode(SignedBody({"abc"}, trailer), kSigning, &trailers), "abc");
  EXPECT_EQ(trailers.at("x-amz-checksum-crc32"), "NhCmhg==");
  std::string body = SignedBody({"abc"}, trailer);
  body.replace(body.find("NhCmhg=="), 8, "AAAAAA==");
  EXPECT_EQ(Decode(body, kSigning), "!SignatureDoesNotMatch");
}

TEST(AwsChunkedTest, DecodesUnsignedChunksWithATrailer) {
  std::map<std::string, std::string> trailers;
  std::string body = "3\r\nabc\r\n2\r\nde\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
  EXPECT_EQ(Decode(body, std::nullopt, &trailers), "abcde");
  EXPECT_EQ(trailers.at("x-amz-checksum-crc32"), "AAAAAA==");
  // Some clients end the body right after the trailer line.
  EXPECT_EQ(Decode("1\r\nz\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n", std::nullopt), "z");
}

TEST(AwsChunkedTest, RefusesMalformedFraming) {
  EXPECT_EQ(Decode("zz\r\nabc\r\n0\r\n\r\n", std::nullopt), "!InvalidChunkSizeError");
  EXPECT_EQ(Decode("5\r\nabc", std::nullopt), "!IncompleteBody");               // cut short
  EXPECT_EQ(Decode("2\r\nabc\r\n0\r\n\r\n", std::nullopt), "!IncompleteBody");  // too long
  EXPECT_EQ(Decode("3\r\nabc\r\n", std::nullopt), "!IncompleteBody");           // no final chunk
  EXPECT_EQ(Decode(std::string(5000, '1'), std::nullopt), "!IncompleteBody");   // endless header
  EXPECT_EQ(Decode("0\r\nno colon here\r\n\r\n", std::nullopt), "!IncompleteBody");
}

}  // namespace
}  // namespace sluice::s3

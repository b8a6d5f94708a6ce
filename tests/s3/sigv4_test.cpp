// The S3 examples of AWS's SigV4 documentation (header, presigned and aws-chunked signing), the
// aws-c-auth trailer vector, and the canonicalisation, parsing and date rules one by one.
#include "sluice/s3/sigv4.h"

#include <gtest/gtest.h>

#include "sluice/common/hex.h"
#include "sluice/common/sha256.h"
#include "sluice/common/time_format.h"
#include "sluice/s3/sigv4_signer.h"
#include "sluice/s3/sigv4_verifier.h"

namespace sluice::s3 {
namespace {

// The key, time and bucket of AWS's S3 SigV4 examples.
SigningParams ExampleParams() {
  SigningParams params;
  params.access_key = "AKIAIOSFODNN7EXAMPLE";
  params.secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  params.time = ParseRfc3339("2013-05-24T00:00:00Z").value();
  return params;
}

constexpr std::string_view kExampleHost = "examplebucket.s3.amazonaws.com";

std::string HeaderOf(const SigningRequest& request, std::string_view name) {
  return CanonicalHeaderValue(request.headers, name).value_or("<absent>");
}

// ---- AWS's S3 examples -----------------------------------------------------------------------

TEST(S3Vectors, GetObjectWithRange) {
  SigningRequest request{"GET", "/test.txt", "", {{"Host", std::string(kExampleHost)}}, ""};
  request.headers.emplace_back("Range", "bytes=0-9");
  SigningResult result = SignWithHeader(request, {"range"}, ExampleParams());
  EXPECT_EQ(result.canonical_request,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:" +
                std::string(kEmptySha256) +
                "\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n" +
                std::string(kEmptySha256));
  EXPECT_EQ(result.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(HeaderOf(request, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(S3Vectors, PutObjectWithDollarInKey) {
  // SDKs send "$" escaped; a client that sends it bare signs the same canonical URI.
  for (std::string path : {"/test%24file.text", "/test$file.text"}) {
    SCOPED_TRACE(path);
    SigningRequest request{"PUT", path, "", {{"Host", std::string(kExampleHost)}}, ""};
    request.headers.emplace_back("Date", "Fri, 24 May 2013 00:00:00 GMT");
    request.headers.emplace_back("x-amz-storage-class", "REDUCED_REDUNDANCY");
    request.payload_hash = Sha256Hex("Welcome to Amazon S3.");
    SigningResult result =
        SignWithHeader(request, {"date", "x-amz-storage-class"}, ExampleParams());
    EXPECT_EQ(result.canonical_request.substr(0, 22), "PUT\n/test%24file.text\n");
    EXPECT_EQ(result.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
  }
}

TEST(S3Vectors, GetBucketLifecycle) {
  SigningRequest request{"GET", "/", "lifecycle", {{"Host", std::string(kExampleHost)}}, ""};
  SigningResult result = SignWithHeader(request, {}, ExampleParams());
  EXPECT_EQ(result.canonical_request.substr(0, 17), "GET\n/\nlifecycle=\n");
  EXPECT_EQ(result.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(S3Vectors, ListObjects) {
  SigningRequest request{
      "GET", "/", "max-keys=2&prefix=J", {{"Host", std::string(kExampleHost)}}, ""};
  SigningResult result = SignWithHeader(request, {}, ExampleParams());
  EXPECT_EQ(result.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(S3Vectors, PresignedGetObject) {
  SigningRequest request{"GET", "/test.txt", "", {{"Host", std::string(kExampleHost)}}, ""};
  SigningResult result = Presign(request, {}, ExampleParams(), std::chrono::seconds(86400));
  EXPECT_EQ(result.signature, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  EXPECT_EQ(request.query,
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
            "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&"
            "X-Amz-SignedHeaders=host&X-Amz-Signature="
            "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

// The reference lists the chunk signatures shortened to their first 8 and last 4 digits.
void ExpectShortened(const std::string& signature, std::string_view first, std::string_view last) {
  ASSERT_EQ(signature.size(), 64u);
  EXPECT_EQ(signature.substr(0, 8), first) << signature;
  EXPECT_EQ(signature.substr(60), last) << signature;
}

SigningRequest ChunkedPut() {
  SigningRequest request{"PUT", "/examplebucket/chunkObject.txt", "", {}, ""};
  request.headers = {{"Host", "s3.amazonaws.com"},
                     {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                     {"Content-Encoding", "aws-chunked"},
                     {"x-amz-decoded-content-length", "66560"},
                     {"Content-Length", "66824"}};
  request.payload_hash = kStreamingPayload;
  return request;
}

TEST(S3Vectors, ChunkedUploadAndTrailer) {
  SigningRequest request = ChunkedPut();
  SigningResult seed = SignWithHeader(
      request,
      {"content-encoding", "content-length", "x-amz-decoded-content-length", "x-amz-storage-class"},
      ExampleParams());
  ExpectShortened(seed.signature, "4f232c43", "a0a9");

  // The server side: verify the request, then each chunk from what Verify returned.
  SigV4Verifier verifier(
      [](std::string_view) -> std::optional<std::string> { return ExampleParams().secret_key; },
      "us-east-1");
  Result<VerifiedRequest> verified = verifier.Verify(request, ExampleParams().time);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->seed_signature, seed.signature);
  EXPECT_EQ(verified->payload_hash, kStreamingPayload);
  EXPECT_EQ(verified->scope, "20130524/us-east-1/s3/aws4_request");

  auto chunk = [&](const std::string& previous, std::string_view data_hash) {
    return ChunkSignature(verified->signing_key, verified->amz_date, verified->scope, previous,
                          data_hash);
  };
  std::string first = chunk(seed.signature, Sha256Hex(std::string(65536, 'a')));
  ExpectShortened(first, "ad80c730", "8648");
  std::string second = chunk(first, Sha256Hex(std::string(1024, 'a')));
  ExpectShortened(second, "0055627c", "5497");
  std::string final_chunk = chunk(second, kEmptySha256);
  ExpectShortened(final_chunk, "b6c6ea8a", "9df9");

  // aws-c-auth's sigv4_trailing_headers_signing_test signs this same request and chunks, then
  // the trailer "first: 1st, second: 2nd, third: 3rd" chained on the final chunk's signature.
  constexpr std::string_view kTrailer =
      "df5735bd9f3295cd9386572292562fefc93ba94e80a0a1ddcbd652c4e0a75e6c";
  EXPECT_EQ(TrailerSignature(verified->signing_key, verified->amz_date, verified->scope,
                             final_chunk, "first:1st\nsecond:2nd\nthird:3rd\n"),
            kTrailer);
  EXPECT_EQ(TrailerSignature(verified->signing_key, verified->amz_date, verified->scope,
                             final_chunk, "first:1st\r\nsecond:2nd\r\nthird:3rd\r\n"),
            kTrailer);
}

// ---- Hashes ----------------------------------------------------------------------------------

TEST(Sha256Test, KnownDigests) {
  EXPECT_EQ(Sha256Hex(""), kEmptySha256);
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 sha;
  sha.Update("a");
  sha.Update("bc");
  EXPECT_EQ(sha.FinishBinary(), Sha256Binary("abc"));
  // RFC 4231 test case 2.
  EXPECT_EQ(ToHex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// ---- Canonicalisation ------------------------------------------------------------------------

TEST(CanonicalUriTest, S3EncodesOnceAndNeverNormalises) {
  EXPECT_EQ(CanonicalUri("", UriRules::kS3), "/");
  EXPECT_EQ(CanonicalUri("/a b", UriRules::kS3), "/a%20b");
  EXPECT_EQ(CanonicalUri("/a%20b", UriRules::kS3), "/a%20b");
  EXPECT_EQ(CanonicalUri("/%7e%41", UriRules::kS3), "/~A");
  EXPECT_EQ(CanonicalUri("/a%2fb", UriRules::kS3), "/a%2Fb");
  EXPECT_EQ(CanonicalUri("/a+b=c", UriRules::kS3), "/a%2Bb%3Dc");
  EXPECT_EQ(CanonicalUri("/100%", UriRules::kS3), "/100%25");
  EXPECT_EQ(CanonicalUri("/%zz", UriRules::kS3), "/%25zz");
  EXPECT_EQ(CanonicalUri("//a/./b/../c", UriRules::kS3), "//a/./b/../c");
  EXPECT_EQ(CanonicalUri("/\xe1\x88\xb4", UriRules::kS3), "/%E1%88%B4");
}

TEST(CanonicalUriTest, GenericNormalisesAndEncodesAgain) {
  EXPECT_EQ(CanonicalUri("//a/./b/../c", UriRules::kGeneric), "/a/c");
  EXPECT_EQ(CanonicalUri("/a/b/..", UriRules::kGeneric), "/a/");
  EXPECT_EQ(CanonicalUri("/..", UriRules::kGeneric), "/");
  EXPECT_EQ(CanonicalUri("/a%20b", UriRules::kGeneric), "/a%2520b");
}

TEST(CanonicalQueryTest, DecodesReencodesAndSorts) {
  EXPECT_EQ(CanonicalQuery("", AuthLocation::kHeader), "");
  EXPECT_EQ(CanonicalQuery("uploads", AuthLocation::kHeader), "uploads=");
  EXPECT_EQ(CanonicalQuery("b=2&a=&c", AuthLocation::kHeader), "a=&b=2&c=");
  EXPECT_EQ(CanonicalQuery("a=2&a=1", AuthLocation::kHeader), "a=1&a=2");
  // '+' is a literal plus, never a space.
  EXPECT_EQ(CanonicalQuery("k=a+b&s=a%20b", AuthLocation::kHeader), "k=a%2Bb&s=a%20b");
  EXPECT_EQ(CanonicalQuery("prefix=a/b%2fc&x=%7e", AuthLocation::kHeader), "prefix=a%2Fb%2Fc&x=~");
  EXPECT_EQ(CanonicalQuery("&&a=1&", AuthLocation::kHeader), "a=1");
  EXPECT_EQ(CanonicalQuery("X-Amz-Signature=ab&a=1", AuthLocation::kHeader),
            "X-Amz-Signature=ab&a=1");
  EXPECT_EQ(CanonicalQuery("X-Amz-Signature=ab&a=1", AuthLocation::kQuery), "a=1");
}

TEST(CanonicalHeadersTest, TrimsCollapsesJoinsAndSorts) {
  std::vector<Header> headers = {
      {"Host", "h"}, {"X-B", "  two   words  "},          {"x-a", "1"},
      {"X-A", "2"},  {"X-Fold", "line1\n  line2\t\tend"}, {"X-Unsigned", "u"}};
  EXPECT_EQ(CanonicalHeaders(headers, {"X-B", "x-a", "host", "x-fold", "x-missing"}),
            "host:h\nx-a:1,2\nx-b:two words\nx-fold:line1 line2 end\nx-missing:\n");
  EXPECT_EQ(CanonicalHeaderValue(headers, "x-missing"), std::nullopt);
}

// ---- Parsing ---------------------------------------------------------------------------------

constexpr std::string_view kSignature =
    "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";

TEST(ParseAuthorizationTest, AcceptsBothSeparators) {
  for (std::string separator : {", ", ",", " , "}) {
    SCOPED_TRACE("separator '" + separator + "'");
    Result<AuthorizationHeader> header = ParseAuthorization(
        "AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request" + separator +
        "SignedHeaders=host;x-amz-date" + separator + "Signature=" + std::string(kSignature));
    ASSERT_TRUE(header.ok()) << header.status().ToString();
    EXPECT_EQ(header->credential.access_key, "AKID");
    EXPECT_EQ(header->credential.Scope(), "20130524/us-east-1/s3/aws4_request");
    EXPECT_EQ(header->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
    EXPECT_EQ(header->signature, kSignature);
  }
}

TEST(ParseAuthorizationTest, RefusesMalformedHeaders) {
  const std::string credential = "Credential=AKID/20130524/us-east-1/s3/aws4_request";
  const std::string rest = ", SignedHeaders=host, Signature=" + std::string(kSignature);
  for (const std::string& value : std::vector<std::string>{
           "AWS AKID:c2lnbmF0dXJl",  // SigV2
           "AWS4-HMAC-SHA256",       // empty
           "AWS4-HMAC-SHA256 " + credential + ", Signature=" + std::string(kSignature),
           "AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3" + rest,  // 4 parts
           "AWS4-HMAC-SHA256 Credential=AKID/2013052/us-east-1/s3/aws4_request" + rest,
           "AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws5_request" + rest,
           "AWS4-HMAC-SHA256 Credential=/20130524/us-east-1/s3/aws4_request" + rest,
           "AWS4-HMAC-SHA256 " + credential +
               ", SignedHeaders=host;;date, Signature=" + std::string(kSignature),
           "AWS4-HMAC-SHA256 " + credential + ", SignedHeaders=host, Signature=abc",
           "AWS4-HMAC-SHA256 " + credential + rest + ", Signature=" + std::string(kSignature),
           "AWS4-HMAC-SHA256 " + credential + rest + ", Extra=1",
       }) {
    SCOPED_TRACE(value);
    Result<AuthorizationHeader> header = ParseAuthorization(value);
    ASSERT_FALSE(header.ok());
    EXPECT_EQ(header.status().aws_code(), "AuthorizationHeaderMalformed");
    EXPECT_EQ(header.status().code(), StatusCode::kInvalidArgument);
  }
}

std::string PresignedQueryWith(std::string_view expires) {
  return "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20130524%2Fus-east-1%2Fs3%2F"
         "aws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=" +
         std::string(expires) +
         "&X-Amz-SignedHeaders=host&X-Amz-Signature=" + std::string(kSignature);
}

TEST(ParsePresignedQueryTest, ReadsTheParameters) {
  Result<PresignedQuery> query =
      ParsePresignedQuery("a=1&" + PresignedQueryWith("604800") + "&X-Amz-Security-Token=t%2Bk");
  ASSERT_TRUE(query.ok()) << query.status().ToString();
  EXPECT_EQ(query->credential.access_key, "AKID");
  EXPECT_EQ(query->amz_date, "20130524T000000Z");
  EXPECT_EQ(query->time, ParseRfc3339("2013-05-24T00:00:00Z").value());
  EXPECT_EQ(query->expires_seconds, 604800);
  EXPECT_EQ(query->signed_headers, std::vector<std::string>{"host"});
  EXPECT_EQ(query->security_token, "t+k");
  EXPECT_TRUE(HasPresignedParameters(PresignedQueryWith("1")));
  EXPECT_FALSE(HasPresignedParameters("X-Amz-Date=1&prefix=a"));
}

TEST(ParsePresignedQueryTest, RefusesMissingOrInvalidParameters) {
  std::string valid = PresignedQueryWith("3600");
  auto without = [&](std::string_view name) {
    size_t start = valid.find(name);
    size_t end = valid.find('&', start);
    std::string out = valid;
    out.erase(start, end == std::string::npos ? std::string::npos : end - start + 1);
    return out;
  };
  for (const std::string& query : std::vector<std::string>{
           PresignedQueryWith("0"),
           PresignedQueryWith("604801"),
           PresignedQueryWith("99999999999999999999999"),
           PresignedQueryWith("-5"),
           PresignedQueryWith("1h"),
           without("X-Amz-Algorithm"),
           without("X-Amz-Credential"),
           without("X-Amz-Date"),
           without("X-Amz-Expires"),
           without("X-Amz-SignedHeaders"),
           without("X-Amz-Signature"),
           valid + "&X-Amz-Date=20130524T000000Z",
           std::string(valid).replace(valid.find("AWS4-HMAC-SHA256"), 16, "AWS4-HMAC-SHA1"),
           std::string(valid).replace(valid.find("20130524T000000Z"), 16, "2013-05-24T00:00"),
       }) {
    SCOPED_TRACE(query);
    Result<PresignedQuery> parsed = ParsePresignedQuery(query);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().aws_code(), "AuthorizationQueryParametersError");
  }
}

// ---- Dates -----------------------------------------------------------------------------------

TEST(AmzDateTest, FormatsAndParses) {
  TimePoint t = ParseRfc3339("2013-05-24T01:02:03Z").value();
  EXPECT_EQ(FormatAmzDate(t), "20130524T010203Z");
  EXPECT_EQ(ParseAmzDate("20130524T010203Z"), t);
  EXPECT_EQ(ParseHttpDate("Fri, 24 May 2013 01:02:03 GMT"), t);
  for (std::string_view bad : {"20130524T010203", "20130230T000000Z", "20130524T250000Z",
                               "2013-05-24T01:02:03Z", "20130524 010203Z", ""}) {
    EXPECT_EQ(ParseAmzDate(bad), std::nullopt) << bad;
  }
  for (std::string_view bad : {"Fri, 24 May 2013 01:02:03 UTC", "Fri, 24 Foo 2013 01:02:03 GMT",
                               "Friday, 24-May-13 01:02:03 GMT", "Fri, 31 Jun 2013 01:02:03 GMT"}) {
    EXPECT_EQ(ParseHttpDate(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace sluice::s3

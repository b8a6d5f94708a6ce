// SigV4Verifier: requests signed with the library pass; each way a request can be unsigned,
// altered, stale or mis-scoped fails with the S3 error code a client expects.
#include "sluice/s3/sigv4_verifier.h"

#include <gtest/gtest.h>
#include <strings.h>

#include <algorithm>
#include <map>

#include "sluice/common/sha256.h"
#include "sluice/common/time_format.h"
#include "sluice/s3/sigv4_signer.h"

namespace sluice::s3 {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::string_view kAccessKey = "SKEXAMPLEKEY00000001";
constexpr std::string_view kSecret = "verifier/test+secret0000000000000000000";

const TimePoint kSigned = ParseRfc3339("2024-03-01T12:00:00Z").value();

SecretLookup Secrets() {
  return [](std::string_view key) -> std::optional<std::string> {
    if (key == kAccessKey) return std::string(kSecret);
    return std::nullopt;
  };
}

SigningParams Params() {
  SigningParams params;
  params.access_key = kAccessKey;
  params.secret_key = kSecret;
  params.time = kSigned;
  return params;
}

SigningRequest Put() {
  SigningRequest request{"PUT", "/bucket/dir/a%20key.txt", "tagging=a", {}, ""};
  request.headers = {{"Host", "localhost:9000"},
                     {"Content-Type", "text/plain"},
                     {"x-amz-meta-owner", "ops"},
                     {"User-Agent", "test"}};
  request.payload_hash = Sha256Hex("hello");
  return request;
}

SigningRequest SignedPut(const SigningParams& params = Params()) {
  SigningRequest request = Put();
  (void)SignWithHeader(request, {"content-type", "x-amz-meta-owner"}, params);
  return request;
}

SigningRequest PresignedGet(seconds expires, const SigningParams& params = Params()) {
  SigningRequest request{"GET", "/bucket/key", "versionId=3", {{"Host", "localhost:9000"}}, ""};
  (void)Presign(request, {}, params, expires);
  return request;
}

void SetHeader(SigningRequest& request, std::string_view name, std::string value) {
  for (auto& header : request.headers) {
    if (CanonicalHeaderValue({header}, name)) header.second = value;
  }
}

void RemoveHeader(SigningRequest& request, std::string_view name) {
  std::erase_if(request.headers, [&](const Header& h) { return CanonicalHeaderValue({h}, name); });
}

std::string Authorization(const SigningRequest& request) {
  return CanonicalHeaderValue(request.headers, "authorization").value();
}

class VerifierTest : public ::testing::Test {
 protected:
  // The S3 error code Verify answers with; "OK" when it accepts.
  std::string Code(const SigningRequest& request, TimePoint now = kSigned) const {
    Result<VerifiedRequest> verified = verifier_.Verify(request, now);
    if (verified.ok()) return "OK";
    EXPECT_EQ(verified.status().code(), StatusCode::kInvalidArgument);
    EXPECT_FALSE(verified.status().message().empty());
    return verified.status().aws_code();
  }

  SigV4Verifier verifier_{Secrets(), "us-east-1"};
};

TEST_F(VerifierTest, AcceptsAHeaderSignedRequest) {
  SigningRequest request = Put();
  SigningResult signature = SignWithHeader(request, {"content-type"}, Params());
  Result<VerifiedRequest> verified = verifier_.Verify(request, kSigned);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->location, AuthLocation::kHeader);
  EXPECT_EQ(verified->access_key, kAccessKey);
  EXPECT_EQ(verified->scope, "20240301/us-east-1/s3/aws4_request");
  EXPECT_EQ(verified->amz_date, "20240301T120000Z");
  EXPECT_EQ(verified->request_time, kSigned);
  EXPECT_EQ(verified->seed_signature, signature.signature);
  EXPECT_EQ(verified->signing_key, SigningKey(kSecret, "20240301", "us-east-1", "s3"));
  EXPECT_EQ(verified->payload_hash, Sha256Hex("hello"));
  EXPECT_EQ(verified->session_token, "");
}

TEST_F(VerifierTest, ReadsThePayloadHashHeaderWhenTheCallerLeftItOut) {
  SigningRequest request = SignedPut();
  request.payload_hash.clear();
  EXPECT_EQ(Code(request), "OK");
  RemoveHeader(request, "x-amz-content-sha256");
  EXPECT_EQ(Code(request), "InvalidRequest");
  request.payload_hash = "not-a-hash";
  EXPECT_EQ(Code(request), "InvalidArgument");
}

TEST_F(VerifierTest, RefusesAnonymousRequests) {
  EXPECT_EQ(Code(Put()), "AccessDenied");
}

TEST_F(VerifierTest, RefusesUnknownKeys) {
  SigningParams params = Params();
  params.access_key = "SKUNKNOWNKEY00000000";
  EXPECT_EQ(Code(SignedPut(params)), "InvalidAccessKeyId");
  params = Params();
  params.secret_key = "a-different-secret";
  EXPECT_EQ(Code(SignedPut(params)), "SignatureDoesNotMatch");
}

TEST_F(VerifierTest, RefusesAlteredRequests) {
  auto altered = [&](auto change) {
    SigningRequest request = SignedPut();
    change(request);
    return Code(request);
  };
  EXPECT_EQ(altered([](SigningRequest& r) { SetHeader(r, "x-amz-meta-owner", "eve"); }),
            "SignatureDoesNotMatch");
  EXPECT_EQ(altered([](SigningRequest& r) { r.path = "/bucket/dir/other.txt"; }),
            "SignatureDoesNotMatch");
  EXPECT_EQ(altered([](SigningRequest& r) { r.path = "/bucket//dir/a%20key.txt"; }),
            "SignatureDoesNotMatch");
  EXPECT_EQ(altered([](SigningRequest& r) { r.query = "tagging=b"; }), "SignatureDoesNotMatch");
  EXPECT_EQ(altered([](SigningRequest& r) { r.query += "&acl"; }), "SignatureDoesNotMatch");
  EXPECT_EQ(altered([](SigningRequest& r) { r.method = "POST"; }), "SignatureDoesNotMatch");
  EXPECT_EQ(altered([](SigningRequest& r) { r.payload_hash = Sha256Hex("HELLO"); }),
            "SignatureDoesNotMatch");
  EXPECT_EQ(altered([](SigningRequest& r) { RemoveHeader(r, "content-type"); }),
            "SignatureDoesNotMatch");
  // What the signature does not cover may change: unsigned headers, equivalent spellings.
  EXPECT_EQ(altered([](SigningRequest& r) { SetHeader(r, "user-agent", "proxy"); }), "OK");
  EXPECT_EQ(altered([](SigningRequest& r) { r.path = "/bucket/dir/a%20key%2etxt"; }), "OK");
  EXPECT_EQ(altered([](SigningRequest& r) { SetHeader(r, "content-type", "  text/plain "); }),
            "OK");
}

TEST_F(VerifierTest, AllowsFifteenMinutesOfClockSkew) {
  SigningRequest request = SignedPut();
  EXPECT_EQ(Code(request, kSigned + minutes(14)), "OK");
  EXPECT_EQ(Code(request, kSigned - minutes(14)), "OK");
  EXPECT_EQ(Code(request, kSigned + minutes(15)), "OK");
  EXPECT_EQ(Code(request, kSigned + minutes(16)), "RequestTimeTooSkewed");
  EXPECT_EQ(Code(request, kSigned - minutes(16)), "RequestTimeTooSkewed");
}

TEST_F(VerifierTest, TakesTheTimeFromTheDateHeaderWithoutXAmzDate) {
  SigningRequest request = Put();
  request.headers.emplace_back("Date", "Fri, 01 Mar 2024 12:00:00 GMT");
  request.headers.emplace_back("x-amz-content-sha256", request.payload_hash);
  std::vector<std::string> signed_headers = {"date", "host", "x-amz-content-sha256"};
  std::string scope = CredentialScope("20240301", "us-east-1", "s3");
  std::string signature =
      Signature(SigningKey(kSecret, "20240301", "us-east-1", "s3"),
                StringToSign("20240301T120000Z", scope,
                             CanonicalRequest(request, signed_headers, UriRules::kS3)));
  request.headers.emplace_back(
      "Authorization", "AWS4-HMAC-SHA256 Credential=" + std::string(kAccessKey) + "/" + scope +
                           ",SignedHeaders=date;host;x-amz-content-sha256,Signature=" + signature);
  EXPECT_EQ(Code(request), "OK");
  EXPECT_EQ(Code(request, kSigned + minutes(16)), "RequestTimeTooSkewed");
  SetHeader(request, "date", "yesterday");
  EXPECT_EQ(Code(request), "AccessDenied");
  RemoveHeader(request, "date");
  EXPECT_EQ(Code(request), "AccessDenied");
}

TEST_F(VerifierTest, RequiresTheScopeDateToBeTheRequestDate) {
  SigningRequest request = SignedPut();
  std::string authorization = Authorization(request);
  SetHeader(request, "authorization",
            authorization.replace(authorization.find("/20240301/"), 10, "/20240229/"));
  EXPECT_EQ(Code(request), "AuthorizationHeaderMalformed");
}

TEST_F(VerifierTest, RefusesMalformedAuthorization) {
  SigningRequest request = SignedPut();
  SetHeader(request, "authorization", "AWS4-HMAC-SHA256 Credential=" + std::string(kAccessKey));
  EXPECT_EQ(Code(request), "AuthorizationHeaderMalformed");
}

TEST_F(VerifierTest, RefusesSignatureVersion2WithAPointerToVersion4) {
  SigningRequest request = SignedPut();
  SetHeader(request, "authorization", "AWS " + std::string(kAccessKey) + ":c2lnbmF0dXJl");
  EXPECT_EQ(Code(request), "InvalidRequest");
  request = SignedPut();
  request.headers.erase(std::remove_if(request.headers.begin(), request.headers.end(),
                                       [](const Header& h) {
                                         return strcasecmp(h.first.c_str(), "authorization") == 0;
                                       }),
                        request.headers.end());
  request.query = "AWSAccessKeyId=" + std::string(kAccessKey) + "&Signature=c2ln&Expires=1";
  EXPECT_EQ(Code(request), "InvalidRequest");
}

TEST_F(VerifierTest, AcceptsCommasWithOrWithoutSpaces) {
  SigningRequest request = SignedPut();
  std::string authorization = Authorization(request);
  ASSERT_NE(authorization.find(", "), std::string::npos);
  std::string compact = authorization;
  for (size_t at; (at = compact.find(", ")) != std::string::npos;)
    compact.erase(at + 1, 1);
  SetHeader(request, "authorization", compact);  // as s3cmd sends it
  EXPECT_EQ(Code(request), "OK");
}

TEST_F(VerifierTest, ChecksTheRegionWhenOneIsConfigured) {
  SigningParams params = Params();
  params.region = "eu-central-1";
  SigningRequest request = SignedPut(params);
  EXPECT_EQ(Code(request), "AuthorizationHeaderMalformed");
  EXPECT_TRUE(SigV4Verifier(Secrets(), "").Verify(request, kSigned).ok());
  EXPECT_EQ(Code(PresignedGet(seconds(60), params)), "AuthorizationQueryParametersError");

  params = Params();
  params.service = "sts";
  EXPECT_EQ(Code(SignedPut(params)), "AuthorizationHeaderMalformed");
}

TEST_F(VerifierTest, RequiresHostToBeSigned) {
  SigningRequest request = SignedPut();
  std::string authorization = Authorization(request);
  SetHeader(request, "authorization", authorization.replace(authorization.find("host;"), 5, ""));
  EXPECT_EQ(Code(request), "AuthorizationHeaderMalformed");
}

TEST_F(VerifierTest, RefusesBothAHeaderAndAQuerySignature) {
  SigningRequest request = SignedPut();
  request.query = PresignedGet(seconds(60)).query;
  EXPECT_EQ(Code(request), "InvalidArgument");
}

TEST_F(VerifierTest, ReturnsTheSessionToken) {
  SigningParams params = Params();
  params.session_token = "token/with+chars=";
  Result<VerifiedRequest> header = verifier_.Verify(SignedPut(params), kSigned);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->session_token, "token/with+chars=");
  Result<VerifiedRequest> presigned = verifier_.Verify(PresignedGet(seconds(60), params), kSigned);
  ASSERT_TRUE(presigned.ok()) << presigned.status().ToString();
  EXPECT_EQ(presigned->session_token, "token/with+chars=");
}

// ---- Presigned URLs --------------------------------------------------------------------------

TEST_F(VerifierTest, AcceptsAPresignedUrlUntilItExpires) {
  SigningRequest request = PresignedGet(seconds(3600));
  Result<VerifiedRequest> verified = verifier_.Verify(request, kSigned + minutes(30));
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->location, AuthLocation::kQuery);
  EXPECT_EQ(verified->payload_hash, kUnsignedPayload);
  EXPECT_EQ(verified->amz_date, "20240301T120000Z");
  // No clock-skew rule: only the expiry counts once the URL is valid.
  EXPECT_EQ(Code(request, kSigned + seconds(3600)), "OK");
  EXPECT_EQ(Code(request, kSigned + seconds(3601)), "AccessDenied");
  EXPECT_EQ(verifier_.Verify(request, kSigned + seconds(3601)).status().message(),
            "Request has expired");
  // Dated in the future beyond the skew allowance.
  EXPECT_EQ(Code(request, kSigned - minutes(16)), "AccessDenied");
}

TEST_F(VerifierTest, AcceptsAWeekButNoMore) {
  EXPECT_EQ(Code(PresignedGet(seconds(604800)), kSigned + seconds(604800)), "OK");
  EXPECT_EQ(Code(PresignedGet(seconds(604801))), "AuthorizationQueryParametersError");
  EXPECT_EQ(Code(PresignedGet(seconds(0))), "AuthorizationQueryParametersError");
}

TEST_F(VerifierTest, RefusesAlteredPresignedUrls) {
  SigningRequest request = PresignedGet(seconds(60));
  request.method = "HEAD";  // a URL is valid for one method only
  EXPECT_EQ(Code(request), "SignatureDoesNotMatch");
  request = PresignedGet(seconds(60));
  request.query = "versionId=4" + request.query.substr(request.query.find('&'));
  EXPECT_EQ(Code(request), "SignatureDoesNotMatch");
  request = PresignedGet(seconds(60));
  request.query.replace(request.query.find("X-Amz-Expires=60"), 16, "X-Amz-Expires=99");
  EXPECT_EQ(Code(request), "SignatureDoesNotMatch");
  request = PresignedGet(seconds(60));
  request.query.replace(request.query.find("&X-Amz-Date="), 28, "");
  EXPECT_EQ(Code(request), "AuthorizationQueryParametersError");
  request = PresignedGet(seconds(60));
  request.query.replace(request.query.find("20240301%2F"), 11, "20240302%2F");
  EXPECT_EQ(Code(request), "AuthorizationQueryParametersError");
}

TEST_F(VerifierTest, SignsThePayloadHashAPresignedRequestDeclares) {
  SigningRequest request = PresignedGet(seconds(60));
  request.payload_hash.clear();  // as received: no x-amz-content-sha256, so UNSIGNED-PAYLOAD
  EXPECT_EQ(Code(request), "OK");
  request.headers.emplace_back("x-amz-content-sha256", Sha256Hex("body"));
  EXPECT_EQ(Code(request), "SignatureDoesNotMatch");
}

}  // namespace
}  // namespace sluice::s3

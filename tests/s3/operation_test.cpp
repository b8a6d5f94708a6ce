// Which bucket, key and operation a request addresses; S3's error documents and statuses.
#include "sluice/s3/operation.h"

#include <gtest/gtest.h>

#include "sluice/s3/s3_error.h"
#include "sluice/s3/xml_writer.h"

namespace sluice::s3 {
namespace {

const std::vector<std::string> kBases = {"localhost", "s3.example.com"};

RequestTarget Target(std::string_view host, std::string_view path) {
  auto target = ParseRequestTarget(host, path, kBases);
  EXPECT_TRUE(target.ok()) << target.status().ToString();
  return target.ok() ? *target : RequestTarget{};
}

TEST(RequestTargetTest, PathStyle) {
  RequestTarget t = Target("127.0.0.1:9000", "/lake/raw/orders/a%20b+c%2Bd.csv");
  EXPECT_FALSE(t.virtual_host);
  EXPECT_EQ(t.bucket, "lake");
  EXPECT_EQ(t.key, "raw/orders/a b+c+d.csv");  // '+' is a plus in a path
  EXPECT_EQ(Target("localhost:9000", "/lake").key, "");
  EXPECT_EQ(Target("localhost:9000", "/lake/").key, "");
  EXPECT_EQ(Target("localhost:9000", "/").bucket, "");
  EXPECT_EQ(Target("[::1]:9000", "/lake/k").bucket, "lake");
  // Keys are kept as they are: "//", "." and ".." are characters of the key, not directions.
  EXPECT_EQ(Target("localhost", "/lake/a//b/../c/./d").key, "a//b/../c/./d");
  EXPECT_EQ(Target("localhost", "/lake/caf%C3%A9/%E2%9C%93").key, "caf\xC3\xA9/\xE2\x9C\x93");
}

TEST(RequestTargetTest, VirtualHostStyle) {
  RequestTarget t = Target("Lake.LocalHost:9000", "/raw/a.csv");
  EXPECT_TRUE(t.virtual_host);
  EXPECT_EQ(t.bucket, "lake");
  EXPECT_EQ(t.key, "raw/a.csv");
  RequestTarget dotted = Target("my.bucket.s3.example.com", "/");
  EXPECT_EQ(dotted.bucket, "my.bucket");
  EXPECT_EQ(dotted.key, "");
  // The base domain itself is path-style.
  EXPECT_FALSE(Target("localhost:9000", "/lake/k").virtual_host);
}

TEST(RequestTargetTest, LongKeysAndBadTargetsAreRefused) {
  std::string key(1024, 'k');
  EXPECT_EQ(Target("localhost", "/lake/" + key).key, key);
  auto too_long = ParseRequestTarget("localhost", "/lake/" + key + "k", kBases);
  EXPECT_EQ(too_long.status().aws_code(), "KeyTooLongError");
  EXPECT_EQ(ParseRequestTarget("localhost", "lake/k", kBases).status().aws_code(),
            "InvalidRequest");
}

Result<Operation> Identify(std::string_view method, std::string_view path,
                           std::string_view query = "", bool copy_source = false) {
  RequestTarget target = Target("localhost:9000", path);
  return IdentifyOperation({method, &target, query, copy_source});
}

std::string Name(const Result<Operation>& op) {
  return op.ok() ? std::string(OperationName(*op)) : "error " + op.status().aws_code();
}

TEST(IdentifyOperationTest, EveryOperation) {
  EXPECT_EQ(Name(Identify("GET", "/")), "ListBuckets");
  EXPECT_EQ(Name(Identify("PUT", "/b")), "CreateBucket");
  EXPECT_EQ(Name(Identify("HEAD", "/b")), "HeadBucket");
  EXPECT_EQ(Name(Identify("DELETE", "/b")), "DeleteBucket");
  EXPECT_EQ(Name(Identify("GET", "/b", "location")), "GetBucketLocation");
  EXPECT_EQ(Name(Identify("GET", "/b", "list-type=2&prefix=a&encoding-type=url")), "ListObjectsV2");
  EXPECT_EQ(Name(Identify("GET", "/b", "prefix=a&marker=x")), "ListObjects");
  EXPECT_EQ(Name(Identify("GET", "/b", "uploads&prefix=a")), "ListMultipartUploads");
  EXPECT_EQ(Name(Identify("POST", "/b", "delete")), "DeleteObjects");
  EXPECT_EQ(Name(Identify("PUT", "/b/k")), "PutObject");
  EXPECT_EQ(Name(Identify("PUT", "/b/k", "x-id=PutObject")), "PutObject");  // newer SDKs add x-id
  EXPECT_EQ(Name(Identify("PUT", "/b/k", "", true)), "CopyObject");
  EXPECT_EQ(Name(Identify("GET", "/b/k", "response-content-type=text%2Fplain")), "GetObject");
  EXPECT_EQ(Name(Identify("GET", "/b/k", "partNumber=2")), "GetObject");
  EXPECT_EQ(Name(Identify("HEAD", "/b/k")), "HeadObject");
  EXPECT_EQ(Name(Identify("DELETE", "/b/k")), "DeleteObject");
  EXPECT_EQ(Name(Identify("POST", "/b/k", "uploads")), "CreateMultipartUpload");
  EXPECT_EQ(Name(Identify("PUT", "/b/k", "partNumber=3&uploadId=u")), "UploadPart");
  EXPECT_EQ(Name(Identify("PUT", "/b/k", "partNumber=3&uploadId=u", true)), "UploadPartCopy");
  EXPECT_EQ(Name(Identify("POST", "/b/k", "uploadId=u")), "CompleteMultipartUpload");
  EXPECT_EQ(Name(Identify("DELETE", "/b/k", "uploadId=u")), "AbortMultipartUpload");
  EXPECT_EQ(Name(Identify("GET", "/b/k", "uploadId=u&max-parts=10")), "ListParts");
  // Presigned parameters are not sub-resources.
  EXPECT_EQ(Name(Identify("GET", "/b/k",
                          "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00&X-Amz-Expires=60")),
            "GetObject");
}

TEST(IdentifyOperationTest, RefusalsNameTheS3Error) {
  EXPECT_EQ(Name(Identify("PUT", "/")), "error MethodNotAllowed");
  EXPECT_EQ(Name(Identify("POST", "/b")), "error MethodNotAllowed");
  EXPECT_EQ(Name(Identify("POST", "/b/k")), "error MethodNotAllowed");
  EXPECT_EQ(Name(Identify("PATCH", "/b/k")), "error MethodNotAllowed");
  EXPECT_EQ(Name(Identify("GET", "/b", "acl")), "error NotImplemented");
  EXPECT_EQ(Name(Identify("PUT", "/b/k", "tagging")), "error NotImplemented");
  EXPECT_EQ(Name(Identify("GET", "/b", "versioning")), "error NotImplemented");
  EXPECT_EQ(Name(Identify("GET", "/b", "list-type=3")), "error InvalidArgument");
  EXPECT_EQ(Name(Identify("PUT", "/b/k", "partNumber=0&uploadId=u")), "error InvalidArgument");
  EXPECT_EQ(Name(Identify("PUT", "/b/k", "partNumber=10001&uploadId=u")), "error InvalidArgument");
  EXPECT_EQ(Name(Identify("PUT", "/b/k", "partNumber=x&uploadId=u")), "error InvalidArgument");
  EXPECT_EQ(Name(Identify("PUT", "/b/k", "partNumber=1")), "error InvalidRequest");
}

TEST(S3ErrorTest, StatusesAndDocument) {
  EXPECT_EQ(HttpStatusOf("NoSuchKey"), 404);
  EXPECT_EQ(HttpStatusOf("BucketNotEmpty"), 409);
  EXPECT_EQ(HttpStatusOf("SignatureDoesNotMatch"), 403);
  EXPECT_EQ(HttpStatusOf("AuthorizationHeaderMalformed"), 400);
  EXPECT_EQ(HttpStatusOf("InvalidRange"), 416);
  EXPECT_EQ(HttpStatusOf("PreconditionFailed"), 412);
  EXPECT_EQ(HttpStatusOf("MissingContentLength"), 411);
  EXPECT_EQ(HttpStatusOf("NotImplemented"), 501);
  EXPECT_EQ(HttpStatusOf("SlowDown"), 503);
  EXPECT_EQ(HttpStatusOf("SomethingNew"), 500);

  S3Error error{"NoSuchKey", "The specified key does not exist.", "a<b>&\"c'", "", "", "req-1", {}};
  EXPECT_EQ(ErrorXml(error),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
            "<Key>a&lt;b&gt;&amp;&quot;c&apos;</Key><RequestId>req-1</RequestId>"
            "<HostId>req-1</HostId></Error>");
  S3Error range{"InvalidRange",
                "The requested range is not satisfiable",
                "",
                "",
                "/b/k",
                "r",
                {{"ActualObjectSize", "10"}, {"RangeRequested", "bytes=20-"}}};
  EXPECT_NE(ErrorXml(range).find("<Resource>/b/k</Resource><ActualObjectSize>10</ActualObjectSize>"
                                 "<RangeRequested>bytes=20-</RangeRequested>"),
            std::string::npos);

  EXPECT_EQ(S3ErrorOf(Status::NotFound("gone", "NoSuchBucket")).code, "NoSuchBucket");
  EXPECT_EQ(S3ErrorOf(Status::InvalidArgument("bad")).code, "InvalidArgument");
  EXPECT_EQ(S3ErrorOf(Status::Conflict("busy")).code, "OperationAborted");
  EXPECT_EQ(S3ErrorOf(Status::IoError("disk")).code, "InternalError");
}

TEST(XmlWriterTest, NamespaceOnTheRootAndEscapedText) {
  XmlWriter xml;
  xml.Open("ListAllMyBucketsResult", kS3Namespace)
      .Open("Buckets")
      .Open("Bucket")
      .Element("Name", "lake")
      .Close()
      .Close()
      .Close();
  EXPECT_EQ(xml.str(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Buckets><Bucket><Name>lake</Name></Bucket></Buckets></ListAllMyBucketsResult>");
}

}  // namespace
}  // namespace sluice::s3

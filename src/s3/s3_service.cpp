#include "s3/s3_service.h"

#include <spdlog/spdlog.h>

#include <atomic>

#include "s3/handlers.h"
#include "sluice/common/ids.h"
#include "sluice/common/time_format.h"
#include "sluice/s3/xml_writer.h"

namespace sluice::s3 {
namespace {

constexpr std::string_view kUpperHex = "0123456789ABCDEF";

// "4442587FB7D0A2F9": unique per request in this process and unlikely to repeat across
// processes (a random prefix), without a system call per request.
std::string NextRequestId() {
  static const std::string prefix = RandomString(8, kUpperHex);
  static std::atomic<uint32_t> counter{0};
  uint32_t n = counter.fetch_add(1, std::memory_order_relaxed);
  std::string id = prefix + "00000000";
  for (size_t i = id.size(); n != 0; n >>= 4)
    id[--i] = kUpperHex[n & 0xF];
  return id;
}

HandlerResult Dispatch(S3Call& call) {
  switch (call.operation) {
    case Operation::kListBuckets:
      return ListBuckets(call);
    case Operation::kCreateBucket:
      return CreateBucket(call);
    case Operation::kHeadBucket:
      return HeadBucket(call);
    case Operation::kDeleteBucket:
      return DeleteBucket(call);
    case Operation::kGetBucketLocation:
      return GetBucketLocation(call);
    case Operation::kListObjectsV2:
      return ListObjectsV2(call);
    case Operation::kListObjects:
      return ListObjectsV1(call);
    case Operation::kDeleteObjects:
      return DeleteObjects(call);
    case Operation::kPutObject:
      return PutObject(call);
    case Operation::kCopyObject:
      return CopyObject(call);
    case Operation::kGetObject:
      return GetObject(call);
    case Operation::kHeadObject:
      return HeadObject(call);
    case Operation::kDeleteObject:
      return DeleteObject(call);
    case Operation::kListMultipartUploads:
      return ListMultipartUploads(call);
    case Operation::kCreateMultipartUpload:
      return CreateMultipartUpload(call);
    case Operation::kUploadPart:
      return UploadPart(call);
    case Operation::kUploadPartCopy:
      return UploadPartCopy(call);
    case Operation::kCompleteMultipartUpload:
      return CompleteMultipartUpload(call);
    case Operation::kAbortMultipartUpload:
      return AbortMultipartUpload(call);
    case Operation::kListParts:
      return ListParts(call);
  }
  return S3Refusal("InternalError", "unknown operation");
}

// An S3Error naming what the failed request addressed, as S3 does for the common codes.
S3Error DescribeFailure(const Status& status, const RequestTarget* target,
                        const http::HttpRequest& request, const std::string& request_id) {
  S3Error error = S3ErrorOf(status);
  error.request_id = request_id;
  if (error.code == "InternalError") {
    spdlog::error("s3: {} {}: {}", request.method, request.path, status.ToString());
    error.message = "We encountered an internal error: " + status.message();
  }
  if (target != nullptr && (error.code == "NoSuchKey" || !target->key.empty())) {
    error.key = target->key;
  }
  if (target != nullptr && (error.code == "NoSuchBucket" || error.code == "BucketNotEmpty" ||
                            error.code == "BucketAlreadyOwnedByYou")) {
    error.bucket = target->bucket;
    error.key.clear();
  }
  if (error.key.empty() && error.bucket.empty()) error.resource = request.path;
  return error;
}

}  // namespace

S3Service::S3Service(lake::ObjectStore& lake, SecretLookup secrets, S3ServiceOptions options)
    : lake_(lake), verifier_(std::move(secrets), options.region), options_(std::move(options)) {}

http::HttpResponse ErrorResponse(const S3Error& error, bool head) {
  http::HttpResponse response;
  response.status = HttpStatusOf(error.code);
  if (!head) {
    response.body = ErrorXml(error);
    response.AddHeader("Content-Type", "application/xml");
  }
  return response;
}

http::HttpResponse S3Service::Handle(http::HttpRequest& request, http::RequestBody& body) {
  std::string request_id = NextRequestId();
  http::HttpResponse response = Answer(request, body, request_id);
  response.AddHeader("x-amz-request-id", request_id);
  response.AddHeader("x-amz-id-2", request_id);
  response.AddHeader("Date", FormatHttpDate(options_.clock->Now()));
  response.AddHeader("Server", "sluice");
  return response;
}

http::HttpResponse S3Service::Reject(std::string_view aws_code, std::string message) {
  S3Error error;
  error.code = std::string(aws_code);
  error.message = std::move(message);
  error.request_id = NextRequestId();
  http::HttpResponse response = ErrorResponse(error, /*head=*/false);
  response.AddHeader("x-amz-request-id", error.request_id);
  response.close = true;
  return response;
}

http::HttpResponse S3Service::Answer(http::HttpRequest& request, http::RequestBody& body,
                                     const std::string& request_id) {
  bool head = request.method == "HEAD";
  auto fail = [&](const Status& status, const RequestTarget* target) {
    return ErrorResponse(DescribeFailure(status, target, request, request_id), head);
  };
  Result<RequestTarget> target = ParseRequestTarget(request.HeaderValue("host").value_or(""),
                                                    request.path, options_.base_domains);
  if (!target.ok()) return fail(target.status(), nullptr);
  OperationInput input{request.method, &*target, request.query,
                       request.HeaderValue("x-amz-copy-source").has_value()};
  Result<Operation> operation = IdentifyOperation(input);
  if (!operation.ok()) return fail(operation.status(), &*target);

  Result<VerifiedRequest> auth = verifier_.Verify(request, options_.clock->Now());
  if (!auth.ok()) return fail(auth.status(), &*target);

  Query query = Query::Parse(request.query);
  S3Call call{request, body, *target, *operation, *auth, query, request_id, lake_, options_};
  HandlerResult result = Dispatch(call);
  if (!result.ok()) return fail(result.status(), &*target);
  return std::move(*result);
}

http::HttpResponse XmlResponse(std::string xml, int status) {
  http::HttpResponse response;
  response.status = status;
  response.body = std::move(xml);
  response.AddHeader("Content-Type", "application/xml");
  return response;
}

http::HttpResponse EmptyResponse(int status) {
  http::HttpResponse response;
  response.status = status;
  return response;
}

std::string QuotedEtag(std::string_view etag) {
  return "\"" + std::string(etag) + "\"";
}

std::string UnquotedEtag(std::string_view etag) {
  if (etag.substr(0, 2) == "W/") etag.remove_prefix(2);
  while (!etag.empty() && (etag.front() == ' '))
    etag.remove_prefix(1);
  while (!etag.empty() && (etag.back() == ' '))
    etag.remove_suffix(1);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

}  // namespace sluice::s3

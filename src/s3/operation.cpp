#include "sluice/s3/operation.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "s3/ascii.h"
#include "s3/uri_encoding.h"
#include "sluice/s3/s3_error.h"

namespace sluice::s3 {
namespace {

constexpr size_t kMaxKeyBytes = 1024;

// Sub-resources of S3 that sluice does not serve: a request naming one is NotImplemented rather
// than mistaken for a plain GET or PUT of the object or bucket.
constexpr std::array<std::string_view, 31> kUnsupportedSubresources{"accelerate",
                                                                    "acl",
                                                                    "analytics",
                                                                    "attributes",
                                                                    "cors",
                                                                    "encryption",
                                                                    "inventory",
                                                                    "intelligent-tiering",
                                                                    "legal-hold",
                                                                    "lifecycle",
                                                                    "logging",
                                                                    "metrics",
                                                                    "notification",
                                                                    "object-lock",
                                                                    "ownershipControls",
                                                                    "policy",
                                                                    "policyStatus",
                                                                    "publicAccessBlock",
                                                                    "replication",
                                                                    "requestPayment",
                                                                    "restore",
                                                                    "retention",
                                                                    "select",
                                                                    "tagging",
                                                                    "torrent",
                                                                    "versioning",
                                                                    "versions",
                                                                    "website",
                                                                    "renameObject",
                                                                    "session",
                                                                    "uploads-acl"};

// "lake.localhost:9000" -> "lake.localhost"; "[::1]:9000" -> "[::1]".
std::string_view HostWithoutPort(std::string_view host) {
  size_t colon = host.rfind(':');
  if (colon == std::string_view::npos) return host;
  if (host.front() == '[' && host.find(']') > colon) return host;  // an IPv6 literal's own colons
  return host.substr(0, colon);
}

Status CheckSubresources(const Query& query) {
  for (const QueryParam& p : query.params) {
    if (std::find(kUnsupportedSubresources.begin(), kUnsupportedSubresources.end(), p.name) !=
        kUnsupportedSubresources.end()) {
      return Status::InvalidArgument("sluice does not implement the ?" + p.name + " sub-resource",
                                     "NotImplemented");
    }
  }
  return Status::Ok();
}

Status CheckPartNumber(const Query& query) {
  std::string text = query.Get("partNumber");
  int number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size() || number < 1 || number > 10000) {
    return S3Refusal("InvalidArgument",
                     "Part number must be an integer between 1 and 10000, inclusive");
  }
  return Status::Ok();
}

Status NotAllowed(std::string_view method, std::string_view what) {
  return S3Refusal("MethodNotAllowed", "The specified method (" + std::string(method) +
                                           ") is not allowed against " + std::string(what));
}

Result<Operation> BucketOperation(std::string_view method, const Query& q) {
  if (method == "PUT") return Operation::kCreateBucket;
  if (method == "HEAD") return Operation::kHeadBucket;
  if (method == "DELETE") return Operation::kDeleteBucket;
  if (method == "POST") {
    if (q.Has("delete")) return Operation::kDeleteObjects;
    return NotAllowed(method, "a bucket");
  }
  if (method != "GET") return NotAllowed(method, "a bucket");
  if (q.Has("location")) return Operation::kGetBucketLocation;
  if (q.Has("uploads")) return Operation::kListMultipartUploads;
  if (!q.Has("list-type")) return Operation::kListObjects;
  if (q.Get("list-type") != "2") {
    return S3Refusal("InvalidArgument", "list-type must be 2 (or absent, for ListObjects)");
  }
  return Operation::kListObjectsV2;
}

Result<Operation> ObjectOperation(std::string_view method, const Query& q, bool copy_source) {
  if (method == "PUT") {
    if (q.Has("uploadId") || q.Has("partNumber")) {
      if (!q.Has("uploadId")) return S3Refusal("InvalidRequest", "partNumber needs an uploadId");
      SLUICE_RETURN_IF_ERROR(CheckPartNumber(q));
      return copy_source ? Operation::kUploadPartCopy : Operation::kUploadPart;
    }
    return copy_source ? Operation::kCopyObject : Operation::kPutObject;
  }
  if (method == "GET") {
    if (q.Has("uploadId")) return Operation::kListParts;
    if (q.Has("partNumber")) SLUICE_RETURN_IF_ERROR(CheckPartNumber(q));
    return Operation::kGetObject;
  }
  if (method == "HEAD") {
    if (q.Has("partNumber")) SLUICE_RETURN_IF_ERROR(CheckPartNumber(q));
    return Operation::kHeadObject;
  }
  if (method == "DELETE") {
    return q.Has("uploadId") ? Operation::kAbortMultipartUpload : Operation::kDeleteObject;
  }
  if (method == "POST") {
    if (q.Has("uploads")) return Operation::kCreateMultipartUpload;
    if (q.Has("uploadId")) return Operation::kCompleteMultipartUpload;
  }
  return NotAllowed(method, "an object");
}

}  // namespace

std::string_view OperationName(Operation operation) {
  switch (operation) {
    case Operation::kListBuckets:
      return "ListBuckets";
    case Operation::kCreateBucket:
      return "CreateBucket";
    case Operation::kHeadBucket:
      return "HeadBucket";
    case Operation::kDeleteBucket:
      return "DeleteBucket";
    case Operation::kGetBucketLocation:
      return "GetBucketLocation";
    case Operation::kListObjectsV2:
      return "ListObjectsV2";
    case Operation::kListObjects:
      return "ListObjects";
    case Operation::kListMultipartUploads:
      return "ListMultipartUploads";
    case Operation::kDeleteObjects:
      return "DeleteObjects";
    case Operation::kPutObject:
      return "PutObject";
    case Operation::kCopyObject:
      return "CopyObject";
    case Operation::kGetObject:
      return "GetObject";
    case Operation::kHeadObject:
      return "HeadObject";
    case Operation::kDeleteObject:
      return "DeleteObject";
    case Operation::kCreateMultipartUpload:
      return "CreateMultipartUpload";
    case Operation::kUploadPart:
      return "UploadPart";
    case Operation::kUploadPartCopy:
      return "UploadPartCopy";
    case Operation::kCompleteMultipartUpload:
      return "CompleteMultipartUpload";
    case Operation::kAbortMultipartUpload:
      return "AbortMultipartUpload";
    case Operation::kListParts:
      return "ListParts";
  }
  return "Unknown";
}

Result<RequestTarget> ParseRequestTarget(std::string_view host, std::string_view raw_path,
                                         const std::vector<std::string>& base_domains) {
  if (raw_path.empty() || raw_path.front() != '/') {
    return S3Refusal("InvalidRequest", "the request target must be an absolute path");
  }
  RequestTarget target;
  std::string hostname = ToLowerAscii(HostWithoutPort(host));
  std::string path = PercentDecode(raw_path.substr(1));
  for (const std::string& base : base_domains) {
    std::string suffix = "." + ToLowerAscii(base);
    if (hostname.size() > suffix.size() &&
        hostname.compare(hostname.size() - suffix.size(), suffix.size(), suffix) == 0) {
      target.virtual_host = true;
      target.bucket = hostname.substr(0, hostname.size() - suffix.size());
      target.key = path;
      break;
    }
  }
  if (!target.virtual_host) {
    size_t slash = path.find('/');
    target.bucket = path.substr(0, slash);
    target.key = slash == std::string::npos ? "" : path.substr(slash + 1);
  }
  if (target.key.size() > kMaxKeyBytes) {
    return S3Refusal(
        "KeyTooLongError",
        "Your key is too long: " + std::to_string(target.key.size()) + " bytes, the limit is 1024");
  }
  return target;
}

Result<Operation> IdentifyOperation(const OperationInput& input) {
  Query query{SplitQuery(input.raw_query)};
  if (input.target->bucket.empty()) {
    if (input.method == "GET") return Operation::kListBuckets;
    return NotAllowed(input.method, "the service");
  }
  SLUICE_RETURN_IF_ERROR(CheckSubresources(query));
  if (input.target->key.empty()) return BucketOperation(input.method, query);
  return ObjectOperation(input.method, query, input.has_copy_source);
}

}  // namespace sluice::s3

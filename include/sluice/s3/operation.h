// What an S3 request addresses (bucket and key, path-style or virtual-host-style) and which
// operation it asks for, from its method, path, query and a few headers — before any body is
// read, so that a refused request is answered at once.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"

namespace sluice::s3 {

enum class Operation {
  kListBuckets,
  kCreateBucket,
  kHeadBucket,
  kDeleteBucket,
  kGetBucketLocation,
  kListObjectsV2,
  kListObjects,
  kListMultipartUploads,
  kDeleteObjects,
  kPutObject,
  kCopyObject,
  kGetObject,
  kHeadObject,
  kDeleteObject,
  kCreateMultipartUpload,
  kUploadPart,
  kUploadPartCopy,
  kCompleteMultipartUpload,
  kAbortMultipartUpload,
  kListParts,
};

std::string_view OperationName(Operation operation);  // "PutObject", as AWS names it

struct RequestTarget {
  std::string bucket;  // empty: the service (ListBuckets)
  std::string key;     // decoded; empty: the bucket itself
  bool virtual_host = false;
};

// Path-style ("/bucket/key") unless the Host (port ignored, case-insensitive) is a subdomain of
// one of `base_domains` ("lake.localhost" with base "localhost": bucket "lake", the whole path the
// key). The key is percent-decoded ('+' stays '+'); keys over 1024 bytes are KeyTooLongError.
Result<RequestTarget> ParseRequestTarget(std::string_view host, std::string_view raw_path,
                                         const std::vector<std::string>& base_domains);

struct OperationInput {
  std::string_view method;  // GET, PUT, HEAD, DELETE, POST
  const RequestTarget* target = nullptr;
  std::string_view raw_query;    // without '?'
  bool has_copy_source = false;  // an x-amz-copy-source header
};

// The operation, or an S3 error status: MethodNotAllowed for a method the resource does not
// take, NotImplemented for sub-resources sluice does not serve (?acl, ?tagging, ?versioning,
// ...), InvalidArgument for a bad partNumber.
Result<Operation> IdentifyOperation(const OperationInput& input);

}  // namespace sluice::s3

// The HTTP headers around an object's bytes: what a write request says about the object
// (Content-Type, x-amz-meta-*, the headers S3 stores and returns, Content-MD5), what a GET or
// HEAD answers with, the conditional headers (If-Match and friends) and Range.
#pragma once

#include <optional>
#include <string>

#include "sluice/http/exchange.h"
#include "sluice/lake/object_store.h"

namespace sluice::s3 {

// User metadata may hold at most this many bytes (names and values), as in S3.
inline constexpr size_t kMaxMetadataBytes = 2048;

struct ObjectAttributes {
  std::string content_type;
  std::map<std::string, std::string> metadata;  // x-amz-meta-* without the prefix, lower-case
  std::map<std::string, std::string> headers;   // as lake::ObjectInfo::headers, minus checksums
};

// Content-Type (binary/octet-stream when absent), x-amz-meta-* (MetadataTooLarge past 2 KB),
// and Cache-Control, Content-Disposition, Content-Encoding (without aws-chunked),
// Content-Language and Expires.
Result<ObjectAttributes> ReadObjectAttributes(const http::HttpRequest& request);

// The hex MD5 of Content-MD5 (base64), or nullopt when absent. InvalidDigest when malformed.
Result<std::optional<std::string>> ReadContentMd5(const http::HttpRequest& request);

// If-None-Match: * and If-Match on writes.
struct WriteConditions {
  bool if_none_match_any = false;
  std::optional<std::string> if_match_etag;  // unquoted
};
// NotImplemented for an If-None-Match other than "*".
Result<WriteConditions> ReadWriteConditions(const http::HttpRequest& request);

// Adds ETag, Last-Modified, Content-Type, Accept-Ranges, the stored headers and x-amz-meta-*.
// The stored x-amz-checksum-* only when `with_checksum` (x-amz-checksum-mode: ENABLED and the
// whole object). GET's response-* query parameters override the stored values.
void AddObjectHeaders(const lake::ObjectInfo& info, const http::HttpRequest& request,
                      bool with_checksum, http::HttpResponse& response);

enum class ReadCondition {
  kProceed,
  kNotModified,         // 304
  kPreconditionFailed,  // 412
};
// If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since with S3's precedence, or the
// x-amz-copy-source-if-* set when `prefix` is "x-amz-copy-source-".
ReadCondition EvaluateReadConditions(const http::HttpRequest& request, const lake::ObjectInfo& info,
                                     std::string_view prefix = "");

// One range of a Range header ("bytes=a-b", "bytes=a-", "bytes=-n"); nullopt when absent or
// malformed (S3 then answers with the whole object) or when it names several ranges.
std::optional<lake::ByteRange> ParseRangeHeader(std::string_view value);

}  // namespace sluice::s3

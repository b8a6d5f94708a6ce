#include "s3/object_headers.h"

#include "s3/ascii.h"
#include "s3/checksums.h"
#include "s3/s3_call.h"
#include "sluice/common/hex.h"
#include "sluice/common/time_format.h"
#include "sluice/s3/s3_error.h"
#include "sluice/s3/sigv4.h"

namespace sluice::s3 {
namespace {

constexpr std::string_view kMetaPrefix = "x-amz-meta-";
// Headers S3 keeps with an object and returns on GET and HEAD.
constexpr std::string_view kStoredHeaders[] = {"cache-control", "content-disposition",
                                               "content-encoding", "content-language", "expires"};

// Content-Encoding without the aws-chunked transfer coding, which is not the object's.
std::string WithoutAwsChunked(std::string_view encoding) {
  std::string kept;
  for (std::string_view item : SplitCommaList(encoding)) {
    if (item.empty() || EqualsIgnoreCaseAscii(item, "aws-chunked")) continue;
    if (!kept.empty()) kept += ",";
    kept += item;
  }
  return kept;
}

// Whether any ETag in a comma-separated If-Match / If-None-Match list matches `etag`.
bool EtagListMatches(std::string_view list, std::string_view etag) {
  for (std::string_view item : SplitCommaList(list)) {
    std::string candidate = UnquotedEtag(item);
    if (candidate == "*" || candidate == etag) return true;
  }
  return false;
}

// HTTP dates have whole seconds; Last-Modified is compared at that precision.
int64_t Seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

Result<ObjectAttributes> ReadObjectAttributes(const http::HttpRequest& request) {
  ObjectAttributes attributes;
  attributes.content_type =
      std::string(request.HeaderValue("content-type").value_or(lake::kDefaultContentType));
  size_t metadata_bytes = 0;
  for (const auto& [name, value] : request.headers) {
    std::string lower = ToLowerAscii(name);
    if (lower.rfind(kMetaPrefix, 0) == 0) {
      std::string meta_name = lower.substr(kMetaPrefix.size());
      metadata_bytes += meta_name.size() + value.size();
      auto [it, added] = attributes.metadata.emplace(meta_name, value);
      if (!added) it->second += "," + value;  // repeated headers combine, as HTTP says
      continue;
    }
    for (std::string_view stored : kStoredHeaders) {
      if (lower != stored) continue;
      std::string kept = lower == "content-encoding" ? WithoutAwsChunked(value) : value;
      if (!kept.empty()) attributes.headers[lower] = kept;
    }
  }
  if (metadata_bytes > kMaxMetadataBytes) {
    return S3Refusal("MetadataTooLarge",
                     "Your metadata headers exceed the maximum allowed metadata size of 2 KB.");
  }
  return attributes;
}

Result<std::optional<std::string>> ReadContentMd5(const http::HttpRequest& request) {
  auto header = request.HeaderValue("content-md5");
  if (!header) return std::optional<std::string>();
  auto digest = Base64Decode(*header);
  if (!digest || digest->size() != 16) {
    return S3Refusal("InvalidDigest", "The Content-MD5 you specified is not valid.");
  }
  return std::optional<std::string>(ToHex(*digest));
}

Result<WriteConditions> ReadWriteConditions(const http::HttpRequest& request) {
  WriteConditions conditions;
  if (auto none_match = request.HeaderValue("if-none-match")) {
    if (UnquotedEtag(*none_match) != "*") {
      return S3Refusal("NotImplemented",
                       "If-None-Match on a write accepts only '*' (create if absent)");
    }
    conditions.if_none_match_any = true;
  }
  if (auto match = request.HeaderValue("if-match")) conditions.if_match_etag = UnquotedEtag(*match);
  return conditions;
}

void AddObjectHeaders(const lake::ObjectInfo& info, const http::HttpRequest& request,
                      bool with_checksum, http::HttpResponse& response) {
  Query query = Query::Parse(request.query);
  auto value_of = [&](std::string_view header, const std::string& stored) {
    std::string override_name = "response-" + std::string(header);
    return query.Has(override_name) ? query.Get(override_name) : stored;
  };
  response.AddHeader("ETag", QuotedEtag(info.etag));
  response.AddHeader("Last-Modified", FormatHttpDate(info.last_modified));
  response.AddHeader("Accept-Ranges", "bytes");
  response.AddHeader("Content-Type", value_of("content-type", info.content_type));
  for (std::string_view stored : kStoredHeaders) {
    auto it = info.headers.find(std::string(stored));
    std::string value = value_of(stored, it == info.headers.end() ? "" : it->second);
    if (!value.empty()) response.AddHeader(std::string(stored), value);
  }
  for (const auto& [name, value] : info.headers) {
    if (with_checksum && name.rfind("x-amz-checksum-", 0) == 0) response.AddHeader(name, value);
  }
  for (const auto& [name, value] : info.metadata)
    response.AddHeader(std::string(kMetaPrefix) + name, value);
}

ReadCondition EvaluateReadConditions(const http::HttpRequest& request, const lake::ObjectInfo& info,
                                     std::string_view prefix) {
  auto header = [&](std::string_view name) {
    return request.HeaderValue(std::string(prefix) + std::string(name));
  };
  auto if_match = header("if-match");
  auto if_none_match = header("if-none-match");
  auto if_modified_since = header("if-modified-since");
  auto if_unmodified_since = header("if-unmodified-since");
  // A copy source's failed conditions all answer 412; a GET's If-None-Match and
  // If-Modified-Since answer 304.
  const ReadCondition not_modified =
      prefix.empty() ? ReadCondition::kNotModified : ReadCondition::kPreconditionFailed;
  int64_t modified = Seconds(info.last_modified);

  if (if_match) {
    if (!EtagListMatches(*if_match, info.etag)) return ReadCondition::kPreconditionFailed;
  } else if (if_unmodified_since) {
    auto since = ParseHttpDate(*if_unmodified_since);
    if (since && modified > Seconds(*since)) return ReadCondition::kPreconditionFailed;
  }
  if (if_none_match) {
    if (EtagListMatches(*if_none_match, info.etag)) return not_modified;
  } else if (if_modified_since) {
    auto since = ParseHttpDate(*if_modified_since);
    if (since && modified <= Seconds(*since)) return not_modified;
  }
  return ReadCondition::kProceed;
}

std::optional<lake::ByteRange> ParseRangeHeader(std::string_view value) {
  constexpr std::string_view kBytes = "bytes=";
  if (value.substr(0, kBytes.size()) != kBytes) return std::nullopt;
  std::string_view spec = value.substr(kBytes.size());
  if (spec.find(',') != std::string_view::npos) return std::nullopt;
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::string_view first = spec.substr(0, dash);
  std::string_view last = spec.substr(dash + 1);
  if (first.empty()) {
    auto suffix = ParseDecimal(last);
    if (!suffix) return std::nullopt;
    return lake::ByteRange::Suffix(*suffix);
  }
  auto from = ParseDecimal(first);
  if (!from) return std::nullopt;
  if (last.empty()) return lake::ByteRange::From(*from);
  auto to = ParseDecimal(last);
  if (!to || *to < *from) return std::nullopt;
  return lake::ByteRange::FromTo(*from, *to);
}

}  // namespace sluice::s3

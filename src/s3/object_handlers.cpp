// PutObject, GetObject, HeadObject and DeleteObject.
#include <algorithm>

#include "s3/handlers.h"
#include "s3/object_headers.h"
#include "s3/payload.h"
#include "sluice/s3/s3_error.h"

namespace sluice::s3 {
namespace {

// S3's limit for one PUT; bigger objects go up in parts.
constexpr uint64_t kMaxPutBytes = uint64_t{5} << 30;

bool ChecksumModeEnabled(const http::HttpRequest& request) {
  auto mode = request.HeaderValue("x-amz-checksum-mode");
  return mode && *mode == "ENABLED";
}

std::string ContentRange(const lake::ResolvedRange& range, uint64_t size) {
  return "bytes " + std::to_string(range.offset) + "-" +
         std::to_string(range.offset + range.length - 1) + "/" + std::to_string(size);
}

// The bytes of part `number` (?partNumber=N): a multipart object's part as uploaded; an object
// written whole has one part, all of it (nullopt: the whole object).
Result<std::optional<lake::ByteRange>> PartRange(const lake::ObjectInfo& info, int number) {
  if (info.part_sizes.empty() && number == 1) return std::optional<lake::ByteRange>();
  if (number < 1 || static_cast<size_t>(number) > info.part_sizes.size() ||
      info.part_sizes[static_cast<size_t>(number - 1)] == 0) {
    return S3Refusal("InvalidPartNumber", "The requested partnumber is not satisfiable");
  }
  uint64_t first = 0;
  for (int i = 0; i < number - 1; ++i)
    first += info.part_sizes[static_cast<size_t>(i)];
  uint64_t size = info.part_sizes[static_cast<size_t>(number - 1)];
  return std::optional<lake::ByteRange>(lake::ByteRange::FromTo(first, first + size - 1));
}

// What a GET or HEAD answers about `info`, before any body: 200, 206 for a range, 304 or 412
// for a condition, 416 for a range past the end.
HandlerResult ReadResponse(S3Call& call, const lake::ObjectInfo& info, lake::ResolvedRange& range) {
  switch (EvaluateReadConditions(call.http, info)) {
    case ReadCondition::kNotModified: {
      http::HttpResponse response = EmptyResponse(304);
      response.AddHeader("ETag", QuotedEtag(info.etag));
      return response;
    }
    case ReadCondition::kPreconditionFailed:
      return S3Refusal("PreconditionFailed",
                       "At least one of the pre-conditions you specified did not hold");
    case ReadCondition::kProceed:
      break;
  }
  std::optional<lake::ByteRange> requested;
  bool partial = false;
  if (auto header = call.http.HeaderValue("range")) requested = ParseRangeHeader(*header);
  if (call.query.Has("partNumber")) {
    SLUICE_ASSIGN_OR_RETURN(requested, PartRange(info, std::stoi(call.query.Get("partNumber"))));
    partial = true;
  }
  auto resolved = lake::ResolveRange(requested, info);
  if (!resolved.ok()) {
    S3Error error = S3ErrorOf(resolved.status());
    error.request_id = call.request_id;
    error.message = "The requested range is not satisfiable";
    error.extra = {{"ActualObjectSize", std::to_string(info.size)},
                   {"RangeRequested", std::string(call.http.HeaderValue("range").value_or(""))}};
    http::HttpResponse response;
    response.status = HttpStatusOf(error.code);
    if (call.http.method != "HEAD") {
      response.body = ErrorXml(error);
      response.AddHeader("Content-Type", "application/xml");
    }
    response.AddHeader("Content-Range", "bytes */" + std::to_string(info.size));
    return response;
  }
  range = *resolved;
  partial = partial || requested.has_value();
  http::HttpResponse response;
  response.status = partial ? 206 : 200;
  AddObjectHeaders(info, call.http, ChecksumModeEnabled(call.http) && !requested, response);
  if (partial && range.length > 0)
    response.AddHeader("Content-Range", ContentRange(range, info.size));
  if (call.query.Has("partNumber")) {
    size_t parts = std::max<size_t>(info.part_sizes.size(), 1);
    response.AddHeader("x-amz-mp-parts-count", std::to_string(parts));
  }
  return response;
}

}  // namespace

HandlerResult PutObject(S3Call& call) {
  const http::HttpRequest& request = call.http;
  bool chunked = request.HeaderValue("transfer-encoding").has_value();
  if (!request.content_length && !chunked) {
    return S3Refusal("MissingContentLength", "You must provide the Content-Length HTTP header.");
  }
  SLUICE_ASSIGN_OR_RETURN(ObjectAttributes attributes, ReadObjectAttributes(request));
  SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> md5, ReadContentMd5(request));
  SLUICE_ASSIGN_OR_RETURN(WriteConditions conditions, ReadWriteConditions(request));
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<Payload> payload,
                          Payload::Open(request, call.auth, call.body));
  if (payload->declared_size() && *payload->declared_size() > kMaxPutBytes) {
    return S3Refusal("EntityTooLarge",
                     "Your proposed upload exceeds the maximum allowed size of 5 GiB; upload it "
                     "in parts");
  }
  lake::PutOptions options;
  options.content_type = std::move(attributes.content_type);
  options.metadata = std::move(attributes.metadata);
  options.headers = std::move(attributes.headers);
  options.if_none_match_any = conditions.if_none_match_any;
  options.if_match_etag = conditions.if_match_etag;
  options.content_md5 = md5;
  options.request = call.Context();
  SLUICE_ASSIGN_OR_RETURN(lake::ObjectInfo info,
                          call.lake.PutObject(call.bucket(), call.key(), *payload, options));
  http::HttpResponse response = EmptyResponse(200);
  response.AddHeader("ETag", QuotedEtag(info.etag));
  if (auto checksum = payload->checksum()) response.AddHeader(checksum->first, checksum->second);
  return response;
}

HandlerResult GetObject(S3Call& call) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::ObjectReader> reader,
                          call.lake.GetObject(call.bucket(), call.key()));
  lake::ResolvedRange range{0, 0};
  SLUICE_ASSIGN_OR_RETURN(http::HttpResponse response, ReadResponse(call, reader->info(), range));
  if (response.status == 200 || response.status == 206) {
    response.object = std::move(reader);
    response.object_range = range;
  }
  return response;
}

HandlerResult HeadObject(S3Call& call) {
  SLUICE_ASSIGN_OR_RETURN(lake::ObjectInfo info, call.lake.HeadObject(call.bucket(), call.key()));
  lake::ResolvedRange range{0, 0};
  SLUICE_ASSIGN_OR_RETURN(http::HttpResponse response, ReadResponse(call, info, range));
  if (response.status == 200 || response.status == 206) response.head_length = range.length;
  return response;
}

HandlerResult DeleteObject(S3Call& call) {
  SLUICE_RETURN_IF_ERROR(
      call.lake.DeleteObject(call.bucket(), call.key(), call.Context()).status());
  return EmptyResponse(204);
}

}  // namespace sluice::s3

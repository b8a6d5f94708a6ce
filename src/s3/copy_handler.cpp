// CopyObject: a server-side copy, keeping or replacing the source's metadata.
#include "s3/handlers.h"
#include "s3/object_headers.h"
#include "s3/uri_encoding.h"
#include "sluice/common/time_format.h"
#include "sluice/s3/s3_error.h"
#include "sluice/s3/xml_writer.h"

namespace sluice::s3 {
namespace {

struct CopySource {
  std::string bucket;
  std::string key;
};

// x-amz-copy-source: "/bucket/url-encoded-key" or "bucket/url-encoded-key", maybe with
// "?versionId=..." (only "null", the version of an unversioned bucket's objects).
Result<CopySource> ParseCopySource(std::string_view header) {
  std::string_view text = header;
  if (size_t question = text.find('?'); question != std::string_view::npos) {
    Query query = Query::Parse(text.substr(question + 1));
    if (query.Has("versionId") && query.Get("versionId") != "null") {
      return S3Refusal("NoSuchVersion", "The specified version does not exist.");
    }
    text = text.substr(0, question);
  }
  std::string decoded = PercentDecode(text);
  std::string_view path = decoded;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  size_t slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == path.size()) {
    return S3Refusal("InvalidArgument",
                     "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
  }
  return CopySource{std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

}  // namespace

HandlerResult CopyObject(S3Call& call) {
  const http::HttpRequest& request = call.http;
  SLUICE_ASSIGN_OR_RETURN(CopySource source,
                          ParseCopySource(request.HeaderValue("x-amz-copy-source").value_or("")));
  std::string directive(request.HeaderValue("x-amz-metadata-directive").value_or("COPY"));
  if (directive != "COPY" && directive != "REPLACE") {
    return S3Refusal("InvalidArgument", "Unknown metadata directive '" + directive + "'.");
  }
  SLUICE_ASSIGN_OR_RETURN(lake::ObjectInfo from, call.lake.HeadObject(source.bucket, source.key));
  if (EvaluateReadConditions(request, from, "x-amz-copy-source-") != ReadCondition::kProceed) {
    return S3Refusal("PreconditionFailed",
                     "At least one of the pre-conditions you specified did not hold");
  }
  SLUICE_ASSIGN_OR_RETURN(WriteConditions conditions, ReadWriteConditions(request));

  lake::CopyOptions options;
  options.replace_metadata = directive == "REPLACE";
  if (options.replace_metadata) {
    SLUICE_ASSIGN_OR_RETURN(ObjectAttributes attributes, ReadObjectAttributes(request));
    options.content_type = std::move(attributes.content_type);
    options.metadata = std::move(attributes.metadata);
    options.headers = std::move(attributes.headers);
    // The bytes are the source's, and so is their checksum.
    for (const auto& [name, value] : from.headers) {
      if (name.rfind("x-amz-checksum-", 0) == 0) options.headers[name] = value;
    }
  }
  options.if_none_match_any = conditions.if_none_match_any;
  options.if_match_etag = conditions.if_match_etag;
  options.request = call.Context();
  SLUICE_ASSIGN_OR_RETURN(
      lake::ObjectInfo info,
      call.lake.CopyObject(source.bucket, source.key, call.bucket(), call.key(), options));
  XmlWriter xml;
  xml.Open("CopyObjectResult", kS3Namespace)
      .Element("LastModified", FormatIso8601Millis(info.last_modified))
      .Element("ETag", QuotedEtag(info.etag))
      .Close();
  return XmlResponse(xml.str());
}

}  // namespace sluice::s3

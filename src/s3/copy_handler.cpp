// CopyObject: a server-side copy, keeping or replacing the source's metadata.
#include "s3/copy_source.h"
#include "s3/handlers.h"
#include "s3/object_headers.h"
#include "sluice/common/time_format.h"
#include "sluice/s3/s3_error.h"
#include "sluice/s3/xml_writer.h"

namespace sluice::s3 {

HandlerResult CopyObject(S3Call& call) {
  const http::HttpRequest& request = call.http;
  lake::ObjectInfo from;
  SLUICE_ASSIGN_OR_RETURN(CopySource source, ReadCopySource(call, from));
  std::string directive(request.HeaderValue("x-amz-metadata-directive").value_or("COPY"));
  if (directive != "COPY" && directive != "REPLACE") {
    return S3Refusal("InvalidArgument", "Unknown metadata directive '" + directive + "'.");
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

// The multipart upload operations: CreateMultipartUpload, UploadPart, UploadPartCopy,
// CompleteMultipartUpload, AbortMultipartUpload, ListParts and ListMultipartUploads.
#include <pugixml.hpp>

#include "s3/copy_source.h"
#include "s3/handlers.h"
#include "s3/object_headers.h"
#include "s3/payload.h"
#include "sluice/common/time_format.h"
#include "sluice/s3/s3_error.h"
#include "sluice/s3/sigv4.h"
#include "sluice/s3/xml_writer.h"

namespace sluice::s3 {
namespace {

constexpr uint64_t kMaxPartBytes = uint64_t{5} << 30;
// 10,000 parts with their ETags and checksums fit in well under this.
constexpr size_t kMaxCompleteBodyBytes = 4 << 20;
constexpr int kMaxListed = 1000;

// A non-negative integer query parameter, `fallback` when absent, capped at `cap`.
Result<int> ReadCount(const Query& query, std::string_view name, int fallback,
                      int cap = kMaxListed) {
  if (!query.Has(name)) return fallback;
  std::string text = query.Get(name);
  if (text.empty() || text.size() > 9 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return S3Refusal("InvalidArgument",
                     std::string(name) + " must be a non-negative integer, not '" + text + "'");
  }
  return std::min(std::stoi(text), cap);
}

int PartNumberOf(const S3Call& call) {
  // IdentifyOperation checked that it is a number from 1 to 10000.
  return std::stoi(call.query.Get("partNumber"));
}

void WriteOwner(XmlWriter& xml, std::string_view element, const S3Call& call) {
  xml.Open(element)
      .Element("ID", call.options.identity.account_id)
      .Element("DisplayName", "sluice")
      .Close();
}

// The parts a CompleteMultipartUpload body names, in the order it names them.
Result<std::vector<lake::CompletedPart>> ReadCompletedParts(const std::string& body) {
  pugi::xml_document document;
  if (!document.load_buffer(body.data(), body.size())) {
    return S3Refusal("MalformedXML", "The CompleteMultipartUpload body is not well-formed XML");
  }
  pugi::xml_node root = document.child("CompleteMultipartUpload");
  if (!root) return S3Refusal("MalformedXML", "The body is not a CompleteMultipartUpload");
  std::vector<lake::CompletedPart> parts;
  for (pugi::xml_node part : root.children("Part")) {
    std::string number = part.child("PartNumber").text().as_string();
    if (number.empty() || number.size() > 5 ||
        number.find_first_not_of("0123456789") != std::string::npos) {
      return S3Refusal("MalformedXML", "A <Part> has no valid <PartNumber>");
    }
    if (!part.child("ETag")) return S3Refusal("MalformedXML", "A <Part> has no <ETag>");
    parts.push_back({std::stoi(number), UnquotedEtag(part.child("ETag").text().as_string())});
  }
  if (parts.empty()) {
    return S3Refusal("MalformedXML", "The CompleteMultipartUpload body names no part");
  }
  return parts;
}

// x-amz-copy-source-range: "bytes=first-last", both given.
Result<std::optional<lake::ByteRange>> ReadCopySourceRange(const http::HttpRequest& request) {
  auto header = request.HeaderValue("x-amz-copy-source-range");
  if (!header) return std::optional<lake::ByteRange>();
  auto range = ParseRangeHeader(*header);
  if (!range || !range->first || !range->last) {
    return S3Refusal("InvalidArgument",
                     "The x-amz-copy-source-range value must be of the form bytes=first-last "
                     "where first and last are the zero-based offsets of the first and last "
                     "bytes to copy");
  }
  return std::optional<lake::ByteRange>(range);
}

}  // namespace

HandlerResult CreateMultipartUpload(S3Call& call) {
  SLUICE_ASSIGN_OR_RETURN(ObjectAttributes attributes, ReadObjectAttributes(call.http));
  lake::PutOptions options;
  options.content_type = std::move(attributes.content_type);
  options.metadata = std::move(attributes.metadata);
  options.headers = std::move(attributes.headers);
  SLUICE_ASSIGN_OR_RETURN(lake::MultipartUpload upload,
                          call.lake.CreateMultipartUpload(call.bucket(), call.key(), options));
  XmlWriter xml;
  xml.Open("InitiateMultipartUploadResult", kS3Namespace)
      .Element("Bucket", upload.bucket)
      .Element("Key", upload.key)
      .Element("UploadId", upload.upload_id)
      .Close();
  return XmlResponse(xml.str());
}

HandlerResult UploadPart(S3Call& call) {
  const http::HttpRequest& request = call.http;
  if (!request.content_length && !request.HeaderValue("transfer-encoding")) {
    return S3Refusal("MissingContentLength", "You must provide the Content-Length HTTP header.");
  }
  SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> md5, ReadContentMd5(request));
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<Payload> payload,
                          Payload::Open(request, call.auth, call.body));
  if (payload->declared_size() && *payload->declared_size() > kMaxPartBytes) {
    return S3Refusal("EntityTooLarge", "A part may hold at most 5 GiB");
  }
  SLUICE_ASSIGN_OR_RETURN(
      lake::PartInfo part,
      call.lake.UploadPart(call.bucket(), call.key(), call.query.Get("uploadId"),
                           PartNumberOf(call), *payload, md5));
  http::HttpResponse response = EmptyResponse(200);
  response.AddHeader("ETag", QuotedEtag(part.etag));
  if (auto checksum = payload->checksum()) response.AddHeader(checksum->first, checksum->second);
  return response;
}

HandlerResult UploadPartCopy(S3Call& call) {
  lake::ObjectInfo source_info;
  SLUICE_ASSIGN_OR_RETURN(CopySource source, ReadCopySource(call, source_info));
  SLUICE_ASSIGN_OR_RETURN(std::optional<lake::ByteRange> range, ReadCopySourceRange(call.http));
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::ObjectReader> reader,
                          call.lake.GetObject(source.bucket, source.key, range));
  ObjectReaderSource body(std::move(reader));
  SLUICE_ASSIGN_OR_RETURN(
      lake::PartInfo part,
      call.lake.UploadPart(call.bucket(), call.key(), call.query.Get("uploadId"),
                           PartNumberOf(call), body, std::nullopt));
  XmlWriter xml;
  xml.Open("CopyPartResult", kS3Namespace)
      .Element("LastModified", FormatIso8601Millis(part.last_modified))
      .Element("ETag", QuotedEtag(part.etag))
      .Close();
  return XmlResponse(xml.str());
}

HandlerResult CompleteMultipartUpload(S3Call& call) {
  SLUICE_ASSIGN_OR_RETURN(WriteConditions conditions, ReadWriteConditions(call.http));
  SLUICE_ASSIGN_OR_RETURN(std::string body,
                          ReadSmallPayload(call.http, call.auth, call.body, kMaxCompleteBodyBytes));
  SLUICE_ASSIGN_OR_RETURN(std::vector<lake::CompletedPart> parts, ReadCompletedParts(body));
  lake::PutOptions options;
  options.if_none_match_any = conditions.if_none_match_any;
  options.if_match_etag = conditions.if_match_etag;
  options.request = call.Context();
  SLUICE_ASSIGN_OR_RETURN(lake::ObjectInfo info, call.lake.CompleteMultipartUpload(
                                                     call.bucket(), call.key(),
                                                     call.query.Get("uploadId"), parts, options));
  std::string host(call.http.HeaderValue("host").value_or("localhost"));
  XmlWriter xml;
  xml.Open("CompleteMultipartUploadResult", kS3Namespace)
      .Element("Location", "http://" + host + "/" + call.bucket() + "/" +
                               UriEncode(call.key(), /*keep_slash=*/true))
      .Element("Bucket", call.bucket())
      .Element("Key", call.key())
      .Element("ETag", QuotedEtag(info.etag))
      .Close();
  return XmlResponse(xml.str());
}

HandlerResult AbortMultipartUpload(S3Call& call) {
  SLUICE_RETURN_IF_ERROR(
      call.lake.AbortMultipartUpload(call.bucket(), call.key(), call.query.Get("uploadId")));
  return EmptyResponse(204);
}

HandlerResult ListParts(S3Call& call) {
  SLUICE_ASSIGN_OR_RETURN(int max_parts, ReadCount(call.query, "max-parts", kMaxListed));
  SLUICE_ASSIGN_OR_RETURN(int marker, ReadCount(call.query, "part-number-marker", 0));
  if (call.query.Has("part-number-marker"))
    marker = std::stoi(call.query.Get("part-number-marker"));
  std::string upload_id = call.query.Get("uploadId");
  SLUICE_ASSIGN_OR_RETURN(lake::PartPage page, call.lake.ListParts(call.bucket(), call.key(),
                                                                   upload_id, marker, max_parts));
  XmlWriter xml;
  xml.Open("ListPartsResult", kS3Namespace)
      .Element("Bucket", call.bucket())
      .Element("Key", call.key())
      .Element("UploadId", upload_id);
  WriteOwner(xml, "Initiator", call);
  WriteOwner(xml, "Owner", call);
  xml.Element("StorageClass", "STANDARD")
      .Element("PartNumberMarker", std::to_string(marker))
      .Element("NextPartNumberMarker", std::to_string(page.next_part_number_marker))
      .Element("MaxParts", std::to_string(max_parts))
      .Element("IsTruncated", page.truncated ? "true" : "false");
  for (const lake::PartInfo& part : page.parts) {
    xml.Open("Part")
        .Element("PartNumber", std::to_string(part.part_number))
        .Element("LastModified", FormatIso8601Millis(part.last_modified))
        .Element("ETag", QuotedEtag(part.etag))
        .Element("Size", std::to_string(part.size))
        .Close();
  }
  xml.Close();
  return XmlResponse(xml.str());
}

HandlerResult ListMultipartUploads(S3Call& call) {
  lake::UploadListRequest request;
  request.prefix = call.query.Get("prefix");
  request.delimiter = call.query.Get("delimiter");
  request.key_marker = call.query.Get("key-marker");
  request.upload_id_marker = call.query.Get("upload-id-marker");
  SLUICE_ASSIGN_OR_RETURN(request.max_uploads, ReadCount(call.query, "max-uploads", kMaxListed));
  bool url_encoding = call.query.Get("encoding-type") == "url";
  auto spell = [&](const std::string& text) {
    return url_encoding ? UriEncode(text, /*keep_slash=*/true) : text;
  };
  SLUICE_ASSIGN_OR_RETURN(lake::UploadPage page,
                          call.lake.ListMultipartUploads(call.bucket(), request));
  XmlWriter xml;
  xml.Open("ListMultipartUploadsResult", kS3Namespace)
      .Element("Bucket", call.bucket())
      .Element("KeyMarker", spell(request.key_marker))
      .Element("UploadIdMarker", request.upload_id_marker)
      .Element("NextKeyMarker", spell(page.next_key_marker))
      .Element("NextUploadIdMarker", page.next_upload_id_marker)
      .Element("Prefix", spell(request.prefix));
  if (!request.delimiter.empty()) xml.Element("Delimiter", spell(request.delimiter));
  xml.Element("MaxUploads", std::to_string(request.max_uploads))
      .Element("IsTruncated", page.truncated ? "true" : "false");
  if (url_encoding) xml.Element("EncodingType", "url");
  for (const lake::MultipartUpload& upload : page.uploads) {
    xml.Open("Upload").Element("Key", spell(upload.key)).Element("UploadId", upload.upload_id);
    WriteOwner(xml, "Initiator", call);
    WriteOwner(xml, "Owner", call);
    xml.Element("StorageClass", "STANDARD")
        .Element("Initiated", FormatIso8601Millis(upload.initiated))
        .Close();
  }
  for (const std::string& prefix : page.common_prefixes)
    xml.Open("CommonPrefixes").Element("Prefix", spell(prefix)).Close();
  xml.Close();
  return XmlResponse(xml.str());
}

}  // namespace sluice::s3

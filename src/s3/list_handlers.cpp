// ListObjectsV2 and ListObjects (v1): one page of keys and common prefixes, in UTF-8 byte order.
#include "s3/checksums.h"
#include "s3/handlers.h"
#include "sluice/common/time_format.h"
#include "sluice/s3/s3_error.h"
#include "sluice/s3/sigv4.h"
#include "sluice/s3/xml_writer.h"

namespace sluice::s3 {
namespace {

constexpr int kMaxKeys = 1000;

struct ListingParams {
  lake::ListRequest request;
  bool url_encoding = false;  // encoding-type=url
};

Result<int> ReadMaxKeys(const Query& query) {
  if (!query.Has("max-keys")) return kMaxKeys;
  std::string text = query.Get("max-keys");
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    return S3Refusal("InvalidArgument",
                     "max-keys must be a non-negative integer, not '" + text + "'");
  }
  if (text.size() > 4) return kMaxKeys;  // S3 caps anything above 1000
  return std::min(std::stoi(text), kMaxKeys);
}

Result<ListingParams> ReadListingParams(const Query& query) {
  ListingParams params;
  params.request.prefix = query.Get("prefix");
  params.request.delimiter = query.Get("delimiter");
  SLUICE_ASSIGN_OR_RETURN(params.request.max_keys, ReadMaxKeys(query));
  if (query.Has("encoding-type")) {
    if (query.Get("encoding-type") != "url") {
      return S3Refusal("InvalidArgument", "Invalid Encoding Method specified in Request");
    }
    params.url_encoding = true;
  }
  return params;
}

// Keys and prefixes as the listing spells them: URL-encoded ('/' kept, '+' as %2B) under
// encoding-type=url, which botocore always asks for.
std::string Spell(const ListingParams& params, std::string_view text) {
  return params.url_encoding ? UriEncode(text, /*keep_slash=*/true) : std::string(text);
}

// The V2 continuation token: the marker to go on from, opaque to the client.
std::string EncodeToken(const std::string& marker) {
  return Base64Encode(marker);
}

Result<std::string> DecodeToken(const std::string& token) {
  auto marker = Base64Decode(token);
  if (!marker) return S3Refusal("InvalidArgument", "The continuation token provided is incorrect");
  return *marker;
}

void WriteEntries(XmlWriter& xml, const ListingParams& params, const lake::ListPage& page,
                  bool with_owner, const S3Call& call) {
  for (const lake::ObjectInfo& object : page.objects) {
    xml.Open("Contents")
        .Element("Key", Spell(params, object.key))
        .Element("LastModified", FormatIso8601Millis(object.last_modified))
        .Element("ETag", QuotedEtag(object.etag))
        .Element("Size", std::to_string(object.size))
        .Element("StorageClass", "STANDARD");
    if (with_owner) {
      xml.Open("Owner")
          .Element("ID", call.options.identity.account_id)
          .Element("DisplayName", "sluice")
          .Close();
    }
    xml.Close();
  }
  for (const std::string& prefix : page.common_prefixes)
    xml.Open("CommonPrefixes").Element("Prefix", Spell(params, prefix)).Close();
}

Result<lake::ListPage> ListPage(S3Call& call, const ListingParams& params) {
  if (params.request.max_keys == 0) {
    // Nothing asked for; S3 still checks the bucket.
    SLUICE_RETURN_IF_ERROR(call.lake.HeadBucket(call.bucket()).status());
    return lake::ListPage{};
  }
  return call.lake.ListObjects(call.bucket(), params.request);
}

}  // namespace

HandlerResult ListObjectsV2(S3Call& call) {
  SLUICE_ASSIGN_OR_RETURN(ListingParams params, ReadListingParams(call.query));
  std::string token = call.query.Get("continuation-token");
  std::string start_after = call.query.Get("start-after");
  if (call.query.Has("continuation-token")) {
    SLUICE_ASSIGN_OR_RETURN(params.request.start_after, DecodeToken(token));
  } else {
    params.request.start_after = start_after;
  }
  SLUICE_ASSIGN_OR_RETURN(lake::ListPage page, ListPage(call, params));

  XmlWriter xml;
  xml.Open("ListBucketResult", kS3Namespace)
      .Element("Name", call.bucket())
      .Element("Prefix", Spell(params, params.request.prefix));
  if (!params.request.delimiter.empty()) {
    xml.Element("Delimiter", Spell(params, params.request.delimiter));
  }
  xml.Element("MaxKeys", std::to_string(params.request.max_keys))
      .Element("KeyCount", std::to_string(page.objects.size() + page.common_prefixes.size()))
      .Element("IsTruncated", page.truncated ? "true" : "false");
  if (params.url_encoding) xml.Element("EncodingType", "url");
  if (call.query.Has("continuation-token")) xml.Element("ContinuationToken", token);
  if (page.truncated) xml.Element("NextContinuationToken", EncodeToken(page.next_marker));
  if (!start_after.empty()) xml.Element("StartAfter", Spell(params, start_after));
  WriteEntries(xml, params, page, call.query.Get("fetch-owner") == "true", call);
  xml.Close();
  return XmlResponse(xml.str());
}

HandlerResult ListObjectsV1(S3Call& call) {
  SLUICE_ASSIGN_OR_RETURN(ListingParams params, ReadListingParams(call.query));
  std::string marker = call.query.Get("marker");
  params.request.start_after = marker;
  SLUICE_ASSIGN_OR_RETURN(lake::ListPage page, ListPage(call, params));

  XmlWriter xml;
  xml.Open("ListBucketResult", kS3Namespace)
      .Element("Name", call.bucket())
      .Element("Prefix", Spell(params, params.request.prefix))
      .Element("Marker", Spell(params, marker));
  // NextMarker only with a delimiter, as S3 does; without one clients go on from the last key.
  if (page.truncated && !params.request.delimiter.empty()) {
    xml.Element("NextMarker", Spell(params, page.next_marker));
  }
  if (!params.request.delimiter.empty()) {
    xml.Element("Delimiter", Spell(params, params.request.delimiter));
  }
  xml.Element("MaxKeys", std::to_string(params.request.max_keys))
      .Element("IsTruncated", page.truncated ? "true" : "false");
  if (params.url_encoding) xml.Element("EncodingType", "url");
  WriteEntries(xml, params, page, /*with_owner=*/true, call);
  xml.Close();
  return XmlResponse(xml.str());
}

}  // namespace sluice::s3

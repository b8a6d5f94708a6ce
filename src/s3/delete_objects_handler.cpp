// DeleteObjects: up to 1000 keys in one request, each deleted (and its Object Deleted event
// emitted) on its own; the answer lists what was deleted and what failed.
#include <pugixml.hpp>

#include "s3/ascii.h"
#include "s3/checksums.h"
#include "s3/handlers.h"
#include "s3/object_headers.h"
#include "s3/payload.h"
#include "sluice/common/md5.h"
#include "sluice/s3/s3_error.h"
#include "sluice/s3/xml_writer.h"

namespace sluice::s3 {
namespace {

constexpr size_t kMaxDeleteBodyBytes = 2 << 20;
constexpr size_t kMaxDeleteKeys = 1000;

bool HasChecksumHeader(const http::HttpRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (CarriesChecksum(ToLowerAscii(name))) return true;
  }
  return request.HeaderValue("x-amz-trailer").has_value() ||
         request.HeaderValue("x-amz-sdk-checksum-algorithm").has_value();
}

}  // namespace

HandlerResult DeleteObjects(S3Call& call) {
  const http::HttpRequest& request = call.http;
  SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> md5, ReadContentMd5(request));
  // S3 requires an integrity check on this one: Content-MD5, or (since 2025) a checksum.
  if (!md5 && !HasChecksumHeader(request)) {
    return S3Refusal("MissingContentMD5",
                     "Missing required header for this request: Content-MD5 or x-amz-checksum-*");
  }
  SLUICE_ASSIGN_OR_RETURN(std::string body,
                          ReadSmallPayload(request, call.auth, call.body, kMaxDeleteBodyBytes));
  if (md5) {
    Md5 digest;
    digest.Update(body);
    if (digest.FinishHex() != *md5) {
      return S3Refusal("BadDigest",
                       "The Content-MD5 you specified did not match what we received.");
    }
  }
  pugi::xml_document document;
  if (!document.load_buffer(body.data(), body.size(),
                            pugi::parse_default | pugi::parse_ws_pcdata_single)) {
    return S3Refusal("MalformedXML", "The Delete request is not well-formed XML");
  }
  pugi::xml_node root = document.child("Delete");
  if (!root) return S3Refusal("MalformedXML", "The body is not a Delete request");
  bool quiet = std::string_view(root.child("Quiet").text().as_string()) == "true";
  std::vector<std::string> keys;
  for (pugi::xml_node object : root.children("Object")) {
    pugi::xml_node key = object.child("Key");
    if (!key) return S3Refusal("MalformedXML", "An <Object> in the Delete request has no <Key>");
    keys.emplace_back(key.text().as_string());
  }
  if (keys.empty() || keys.size() > kMaxDeleteKeys) {
    return S3Refusal("MalformedXML", "A Delete request names 1 to 1000 objects, not " +
                                         std::to_string(keys.size()));
  }

  XmlWriter xml;
  xml.Open("DeleteResult", kS3Namespace);
  for (const std::string& key : keys) {
    auto deleted = call.lake.DeleteObject(call.bucket(), key, call.Context());
    if (!deleted.ok()) {
      // A missing bucket fails the whole request, as in S3.
      if (deleted.status().aws_code() == "NoSuchBucket") return deleted.status();
      S3Error error = S3ErrorOf(deleted.status());
      xml.Open("Error")
          .Element("Key", key)
          .Element("Code", error.code)
          .Element("Message", error.message)
          .Close();
      continue;
    }
    if (!quiet) xml.Open("Deleted").Element("Key", key).Close();
  }
  xml.Close();
  return XmlResponse(xml.str());
}

}  // namespace sluice::s3

#include "sluice/s3/s3_error.h"

#include <array>

#include "sluice/s3/xml_writer.h"

namespace sluice::s3 {
namespace {

struct CodeStatus {
  std::string_view code;
  int http_status;
};

// From S3's error table (see the reference's "Error body" table).
constexpr std::array<CodeStatus, 47> kStatuses{{
    {"NoSuchBucket", 404},
    {"NoSuchKey", 404},
    {"NoSuchUpload", 404},
    {"BucketAlreadyOwnedByYou", 409},
    {"BucketAlreadyExists", 409},
    {"BucketNotEmpty", 409},
    {"ConditionalRequestConflict", 409},
    {"OperationAborted", 409},
    {"InvalidRange", 416},
    {"PreconditionFailed", 412},
    {"NotModified", 304},
    {"SignatureDoesNotMatch", 403},
    {"AccessDenied", 403},
    {"InvalidAccessKeyId", 403},
    {"RequestTimeTooSkewed", 403},
    {"AuthorizationHeaderMalformed", 400},
    {"AuthorizationQueryParametersError", 400},
    {"EntityTooSmall", 400},
    {"EntityTooLarge", 400},
    {"InvalidPart", 400},
    {"InvalidPartOrder", 400},
    {"MalformedXML", 400},
    {"InvalidArgument", 400},
    {"InvalidRequest", 400},
    {"InvalidBucketName", 400},
    {"InvalidObjectName", 400},
    {"KeyTooLongError", 400},
    {"MetadataTooLarge", 400},
    {"BadDigest", 400},
    {"InvalidDigest", 400},
    {"XAmzContentSHA256Mismatch", 400},
    {"MissingContentMD5", 400},
    {"IncompleteBody", 400},
    {"RequestTimeout", 400},
    {"InvalidEncryptionAlgorithmError", 400},
    {"MissingContentLength", 411},
    {"MethodNotAllowed", 405},
    {"NotImplemented", 501},
    {"InternalError", 500},
    {"ServiceUnavailable", 503},
    {"SlowDown", 503},
    {"RequestHeaderSectionTooLarge", 400},
    {"MaxMessageLengthExceeded", 400},
    {"InvalidChunkSizeError", 400},
    {"IllegalLocationConstraintException", 400},
    {"InvalidPartNumber", 416},
    {"NoSuchVersion", 404},
}};

}  // namespace

int HttpStatusOf(std::string_view code) {
  for (const CodeStatus& entry : kStatuses) {
    if (entry.code == code) return entry.http_status;
  }
  return 500;
}

std::string ErrorXml(const S3Error& error) {
  XmlWriter xml;
  xml.Open("Error").Element("Code", error.code).Element("Message", error.message);
  if (!error.key.empty()) xml.Element("Key", error.key);
  if (!error.bucket.empty()) xml.Element("BucketName", error.bucket);
  if (!error.resource.empty()) xml.Element("Resource", error.resource);
  for (const auto& [name, value] : error.extra)
    xml.Element(name, value);
  xml.Element("RequestId", error.request_id).Element("HostId", error.request_id);
  return xml.Close().str();
}

S3Error S3ErrorOf(const Status& status) {
  S3Error error;
  error.message = status.message();
  if (!status.aws_code().empty()) {
    error.code = status.aws_code();
  } else {
    switch (status.code()) {
      case StatusCode::kInvalidArgument:
        error.code = "InvalidArgument";
        break;
      case StatusCode::kConflict:
        error.code = "OperationAborted";
        break;
      default:
        error.code = "InternalError";
    }
  }
  return error;
}

}  // namespace sluice::s3

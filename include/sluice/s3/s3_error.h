// S3's errors: each code's HTTP status, and the <Error> document that carries it (no namespace,
// as S3 sends it). HEAD answers carry no body at all; the server decides that, not this.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/common/status.h"

namespace sluice::s3 {

struct S3Error {
  std::string code;     // NoSuchKey, SignatureDoesNotMatch, ...
  std::string message;  // for people
  // Which of <Key>, <BucketName>, <Resource> the error names, in that order, when set.
  std::string key;
  std::string bucket;
  std::string resource;
  std::string request_id;
  // More elements some codes add (InvalidRange: ActualObjectSize, RangeRequested).
  std::vector<std::pair<std::string, std::string>> extra;
};

// The HTTP status S3 answers `code` with; 500 for a code it does not know.
int HttpStatusOf(std::string_view code);

// The <Error> document.
std::string ErrorXml(const S3Error& error);

// A refusal of the client's request, carrying the S3 error code to answer with. Its StatusCode
// is kInvalidArgument whatever the code: HttpStatusOf(aws_code) tells 400 from 403 or 404.
inline Status S3Refusal(std::string_view aws_code, std::string message) {
  return Status::InvalidArgument(std::move(message), std::string(aws_code));
}

// An S3Error for a Status: its aws_code() when it has one (the lake's statuses carry them:
// NoSuchBucket, NoSuchKey, BucketNotEmpty, ...); else InvalidArgument for kInvalidArgument,
// OperationAborted for kConflict, InternalError for the rest.
S3Error S3ErrorOf(const Status& status);

}  // namespace sluice::s3

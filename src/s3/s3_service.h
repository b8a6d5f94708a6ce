// S3Service: answers S3 requests: finds the target and the operation, authenticates the request
// (SigV4 header or presigned URL), runs the operation's handler and turns failures into S3's
// error responses. Every answer carries x-amz-request-id and x-amz-id-2. Thread-safe: the
// connection threads share one.
#pragma once

#include "sluice/http/connection.h"
#include "s3/s3_call.h"
#include "sluice/s3/s3_error.h"

namespace sluice::s3 {

class S3Service final : public http::RequestHandler {
 public:
  S3Service(lake::ObjectStore& lake, SecretLookup secrets, S3ServiceOptions options);

  http::HttpResponse Handle(http::HttpRequest& request, http::RequestBody& body) override;
  http::HttpResponse Reject(std::string_view aws_code, std::string message) override;

 private:
  http::HttpResponse Answer(http::HttpRequest& request, http::RequestBody& body,
                            const std::string& request_id);

  lake::ObjectStore& lake_;
  SigV4Verifier verifier_;
  S3ServiceOptions options_;
};

// The response for `error` (no body for HEAD, as S3 answers).
http::HttpResponse ErrorResponse(const S3Error& error, bool head);

}  // namespace sluice::s3

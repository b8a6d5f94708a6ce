// S3Call: one authenticated S3 request on its way through the handlers, with what every handler
// needs (the lake, the target, the query, the caller) and the response helpers they share.
#pragma once

#include <string>

#include "sluice/http/exchange.h"
#include "s3/uri_encoding.h"
#include "sluice/common/aws_identity.h"
#include "sluice/common/clock.h"
#include "sluice/lake/object_store.h"
#include "sluice/s3/operation.h"
#include "sluice/s3/sigv4_verifier.h"

namespace sluice::s3 {

struct S3ServiceOptions {
  std::string region = "us-east-1";
  std::vector<std::string> base_domains;
  AwsIdentity identity;
  const Clock* clock = &SystemClock::Instance();
};

struct S3Call {
  const http::HttpRequest& http;
  http::RequestBody& body;
  const RequestTarget& target;
  Operation operation;
  const VerifiedRequest& auth;
  const Query& query;
  const std::string& request_id;
  lake::ObjectStore& lake;
  const S3ServiceOptions& options;

  const std::string& bucket() const { return target.bucket; }
  const std::string& key() const { return target.key; }
  // Who asks, for the events the change emits.
  lake::RequestContext Context() const { return {request_id, auth.access_key, http.peer_address}; }
};

// A 200 (or `status`) answer carrying an XML document.
http::HttpResponse XmlResponse(std::string xml, int status = 200);
// An answer with no body.
http::HttpResponse EmptyResponse(int status);
// "\"<etag>\"": ETags travel quoted, in headers and XML.
std::string QuotedEtag(std::string_view etag);
// An ETag a client sent, without its quotes (and a weak prefix).
std::string UnquotedEtag(std::string_view etag);

}  // namespace sluice::s3

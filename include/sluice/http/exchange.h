// One HTTP request and its response as a service (S3, Lambda, the Runtime API) sees them, free of
// the HTTP library: the connection (connection.h) fills in an HttpRequest from what it parsed,
// hands the body over as a ByteSource that reads it on demand, and writes back the HttpResponse
// the service returns.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/lake/object_store.h"
#include "sluice/s3/sigv4.h"

namespace sluice::http {

using Header = s3::Header;

// The request line and headers are the part a signature covers (SigningRequest: `method`,
// `path` as on the wire, still percent-encoded, `query` without '?', `headers` as received, names
// in any case, in arrival order), so the request is verified as it is, without a copy.
// `payload_hash` stays empty: the verifier reads x-amz-content-sha256 itself.
struct HttpRequest : s3::SigningRequest {
  std::string peer_address;  // the client's IP address
  // Whether a body follows the header (Content-Length above 0, or chunked), and its length when
  // the header states it.
  bool has_body = false;
  std::optional<uint64_t> content_length;

  // The first value of header `name` (any case), or nullopt.
  std::optional<std::string_view> HeaderValue(std::string_view name) const;
};

// The request's body, de-chunked, read on demand. The first read answers an
// `Expect: 100-continue` with "100 Continue"; a request refused before its body is read never
// gets it. A body cut short fails a read with IncompleteBody.
class RequestBody : public lake::ByteSource {
 public:
  // Whether the whole body has been read.
  virtual bool done() const = 0;
};

struct HttpResponse {
  int status = 200;
  std::vector<Header> headers;  // besides Content-Length, which the connection sets
  std::string body;             // a small body (XML), unless `object` is set
  // The body as an object's bytes: `object_range` of the object the reader holds (a reader of
  // the whole object, opened before the range was checked against its size).
  std::unique_ptr<lake::ObjectReader> object;
  lake::ResolvedRange object_range{0, 0};
  // For HEAD: the Content-Length a GET would have had. No body is sent.
  std::optional<uint64_t> head_length;
  // Close the connection after this response.
  bool close = false;

  void AddHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

}  // namespace sluice::http

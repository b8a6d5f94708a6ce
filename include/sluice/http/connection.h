// Serving one client connection: HTTP/1.1 requests read with Beast's parser one after another
// (keep-alive), each handed to a RequestHandler with its body as a stream, each response written
// back (objects straight from their files with sendfile).
//
// Limits: the header of a request must arrive whole within `header_timeout` of the moment the
// connection became ready for it and fit in `max_header_bytes`; every read or write must make
// progress within the socket's progress timeout; a connection waits `idle_timeout` for its next
// request. A request whose body the handler left unread is drained (small ones) or its
// connection closed after the response, so the next request never starts inside a body.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "sluice/http/exchange.h"
#include "sluice/http/timed_socket.h"

namespace sluice::http {

struct ConnectionLimits {
  size_t max_header_bytes = 64 * 1024;
  std::chrono::milliseconds header_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Answers a request; reads as much of `body` as it needs. Must not throw.
  virtual HttpResponse Handle(HttpRequest& request, RequestBody& body) = 0;
  // The answer to a request that could not be read (a header too large, a malformed request,
  // a header that came too slowly), as the service's error `aws_code` (S3's codes:
  // RequestHeaderSectionTooLarge, RequestTimeout, InvalidRequest, SlowDown).
  virtual HttpResponse Reject(std::string_view aws_code, std::string message) = 0;
};

// `response` (its small body; no object) as bytes on the wire, with Connection: close: for answers
// written before a connection is served (one over the connection cap).
std::string SerializeResponse(const HttpResponse& response);

// Serves requests on `socket` until the client closes it, an error or timeout ends it, or the
// server stops.
void ServeConnection(TimedSocket& socket, const std::string& peer_address,
                     const ConnectionLimits& limits, RequestHandler& handler);

}  // namespace sluice::http

// A minimal blocking HTTP/1.1 client for tests of sluice's own servers on loopback: one
// keep-alive connection, requests written whole, responses read by their Content-Length. Not for
// anything but tests: no chunked responses, no TLS.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace sluice::testing {

struct HttpReply {
  int status = 0;                              // 0: no answer (connection closed or timed out)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class LoopbackHttp {
 public:
  explicit LoopbackHttp(int port,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
  ~LoopbackHttp();
  LoopbackHttp(const LoopbackHttp&) = delete;
  LoopbackHttp& operator=(const LoopbackHttp&) = delete;

  HttpReply Request(const std::string& method, const std::string& path,
                    const std::string& body = "",
                    const std::map<std::string, std::string>& headers = {});

 private:
  int fd_ = -1;
  std::string buffer_;  // received, not yet consumed
};

}  // namespace sluice::testing

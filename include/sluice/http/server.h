// HttpServer: a listening socket and the connections it accepts, each served on a thread of its
// own (connection.h) by one RequestHandler. The S3 and Lambda endpoints share one; every function
// process gets one for its Runtime API.
//
// Start() binds and returns once the server accepts connections; Stop() (or the destructor)
// ends every connection and returns once none is left. Connections over `max_connections` are
// answered with the handler's SlowDown rejection and closed. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "sluice/common/posix_file.h"
#include "sluice/common/result.h"
#include "sluice/http/connection.h"

namespace sluice::http {

struct ServerOptions {
  // "HOST:PORT" ("[::1]:9000" for IPv6); port 0 picks a free one (see HttpServer::address()).
  std::string listen = "127.0.0.1:0";
  int max_connections = 1024;
  ConnectionLimits limits;
  // How long one read or write may wait for a client that makes no progress.
  std::chrono::milliseconds progress_timeout{std::chrono::seconds(60)};
};

class HttpServer {
 public:
  // `handler` must outlive the server; it is called from connection threads.
  static Result<std::unique_ptr<HttpServer>> Start(RequestHandler& handler, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // "127.0.0.1:9000": where it listens, with the port it bound.
  const std::string& address() const { return address_; }
  // The bound port alone.
  int port() const;
  void Stop();

 private:
  HttpServer(RequestHandler& handler, ServerOptions options);
  void AcceptLoop();
  void Serve(UniqueFd client, std::string peer);

  RequestHandler& handler_;
  ServerOptions options_;
  std::string busy_response_;  // the SlowDown answer, serialized once
  UniqueFd listener_;
  UniqueFd stop_event_;  // an eventfd: readable once Stop() was called
  std::string address_;
  std::thread acceptor_;
  std::mutex mutex_;
  std::condition_variable all_closed_;
  int connections_ = 0;  // guarded by mutex_
  std::atomic<bool> stopped_ = false;
};

}  // namespace sluice::http

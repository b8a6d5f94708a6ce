// S3Server: the lake's S3-compatible HTTP endpoint. Any S3 client (aws CLI, boto3, rclone,
// s3cmd, DuckDB, the SDKs) can create buckets and read, write, list and delete objects through it,
// signing with an access key from the data dir's credentials (sigv4_verifier.h). Writes go
// through the same ObjectStore calls as the CLI's, so each emits its Object Created / Object
// Deleted event in the transaction that makes the change, and an upload starts pipelines.
//
// HTTP/1.1 with keep-alive, chunked bodies and Expect: 100-continue, parsed by Boost.Beast; one
// thread per connection, up to `max_connections` at once (more are answered 503 SlowDown and
// closed); bodies stream between socket and disk in bounded buffers (sluice/http/server.h).
//
// Other AWS APIs share the endpoint, as they do in local emulators: a request signed for a service
// named in `services` (its SigV4 credential scope says "lambda", say) goes to that service's
// handler; everything else is S3's.
//
// Start() binds and returns once the server accepts connections; Stop() (or the destructor)
// ends every connection and returns once none is left. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sluice/common/aws_identity.h"
#include "sluice/common/clock.h"
#include "sluice/common/result.h"
#include "sluice/http/server.h"
#include "sluice/lake/object_store.h"
#include "sluice/s3/sigv4_verifier.h"

namespace sluice::s3 {

inline constexpr std::string_view kDefaultListenAddress = "127.0.0.1:9000";

struct ServerOptions {
  // "HOST:PORT" ("[::1]:9000" for IPv6); port 0 picks a free one (see S3Server::address()).
  std::string listen{kDefaultListenAddress};
  // The region buckets live in and requests must be signed for.
  std::string region = "us-east-1";
  // Virtual-host-style addressing: a Host of "<bucket>.<base domain>" names the bucket.
  std::vector<std::string> base_domains{"localhost"};
  int max_connections = 1024;
  size_t max_header_bytes = 64 * 1024;
  std::chrono::milliseconds header_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  // How long one read or write may wait for a client that makes no progress.
  std::chrono::milliseconds progress_timeout{std::chrono::seconds(60)};
  AwsIdentity identity;  // the bucket owner shown in listings
  const Clock* clock = &SystemClock::Instance();
  // Handlers of other services' requests, by the service name their signatures are scoped to.
  // They must outlive the server.
  std::map<std::string, http::RequestHandler*> services;
};

class S3Service;
class ServiceRouter;

class S3Server {
 public:
  // `lake` must outlive the server; `secrets` is called from connection threads.
  static Result<std::unique_ptr<S3Server>> Start(lake::ObjectStore& lake, SecretLookup secrets,
                                                 ServerOptions options);
  ~S3Server();
  S3Server(const S3Server&) = delete;
  S3Server& operator=(const S3Server&) = delete;

  // "127.0.0.1:9000": where it listens, with the port it bound.
  const std::string& address() const { return http_->address(); }
  void Stop() { http_->Stop(); }

 private:
  S3Server() = default;

  std::unique_ptr<S3Service> service_;
  std::unique_ptr<ServiceRouter> router_;
  std::unique_ptr<http::HttpServer> http_;  // declared last: stopped before the handlers go
};

}  // namespace sluice::s3

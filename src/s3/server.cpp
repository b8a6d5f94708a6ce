#include "sluice/s3/server.h"

#include <vector>

#include "s3/s3_service.h"

namespace sluice::s3 {

// Sends each request to the handler of the service its signature is scoped to.
class ServiceRouter final : public http::RequestHandler {
 public:
  ServiceRouter(S3Service& s3, std::map<std::string, http::RequestHandler*> services)
      : s3_(s3), services_(std::move(services)) {}

  http::HttpResponse Handle(http::HttpRequest& request, http::RequestBody& body) override {
    if (!services_.empty()) {
      auto found = services_.find(SignedService(request));
      if (found != services_.end()) return found->second->Handle(request, body);
    }
    return s3_.Handle(request, body);
  }

  http::HttpResponse Reject(std::string_view aws_code, std::string message) override {
    return s3_.Reject(aws_code, std::move(message));
  }

 private:
  // The service of the request's credential scope ("AK/20240101/us-east-1/lambda/aws4_request"),
  // from the Authorization header or a presigned URL's X-Amz-Credential; empty when unsigned.
  static std::string SignedService(const http::HttpRequest& request) {
    std::string_view credential;
    if (auto authorization = request.HeaderValue("authorization")) {
      size_t at = authorization->find("Credential=");
      if (at == std::string_view::npos) return "";
      credential = authorization->substr(at + 11);
      credential = credential.substr(0, credential.find_first_of(", "));
    } else {
      size_t at = request.query.find("X-Amz-Credential=");
      if (at == std::string::npos) return "";
      credential = std::string_view(request.query).substr(at + 17);
      credential = credential.substr(0, credential.find('&'));
    }
    // The scope's parts are separated by '/' ("%2F" in a query); the service is the fourth.
    std::vector<std::string> parts(1);
    for (size_t i = 0; i < credential.size(); ++i) {
      if (credential[i] == '/') {
        parts.emplace_back();
      } else if (credential.substr(i, 3) == "%2F") {
        parts.emplace_back();
        i += 2;
      } else {
        parts.back() += credential[i];
      }
    }
    return parts.size() == 5 ? parts[3] : "";
  }

  S3Service& s3_;
  std::map<std::string, http::RequestHandler*> services_;
};

Result<std::unique_ptr<S3Server>> S3Server::Start(lake::ObjectStore& lake, SecretLookup secrets,
                                                  ServerOptions options) {
  S3ServiceOptions service_options{options.region, options.base_domains, options.identity,
                                   options.clock};
  std::unique_ptr<S3Server> server(new S3Server());
  server->service_ = std::make_unique<S3Service>(lake, std::move(secrets), service_options);
  server->router_ = std::make_unique<ServiceRouter>(*server->service_, options.services);
  http::ServerOptions http_options;
  http_options.listen = options.listen;
  http_options.max_connections = options.max_connections;
  http_options.limits = {options.max_header_bytes, options.header_timeout, options.idle_timeout};
  http_options.progress_timeout = options.progress_timeout;
  SLUICE_ASSIGN_OR_RETURN(server->http_, http::HttpServer::Start(*server->router_, http_options));
  return server;
}

S3Server::~S3Server() {
  if (http_) http_->Stop();
}

}  // namespace sluice::s3

#include "sluice/s3/server.h"

#include "s3/s3_service.h"

namespace sluice::s3 {

// Sends each request to the handler of the service its signature is scoped to.
class ServiceRouter final : public http::RequestHandler {
 public:
  ServiceRouter(S3Service& s3, const std::map<std::string, http::RequestHandler*>& services)
      : s3_(s3), services_(services.begin(), services.end()) {}

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
  // A view into the request; nothing is copied (this runs before every S3 request too).
  static std::string_view SignedService(const http::HttpRequest& request) {
    if (auto authorization = request.HeaderValue("authorization")) {
      size_t at = authorization->find("Credential=");
      if (at == std::string_view::npos) return {};
      std::string_view credential = authorization->substr(at + 11);
      return Field(credential.substr(0, credential.find_first_of(", ")), "/", 3);
    }
    size_t at = request.query.find("X-Amz-Credential=");
    if (at == std::string::npos) return {};
    std::string_view credential = std::string_view(request.query).substr(at + 17);
    return Field(credential.substr(0, credential.find('&')), "%2F", 3);
  }

  // The `n`th (from 0) of the fields `separator` splits `text` into; empty when there are fewer.
  static std::string_view Field(std::string_view text, std::string_view separator, int n) {
    for (int i = 0; i < n; ++i) {
      size_t at = text.find(separator);
      if (at == std::string_view::npos) return {};
      text.remove_prefix(at + separator.size());
    }
    return text.substr(0, text.find(separator));
  }

  S3Service& s3_;
  std::map<std::string, http::RequestHandler*, std::less<>> services_;  // found by a view
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

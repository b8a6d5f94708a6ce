#include "sluice/server/lambda_service.h"

#include <nlohmann/json.hpp>

#include "s3/uri_encoding.h"
#include "sluice/common/base64.h"
#include "sluice/common/ids.h"
#include "sluice/common/sha256.h"
#include "sluice/functions/async_queue.h"
#include "sluice/functions/invocation.h"

namespace sluice::server {
namespace {

using nlohmann::json;

constexpr std::string_view kFunctionsPath = "/2015-03-31/functions";

// A Lambda error: its code in x-amzn-ErrorType, as botocore reads it.
http::HttpResponse LambdaError(int status, std::string_view code, std::string_view message,
                               const std::string& request_id, json extra = json::object()) {
  http::HttpResponse response;
  response.status = status;
  response.AddHeader("Content-Type", "application/json");
  response.AddHeader("x-amzn-ErrorType", std::string(code));
  response.AddHeader("x-amzn-RequestId", request_id);
  extra["Type"] = "User";
  extra["message"] = message;
  response.body = extra.dump();
  return response;
}

http::HttpResponse JsonResponse(int status, const json& document, const std::string& request_id) {
  http::HttpResponse response;
  response.status = status;
  response.AddHeader("Content-Type", "application/json");
  response.AddHeader("x-amzn-RequestId", request_id);
  response.body = document.dump();
  return response;
}

// The SigV4 verifier speaks S3's codes; Lambda answers the same failures with its own.
http::HttpResponse AuthError(const Status& status, const std::string& request_id) {
  const std::string& code = status.aws_code();
  if (code == "InvalidAccessKeyId") {
    return LambdaError(403, "UnrecognizedClientException",
                       "The security token included in the request is invalid.", request_id);
  }
  if (code == "SignatureDoesNotMatch") {
    return LambdaError(403, "InvalidSignatureException", status.message(), request_id);
  }
  if (code == "RequestTimeTooSkewed") {
    return LambdaError(403, "InvalidSignatureException", "Signature expired: " + status.message(),
                       request_id);
  }
  if (code == "AuthorizationHeaderMalformed" || code == "AuthorizationQueryParametersError" ||
      code == "InvalidRequest" || code == "InvalidArgument") {
    return LambdaError(403, "IncompleteSignatureException", status.message(), request_id);
  }
  return LambdaError(403, "AccessDeniedException", status.message(), request_id);
}

struct FunctionRef {
  std::string name;
  std::string qualifier;
};

// "NAME", "NAME:QUALIFIER", "ACCOUNT:function:NAME[:QUALIFIER]" or
// "arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]".
std::optional<FunctionRef> ParseFunctionName(const std::string& text) {
  std::vector<std::string> parts(1);
  for (char c : text) {
    if (c == ':') {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  size_t at = 0;
  if (parts.size() >= 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function") {
    at = 6;
  } else if (parts.size() >= 3 && parts[1] == "function") {
    at = 2;
  }
  if (parts.size() > at + 2 || parts[at].empty()) return std::nullopt;
  return FunctionRef{parts[at], parts.size() == at + 2 ? parts[at + 1] : ""};
}

}  // namespace

struct LambdaService::Call {
  http::HttpRequest& http;
  std::string body;
  std::string request_id;
  s3::Query query;
};

LambdaService::LambdaService(store::Database& db, functions::FunctionPool& pool,
                             s3::SecretLookup secrets, AwsIdentity identity, const Clock& clock,
                             std::function<void()> on_queued)
    : db_(db),
      pool_(pool),
      verifier_(std::move(secrets), identity.region, "lambda", s3::UriRules::kGeneric),
      identity_(std::move(identity)),
      clock_(clock),
      on_queued_(std::move(on_queued)) {}

http::HttpResponse LambdaService::Reject(std::string_view aws_code, std::string message) {
  int status = aws_code == "SlowDown" ? 429 : 400;
  return LambdaError(status, aws_code == "SlowDown" ? "TooManyRequestsException" : aws_code,
                     message, NewUuid());
}

http::HttpResponse LambdaService::Handle(http::HttpRequest& request, http::RequestBody& body) {
  Call call{request, "", NewUuid(), s3::Query::Parse(request.query)};
  // Lambda's payloads are small: read whole, so the signature can cover the body's hash (SDKs
  // sign it without an x-amz-content-sha256 header, as every service but S3 does).
  char buffer[64 * 1024];
  for (;;) {
    auto n = body.Read(buffer, sizeof buffer);
    if (!n.ok()) {
      return LambdaError(400, "InvalidRequestContentException", n.status().message(),
                         call.request_id);
    }
    if (*n == 0) break;
    if (call.body.size() + *n > functions::kMaxSyncPayloadBytes) {
      http::HttpResponse refused = LambdaError(413, "RequestTooLargeException",
                                               "Request must be smaller than 6291456 bytes for the "
                                               "InvokeFunction operation",
                                               call.request_id);
      refused.close = true;
      return refused;
    }
    call.body.append(buffer, *n);
  }
  if (!request.HeaderValue("x-amz-content-sha256")) request.payload_hash = Sha256Hex(call.body);
  auto verified = verifier_.Verify(request, clock_.Now());
  if (!verified.ok()) return AuthError(verified.status(), call.request_id);
  return Route(call);
}

http::HttpResponse LambdaService::Route(Call& call) {
  std::string_view path = call.http.path;
  if (path.substr(0, kFunctionsPath.size()) != kFunctionsPath) {
    return LambdaError(404, "UnknownOperationException",
                       "sluice serves Invoke, ListFunctions, GetFunction and "
                       "GetFunctionConfiguration of the Lambda API",
                       call.request_id);
  }
  path.remove_prefix(kFunctionsPath.size());
  const std::string& method = call.http.method;
  if ((path.empty() || path == "/") && method == "GET") return List(call);
  std::vector<std::string> segments;
  for (size_t at = 1; at <= path.size();) {
    size_t end = path.find('/', at);
    if (end == std::string_view::npos) end = path.size();
    segments.push_back(s3::PercentDecode(path.substr(at, end - at)));
    at = end + 1;
  }
  if (!segments.empty() && segments.back().empty()) segments.pop_back();
  std::optional<FunctionRef> ref = segments.empty() ? std::nullopt : ParseFunctionName(segments[0]);
  if (!ref) {
    return LambdaError(400, "InvalidParameterValueException",
                       "FunctionName is not a function name or ARN", call.request_id);
  }
  std::string qualifier =
      call.query.Has("Qualifier") ? call.query.Get("Qualifier") : ref->qualifier;
  if (!qualifier.empty() && qualifier != "$LATEST") {
    return LambdaError(
        404, "ResourceNotFoundException",
        "Function not found: " +
            functions::FunctionArn(identity_.region, identity_.account_id, ref->name) + ":" +
            qualifier + " (sluice runs $LATEST only)",
        call.request_id);
  }
  if (segments.size() == 2 && segments[1] == "invocations" && method == "POST") {
    return Invoke(call, ref->name);
  }
  if (segments.size() == 1 && method == "GET") return Describe(call, ref->name, false);
  if (segments.size() == 2 && segments[1] == "configuration" && method == "GET") {
    return Describe(call, ref->name, true);
  }
  return LambdaError(404, "UnknownOperationException",
                     method + " " + call.http.path + " is not an operation sluice serves",
                     call.request_id);
}

http::HttpResponse LambdaService::Invoke(Call& call, const std::string& name) {
  std::string type(call.http.HeaderValue("X-Amz-Invocation-Type").value_or("RequestResponse"));
  if (type != "RequestResponse" && type != "Event" && type != "DryRun") {
    return LambdaError(400, "InvalidParameterValueException",
                       "InvocationType must be RequestResponse, Event or DryRun", call.request_id);
  }
  std::string log_type(call.http.HeaderValue("X-Amz-Log-Type").value_or("None"));
  if (log_type != "None" && log_type != "Tail") {
    return LambdaError(400, "InvalidParameterValueException", "LogType must be None or Tail",
                       call.request_id);
  }
  functions::InvokeRequest request;
  request.payload = call.body.empty() ? "{}" : call.body;
  if (json::parse(request.payload, nullptr, false).is_discarded()) {
    return LambdaError(400, "InvalidRequestContentException",
                       "Could not parse request body into json", call.request_id);
  }
  if (auto context = call.http.HeaderValue("X-Amz-Client-Context")) {
    std::optional<std::string> decoded = Base64Decode(*context);
    if (!decoded || json::parse(*decoded, nullptr, false).is_discarded()) {
      return LambdaError(400, "InvalidRequestContentException",
                         "X-Amz-Client-Context must be base64-encoded JSON", call.request_id);
    }
    request.client_context = *decoded;
  }
  if (auto trace = call.http.HeaderValue("X-Amzn-Trace-Id")) request.trace_id = *trace;
  request.tail_log = log_type == "Tail";

  std::optional<functions::StoredFunction> function;
  std::string queued_id;
  Status read = db_.Write([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(function, functions::GetFunction(tx, name));
    if (!function || type != "Event") return Status::Ok();
    if (request.payload.size() > functions::kMaxAsyncPayloadBytes) return Status::Ok();
    SLUICE_ASSIGN_OR_RETURN(
        queued_id,
        functions::EnqueueAsync(tx, {name, request.payload, "invoke", ""}, clock_.Now()));
    return Status::Ok();
  });
  if (!read.ok()) return FailureResponse(read, name, call.request_id);
  if (!function) {
    return FailureResponse(Status::NotFound("", "ResourceNotFoundException"), name,
                           call.request_id);
  }
  if (type == "DryRun") return JsonResponse(204, json::object(), call.request_id);
  if (type == "Event") {
    if (queued_id.empty()) {
      return LambdaError(413, "RequestTooLargeException",
                         "Request must be smaller than 1048576 bytes for an Event invocation",
                         call.request_id);
    }
    if (on_queued_) on_queued_();
    http::HttpResponse accepted;
    accepted.status = 202;
    accepted.AddHeader("x-amzn-RequestId", queued_id);
    return accepted;
  }
  request.request_id = call.request_id;
  auto invoked = pool_.Invoke(*function, request);
  if (!invoked.ok()) {
    return LambdaError(500, "ServiceException", invoked.status().ToString(), call.request_id);
  }
  if (invoked->outcome == functions::InvokeOutcome::kThrottled) {
    http::HttpResponse throttled =
        LambdaError(429, "TooManyRequestsException", "Rate Exceeded.", call.request_id,
                    {{"Reason", invoked->throttle_reason}});
    throttled.AddHeader("Retry-After", "1");
    return throttled;
  }
  http::HttpResponse response;
  response.AddHeader("Content-Type", "application/json");
  response.AddHeader("x-amzn-RequestId", invoked->request_id);
  response.AddHeader("X-Amz-Executed-Version", "$LATEST");
  if (!invoked->function_error.empty()) {
    response.AddHeader("X-Amz-Function-Error", invoked->function_error);
  }
  if (request.tail_log) response.AddHeader("X-Amz-Log-Result", Base64Encode(invoked->log_tail));
  response.body = std::move(invoked->payload);
  return response;
}

http::HttpResponse LambdaService::FailureResponse(const Status& status, const std::string& name,
                                                  const std::string& request_id) const {
  if (status.aws_code() == "ResourceNotFoundException") {
    return LambdaError(404, "ResourceNotFoundException",
                       "Function not found: " +
                           functions::FunctionArn(identity_.region, identity_.account_id, name),
                       request_id);
  }
  return LambdaError(500, "ServiceException", status.ToString(), request_id);
}

http::HttpResponse LambdaService::Describe(Call& call, const std::string& name,
                                           bool configuration_only) {
  auto function = functions::ReadFunction(db_, name);
  if (!function.ok()) return FailureResponse(function.status(), name, call.request_id);
  json configuration = functions::StoredFunctionToJson(*function, identity_);
  if (configuration_only) return JsonResponse(200, configuration, call.request_id);
  return JsonResponse(200,
                      {{"Configuration", configuration},
                       {"Code", {{"RepositoryType", "S3"}, {"Location", function->config.code}}}},
                      call.request_id);
}

http::HttpResponse LambdaService::List(Call& call) {
  std::vector<functions::StoredFunction> all;
  Status read = db_.Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(all, functions::ListFunctions(tx));
    return Status::Ok();
  });
  if (!read.ok()) return LambdaError(500, "ServiceException", read.ToString(), call.request_id);
  // Marker is the last name of the previous page; 50 to a page unless MaxItems says otherwise.
  std::string marker = call.query.Get("Marker");
  int max_items = 50;
  if (call.query.Has("MaxItems")) {
    max_items = std::atoi(call.query.Get("MaxItems").c_str());
    if (max_items < 1 || max_items > 10000) {
      return LambdaError(400, "InvalidParameterValueException", "MaxItems must be 1 to 10000",
                         call.request_id);
    }
  }
  json page = json::array();
  std::string last;
  bool more = false;
  for (const auto& function : all) {
    if (!marker.empty() && function.config.name <= marker) continue;
    if (static_cast<int>(page.size()) == max_items) {
      more = true;
      break;
    }
    page.push_back(functions::StoredFunctionToJson(function, identity_));
    last = function.config.name;
  }
  json out = {{"Functions", page}};
  if (more) out["NextMarker"] = last;
  return JsonResponse(200, out, call.request_id);
}

}  // namespace sluice::server

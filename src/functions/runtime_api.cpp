#include "functions/runtime_api.h"

#include <nlohmann/json.hpp>

#include "sluice/functions/invocation.h"

namespace sluice::functions {
namespace {

using nlohmann::json;

constexpr std::string_view kPrefix = "/2018-06-01/runtime/";

// The Runtime API's own error documents, as the emulator writes them.
http::HttpResponse JsonAnswer(int status, const json& document) {
  http::HttpResponse response;
  response.status = status;
  response.AddHeader("Content-Type", "application/json");
  response.body = document.dump();
  return response;
}

http::HttpResponse ErrorAnswer(int status, std::string_view type, std::string_view message) {
  return JsonAnswer(status, {{"errorType", type}, {"errorMessage", message}});
}

http::HttpResponse Accepted() {
  return JsonAnswer(202, {{"status", "OK"}});
}

// What the runtime says its error is: the header, else the body's errorType, else Unhandled.
std::string ErrorTypeOf(const http::HttpRequest& request, const std::string& body) {
  if (auto header = request.HeaderValue("Lambda-Runtime-Function-Error-Type");
      header && !header->empty()) {
    return std::string(*header);
  }
  json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (document.is_object() && document.contains("errorType") && document["errorType"].is_string()) {
    return document["errorType"].get<std::string>();
  }
  return "Unhandled";
}

// An error body as the caller gets it: the runtime's JSON when it sent some, else one made.
std::string ErrorBodyOf(const std::string& body, const std::string& error_type) {
  json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (document.is_object()) return body;
  return ErrorDocument(error_type, body);
}

enum class ReadOutcome { kRead, kTooLarge, kFailed };

ReadOutcome ReadBody(http::RequestBody& body, std::string& out) {
  char buffer[64 * 1024];
  for (;;) {
    auto n = body.Read(buffer, sizeof buffer);
    if (!n.ok()) return ReadOutcome::kFailed;
    if (*n == 0) return ReadOutcome::kRead;
    if (out.size() + *n > kMaxSyncPayloadBytes) return ReadOutcome::kTooLarge;
    out.append(buffer, *n);
  }
}

}  // namespace

void RuntimeApi::Post(RuntimeEvent event) {
  std::lock_guard lock(mutex_);
  pending_ = std::move(event);
  reply_.reset();
  changed_.notify_all();
}

std::optional<RuntimeReply> RuntimeApi::WaitForReply(SteadyTime until) {
  std::unique_lock lock(mutex_);
  changed_.wait_until(lock, until, [&] { return reply_.has_value() || closed_; });
  if (!reply_) return std::nullopt;
  std::optional<RuntimeReply> reply = std::move(reply_);
  reply_.reset();
  return reply;
}

std::optional<RuntimeApi::SteadyTime> RuntimeApi::initialized_at() const {
  std::lock_guard lock(mutex_);
  return initialized_;
}

bool RuntimeApi::WaitUntilInitialized(SteadyTime until) {
  std::unique_lock lock(mutex_);
  changed_.wait_until(lock, until,
                      [&] { return initialized_.has_value() || reply_.has_value() || closed_; });
  return initialized_.has_value();
}

void RuntimeApi::Close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

http::HttpResponse RuntimeApi::Handle(http::HttpRequest& request, http::RequestBody& body) {
  std::string_view path = request.path;
  if (path.substr(0, kPrefix.size()) != kPrefix) {
    return ErrorAnswer(404, "InvalidURL", "no such Runtime API path: " + request.path);
  }
  path.remove_prefix(kPrefix.size());
  auto only = [&](std::string_view method) {
    return ErrorAnswer(405, "MethodNotAllowed",
                       request.path + " takes " + std::string(method) + " only");
  };
  if (path == "invocation/next") return request.method == "GET" ? Next() : only("GET");
  if (path == "init/error") {
    if (request.method != "POST") return only("POST");
    return Reply(request, body, "", RuntimeReply::Kind::kInitError);
  }
  constexpr std::string_view kInvocation = "invocation/";
  if (path.substr(0, kInvocation.size()) == kInvocation) {
    path.remove_prefix(kInvocation.size());
    size_t slash = path.find('/');
    if (slash != std::string_view::npos && slash > 0) {
      std::string_view id = path.substr(0, slash);
      std::string_view what = path.substr(slash + 1);
      std::optional<RuntimeReply::Kind> kind;
      if (what == "response") kind = RuntimeReply::Kind::kResponse;
      if (what == "error") kind = RuntimeReply::Kind::kError;
      if (kind) return request.method == "POST" ? Reply(request, body, id, *kind) : only("POST");
    }
  }
  return ErrorAnswer(404, "InvalidURL", "no such Runtime API path: " + request.path);
}

http::HttpResponse RuntimeApi::Reject(std::string_view aws_code, std::string message) {
  return ErrorAnswer(aws_code == "SlowDown" ? 503 : 400, aws_code, message);
}

http::HttpResponse RuntimeApi::Next() {
  std::unique_lock lock(mutex_);
  if (!initialized_) {
    initialized_ = std::chrono::steady_clock::now();
    changed_.notify_all();
  }
  changed_.wait(lock, [&] { return pending_.has_value() || closed_; });
  if (closed_) {
    return ErrorAnswer(500, "Runtime.Shutdown", "the sandbox is shutting down");
  }
  RuntimeEvent event = std::move(*pending_);
  pending_.reset();
  current_id_ = event.request_id;
  lock.unlock();

  http::HttpResponse response;
  response.AddHeader("Content-Type", "application/json");
  response.AddHeader("Lambda-Runtime-Aws-Request-Id", event.request_id);
  response.AddHeader("Lambda-Runtime-Deadline-Ms",
                     std::to_string(ToUnixMillis(event.clock->Now() + event.timeout)));
  response.AddHeader("Lambda-Runtime-Invoked-Function-Arn", event.function_arn);
  response.AddHeader("Lambda-Runtime-Trace-Id", event.trace_id);
  // Empty values are left out, as the emulator does: clients parse what is there as JSON.
  if (!event.client_context.empty()) {
    response.AddHeader("Lambda-Runtime-Client-Context", event.client_context);
  }
  response.body = std::move(event.payload);
  return response;
}

http::HttpResponse RuntimeApi::Reply(const http::HttpRequest& request, http::RequestBody& body,
                                     std::string_view request_id, RuntimeReply::Kind kind) {
  {
    std::lock_guard lock(mutex_);
    if (kind == RuntimeReply::Kind::kInitError) {
      if (initialized_) {
        return ErrorAnswer(403, "InvalidStateTransition",
                           "init/error after the runtime asked for its first event");
      }
    } else if (request_id != current_id_ || current_id_.empty()) {
      if (!request_id.empty() && request_id == last_replied_id_) {
        return ErrorAnswer(403, "InvalidStateTransition",
                           "invocation " + std::string(request_id) + " was already answered");
      }
      return ErrorAnswer(400, "InvalidRequestID",
                         "no invocation " + std::string(request_id) + " is waiting for a reply");
    }
  }
  if (auto mode = request.HeaderValue("Lambda-Runtime-Function-Response-Mode");
      mode && *mode != "streaming") {
    return ErrorAnswer(400, "InvalidFunctionResponseMode",
                       "response mode \"" + std::string(*mode) + "\" is not streaming");
  }
  // Read outside the lock: a slow runtime must not hold up the invoking thread's checks.
  std::string text;
  ReadOutcome read = ReadBody(body, text);
  if (read == ReadOutcome::kFailed) {
    return ErrorAnswer(400, "InvalidRequest", "the request body could not be read");
  }
  RuntimeReply reply{kind, std::move(text), ""};
  if (read == ReadOutcome::kTooLarge) {
    reply = {RuntimeReply::Kind::kError,
             ErrorDocument("Function.ResponseSizeTooLarge",
                           "Response payload size exceeded maximum allowed payload size (" +
                               std::to_string(kMaxSyncPayloadBytes) + " bytes)."),
             "Function.ResponseSizeTooLarge"};
  } else if (kind != RuntimeReply::Kind::kResponse) {
    reply.error_type = ErrorTypeOf(request, reply.body);
    reply.body = ErrorBodyOf(reply.body, reply.error_type);
  }
  std::lock_guard lock(mutex_);
  if (kind != RuntimeReply::Kind::kInitError) {
    if (request_id != current_id_) {
      return ErrorAnswer(403, "InvalidStateTransition",
                         "invocation " + std::string(request_id) + " was already answered");
    }
    last_replied_id_ = current_id_;
    current_id_.clear();
  }
  reply_ = std::move(reply);
  changed_.notify_all();
  if (read == ReadOutcome::kTooLarge) {
    return ErrorAnswer(413, "RequestEntityTooLarge", "the response is over 6 MB");
  }
  return Accepted();
}

}  // namespace sluice::functions

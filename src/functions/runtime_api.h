// RuntimeApi: the Lambda Runtime API (2018-06-01) as one sandbox's runtime sees it, served on the
// sandbox's own loopback port (AWS_LAMBDA_RUNTIME_API), so runtime clients written for AWS run
// unchanged:
//   GET  /2018-06-01/runtime/invocation/next          blocks until an event is posted; 200 with
//                                                     the event and the Lambda-Runtime-* headers
//   POST /2018-06-01/runtime/invocation/{id}/response 202; 400 InvalidRequestID for an id it never
//                                                     had, 403 InvalidStateTransition for a second
//                                                     reply, 413 for a reply over 6 MB
//   POST /2018-06-01/runtime/invocation/{id}/error    the same, for a failed invocation
//   POST /2018-06-01/runtime/init/error               202 before the first /next, else 403
//
// The sandbox (function_instance.h) posts one event at a time and waits for its reply. Close()
// ends the conversation: a waiting /next gets 500, which tells a runtime to exit. Every member
// is thread-safe: connection threads and the invoking thread share it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "sluice/common/clock.h"
#include "sluice/http/connection.h"

namespace sluice::functions {

struct RuntimeEvent {
  std::string request_id;
  std::string payload;
  // How long the function may run. The deadline the runtime is told (Lambda-Runtime-Deadline-Ms,
  // absolute) is dated by `clock` when the runtime takes the event: a cold start's
  // initialisation does not eat into it.
  std::chrono::milliseconds timeout{0};
  const Clock* clock = &SystemClock::Instance();
  std::string function_arn;
  std::string trace_id;
  std::string client_context;  // JSON, or empty
};

struct RuntimeReply {
  enum class Kind { kResponse, kError, kInitError };
  Kind kind = Kind::kResponse;
  std::string body;
  std::string error_type;  // kError and kInitError: Lambda-Runtime-Function-Error-Type or the
                           // body's errorType, else "Unhandled"
};

class RuntimeApi final : public http::RequestHandler {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  // Queues `event` for the runtime's next GET /next (or the one waiting now).
  void Post(RuntimeEvent event);
  // Waits at most until `until` for the posted event's reply (or an init error, which is the
  // reply of the event the runtime never asked for). nullopt: the time passed, or Close().
  std::optional<RuntimeReply> WaitForReply(SteadyTime until);
  // When the runtime first asked for an event: its initialization ended. nullopt: not yet.
  std::optional<SteadyTime> initialized_at() const;
  // Waits until the runtime asks for its first event, posts an init error, `until` passes or
  // Close(); true in the first case.
  bool WaitUntilInitialized(SteadyTime until);
  void Close();

  http::HttpResponse Handle(http::HttpRequest& request, http::RequestBody& body) override;
  http::HttpResponse Reject(std::string_view aws_code, std::string message) override;

 private:
  http::HttpResponse Next();
  http::HttpResponse Reply(const http::HttpRequest& request, http::RequestBody& body,
                           std::string_view request_id, RuntimeReply::Kind kind);

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<RuntimeEvent> pending_;    // posted, not yet handed to /next
  std::string current_id_;                 // handed to /next, not yet replied to
  std::string last_replied_id_;            // for 403 on a second reply
  std::optional<RuntimeReply> reply_;      // to the current event
  std::optional<SteadyTime> initialized_;  // the first /next
  bool closed_ = false;
};

}  // namespace sluice::functions

// One synchronous invocation of a function, as the Invoke API, `sluice invoke` and the
// asynchronous queue ask for it and get it back: Lambda's request (payload, client context, log
// type) and response (payload or error document, X-Amz-Function-Error, the log tail). Values.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace sluice::functions {

// Lambda's limits on a synchronous request and response: 6 MB each.
inline constexpr size_t kMaxSyncPayloadBytes = 6 * 1024 * 1024;
// And on an asynchronous event: 1 MB.
inline constexpr size_t kMaxAsyncPayloadBytes = 1024 * 1024;
// X-Amz-Log-Result carries at most the last 4 KB of an invocation's log.
inline constexpr size_t kLogTailBytes = 4096;

// Lambda's error document, {"errorType": ..., "errorMessage": ...}, for the failures sluice
// itself reports (timeouts, exits, throttles); runtimes send their own.
inline std::string ErrorDocument(std::string_view type, std::string_view message) {
  return nlohmann::json{{"errorType", type}, {"errorMessage", message}}.dump();
}

struct InvokeRequest {
  std::string payload = "{}";  // JSON
  std::string client_context;  // JSON text (X-Amz-Client-Context, decoded), or empty
  std::string trace_id;        // X-Amzn-Trace-Id, or empty: one is made
  bool tail_log = false;       // LogType Tail: return the end of the invocation's log
  std::string request_id;      // empty: a new UUID (the asynchronous queue keeps its own)
};

// How an invocation ended.
enum class InvokeOutcome {
  kSucceeded,      // the function returned: `payload` is its result
  kFunctionError,  // the function, its runtime or its sandbox failed: `payload` is the error
                   // document ({"errorMessage","errorType",...}); X-Amz-Function-Error is set
  kThrottled,      // no capacity: 429 TooManyRequestsException with `throttle_reason`
};

struct InvokeResponse {
  InvokeOutcome outcome = InvokeOutcome::kSucceeded;
  std::string request_id;
  std::string payload;
  // "Unhandled" for every function error, as Lambda reports them now.
  std::string function_error;
  // The error's type: the handler's exception ("ValueError"), or the platform's:
  // Sandbox.Timedout, Runtime.ExitError, Runtime.OutOfMemory, Runtime.ImportModuleError, ...
  std::string error_type;
  // ReservedFunctionConcurrentInvocationLimitExceeded or ConcurrentInvocationLimitExceeded.
  std::string throttle_reason;
  std::string log_tail;  // when asked for
  double duration_ms = 0;
  double init_duration_ms = 0;  // > 0 on a cold start
  uint64_t max_memory_used_mb = 0;
};

}  // namespace sluice::functions

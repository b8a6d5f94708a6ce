// TargetInvoker: the one interface through which a delivery reaches what it targets, a built-in
// action or a function. The dispatcher calls Invoke() for each attempt; the invoker reports
// success, a failure worth retrying, or a failure that retrying cannot fix (sent straight to the
// dead-letter store, as EventBridge does for missing permissions or a target that is gone).
//
// Implementations must be safe to call from the dispatcher thread; Invoke may block while the
// target runs.
#pragma once

#include <string>
#include <string_view>

#include "sluice/bus/rule.h"
#include "sluice/common/status.h"

namespace sluice::bus {

struct Invocation {
  std::string_view delivery_key;  // the same on every attempt: targets are idempotent on it
  std::string_view rule;
  const Target& target;
  std::string_view input;  // JSON: the event, its shaped input, or an array of them (batches)
  int attempt;             // 1 on the first try
};

enum class InvokeOutcome {
  kSucceeded,
  kRetry,  // failed; a later attempt may succeed (subject to the target's RetryPolicy)
  kFail,   // failed for good: dead-letter now
};

struct InvokeResult {
  InvokeOutcome outcome = InvokeOutcome::kSucceeded;
  std::string error_code;  // as in EventBridge's dead-letter ERROR_CODE: NO_RESOURCE, TIMEOUT, ...
  std::string message;

  static InvokeResult Ok() { return {}; }
  static InvokeResult Retry(std::string code, std::string message) {
    return {InvokeOutcome::kRetry, std::move(code), std::move(message)};
  }
  static InvokeResult Fail(std::string code, std::string message) {
    return {InvokeOutcome::kFail, std::move(code), std::move(message)};
  }
};

class TargetInvoker {
 public:
  virtual ~TargetInvoker() = default;
  // Checks a target when its rule is put, so an unknown action or bad parameters are refused
  // then, not at delivery time.
  virtual Status CheckTarget(const Target& target) const = 0;
  virtual InvokeResult Invoke(const Invocation& invocation) = 0;
};

}  // namespace sluice::bus

// The asynchronous invocation queue: events accepted for a function now and run later, as Lambda
// queues an Invoke with InvocationType Event and every event EventBridge delivers to a function.
// Each queued invocation moves
//   PENDING → RUNNING → SUCCEEDED, or back to PENDING for a retry, or FAILED
// and a FAILED one is dead-lettered (kept, in Lambda's on-failure destination record) unless its
// function says to drop failures. Every function works inside the caller's transaction.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/aws_identity.h"
#include "sluice/common/clock.h"
#include "sluice/store/transaction.h"

namespace sluice::functions {

enum class AsyncState { kPending, kRunning, kSucceeded, kFailed };
std::string_view AsyncStateName(AsyncState state);

struct AsyncInvocation {
  int64_t id = 0;
  std::string request_id;
  std::string function;
  std::string payload;
  std::string source;
  AsyncState state = AsyncState::kPending;
  int attempts = 0;
  int throttles = 0;
  TimePoint enqueued;
  TimePoint next_attempt;
  TimePoint updated;
  std::string condition;   // FAILED: RetriesExhausted | EventAgeExceeded
  std::string error_type;  // the last failed attempt's
  std::string response;    // the last attempt's answer or error document
  bool dead_lettered = false;
};

struct NewAsyncInvocation {
  std::string function;
  std::string payload;
  std::string source;      // "invoke", "rule/NAME"
  std::string dedupe_key;  // empty: none
};

// Queues an invocation due now and returns its request id; with a dedupe key already queued, the
// one queued then (nothing new is queued).
Result<std::string> EnqueueAsync(store::Transaction& tx, const NewAsyncInvocation& invocation,
                                 TimePoint now);
// PENDING invocations due by `now`, soonest first.
Result<std::vector<AsyncInvocation>> DueAsyncInvocations(store::Transaction& tx, TimePoint now,
                                                         int limit);
// When the next PENDING invocation falls due, if any.
Result<std::optional<TimePoint>> NextAsyncDue(store::Transaction& tx);
// PENDING → RUNNING with one more attempt; false if it was not PENDING.
Result<bool> ClaimAsync(store::Transaction& tx, int64_t id, TimePoint now);
Status MarkAsyncSucceeded(store::Transaction& tx, int64_t id, std::string_view response,
                          TimePoint now);
// Back to PENDING, due at `next_attempt`; a throttle does not count as an attempt.
Status RetryAsync(store::Transaction& tx, int64_t id, TimePoint next_attempt, bool throttled,
                  std::string_view error_type, std::string_view response, TimePoint now);
Status MarkAsyncFailed(store::Transaction& tx, int64_t id, std::string_view condition,
                       std::string_view error_type, std::string_view response, bool dead_letter,
                       TimePoint now);
// RUNNING invocations (an engine died while running them) back to PENDING, due now; returns
// how many. They run again with the same request id: delivery is at least once, as Lambda's.
Result<int> ResetRunningAsync(store::Transaction& tx, TimePoint now);

struct AsyncFilter {
  std::string function;  // empty: all
  std::optional<AsyncState> state;
  bool dead_lettered_only = false;
  int64_t after_id = 0;
  int limit = 100;
};
// Oldest first.
Result<std::vector<AsyncInvocation>> ListAsync(store::Transaction& tx, const AsyncFilter& filter);
Result<std::optional<AsyncInvocation>> GetAsync(store::Transaction& tx, int64_t id);

struct AsyncCounts {
  int64_t pending = 0, running = 0, succeeded = 0, failed = 0;
};
Result<AsyncCounts> CountAsync(store::Transaction& tx);

// Lambda's on-failure destination record for a failed invocation: version, timestamp,
// requestContext (requestId, functionArn, condition, approximateInvokeCount), requestPayload,
// responseContext (statusCode, executedVersion, functionError) and responsePayload.
nlohmann::json DestinationRecord(const AsyncInvocation& invocation, const AwsIdentity& identity);

}  // namespace sluice::functions

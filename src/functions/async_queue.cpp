#include "sluice/functions/async_queue.h"

#include "sluice/common/ids.h"
#include "sluice/common/time_format.h"
#include "sluice/functions/function_config.h"

namespace sluice::functions {
namespace {

using nlohmann::json;

constexpr const char* kSelect =
    "SELECT id, request_id, function, payload, source, state, attempts, throttles, enqueued_ms, "
    "next_attempt_ms, updated_ms, condition, error_type, response, dead_lettered "
    "FROM function_invocations ";

std::optional<AsyncState> StateNamed(std::string_view name) {
  for (AsyncState state :
       {AsyncState::kPending, AsyncState::kRunning, AsyncState::kSucceeded, AsyncState::kFailed}) {
    if (AsyncStateName(state) == name) return state;
  }
  return std::nullopt;
}

Result<AsyncInvocation> Decode(const store::Cursor& row) {
  AsyncInvocation out;
  out.id = row.Int(0);
  out.request_id = row.Text(1);
  out.function = row.Text(2);
  out.payload = row.Text(3);
  out.source = row.Text(4);
  std::optional<AsyncState> state = StateNamed(row.Text(5));
  if (!state)
    return Status::Corruption("function invocation " + out.request_id + " has state " +
                              row.Text(5));
  out.state = *state;
  out.attempts = static_cast<int>(row.Int(6));
  out.throttles = static_cast<int>(row.Int(7));
  out.enqueued = FromUnixMillis(row.Int(8));
  out.next_attempt = FromUnixMillis(row.Int(9));
  out.updated = FromUnixMillis(row.Int(10));
  out.condition = row.IsNull(11) ? "" : row.Text(11);
  out.error_type = row.IsNull(12) ? "" : row.Text(12);
  out.response = row.IsNull(13) ? "" : row.Text(13);
  out.dead_lettered = row.Int(14) != 0;
  return out;
}

Result<std::vector<AsyncInvocation>> DecodeAll(store::Cursor& row) {
  std::vector<AsyncInvocation> out;
  for (;;) {
    SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
    if (!found) return out;
    SLUICE_ASSIGN_OR_RETURN(AsyncInvocation invocation, Decode(row));
    out.push_back(std::move(invocation));
  }
}

// A JSON document as it was, or the text as a string when it is not JSON.
json AsJson(const std::string& text) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? json(text) : parsed;
}

}  // namespace

std::string_view AsyncStateName(AsyncState state) {
  switch (state) {
    case AsyncState::kPending:
      return "PENDING";
    case AsyncState::kRunning:
      return "RUNNING";
    case AsyncState::kSucceeded:
      return "SUCCEEDED";
    case AsyncState::kFailed:
      return "FAILED";
  }
  return "PENDING";
}

Result<std::string> EnqueueAsync(store::Transaction& tx, const NewAsyncInvocation& invocation,
                                 TimePoint now) {
  if (!invocation.dedupe_key.empty()) {
    SLUICE_ASSIGN_OR_RETURN(
        store::Cursor row,
        tx.Query("SELECT request_id FROM function_invocations WHERE dedupe_key = ?",
                 invocation.dedupe_key));
    SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
    if (found) return row.Text(0);
  }
  std::string request_id = NewUuid();
  const int64_t ms = ToUnixMillis(now);
  std::optional<std::string> dedupe;
  if (!invocation.dedupe_key.empty()) dedupe = invocation.dedupe_key;
  SLUICE_RETURN_IF_ERROR(
      tx.Execute("INSERT INTO function_invocations (request_id, dedupe_key, function, payload, "
                 "source, state, enqueued_ms, next_attempt_ms, updated_ms) "
                 "VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?, ?)",
                 request_id, dedupe, invocation.function, invocation.payload, invocation.source, ms,
                 ms, ms)
          .status());
  return request_id;
}

Result<std::vector<AsyncInvocation>> DueAsyncInvocations(store::Transaction& tx, TimePoint now,
                                                         int limit) {
  SLUICE_ASSIGN_OR_RETURN(
      store::Cursor row,
      tx.Query(std::string(kSelect) + "WHERE state = 'PENDING' AND next_attempt_ms <= ? "
                                      "ORDER BY next_attempt_ms, id LIMIT ?",
               ToUnixMillis(now), static_cast<int64_t>(limit)));
  return DecodeAll(row);
}

Result<std::optional<TimePoint>> NextAsyncDue(store::Transaction& tx) {
  SLUICE_ASSIGN_OR_RETURN(
      store::Cursor row,
      tx.Query("SELECT min(next_attempt_ms) FROM function_invocations WHERE state = 'PENDING'"));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  if (!found || row.IsNull(0)) return std::optional<TimePoint>();
  return std::optional<TimePoint>(FromUnixMillis(row.Int(0)));
}

Result<bool> ClaimAsync(store::Transaction& tx, int64_t id, TimePoint now) {
  SLUICE_ASSIGN_OR_RETURN(
      int changed,
      tx.Execute("UPDATE function_invocations SET state = 'RUNNING', attempts = attempts + 1, "
                 "updated_ms = ? WHERE id = ? AND state = 'PENDING'",
                 ToUnixMillis(now), id));
  return changed == 1;
}

Status MarkAsyncSucceeded(store::Transaction& tx, int64_t id, std::string_view response,
                          TimePoint now) {
  return tx
      .Execute(
          "UPDATE function_invocations SET state = 'SUCCEEDED', response = ?, "
          "error_type = NULL, updated_ms = ? WHERE id = ?",
          response, ToUnixMillis(now), id)
      .status();
}

Status RetryAsync(store::Transaction& tx, int64_t id, TimePoint next_attempt, bool throttled,
                  std::string_view error_type, std::string_view response, TimePoint now) {
  // A throttled attempt never ran: it gives its attempt back.
  return tx
      .Execute(
          "UPDATE function_invocations SET state = 'PENDING', next_attempt_ms = ?, "
          "attempts = attempts - ?, throttles = throttles + ?, error_type = ?, "
          "response = ?, updated_ms = ? WHERE id = ?",
          ToUnixMillis(next_attempt), int64_t{throttled ? 1 : 0}, int64_t{throttled ? 1 : 0},
          error_type, response, ToUnixMillis(now), id)
      .status();
}

Status MarkAsyncFailed(store::Transaction& tx, int64_t id, std::string_view condition,
                       std::string_view error_type, std::string_view response, bool dead_letter,
                       TimePoint now) {
  return tx
      .Execute(
          "UPDATE function_invocations SET state = 'FAILED', condition = ?, error_type = ?, "
          "response = ?, dead_lettered = ?, updated_ms = ? WHERE id = ?",
          condition, error_type, response, int64_t{dead_letter ? 1 : 0}, ToUnixMillis(now), id)
      .status();
}

Result<int> ResetRunningAsync(store::Transaction& tx, TimePoint now) {
  const int64_t ms = ToUnixMillis(now);
  return tx.Execute(
      "UPDATE function_invocations SET state = 'PENDING', next_attempt_ms = ?, updated_ms = ? "
      "WHERE state = 'RUNNING'",
      ms, ms);
}

Result<std::vector<AsyncInvocation>> ListAsync(store::Transaction& tx, const AsyncFilter& filter) {
  std::string state = filter.state ? std::string(AsyncStateName(*filter.state)) : "";
  SLUICE_ASSIGN_OR_RETURN(
      store::Cursor row,
      tx.Query(std::string(kSelect) +
                   "WHERE id > ? AND (? = '' OR function = ?) AND (? = '' OR state = ?) "
                   "AND (? = 0 OR dead_lettered = 1) ORDER BY id LIMIT ?",
               filter.after_id, filter.function, filter.function, state, state,
               int64_t{filter.dead_lettered_only ? 1 : 0}, static_cast<int64_t>(filter.limit)));
  return DecodeAll(row);
}

Result<std::optional<AsyncInvocation>> GetAsync(store::Transaction& tx, int64_t id) {
  SLUICE_ASSIGN_OR_RETURN(store::Cursor row, tx.Query(std::string(kSelect) + "WHERE id = ?", id));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  if (!found) return std::optional<AsyncInvocation>();
  SLUICE_ASSIGN_OR_RETURN(AsyncInvocation invocation, Decode(row));
  return std::optional<AsyncInvocation>(std::move(invocation));
}

Result<AsyncCounts> CountAsync(store::Transaction& tx) {
  SLUICE_ASSIGN_OR_RETURN(
      store::Cursor row,
      tx.Query("SELECT state, count(*) FROM function_invocations GROUP BY state"));
  AsyncCounts counts;
  for (;;) {
    SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
    if (!found) return counts;
    std::string state = row.Text(0);
    int64_t n = row.Int(1);
    if (state == "PENDING") counts.pending = n;
    if (state == "RUNNING") counts.running = n;
    if (state == "SUCCEEDED") counts.succeeded = n;
    if (state == "FAILED") counts.failed = n;
  }
}

json DestinationRecord(const AsyncInvocation& invocation, const AwsIdentity& identity) {
  // An event that never ran (throttled, its function gone) has Lambda's refusal as its status.
  int status = 200;
  if (invocation.attempts == 0) {
    status = invocation.error_type == "ResourceNotFoundException" ? 404 : 429;
  }
  json response_context = {{"statusCode", status}, {"executedVersion", "$LATEST"}};
  if (!invocation.error_type.empty() && invocation.attempts > 0) {
    response_context["functionError"] = "Unhandled";
  }
  json record = {
      {"version", "1.0"},
      {"timestamp", FormatIso8601Millis(invocation.updated)},
      {"requestContext",
       {{"requestId", invocation.request_id},
        {"functionArn",
         FunctionArn(identity.region, identity.account_id, invocation.function) + ":$LATEST"},
        {"condition", invocation.condition.empty() ? "Success" : invocation.condition},
        {"approximateInvokeCount", invocation.attempts}}},
      {"requestPayload", AsJson(invocation.payload)},
      {"responseContext", response_context},
  };
  if (!invocation.response.empty()) record["responsePayload"] = AsJson(invocation.response);
  return record;
}

}  // namespace sluice::functions

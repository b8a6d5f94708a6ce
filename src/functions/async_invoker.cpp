#include "sluice/functions/async_invoker.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace sluice::functions {

AsyncInvoker::AsyncInvoker(store::Database& db, FunctionPool& pool, AsyncInvokerOptions options)
    : db_(db), pool_(pool), options_(std::move(options)) {}

AsyncInvoker::~AsyncInvoker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    changed_.notify_all();
  }
  if (loop_.joinable()) loop_.join();
  // Without Stop() the pool is left alone (the invoker does not own it): running attempts finish.
  Drain();
}

Result<int> AsyncInvoker::Recover() {
  int reset = 0;
  SLUICE_RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(reset, ResetRunningAsync(tx, options_.clock->Now()));
    return Status::Ok();
  }));
  return reset;
}

Result<AsyncRound> AsyncInvoker::RunDue() {
  JoinFinished();
  AsyncRound round;
  std::vector<std::pair<AsyncInvocation, StoredFunction>> to_start;
  const TimePoint now = options_.clock->Now();
  SLUICE_RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    to_start.clear();
    round = {};
    std::lock_guard lock(mutex_);
    int room = options_.max_parallel - running_total_;
    if (room <= 0) return Status::Ok();
    SLUICE_ASSIGN_OR_RETURN(std::vector<AsyncInvocation> due,
                            DueAsyncInvocations(tx, now, std::max(room * 4, 64)));
    std::map<std::string, int> starting;
    for (AsyncInvocation& invocation : due) {
      if (static_cast<int>(to_start.size()) >= room) break;
      SLUICE_ASSIGN_OR_RETURN(std::optional<StoredFunction> function,
                              GetFunction(tx, invocation.function));
      auto fail_now = [&](std::string_view condition, std::string_view type,
                          std::string_view message, bool dead_letter) -> Status {
        ++round.failed_at_once;
        return MarkAsyncFailed(tx, invocation.id, condition, type, ErrorDocument(type, message),
                               dead_letter, now);
      };
      if (!function) {
        SLUICE_RETURN_IF_ERROR(fail_now("RetriesExhausted", "ResourceNotFoundException",
                                        "Function not found: " + invocation.function, true));
        continue;
      }
      const FunctionConfig& config = function->config;
      if (now - invocation.enqueued >
          std::chrono::seconds(config.async.maximum_event_age_seconds)) {
        SLUICE_RETURN_IF_ERROR(
            fail_now("EventAgeExceeded",
                     invocation.error_type.empty() ? "EventAgeExceeded" : invocation.error_type,
                     "the event is older than MaximumEventAgeInSeconds", config.async.dead_letter));
        continue;
      }
      if (config.reserved_concurrency && *config.reserved_concurrency == 0) {
        // Lambda sends these straight to the failure destination, without retries.
        SLUICE_RETURN_IF_ERROR(fail_now("RetriesExhausted", "TooManyRequestsException",
                                        "reserved concurrency is 0: every invocation is throttled",
                                        config.async.dead_letter));
        continue;
      }
      int& busy = starting[config.name];
      if (config.reserved_concurrency &&
          running_[config.name] + busy >= *config.reserved_concurrency) {
        continue;  // waits in the queue for a slot rather than throttling itself
      }
      SLUICE_ASSIGN_OR_RETURN(bool claimed, ClaimAsync(tx, invocation.id, now));
      if (!claimed) continue;
      ++busy;
      ++invocation.attempts;
      to_start.emplace_back(std::move(invocation), std::move(*function));
    }
    return Status::Ok();
  }));
  std::lock_guard lock(mutex_);
  for (auto& [invocation, function] : to_start) {
    ++running_[function.config.name];
    ++running_total_;
    threads_.emplace_back(&AsyncInvoker::Attempt, this, std::move(invocation), std::move(function));
  }
  round.started = static_cast<int>(to_start.size());
  return round;
}

void AsyncInvoker::Attempt(AsyncInvocation invocation, StoredFunction function) {
  InvokeRequest request;
  request.payload = invocation.payload;
  request.request_id = invocation.request_id;
  Result<InvokeResponse> response = pool_.Invoke(function, request);
  bool stopping;
  {
    std::lock_guard lock(mutex_);
    stopping = stopping_;
  }
  // An attempt cut short by the engine stopping is not the function's failure: left RUNNING, it
  // runs again after the next start (Recover).
  Status recorded = stopping ? Status::Ok() : Record(invocation, function, response);
  if (!recorded.ok()) {
    // Left RUNNING: the next engine's Recover() queues it again.
    spdlog::error("function {}: cannot record invocation {}: {}", function.config.name,
                  invocation.request_id, recorded.ToString());
  }
  std::lock_guard lock(mutex_);
  --running_[function.config.name];
  --running_total_;
  finished_.push_back(std::this_thread::get_id());
  notified_ = true;
  changed_.notify_all();
}

Status AsyncInvoker::Record(const AsyncInvocation& invocation, const StoredFunction& function,
                            const Result<InvokeResponse>& response) {
  const AsyncPolicy& policy = function.config.async;
  const TimePoint now = options_.clock->Now();
  const TimePoint expires =
      invocation.enqueued + std::chrono::seconds(policy.maximum_event_age_seconds);
  return db_.Write([&](store::Transaction& tx) -> Status {
    auto retry_or_expire = [&](TimePoint next, bool throttled, const std::string& type,
                               const std::string& body) -> Status {
      if (next > expires) {
        return MarkAsyncFailed(tx, invocation.id, "EventAgeExceeded", type, body,
                               policy.dead_letter, now);
      }
      return RetryAsync(tx, invocation.id, next, throttled, type, body, now);
    };
    auto throttle_delay = [&] {
      auto delay =
          options_.throttle_backoff_base * (int64_t{1} << std::min(invocation.throttles, 20));
      return std::min<std::chrono::milliseconds>(delay, options_.throttle_backoff_cap);
    };
    if (!response.ok()) {
      // sluice could not try (no port, say): like Lambda's own 5xx, back to the queue.
      return retry_or_expire(now + throttle_delay(), /*throttled=*/true, "ServiceException",
                             ErrorDocument("ServiceException", response.status().message()));
    }
    switch (response->outcome) {
      case InvokeOutcome::kSucceeded:
        return MarkAsyncSucceeded(tx, invocation.id, response->payload, now);
      case InvokeOutcome::kThrottled:
        return retry_or_expire(
            now + throttle_delay(), /*throttled=*/true, "TooManyRequestsException",
            ErrorDocument("TooManyRequestsException", response->throttle_reason));
      case InvokeOutcome::kFunctionError:
        break;
    }
    if (invocation.attempts > policy.maximum_retry_attempts) {
      return MarkAsyncFailed(tx, invocation.id, "RetriesExhausted", response->error_type,
                             response->payload, policy.dead_letter, now);
    }
    auto delay =
        invocation.attempts == 1 ? options_.first_retry_delay : options_.second_retry_delay;
    return retry_or_expire(now + delay, /*throttled=*/false, response->error_type,
                           response->payload);
  });
}

void AsyncInvoker::JoinFinished() {
  std::vector<std::thread> done;
  {
    std::lock_guard lock(mutex_);
    for (std::thread::id id : finished_) {
      auto it = std::find_if(threads_.begin(), threads_.end(),
                             [&](const std::thread& t) { return t.get_id() == id; });
      if (it != threads_.end()) {
        done.push_back(std::move(*it));
        threads_.erase(it);
      }
    }
    finished_.clear();
  }
  for (std::thread& thread : done)
    thread.join();
}

void AsyncInvoker::Drain() {
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return running_total_ == 0; });
  }
  JoinFinished();
}

Result<bool> AsyncInvoker::Idle() {
  {
    std::lock_guard lock(mutex_);
    if (running_total_ > 0) return false;
  }
  AsyncCounts counts;
  SLUICE_RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(counts, CountAsync(tx));
    return Status::Ok();
  }));
  return counts.pending == 0 && counts.running == 0;
}

void AsyncInvoker::Start(std::chrono::milliseconds poll) {
  loop_ = std::thread(&AsyncInvoker::Loop, this, poll);
}

void AsyncInvoker::Notify() {
  std::lock_guard lock(mutex_);
  notified_ = true;
  changed_.notify_all();
}

void AsyncInvoker::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    changed_.notify_all();
  }
  if (loop_.joinable()) loop_.join();
  pool_.Shutdown();
  Drain();
}

void AsyncInvoker::Loop(std::chrono::milliseconds poll) {
  for (;;) {
    auto round = RunDue();
    if (!round.ok()) spdlog::error("functions: {}", round.status().ToString());
    std::optional<TimePoint> next;
    (void)db_.Read([&](store::Transaction& tx) -> Status {
      SLUICE_ASSIGN_OR_RETURN(next, NextAsyncDue(tx));
      return Status::Ok();
    });
    // Sleep until the next retry falls due. One due already and still queued waits for room:
    // a finished invocation notifies.
    auto wait = poll;
    if (TimePoint now = options_.clock->Now(); next && *next > now) {
      wait = std::min(poll, std::chrono::ceil<std::chrono::milliseconds>(*next - now));
    }
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, wait, [&] { return notified_ || stopping_; });
    if (stopping_) return;
    notified_ = false;
  }
}

}  // namespace sluice::functions

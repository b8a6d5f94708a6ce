// AsyncInvoker: runs the asynchronous invocation queue (async_queue.h) on the function pool with
// Lambda's semantics:
//   - a function error (the handler's, a timeout, a crash) is retried up to the function's
//     MaximumRetryAttempts (0-2), about 1 minute before the second attempt and 2 before the third;
//   - a throttle goes back to the queue with exponential backoff from 1 s to 5 minutes, without
//     using up an attempt;
//   - an event older than MaximumEventAgeInSeconds is not tried again;
//   - a function with reserved concurrency 0 fails its events at once, without retries;
//   - what fails for good is dead-lettered in Lambda's on-failure record (unless the function
//     says to drop failures).
// At most the function's reserved concurrency runs at once from the queue, so queued events wait
// rather than throttle themselves. All delays read the injected Clock.
//
// One AsyncInvoker per data dir. RunDue/Drain/Idle from one thread, or Start() a loop that calls
// them; Notify() from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "sluice/common/aws_identity.h"
#include "sluice/common/clock.h"
#include "sluice/functions/async_queue.h"
#include "sluice/functions/function_pool.h"
#include "sluice/store/database.h"

namespace sluice::functions {

struct AsyncInvokerOptions {
  const Clock* clock = &SystemClock::Instance();
  AwsIdentity identity;
  int max_parallel = 16;  // invocations from the queue running at once
  std::chrono::milliseconds first_retry_delay{std::chrono::minutes(1)};
  std::chrono::milliseconds second_retry_delay{std::chrono::minutes(2)};
  std::chrono::milliseconds throttle_backoff_base{std::chrono::seconds(1)};
  std::chrono::milliseconds throttle_backoff_cap{std::chrono::minutes(5)};
};

struct AsyncRound {
  int started = 0;
  int failed_at_once = 0;  // dead-lettered or dropped without running (age, reserved 0, gone)
};

class AsyncInvoker {
 public:
  AsyncInvoker(store::Database& db, FunctionPool& pool, AsyncInvokerOptions options = {});
  ~AsyncInvoker();
  AsyncInvoker(const AsyncInvoker&) = delete;
  AsyncInvoker& operator=(const AsyncInvoker&) = delete;

  // Puts invocations a previous engine left RUNNING back in the queue. Call once, first.
  Result<int> Recover();
  // Starts every due invocation there is room for, each on a thread of its own.
  Result<AsyncRound> RunDue();
  // Waits until every invocation started has finished and been recorded.
  void Drain();
  // Nothing queued or running.
  Result<bool> Idle();

  // Runs RunDue on a thread of its own whenever something falls due, Notify() is called, or
  // `poll` passes (to see what other processes queued). Stop() ends it, shuts the pool down
  // (running invocations end; they stay RUNNING, to run again after the next start) and drains.
  void Start(std::chrono::milliseconds poll = std::chrono::milliseconds(200));
  void Notify();
  void Stop();

 private:
  // One attempt, start to record.
  void Attempt(AsyncInvocation invocation, StoredFunction function);
  Status Record(const AsyncInvocation& invocation, const StoredFunction& function,
                const Result<InvokeResponse>& response);
  void Loop(std::chrono::milliseconds poll);
  void JoinFinished();

  store::Database& db_;
  FunctionPool& pool_;
  AsyncInvokerOptions options_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, int> running_;     // by function; guarded by mutex_
  int running_total_ = 0;                  // guarded by mutex_
  std::vector<std::thread> threads_;       // guarded by mutex_
  std::vector<std::thread::id> finished_;  // guarded by mutex_
  bool notified_ = false;                  // guarded by mutex_
  bool stopping_ = false;                  // guarded by mutex_
  std::thread loop_;
};

}  // namespace sluice::functions

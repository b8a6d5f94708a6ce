// Dispatcher: moves events from the log to their targets.
//
// Each round (RunOnce) it
//   1. reloads the rule machine when rules changed;
//   2. fires scheduled rules that are due (a "Scheduled Event" for that rule alone);
//   3. routes new events: matches each against the enabled rules and records one delivery per
//      matching target, in the same transaction that advances its cursor in the log, so a crash
//      neither loses nor doubles a delivery (targets with a batch policy collect into a batch);
//   4. closes batches that are full or whose window has passed;
//   5. runs the deliveries that are due, retrying failures with exponential backoff and jitter
//      within each target's RetryPolicy, and dead-lettering what fails for good.
// Deliveries left RUNNING by a crash are reset to PENDING by Recover(): they run again with the
// same idempotency key. A SUCCEEDED delivery never runs again.
//
// All times come from the injected Clock, so tests drive retries, windows and schedules on
// simulated time. One Dispatcher per data dir; RunOnce/Run from one thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "sluice/bus/target_invoker.h"
#include "sluice/common/aws_identity.h"
#include "sluice/common/clock.h"
#include "sluice/store/database.h"

namespace sluice::bus {

struct DispatcherOptions {
  const Clock* clock = &SystemClock::Instance();
  AwsIdentity identity;
  int route_batch = 256;     // events routed per transaction
  int run_batch = 64;        // deliveries run per round
  uint64_t jitter_seed = 0;  // 0: seeded from the OS
  // Retry backoff: base * 2^(retries), capped; each wait is drawn from [half, whole].
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_cap{std::chrono::minutes(5)};
};

struct RoundStats {
  int schedules_fired = 0;
  int events_routed = 0;
  int deliveries_created = 0;
  int batches_closed = 0;
  int deliveries_run = 0;
  int succeeded = 0;
  int retried = 0;
  int dead_lettered = 0;

  bool did_work() const {
    return schedules_fired + events_routed + batches_closed + deliveries_run > 0;
  }
};

class Dispatcher {
 public:
  Dispatcher(store::Database& db, TargetInvoker& invoker, DispatcherOptions options = {});
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Resets deliveries a previous dispatcher left RUNNING. Call once before the first round.
  Result<int> Recover();
  Result<RoundStats> RunOnce();
  // When the next thing falls due: a delivery, a batch window, a schedule (nullopt: nothing).
  Result<std::optional<TimePoint>> NextWakeup();
  // No unrouted events, no pending or running deliveries, no open batches.
  Result<bool> Idle();
  // Rounds until `should_stop()` says so (asked between rounds); between rounds it sleeps until
  // the next wakeup or a commit to the store, whichever comes first (and at most `poll`, to
  // notice other processes' commits). `on_round` sees each round that did work.
  Status Run(const std::function<bool()>& should_stop,
             const std::function<void(const RoundStats&)>& on_round = nullptr,
             std::chrono::milliseconds poll = std::chrono::milliseconds(100));

 private:
  struct State;
  store::Database& db_;
  TargetInvoker& invoker_;
  DispatcherOptions options_;
  std::unique_ptr<State> state_;
};

}  // namespace sluice::bus

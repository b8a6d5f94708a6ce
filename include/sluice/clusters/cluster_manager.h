// ClusterManager: drives every cluster and step through EMR's state machines. The store records
// what is wanted (a new cluster, steps, a termination, a cancellation); the manager makes the
// provider do it and records what happened, one transaction (with its events) per change:
//
//   STARTING       → provider.Launch; BOOTSTRAPPING when the nodes are up
//   BOOTSTRAPPING  → RUNNING (steps are waiting) or WAITING when bootstrap is done;
//                    TERMINATING with BOOTSTRAP_FAILURE / VALIDATION_ERROR when it fails
//   RUNNING/WAITING→ starts PENDING steps FIFO up to StepConcurrencyLevel; applies
//                    ActionOnFailure when one fails; with no step left, WAITING, or TERMINATING
//                    (ALL_STEPS_COMPLETED) if it does not keep alive and has run steps
//   TERMINATING    → pending steps CANCELLED, running ones stopped, provider.Release;
//                    TERMINATED / TERMINATED_WITH_ERRORS when released, cost booked
//
// A cluster that does not keep alive waits for its first steps (the rule that adds them reacts
// to its WAITING event) and ends as soon as it has no more work. Idle timeouts and the maximum
// lifetime read the injected Clock.
//
// Threads: RunOnce/Run/Recover from one thread; Notify from any (provider reports call it).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <set>

#include "sluice/clusters/cluster_provider.h"
#include "sluice/clusters/cost.h"
#include "sluice/common/clock.h"
#include "sluice/store/database.h"

namespace sluice::clusters {

struct ClusterManagerOptions {
  const Clock* clock = &SystemClock::Instance();
  AwsIdentity identity;
  PriceTable prices = PriceTable::Default();
};

struct ManagerRoundStats {
  int reports = 0;      // provider reports applied
  int transitions = 0;  // cluster and step state changes made
  bool did_work() const { return reports + transitions > 0; }
};

struct RecoveryReport {
  int processes_reaped = 0;
  int steps_interrupted = 0;
};

class ClusterManager {
 public:
  ClusterManager(store::Database& db, ClusterProvider& provider,
                 ClusterManagerOptions options = {});
  ClusterManager(const ClusterManager&) = delete;
  ClusterManager& operator=(const ClusterManager&) = delete;

  // Why running steps are being stopped: the engine restarted after a crash, or is shutting down.
  enum class StopCause { kRestart, kShutdown };
  // Once before the first round (kRestart), and again when the engine stops (kShutdown): stops
  // every process an engine on this data dir left running and marks its RUNNING steps
  // INTERRUPTED (then applies their ActionOnFailure).
  Result<RecoveryReport> Recover(StopCause cause = StopCause::kRestart);
  Result<ManagerRoundStats> RunOnce();
  // When a timer falls due (idle timeout, maximum lifetime); nullopt: none.
  std::optional<TimePoint> NextWakeup() const { return next_wakeup_; }
  // No cluster is live or terminating, and no provider report is waiting.
  Result<bool> Idle();
  // Wakes Run (new work in the store, or a provider report).
  void Notify();
  // Rounds until `should_stop()`; between rounds it sleeps until Notify, the next timer, or
  // `poll` (to see other processes' requests), whichever comes first.
  Status Run(const std::function<bool()>& should_stop,
             std::chrono::milliseconds poll = std::chrono::milliseconds(100));

 private:
  void OnReport(ProviderReport report);
  Status Apply(const ProviderReport& report, ManagerRoundStats& stats);
  Status Advance(Cluster& cluster, ManagerRoundStats& stats);
  Status StartStep(Cluster& cluster, Step& step, ManagerRoundStats& stats);
  Status Terminate(store::Transaction& tx, Cluster& cluster, ReasonCode reason,
                   const std::string& message, ManagerRoundStats& stats);
  Status ApplyActionOnFailure(store::Transaction& tx, Cluster& cluster, const Step& failed,
                              ManagerRoundStats& stats);
  Status CancelPending(store::Transaction& tx, Cluster& cluster, ManagerRoundStats& stats);
  void NoteTimer(TimePoint when);

  store::Database& db_;
  ClusterProvider& provider_;
  ClusterManagerOptions options_;
  ClusterStore store_;
  // What this process has asked the provider to do, so each is asked once.
  std::set<std::string> launched_, releasing_, cancel_sent_;
  std::optional<TimePoint> next_wakeup_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<ProviderReport> reports_;  // guarded by mutex_
  bool notified_ = false;               // guarded by mutex_
};

}  // namespace sluice::clusters

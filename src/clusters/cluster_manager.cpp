#include "sluice/clusters/cluster_manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace sluice::clusters {
namespace {

const std::vector<ClusterState> kUnfinishedClusters = {
    ClusterState::kStarting, ClusterState::kBootstrapping, ClusterState::kRunning,
    ClusterState::kWaiting, ClusterState::kTerminating};

constexpr int kClustersPerRound = 10000;

std::string Seconds(int64_t s) {
  return std::to_string(s) + " seconds";
}

}  // namespace

ClusterManager::ClusterManager(store::Database& db, ClusterProvider& provider,
                               ClusterManagerOptions options)
    : db_(db), provider_(provider), options_(std::move(options)), store_(options_.identity) {
  provider_.SetListener([this](ProviderReport report) { OnReport(std::move(report)); });
}

void ClusterManager::OnReport(ProviderReport report) {
  std::lock_guard lock(mutex_);
  reports_.push_back(std::move(report));
  notified_ = true;
  wake_.notify_all();
}

void ClusterManager::Notify() {
  std::lock_guard lock(mutex_);
  notified_ = true;
  wake_.notify_all();
}

Result<RecoveryReport> ClusterManager::Recover(StopCause cause) {
  RecoveryReport recovery;
  SLUICE_ASSIGN_OR_RETURN(recovery.processes_reaped, provider_.ReapLeftovers());
  TimePoint now = options_.clock->Now();
  ManagerRoundStats stats;
  SLUICE_RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(std::vector<Cluster> clusters,
                            store_.ListClusters(tx, kUnfinishedClusters, kClustersPerRound));
    for (Cluster& cluster : clusters) {
      SLUICE_ASSIGN_OR_RETURN(
          std::vector<Step> steps,
          store_.ListSteps(tx, cluster.id, {StepState::kRunning, StepState::kCancelPending}));
      for (Step& step : steps) {
        if (step.state == StepState::kCancelPending) {
          SLUICE_RETURN_IF_ERROR(
              store_.SetStepState(tx, cluster, step, StepState::kCancelled, now));
          continue;
        }
        step.failure_reason = "Unknown Error";
        step.failure_message =
            cause == StopCause::kRestart
                ? "The engine stopped while the step was running; its processes were stopped when "
                  "the engine restarted"
                : "The engine was shut down while the step was running; its processes were "
                  "stopped";
        SLUICE_RETURN_IF_ERROR(
            store_.SetStepState(tx, cluster, step, StepState::kInterrupted, now));
        ++recovery.steps_interrupted;
        if (cluster.state != ClusterState::kTerminating) {
          SLUICE_RETURN_IF_ERROR(ApplyActionOnFailure(tx, cluster, step, stats));
        }
      }
    }
    return Status::Ok();
  }));
  return recovery;
}

Result<ManagerRoundStats> ClusterManager::RunOnce() {
  ManagerRoundStats stats;
  std::deque<ProviderReport> reports;
  {
    std::lock_guard lock(mutex_);
    reports.swap(reports_);
    notified_ = false;
  }
  for (const ProviderReport& report : reports) {
    ++stats.reports;
    Status applied = Apply(report, stats);
    if (!applied.ok()) {
      spdlog::error("clusters: report on {} not applied: {}", report.cluster_id,
                    applied.ToString());
    }
  }
  std::vector<Cluster> clusters;
  SLUICE_RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(clusters,
                            store_.ListClusters(tx, kUnfinishedClusters, kClustersPerRound));
    return Status::Ok();
  }));
  next_wakeup_.reset();
  for (Cluster& cluster : clusters) {
    Status advanced = Advance(cluster, stats);
    if (!advanced.ok()) {
      spdlog::error("clusters: cluster {}: {}", cluster.id, advanced.ToString());
    }
  }
  return stats;
}

void ClusterManager::NoteTimer(TimePoint when) {
  if (!next_wakeup_ || when < *next_wakeup_) next_wakeup_ = when;
}

Status ClusterManager::Apply(const ProviderReport& report, ManagerRoundStats& stats) {
  TimePoint now = options_.clock->Now();
  return db_.Write([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(std::optional<Cluster> found, store_.GetCluster(tx, report.cluster_id));
    if (!found) return Status::NotFound("no cluster " + report.cluster_id);
    Cluster& cluster = *found;
    switch (report.kind) {
      case ProviderReport::Kind::kBootstrapping:
        if (cluster.state != ClusterState::kStarting) return Status::Ok();
        ++stats.transitions;
        return store_.SetClusterState(tx, cluster, ClusterState::kBootstrapping, ReasonCode::kNone,
                                      "", now);
      case ProviderReport::Kind::kReady: {
        if (cluster.state != ClusterState::kBootstrapping) return Status::Ok();
        SLUICE_ASSIGN_OR_RETURN(std::vector<Step> pending,
                                store_.ListSteps(tx, cluster.id, {StepState::kPending}));
        ++stats.transitions;
        return store_.SetClusterState(
            tx, cluster, pending.empty() ? ClusterState::kWaiting : ClusterState::kRunning,
            ReasonCode::kNone, "", now);
      }
      case ProviderReport::Kind::kFailed:
        if (!IsLive(cluster.state)) return Status::Ok();
        return Terminate(tx, cluster, report.reason, report.message, stats);
      case ProviderReport::Kind::kStepExited: {
        cancel_sent_.erase(report.step_id);
        SLUICE_ASSIGN_OR_RETURN(std::optional<Step> step, store_.GetStep(tx, report.step_id));
        if (!step || IsFinished(step->state)) return Status::Ok();
        step->exit_code = report.exit_code;
        step->result = report.result;
        bool completed = !report.signalled && report.exit_code == 0;
        bool stopped =
            step->state == StepState::kCancelPending || cluster.state == ClusterState::kTerminating;
        ++stats.transitions;
        if (completed) {
          return store_.SetStepState(tx, cluster, *step, StepState::kCompleted, now);
        }
        if (stopped) return store_.SetStepState(tx, cluster, *step, StepState::kCancelled, now);
        step->failure_reason = "Unknown Error";
        step->failure_message = report.message;
        step->failure_log = report.log_file;
        SLUICE_RETURN_IF_ERROR(store_.SetStepState(tx, cluster, *step, StepState::kFailed, now));
        return ApplyActionOnFailure(tx, cluster, *step, stats);
      }
      case ProviderReport::Kind::kReleased: {
        releasing_.erase(cluster.id);
        launched_.erase(cluster.id);
        if (cluster.state != ClusterState::kTerminating) return Status::Ok();
        // Anything still unfinished ends with the cluster.
        SLUICE_ASSIGN_OR_RETURN(std::vector<Step> left,
                                store_.ListSteps(tx, cluster.id,
                                                 {StepState::kPending, StepState::kRunning,
                                                  StepState::kCancelPending}));
        for (Step& step : left) {
          SLUICE_RETURN_IF_ERROR(
              store_.SetStepState(tx, cluster, step, StepState::kCancelled, now));
        }
        ++stats.transitions;
        SLUICE_RETURN_IF_ERROR(store_.SetClusterState(tx, cluster, EndStateFor(cluster.reason),
                                                      cluster.reason, cluster.reason_message, now));
        return BookClusterCost(tx, cluster, options_.prices);
      }
    }
    return Status::Ok();
  });
}

Status ClusterManager::Terminate(store::Transaction& tx, Cluster& cluster, ReasonCode reason,
                                 const std::string& message, ManagerRoundStats& stats) {
  ++stats.transitions;
  SLUICE_RETURN_IF_ERROR(store_.SetClusterState(tx, cluster, ClusterState::kTerminating, reason,
                                                message, options_.clock->Now()));
  return CancelPending(tx, cluster, stats);
}

Status ClusterManager::CancelPending(store::Transaction& tx, Cluster& cluster,
                                     ManagerRoundStats& stats) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<Step> pending,
                          store_.ListSteps(tx, cluster.id, {StepState::kPending}));
  std::reverse(pending.begin(), pending.end());  // oldest first, the order they were added
  for (Step& step : pending) {
    ++stats.transitions;
    SLUICE_RETURN_IF_ERROR(
        store_.SetStepState(tx, cluster, step, StepState::kCancelled, options_.clock->Now()));
  }
  return Status::Ok();
}

Status ClusterManager::ApplyActionOnFailure(store::Transaction& tx, Cluster& cluster,
                                            const Step& failed, ManagerRoundStats& stats) {
  // With steps running side by side only CONTINUE is accepted, and ActionOnFailure never fires.
  if (cluster.spec.step_concurrency > 1) return Status::Ok();
  switch (failed.config.action_on_failure) {
    case ActionOnFailure::kContinue:
      return Status::Ok();
    case ActionOnFailure::kCancelAndWait:
      return CancelPending(tx, cluster, stats);
    case ActionOnFailure::kTerminateCluster:
    case ActionOnFailure::kTerminateJobFlow:
      // Protection holds a cluster that keeps alive; one that auto-terminates ends anyway.
      if (cluster.spec.termination_protected && cluster.spec.keep_alive) {
        return CancelPending(tx, cluster, stats);
      }
      if (!IsLive(cluster.state)) return Status::Ok();
      return Terminate(tx, cluster, ReasonCode::kStepFailure, "Shut down as step failed", stats);
  }
  return Status::Ok();
}

Status ClusterManager::Advance(Cluster& cluster, ManagerRoundStats& stats) {
  TimePoint now = options_.clock->Now();
  if (cluster.state == ClusterState::kTerminating) {
    if (releasing_.insert(cluster.id).second) {
      // Steps added while it was being asked to end never run.
      SLUICE_RETURN_IF_ERROR(
          db_.Write([&](store::Transaction& tx) { return CancelPending(tx, cluster, stats); }));
      provider_.Release(cluster);
    }
    return Status::Ok();
  }
  // sluice's own guard: no cluster outlives its maximum lifetime, whatever it is doing.
  TimePoint end_of_life = cluster.created + std::chrono::seconds(cluster.spec.max_lifetime_seconds);
  if (now >= end_of_life) {
    return db_.Write([&](store::Transaction& tx) {
      return Terminate(tx, cluster, ReasonCode::kUserRequest,
                       "Terminated by sluice: the cluster reached its maximum lifetime of " +
                           Seconds(cluster.spec.max_lifetime_seconds),
                       stats);
    });
  }
  NoteTimer(end_of_life);
  if (cluster.state == ClusterState::kStarting || cluster.state == ClusterState::kBootstrapping) {
    if (launched_.insert(cluster.id).second) provider_.Launch(cluster);
    return Status::Ok();
  }

  // RUNNING or WAITING.
  std::vector<Step> steps;
  SLUICE_RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(steps, store_.ListSteps(tx, cluster.id,
                                                    {StepState::kPending, StepState::kRunning,
                                                     StepState::kCancelPending}));
    return Status::Ok();
  }));
  std::reverse(steps.begin(), steps.end());  // oldest first: pending steps start FIFO
  int running = 0;
  for (const Step& step : steps) {
    if (step.state == StepState::kCancelPending && cancel_sent_.insert(step.id).second) {
      provider_.CancelStep(cluster.id, step.id, step.cancel_option == "TERMINATE_PROCESS");
    }
    running += step.state == StepState::kPending ? 0 : 1;
  }
  for (Step& step : steps) {
    if (step.state != StepState::kPending) continue;
    if (running >= cluster.spec.step_concurrency || !IsLive(cluster.state)) break;
    SLUICE_RETURN_IF_ERROR(StartStep(cluster, step, stats));
    // A step that could not start has applied its ActionOnFailure, which may have cancelled the
    // pending steps held here: the next round starts what is left, read afresh.
    if (step.state != StepState::kRunning) break;
    ++running;
  }
  if (!IsLive(cluster.state)) return Status::Ok();  // a failed start may have ended it
  bool pending = std::any_of(steps.begin(), steps.end(),
                             [](const Step& s) { return s.state == StepState::kPending; });
  if (running > 0 || pending) return Status::Ok();
  // No work left.
  if (!cluster.spec.keep_alive && cluster.ran_steps) {
    return db_.Write([&](store::Transaction& tx) {
      return Terminate(tx, cluster, ReasonCode::kAllStepsCompleted, "Steps completed", stats);
    });
  }
  if (cluster.state == ClusterState::kRunning) {
    ++stats.transitions;
    return db_.Write([&](store::Transaction& tx) {
      return store_.SetClusterState(tx, cluster, ClusterState::kWaiting, ReasonCode::kNone, "",
                                    now);
    });
  }
  if (cluster.spec.idle_timeout_seconds && cluster.waiting_since) {
    TimePoint idle_end =
        *cluster.waiting_since + std::chrono::seconds(*cluster.spec.idle_timeout_seconds);
    if (now >= idle_end) {
      return db_.Write([&](store::Transaction& tx) {
        return Terminate(tx, cluster, ReasonCode::kAllStepsCompleted,
                         "Idle for " + Seconds(*cluster.spec.idle_timeout_seconds) +
                             ": terminated by its auto-termination policy",
                         stats);
      });
    }
    NoteTimer(idle_end);
  }
  return Status::Ok();
}

Status ClusterManager::StartStep(Cluster& cluster, Step& step, ManagerRoundStats& stats) {
  // Committed before the step can read its inputs: from here on, create_cluster requests that
  // reuse a cluster without adding steps go elsewhere (see FindLiveCluster), since this one
  // may no longer see what they announce.
  if (!cluster.ran_steps) {
    SLUICE_RETURN_IF_ERROR(
        db_.Write([&](store::Transaction& tx) { return store_.MarkRanSteps(tx, cluster); }));
  }
  Result<int64_t> started = provider_.StartStep(cluster, step);
  TimePoint now = options_.clock->Now();
  ++stats.transitions;
  return db_.Write([&](store::Transaction& tx) -> Status {
    SLUICE_RETURN_IF_ERROR(store_.MarkRanSteps(tx, cluster));
    if (started.ok()) {
      step.pid = *started;
      // The cluster runs (its event first), then the step.
      if (cluster.state == ClusterState::kWaiting) {
        SLUICE_RETURN_IF_ERROR(store_.SetClusterState(tx, cluster, ClusterState::kRunning,
                                                      ReasonCode::kNone, "", now));
      }
      return store_.SetStepState(tx, cluster, step, StepState::kRunning, now);
    }
    step.failure_reason = "Unknown Error";
    step.failure_message = started.status().message();
    SLUICE_RETURN_IF_ERROR(store_.SetStepState(tx, cluster, step, StepState::kFailed, now));
    return ApplyActionOnFailure(tx, cluster, step, stats);
  });
}

Result<bool> ClusterManager::Idle() {
  {
    std::lock_guard lock(mutex_);
    if (!reports_.empty()) return false;
  }
  bool idle = false;
  SLUICE_RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(std::vector<Cluster> clusters,
                            store_.ListClusters(tx, kUnfinishedClusters, 1));
    idle = clusters.empty();
    return Status::Ok();
  }));
  return idle;
}

Status ClusterManager::Run(const std::function<bool()>& should_stop,
                           std::chrono::milliseconds poll) {
  while (!should_stop()) {
    auto round = RunOnce();
    if (!round.ok()) {
      spdlog::error("clusters: round failed: {}", round.status().ToString());
    } else if (round->did_work()) {
      continue;  // a change may enable the next (a step ended: start the next one)
    }
    auto timeout = poll;
    if (next_wakeup_) {
      auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*next_wakeup_ -
                                                                         options_.clock->Now());
      timeout = std::clamp(until, std::chrono::milliseconds(0), poll);
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, timeout, [&] { return notified_; });
  }
  return Status::Ok();
}

}  // namespace sluice::clusters

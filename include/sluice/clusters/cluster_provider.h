// ClusterProvider: where a cluster's nodes come from and where its steps run. The ClusterManager
// decides what should happen (from EMR's state machines); the provider makes it happen and
// reports back. Calls return quickly; the work is asynchronous and its outcome arrives as a
// ProviderReport through the listener, from any thread.
//
// Implementations: LocalProvider (nodes are folders on this machine, steps are processes); later
// an `emr` provider (RunJobFlow, AddJobFlowSteps, TerminateJobFlows, and DescribeCluster /
// ListSteps polling turned into the same reports).
#pragma once

#include <functional>
#include <string>

#include "sluice/clusters/cluster_store.h"

namespace sluice::clusters {

struct ProviderReport {
  enum class Kind {
    kBootstrapping,  // nodes are up; bootstrap actions are running
    kReady,          // bootstrap done, applications in place: the cluster can run steps
    kFailed,         // the cluster cannot come up: `reason` and `message` say why
    kStepExited,     // a step's process ended: `exit`, `message` (a one-line summary)
    kReleased,       // everything the cluster ran is stopped and its nodes are gone
  };
  Kind kind = Kind::kReady;
  std::string cluster_id;
  std::string step_id;
  ReasonCode reason = ReasonCode::kNone;
  std::string message;
  int exit_code = 0;       // kStepExited
  bool signalled = false;  // kStepExited: ended by a signal (exit_code holds the signal)
  std::string log_file;    // kStepExited: where the step's stderr is kept, for FailureDetails
  std::string result;      // kStepExited: what the step reported, as JSON (a sql step's counts)

  static ProviderReport Of(Kind kind, std::string cluster_id) {
    ProviderReport report;
    report.kind = kind;
    report.cluster_id = std::move(cluster_id);
    return report;
  }
  static ProviderReport Failed(std::string cluster_id, ReasonCode reason, std::string message) {
    ProviderReport report = Of(Kind::kFailed, std::move(cluster_id));
    report.reason = reason;
    report.message = std::move(message);
    return report;
  }
};

class ClusterProvider {
 public:
  using Listener = std::function<void(ProviderReport)>;
  virtual ~ClusterProvider() = default;

  // Where reports go. Set once, before the first call. Reports may arrive until the provider is
  // destroyed, so destroy it before whatever the listener refers to.
  virtual void SetListener(Listener listener) = 0;
  // Brings up the cluster's nodes: reports kBootstrapping, then kReady or kFailed.
  virtual void Launch(const Cluster& cluster) = 0;
  // Starts `step` on the master node; reports kStepExited when it ends. Returns an identifier
  // of what runs it (a pid for the local provider), or an error when it cannot start at all.
  virtual Result<int64_t> StartStep(const Cluster& cluster, const Step& step) = 0;
  // Stops a running step: `force` kills at once (TERMINATE_PROCESS), else asks it to stop
  // (SEND_INTERRUPT) and kills what is left after a grace period. Its kStepExited follows.
  virtual void CancelStep(const std::string& cluster_id, const std::string& step_id,
                          bool force) = 0;
  // Stops everything the cluster runs and releases its nodes; reports kReleased.
  virtual void Release(const Cluster& cluster) = 0;
  // Called once on engine start: stops whatever a previous engine left running. Returns how
  // many processes (or other resources) it stopped.
  virtual Result<int> ReapLeftovers() = 0;
};

}  // namespace sluice::clusters

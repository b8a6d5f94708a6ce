// ClusterStore: the durable record of cluster templates, clusters and steps, and the only code
// that changes their states. Every state change is checked against the tables in states.h and
// appends its `EMR Cluster State Change` / `EMR Step Status Change` event in the caller's
// transaction, so the event commits with the change or not at all.
//
// All methods work inside the caller's transaction; any thread may call them. The ClusterManager
// drives clusters and steps; actions and CLI commands use the request methods (CreateCluster,
// AddSteps, RequestTermination, CancelSteps), which only record what is wanted.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sluice/clusters/cluster_template.h"
#include "sluice/clusters/states.h"
#include "sluice/clusters/step_config.h"
#include "sluice/common/aws_identity.h"
#include "sluice/common/clock.h"
#include "sluice/store/transaction.h"

namespace sluice::clusters {

struct Cluster {
  std::string id;  // j-XXXXXXXXXXXXX
  std::string name;
  std::string template_name;
  ClusterTemplate spec;  // as at creation, with the creating request's tags merged in
  ClusterState state = ClusterState::kStarting;
  ReasonCode reason = ReasonCode::kNone;
  std::string reason_message;
  TimePoint created;
  std::optional<TimePoint> ready;  // first RUNNING or WAITING
  std::optional<TimePoint> ended;
  std::optional<TimePoint> waiting_since;
  bool ran_steps = false;
};

struct Step {
  int64_t seq = 0;  // FIFO order
  std::string id;   // s-XXXXXXXXXXXXX
  std::string cluster_id;
  StepConfig config;
  StepState state = StepState::kPending;
  std::string cancel_option;  // SEND_INTERRUPT | TERMINATE_PROCESS, once cancelled while running
  // FailureDetails: why a step failed, and where its log is.
  std::string failure_reason, failure_message, failure_log;
  TimePoint created;
  std::optional<TimePoint> started, ended;
  std::optional<int64_t> pid;
  std::optional<int> exit_code;
  std::string result;  // what the finished step reported, as JSON (a sql step's counts); or empty
};

struct CreateRequest {
  std::map<std::string, std::string> tags;  // merged over the template's
  std::string delivery_key;                 // non-empty: a second request with it is a no-op
};

struct AddStepsRequest {
  bool unique = false;       // skip a step whose name is already PENDING or RUNNING there
  std::string delivery_key;  // non-empty: a retried request adds nothing twice
};

// The outcome of cancelling one step, as CancelSteps reports it.
struct CancelOutcome {
  std::string step_id;
  std::string status;  // SUBMITTED | FAILED
  std::string reason;
};

class ClusterStore {
 public:
  explicit ClusterStore(AwsIdentity identity) : identity_(std::move(identity)) {}

  // Templates.
  Status PutTemplate(store::Transaction& tx, const ClusterTemplate& t, TimePoint now) const;
  Result<std::optional<ClusterTemplate>> GetTemplate(store::Transaction& tx,
                                                     const std::string& name) const;
  // As GetTemplate, but a missing template is a NotFound naming it.
  Result<ClusterTemplate> RequireTemplate(store::Transaction& tx, const std::string& name) const;
  Result<std::vector<ClusterTemplate>> ListTemplates(store::Transaction& tx) const;
  Status DeleteTemplate(store::Transaction& tx, const std::string& name) const;

  // Records a new cluster in STARTING (the manager launches it). With a delivery key already
  // used, returns the cluster that key made.
  Result<Cluster> CreateCluster(store::Transaction& tx, const ClusterTemplate& t,
                                const CreateRequest& request, TimePoint now) const;
  Result<std::optional<Cluster>> GetCluster(store::Transaction& tx, const std::string& id) const;
  // As GetCluster, but a missing cluster is a NotFound (ResourceNotFoundException) naming it.
  Result<Cluster> RequireCluster(store::Transaction& tx, const std::string& id) const;
  // The newest live cluster made from `template_name`, if any. With `not_started`, only one
  // that has not started a step yet (its first steps are still to come).
  Result<std::optional<Cluster>> FindLiveCluster(store::Transaction& tx,
                                                 const std::string& template_name,
                                                 bool not_started = false) const;
  // Newest first; `states` empty means all.
  Result<std::vector<Cluster>> ListClusters(store::Transaction& tx,
                                            const std::vector<ClusterState>& states,
                                            int limit) const;
  // Moves `cluster` to `to` (updating it in place), with its reason and event. Entering
  // RUNNING/WAITING sets the ready time once; WAITING starts the idle timer; a terminal state
  // sets the end time.
  Status SetClusterState(store::Transaction& tx, Cluster& cluster, ClusterState to,
                         ReasonCode reason, const std::string& message, TimePoint now) const;
  Status MarkRanSteps(store::Transaction& tx, Cluster& cluster) const;

  // AddJobFlowSteps: validates against the cluster (live, concurrency > 1 allows only CONTINUE,
  // at most 256 steps pending or running) and adds the steps PENDING, in order. Returns their
  // ids (with `unique`, a skipped step is left out).
  Result<std::vector<std::string>> AddSteps(store::Transaction& tx, const std::string& cluster_id,
                                            const std::vector<StepConfig>& steps,
                                            const AddStepsRequest& request, TimePoint now) const;
  Result<std::optional<Step>> GetStep(store::Transaction& tx, const std::string& step_id) const;
  // Newest first, as ListSteps returns them; `states` empty means all.
  Result<std::vector<Step>> ListSteps(store::Transaction& tx, const std::string& cluster_id,
                                      const std::vector<StepState>& states) const;
  // Moves `step` to `to` (updating it in place) with its event; the caller has set the fields
  // that go with the state (pid, exit code, failure details) on `step` first.
  Status SetStepState(store::Transaction& tx, const Cluster& cluster, Step& step, StepState to,
                      TimePoint now) const;

  // TerminateJobFlows for one cluster: TERMINATING with USER_REQUEST. A protected cluster is
  // refused; an ended one is left alone.
  Status RequestTermination(store::Transaction& tx, const std::string& cluster_id,
                            TimePoint now) const;
  // CancelSteps: a PENDING step is CANCELLED at once, a RUNNING one becomes CANCEL_PENDING (the
  // manager stops its processes); others are reported FAILED with the reason.
  Result<std::vector<CancelOutcome>> CancelSteps(store::Transaction& tx,
                                                 const std::string& cluster_id,
                                                 const std::vector<std::string>& step_ids,
                                                 const std::string& option, TimePoint now) const;

  const AwsIdentity& identity() const { return identity_; }

 private:
  AwsIdentity identity_;
};

}  // namespace sluice::clusters

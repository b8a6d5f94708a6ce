#include "sluice/clusters/cluster_store.h"

#include <algorithm>

#include "cluster_events.h"
#include "sluice/common/time_format.h"
#include "sluice/store/event_log.h"

namespace sluice::clusters {
namespace {

using nlohmann::json;

constexpr int kMaxActiveSteps = 256;  // PENDING + RUNNING per cluster, as EMR allows

constexpr const char* kClusterColumns =
    "id, name, template, spec, state, reason_code, reason_message, created_ms, ready_ms, end_ms, "
    "waiting_since_ms, ran_steps";
constexpr const char* kStepColumns =
    "seq, id, cluster_id, config, state, coalesce(cancel_option, ''), "
    "coalesce(failure_reason, ''), coalesce(failure_message, ''), coalesce(failure_log, ''), "
    "created_ms, start_ms, end_ms, pid, exit_code, coalesce(result, '')";

std::optional<TimePoint> OptionalTime(const store::Cursor& row, int column) {
  if (row.IsNull(column)) return std::nullopt;
  return FromUnixMillis(row.Int(column));
}

std::optional<int64_t> OptionalMillis(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return ToUnixMillis(*t);
}

Result<Cluster> ClusterFromRow(const store::Cursor& row) {
  Cluster c;
  c.id = row.Text(0);
  c.name = row.Text(1);
  c.template_name = row.Text(2);
  auto spec = json::parse(row.Bytes(3), nullptr, false);
  SLUICE_ASSIGN_OR_RETURN(c.spec, TemplateFromJson(spec).WithContext("cluster " + c.id));
  auto state = ParseClusterState(row.Bytes(4));
  auto reason = ParseReasonCode(row.Bytes(5));
  if (!state || !reason) return Status::Corruption("cluster " + c.id + " has an unknown state");
  c.state = *state;
  c.reason = *reason;
  c.reason_message = row.Text(6);
  c.created = FromUnixMillis(row.Int(7));
  c.ready = OptionalTime(row, 8);
  c.ended = OptionalTime(row, 9);
  c.waiting_since = OptionalTime(row, 10);
  c.ran_steps = row.Int(11) != 0;
  return c;
}

Result<Step> StepFromRow(const store::Cursor& row) {
  Step s;
  s.seq = row.Int(0);
  s.id = row.Text(1);
  s.cluster_id = row.Text(2);
  auto config = json::parse(row.Bytes(3), nullptr, false);
  SLUICE_ASSIGN_OR_RETURN(s.config, StepConfigFromJson(config).WithContext("step " + s.id));
  auto state = ParseStepState(row.Bytes(4));
  if (!state) return Status::Corruption("step " + s.id + " has an unknown state");
  s.state = *state;
  s.cancel_option = row.Text(5);
  s.failure_reason = row.Text(6);
  s.failure_message = row.Text(7);
  s.failure_log = row.Text(8);
  s.created = FromUnixMillis(row.Int(9));
  s.started = OptionalTime(row, 10);
  s.ended = OptionalTime(row, 11);
  if (!row.IsNull(12)) s.pid = row.Int(12);
  if (!row.IsNull(13)) s.exit_code = static_cast<int>(row.Int(13));
  s.result = row.Text(14);
  return s;
}

template <typename T, typename Parse>
Result<std::vector<T>> Collect(store::Cursor rows, Parse parse) {
  std::vector<T> out;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(bool more, rows.Next());
    if (!more) return out;
    SLUICE_ASSIGN_OR_RETURN(T item, parse(rows));
    out.push_back(std::move(item));
  }
}

// A comma-separated list of quoted state names, for `state IN (...)`. The names come from our
// own tables, never from input.
template <typename State, typename Name>
std::string StateList(const std::vector<State>& states, Name name) {
  std::string list;
  for (State s : states) {
    if (!list.empty()) list += ",";
    list += "'" + std::string(name(s)) + "'";
  }
  return list;
}

}  // namespace

Status ClusterStore::PutTemplate(store::Transaction& tx, const ClusterTemplate& t,
                                 TimePoint now) const {
  SLUICE_RETURN_IF_ERROR(ValidateTemplate(t));
  return tx
      .Execute(
          "INSERT INTO cluster_templates (name, spec, created_ms, updated_ms) "
          "VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, "
          "updated_ms = excluded.updated_ms",
          t.name, TemplateToJson(t).dump(), ToUnixMillis(now), ToUnixMillis(now))
      .status();
}

Result<std::optional<ClusterTemplate>> ClusterStore::GetTemplate(store::Transaction& tx,
                                                                 const std::string& name) const {
  SLUICE_ASSIGN_OR_RETURN(store::Cursor row,
                          tx.Query("SELECT spec FROM cluster_templates WHERE name = ?", name));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  if (!found) return std::optional<ClusterTemplate>();
  SLUICE_ASSIGN_OR_RETURN(ClusterTemplate t,
                          TemplateFromJson(json::parse(row.Bytes(0), nullptr, false)));
  return std::optional<ClusterTemplate>(std::move(t));
}

Result<ClusterTemplate> ClusterStore::RequireTemplate(store::Transaction& tx,
                                                      const std::string& name) const {
  SLUICE_ASSIGN_OR_RETURN(std::optional<ClusterTemplate> t, GetTemplate(tx, name));
  if (!t) {
    return Status::NotFound("cluster template " + name + " does not exist",
                            "ResourceNotFoundException");
  }
  return *std::move(t);
}

Result<std::vector<ClusterTemplate>> ClusterStore::ListTemplates(store::Transaction& tx) const {
  SLUICE_ASSIGN_OR_RETURN(store::Cursor rows,
                          tx.Query("SELECT spec FROM cluster_templates ORDER BY name"));
  return Collect<ClusterTemplate>(std::move(rows), [](const store::Cursor& row) {
    return TemplateFromJson(json::parse(row.Bytes(0), nullptr, false));
  });
}

Status ClusterStore::DeleteTemplate(store::Transaction& tx, const std::string& name) const {
  SLUICE_ASSIGN_OR_RETURN(int deleted,
                          tx.Execute("DELETE FROM cluster_templates WHERE name = ?", name));
  if (deleted == 0) {
    return Status::NotFound("cluster template " + name + " does not exist",
                            "ResourceNotFoundException");
  }
  return Status::Ok();
}

Result<Cluster> ClusterStore::CreateCluster(store::Transaction& tx, const ClusterTemplate& t,
                                            const CreateRequest& request, TimePoint now) const {
  if (!request.delivery_key.empty()) {
    SLUICE_ASSIGN_OR_RETURN(
        store::Cursor row,
        tx.Query("SELECT id FROM clusters WHERE delivery_key = ?", request.delivery_key));
    SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
    if (found) {
      SLUICE_ASSIGN_OR_RETURN(std::optional<Cluster> made, GetCluster(tx, row.Text(0)));
      if (made) return *made;
    }
  }
  Cluster c;
  c.id = NewEmrId("j-");
  c.name = t.name;
  c.template_name = t.name;
  c.spec = t;
  for (const auto& [key, value] : request.tags)
    c.spec.tags[key] = value;
  SLUICE_RETURN_IF_ERROR(ValidateTemplate(c.spec));
  c.created = now;
  std::optional<std::string> key;
  if (!request.delivery_key.empty()) key = request.delivery_key;
  SLUICE_RETURN_IF_ERROR(
      tx.Execute("INSERT INTO clusters (id, name, template, spec, state, reason_code, "
                 "reason_message, created_ms, ran_steps, delivery_key) "
                 "VALUES (?, ?, ?, ?, ?, '', '', ?, 0, ?)",
                 c.id, c.name, c.template_name, TemplateToJson(c.spec).dump(),
                 ClusterStateName(c.state), ToUnixMillis(now), key)
          .status());
  SLUICE_RETURN_IF_ERROR(
      store::AppendEvent(tx, store::BuildEvent(ClusterStateChangeEvent(c, identity_, now)))
          .status());
  return c;
}

Result<std::optional<Cluster>> ClusterStore::GetCluster(store::Transaction& tx,
                                                        const std::string& id) const {
  SLUICE_ASSIGN_OR_RETURN(
      store::Cursor row,
      tx.Query(std::string("SELECT ") + kClusterColumns + " FROM clusters WHERE id = ?", id));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  if (!found) return std::optional<Cluster>();
  SLUICE_ASSIGN_OR_RETURN(Cluster c, ClusterFromRow(row));
  return std::optional<Cluster>(std::move(c));
}

Result<Cluster> ClusterStore::RequireCluster(store::Transaction& tx, const std::string& id) const {
  SLUICE_ASSIGN_OR_RETURN(std::optional<Cluster> cluster, GetCluster(tx, id));
  if (!cluster) {
    return Status::NotFound("cluster " + id + " does not exist", "ResourceNotFoundException");
  }
  return *std::move(cluster);
}

Result<std::optional<Cluster>> ClusterStore::FindLiveCluster(store::Transaction& tx,
                                                             const std::string& template_name,
                                                             bool not_started) const {
  SLUICE_ASSIGN_OR_RETURN(
      store::Cursor row,
      tx.Query(std::string("SELECT ") + kClusterColumns +
                   " FROM clusters WHERE template = ? AND state IN ('STARTING', "
                   "'BOOTSTRAPPING', 'RUNNING', 'WAITING')" +
                   (not_started ? " AND ran_steps = 0" : "") + " ORDER BY created_ms DESC LIMIT 1",
               template_name));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  if (!found) return std::optional<Cluster>();
  SLUICE_ASSIGN_OR_RETURN(Cluster c, ClusterFromRow(row));
  return std::optional<Cluster>(std::move(c));
}

Result<std::vector<Cluster>> ClusterStore::ListClusters(store::Transaction& tx,
                                                        const std::vector<ClusterState>& states,
                                                        int limit) const {
  std::string where =
      states.empty() ? "" : " WHERE state IN (" + StateList(states, ClusterStateName) + ")";
  SLUICE_ASSIGN_OR_RETURN(store::Cursor rows,
                          tx.Query(std::string("SELECT ") + kClusterColumns + " FROM clusters" +
                                       where + " ORDER BY created_ms DESC, id LIMIT ?",
                                   limit));
  return Collect<Cluster>(std::move(rows), ClusterFromRow);
}

Status ClusterStore::SetClusterState(store::Transaction& tx, Cluster& cluster, ClusterState to,
                                     ReasonCode reason, const std::string& message,
                                     TimePoint now) const {
  if (!CanTransition(cluster.state, to)) {
    return Status::Internal("cluster " + cluster.id + " cannot go from " +
                            std::string(ClusterStateName(cluster.state)) + " to " +
                            std::string(ClusterStateName(to)));
  }
  cluster.state = to;
  cluster.reason = reason;
  cluster.reason_message = message;
  if ((to == ClusterState::kRunning || to == ClusterState::kWaiting) && !cluster.ready) {
    cluster.ready = now;
  }
  cluster.waiting_since = to == ClusterState::kWaiting ? std::optional(now) : std::nullopt;
  if (IsTerminal(to)) cluster.ended = now;
  SLUICE_RETURN_IF_ERROR(
      tx.Execute("UPDATE clusters SET state = ?, reason_code = ?, reason_message = ?, "
                 "ready_ms = ?, end_ms = ?, waiting_since_ms = ? WHERE id = ?",
                 ClusterStateName(to), ReasonCodeName(reason), message,
                 OptionalMillis(cluster.ready), OptionalMillis(cluster.ended),
                 OptionalMillis(cluster.waiting_since), cluster.id)
          .status());
  return store::AppendEvent(tx, store::BuildEvent(ClusterStateChangeEvent(cluster, identity_, now)))
      .status();
}

Status ClusterStore::MarkRanSteps(store::Transaction& tx, Cluster& cluster) const {
  if (cluster.ran_steps) return Status::Ok();
  cluster.ran_steps = true;
  return tx.Execute("UPDATE clusters SET ran_steps = 1 WHERE id = ?", cluster.id).status();
}

Result<std::vector<std::string>> ClusterStore::AddSteps(store::Transaction& tx,
                                                        const std::string& cluster_id,
                                                        const std::vector<StepConfig>& steps,
                                                        const AddStepsRequest& request,
                                                        TimePoint now) const {
  SLUICE_ASSIGN_OR_RETURN(Cluster cluster, RequireCluster(tx, cluster_id));
  if (!IsLive(cluster.state)) {
    return Status::Validation(
        "A job flow that is shutting down, terminated, or finished may not be "
        "modified (cluster " +
        cluster_id + " is " + std::string(ClusterStateName(cluster.state)) + ")");
  }
  SLUICE_ASSIGN_OR_RETURN(std::vector<Step> active,
                          ListSteps(tx, cluster_id, {StepState::kPending, StepState::kRunning}));
  for (const StepConfig& step : steps) {
    if (cluster.spec.step_concurrency > 1 && step.action_on_failure != ActionOnFailure::kContinue) {
      return Status::Validation(
          "step " + step.name +
          ": ActionOnFailure setting is not valid: with a StepConcurrencyLevel "
          "above 1 only CONTINUE is allowed");
    }
  }
  std::vector<std::string> ids;
  for (size_t i = 0; i < steps.size(); ++i) {
    std::optional<std::string> key;
    if (!request.delivery_key.empty()) {
      key = request.delivery_key + "#" + std::to_string(i);
      SLUICE_ASSIGN_OR_RETURN(store::Cursor row,
                              tx.Query("SELECT id FROM steps WHERE delivery_key = ?", *key));
      SLUICE_ASSIGN_OR_RETURN(bool done, row.Next());
      if (done) {
        ids.push_back(row.Text(0));
        continue;
      }
    }
    if (request.unique && std::any_of(active.begin(), active.end(), [&](const Step& s) {
          return s.config.name == steps[i].name;
        })) {
      continue;
    }
    // Counted as steps are added, so a retried or `unique` request that adds nothing is not
    // refused; an error leaves nothing added, as the caller's transaction rolls back.
    if (active.size() >= kMaxActiveSteps) {
      return Status::Validation("cluster " + cluster_id +
                                " would have more than 256 steps pending or running");
    }
    Step step;
    step.id = NewEmrId("s-");
    step.cluster_id = cluster_id;
    step.config = steps[i];
    step.created = now;
    SLUICE_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO steps (id, cluster_id, name, config, state, created_ms, "
                   "delivery_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   step.id, cluster_id, step.config.name, StepConfigToJson(step.config).dump(),
                   StepStateName(step.state), ToUnixMillis(now), key)
            .status());
    SLUICE_RETURN_IF_ERROR(store::AppendEvent(tx, store::BuildEvent(StepStatusChangeEvent(
                                                      cluster, step, identity_, now)))
                               .status());
    active.push_back(step);
    ids.push_back(step.id);
  }
  return ids;
}

Result<std::optional<Step>> ClusterStore::GetStep(store::Transaction& tx,
                                                  const std::string& step_id) const {
  SLUICE_ASSIGN_OR_RETURN(
      store::Cursor row,
      tx.Query(std::string("SELECT ") + kStepColumns + " FROM steps WHERE id = ?", step_id));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  if (!found) return std::optional<Step>();
  SLUICE_ASSIGN_OR_RETURN(Step s, StepFromRow(row));
  return std::optional<Step>(std::move(s));
}

Result<std::vector<Step>> ClusterStore::ListSteps(store::Transaction& tx,
                                                  const std::string& cluster_id,
                                                  const std::vector<StepState>& states) const {
  std::string where =
      states.empty() ? "" : " AND state IN (" + StateList(states, StepStateName) + ")";
  SLUICE_ASSIGN_OR_RETURN(store::Cursor rows, tx.Query(std::string("SELECT ") + kStepColumns +
                                                           " FROM steps WHERE cluster_id = ?" +
                                                           where + " ORDER BY seq DESC",
                                                       cluster_id));
  return Collect<Step>(std::move(rows), StepFromRow);
}

Status ClusterStore::SetStepState(store::Transaction& tx, const Cluster& cluster, Step& step,
                                  StepState to, TimePoint now) const {
  if (!CanTransition(step.state, to)) {
    return Status::Internal("step " + step.id + " cannot go from " +
                            std::string(StepStateName(step.state)) + " to " +
                            std::string(StepStateName(to)));
  }
  step.state = to;
  if (to == StepState::kRunning) step.started = now;
  if (IsFinished(to)) step.ended = now;
  auto text = [](const std::string& s) {
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
  };
  SLUICE_RETURN_IF_ERROR(
      tx.Execute("UPDATE steps SET state = ?, cancel_option = ?, failure_reason = ?, "
                 "failure_message = ?, failure_log = ?, start_ms = ?, end_ms = ?, pid = ?, "
                 "exit_code = ?, result = ? WHERE id = ?",
                 StepStateName(to), text(step.cancel_option), text(step.failure_reason),
                 text(step.failure_message), text(step.failure_log), OptionalMillis(step.started),
                 OptionalMillis(step.ended), step.pid,
                 step.exit_code ? std::optional<int64_t>(*step.exit_code) : std::nullopt,
                 text(step.result), step.id)
          .status());
  return store::AppendEvent(tx,
                            store::BuildEvent(StepStatusChangeEvent(cluster, step, identity_, now)))
      .status();
}

Status ClusterStore::RequestTermination(store::Transaction& tx, const std::string& cluster_id,
                                        TimePoint now) const {
  SLUICE_ASSIGN_OR_RETURN(Cluster cluster, RequireCluster(tx, cluster_id));
  if (!IsLive(cluster.state)) return Status::Ok();  // already ending or ended
  if (cluster.spec.termination_protected) {
    return Status::Validation(
        "Could not shut down one or more job flows since they are termination protected "
        "(cluster " +
        cluster_id + ")");
  }
  return SetClusterState(tx, cluster, ClusterState::kTerminating, ReasonCode::kUserRequest,
                         "Terminated by user request", now);
}

Result<std::vector<CancelOutcome>> ClusterStore::CancelSteps(
    store::Transaction& tx, const std::string& cluster_id, const std::vector<std::string>& step_ids,
    const std::string& option, TimePoint now) const {
  if (option != "SEND_INTERRUPT" && option != "TERMINATE_PROCESS") {
    return Status::Validation("StepCancellationOption must be SEND_INTERRUPT or TERMINATE_PROCESS");
  }
  if (step_ids.empty() || step_ids.size() > 256) {
    return Status::Validation("CancelSteps takes 1 to 256 step ids");
  }
  SLUICE_ASSIGN_OR_RETURN(Cluster cluster, RequireCluster(tx, cluster_id));
  std::vector<CancelOutcome> outcomes;
  for (const std::string& id : step_ids) {
    SLUICE_ASSIGN_OR_RETURN(std::optional<Step> step, GetStep(tx, id));
    if (!step || step->cluster_id != cluster_id) {
      outcomes.push_back({id, "FAILED", "step " + id + " is not in cluster " + cluster_id});
      continue;
    }
    switch (step->state) {
      case StepState::kPending:
        SLUICE_RETURN_IF_ERROR(SetStepState(tx, cluster, *step, StepState::kCancelled, now));
        outcomes.push_back({id, "SUBMITTED", ""});
        break;
      case StepState::kRunning:
        step->cancel_option = option;
        SLUICE_RETURN_IF_ERROR(SetStepState(tx, cluster, *step, StepState::kCancelPending, now));
        outcomes.push_back({id, "SUBMITTED", ""});
        break;
      case StepState::kCancelPending:
        outcomes.push_back({id, "SUBMITTED", ""});  // idempotent
        break;
      default:
        outcomes.push_back({id, "FAILED",
                            "step " + id + " is " + std::string(StepStateName(step->state)) +
                                " and cannot be cancelled"});
    }
  }
  return outcomes;
}

}  // namespace sluice::clusters

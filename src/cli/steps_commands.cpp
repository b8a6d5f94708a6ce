// `sluice steps add | ls | describe | cancel | logs`.
#include <cstdio>

#include "cli/cluster_json.h"
#include "cli/command.h"
#include "cli/json_argument.h"
#include "sluice/clusters/cluster_store.h"
#include "sluice/clusters/step_logs.h"
#include "sluice/common/time_format.h"

namespace sluice::cli {
namespace {

using nlohmann::json;

struct StepsArgs {
  std::string cluster_id, step_id, name, action_on_failure = "CONTINUE", steps, log = "stdout";
  std::vector<std::string> command, step_ids, states;
  bool json = false, force = false;
};

Result<std::vector<clusters::StepConfig>> StepsFromArgs(const StepsArgs& args) {
  std::vector<clusters::StepConfig> configs;
  if (!args.steps.empty()) {
    if (!args.command.empty() || !args.name.empty()) {
      return UsageError("give the steps as --steps or as --name and a command, not both");
    }
    SLUICE_ASSIGN_OR_RETURN(json steps, ReadJsonArgument(args.steps, "--steps"));
    if (!steps.is_array()) return UsageError("--steps must be a JSON array of steps");
    for (const json& step : steps) {
      SLUICE_ASSIGN_OR_RETURN(clusters::StepConfig config, clusters::StepConfigFromJson(step));
      configs.push_back(std::move(config));
    }
    return configs;
  }
  if (args.name.empty() || args.command.empty()) {
    return UsageError("steps add needs --steps, or --name and a command after --");
  }
  json step = {
      {"Name", args.name}, {"ActionOnFailure", args.action_on_failure}, {"Command", args.command}};
  SLUICE_ASSIGN_OR_RETURN(clusters::StepConfig config, clusters::StepConfigFromJson(step));
  configs.push_back(std::move(config));
  return configs;
}

Status AddStepsCommand(DataDir& dir, const StepsArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<clusters::StepConfig> configs, StepsFromArgs(args));
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  clusters::ClusterStore store(dir.identity());
  std::vector<std::string> ids;
  SLUICE_RETURN_IF_ERROR(db->Write([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(
        ids, store.AddSteps(tx, args.cluster_id, configs, {}, SystemClock::Instance().Now()));
    return Status::Ok();
  }));
  if (args.json) {
    std::puts(json{{"StepIds", ids}}.dump(2).c_str());
  } else {
    for (const std::string& id : ids)
      std::printf("%s\n", id.c_str());
  }
  return Status::Ok();
}

Status ListStepsCommand(DataDir& dir, const StepsArgs& args) {
  std::vector<clusters::StepState> states;
  for (const std::string& name : args.states) {
    auto state = clusters::ParseStepState(name);
    if (!state) return UsageError("--state: unknown step state " + name);
    states.push_back(*state);
  }
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  clusters::ClusterStore store(dir.identity());
  std::vector<clusters::Step> steps;
  SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
    SLUICE_RETURN_IF_ERROR(store.RequireCluster(tx, args.cluster_id).status());
    SLUICE_ASSIGN_OR_RETURN(steps, store.ListSteps(tx, args.cluster_id, states));
    return Status::Ok();
  }));
  if (args.json) {
    json out = json::array();
    for (const auto& s : steps)
      out.push_back(StepJson(s));
    std::puts(json{{"Steps", out}}.dump(2).c_str());
    return Status::Ok();
  }
  std::printf("%-16s %-28s %-15s %-18s %s\n", "ID", "NAME", "STATE", "ACTION_ON_FAILURE",
              "CREATED");
  for (const auto& s : steps) {
    std::printf("%-16s %-28s %-15s %-18s %s\n", s.id.c_str(), s.config.name.c_str(),
                std::string(clusters::StepStateName(s.state)).c_str(),
                std::string(clusters::ActionOnFailureName(s.config.action_on_failure)).c_str(),
                FormatIso8601Millis(s.created).c_str());
  }
  return Status::Ok();
}

Result<clusters::Step> FindStep(DataDir& dir, const std::string& cluster_id,
                                const std::string& step_id) {
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  clusters::ClusterStore store(dir.identity());
  std::optional<clusters::Step> step;
  SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(step, store.GetStep(tx, step_id));
    return Status::Ok();
  }));
  if (!step || step->cluster_id != cluster_id) {
    return Status::NotFound("step " + step_id + " is not in cluster " + cluster_id,
                            "ResourceNotFoundException");
  }
  return *step;
}

Status DescribeStepCommand(DataDir& dir, const StepsArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(clusters::Step step, FindStep(dir, args.cluster_id, args.step_id));
  std::puts(json{{"Step", StepJson(step)}}.dump(2).c_str());
  return Status::Ok();
}

Status CancelStepsCommand(DataDir& dir, const StepsArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  clusters::ClusterStore store(dir.identity());
  std::vector<clusters::CancelOutcome> outcomes;
  SLUICE_RETURN_IF_ERROR(db->Write([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(outcomes,
                            store.CancelSteps(tx, args.cluster_id, args.step_ids,
                                              args.force ? "TERMINATE_PROCESS" : "SEND_INTERRUPT",
                                              SystemClock::Instance().Now()));
    return Status::Ok();
  }));
  bool all = true;
  json list = json::array();
  for (const auto& o : outcomes) {
    all = all && o.status == "SUBMITTED";
    list.push_back({{"StepId", o.step_id}, {"Status", o.status}, {"Reason", o.reason}});
    if (!args.json) {
      std::printf("%s %s%s\n", o.step_id.c_str(), o.status.c_str(),
                  o.reason.empty() ? "" : (": " + o.reason).c_str());
    }
  }
  if (args.json) std::puts(json{{"CancelStepsInfoList", list}}.dump(2).c_str());
  if (!all) return Status::FailedPrecondition("not every step could be cancelled");
  return Status::Ok();
}

// A step's log: from this machine's copy while there is one, else from the cluster's LogUri.
Status StepLogsCommand(DataDir& dir, const StepsArgs& args) {
  if (args.log != "stdout" && args.log != "stderr" && args.log != "controller") {
    return UsageError("--log is stdout, stderr or controller");
  }
  SLUICE_ASSIGN_OR_RETURN(clusters::Step step, FindStep(dir, args.cluster_id, args.step_id));
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  clusters::ClusterStore store(dir.identity());
  clusters::Cluster cluster;
  SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(cluster, store.RequireCluster(tx, step.cluster_id));
    return Status::Ok();
  }));
  SLUICE_ASSIGN_OR_RETURN(lake::LocalObjectStore * lake, dir.Lake());
  SLUICE_ASSIGN_OR_RETURN(std::string text, clusters::ReadStepLog(*lake, dir.clusters_path(),
                                                                  cluster, step.id, args.log));
  std::fwrite(text.data(), 1, text.size(), stdout);
  return Status::Ok();
}

}  // namespace

void RegisterStepsCommands(CLI::App& app, Command& command) {
  static StepsArgs args;
  auto* steps = app.add_subcommand("steps", "Steps on clusters");
  steps->require_subcommand(1);

  auto* add = steps->add_subcommand("add", "Add steps to a cluster (AddJobFlowSteps)");
  add->add_option("cluster", args.cluster_id, "Cluster id (j-...)")->required();
  add->add_option("--steps", args.steps, "JSON array of steps, or @file");
  add->add_option("--name", args.name, "The step's name (with a command after --)");
  add->add_option("--action-on-failure", args.action_on_failure,
                  "TERMINATE_CLUSTER, CANCEL_AND_WAIT or CONTINUE (default)");
  add->add_option("command", args.command, "The command to run, after --");
  add->add_flag("--json", args.json, "Print {\"StepIds\": [...]}");
  OnChosen(add, command, args, AddStepsCommand);

  auto* ls = steps->add_subcommand("ls", "List a cluster's steps, newest first");
  ls->add_option("cluster", args.cluster_id, "Cluster id")->required();
  ls->add_option("--state", args.states, "Only steps in this state (repeatable)");
  ls->add_flag("--json", args.json, "Print one JSON document");
  OnChosen(ls, command, args, ListStepsCommand);

  auto* describe = steps->add_subcommand("describe", "Show one step as JSON");
  describe->add_option("cluster", args.cluster_id, "Cluster id")->required();
  describe->add_option("step", args.step_id, "Step id (s-...)")->required();
  OnChosen(describe, command, args, DescribeStepCommand);

  auto* cancel = steps->add_subcommand("cancel", "Cancel steps (CancelSteps)");
  cancel->add_option("cluster", args.cluster_id, "Cluster id")->required();
  cancel->add_option("steps", args.step_ids, "Step ids")->required();
  cancel->add_flag("--force", args.force,
                   "Kill running steps at once (TERMINATE_PROCESS) instead of SIGTERM first");
  cancel->add_flag("--json", args.json, "Print CancelSteps' JSON response");
  OnChosen(cancel, command, args, CancelStepsCommand);

  auto* logs = steps->add_subcommand("logs", "Print a step's log");
  logs->add_option("cluster", args.cluster_id, "Cluster id")->required();
  logs->add_option("step", args.step_id, "Step id")->required();
  logs->add_option("--log", args.log, "stdout (default), stderr or controller");
  OnChosen(logs, command, args, StepLogsCommand);
}

}  // namespace sluice::cli

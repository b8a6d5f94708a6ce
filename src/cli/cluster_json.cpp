#include "cli/cluster_json.h"

#include "sluice/common/time_format.h"

namespace sluice::cli {
namespace {

using nlohmann::json;

void PutTime(json& object, const char* key, const std::optional<TimePoint>& t) {
  if (t) object[key] = FormatIso8601Millis(*t);
}

json ClusterStatus(const clusters::Cluster& c) {
  json reason = json::object();
  if (c.reason != clusters::ReasonCode::kNone) {
    reason = {{"Code", clusters::ReasonCodeName(c.reason)}, {"Message", c.reason_message}};
  }
  json timeline = {{"CreationDateTime", FormatIso8601Millis(c.created)}};
  PutTime(timeline, "ReadyDateTime", c.ready);
  PutTime(timeline, "EndDateTime", c.ended);
  return {{"State", clusters::ClusterStateName(c.state)},
          {"StateChangeReason", reason},
          {"Timeline", timeline}};
}

std::string ClusterArn(const clusters::Cluster& c, const AwsIdentity& identity) {
  return "arn:aws:elasticmapreduce:" + identity.region + ":" + identity.account_id + ":cluster/" +
         c.id;
}

}  // namespace

json ClusterSummaryJson(const clusters::Cluster& c, const AwsIdentity& identity) {
  return {{"Id", c.id},
          {"Name", c.name},
          {"Status", ClusterStatus(c)},
          {"ClusterArn", ClusterArn(c, identity)}};
}

json ClusterJson(const clusters::Cluster& c, const AwsIdentity& identity) {
  json spec = clusters::TemplateToJson(c.spec);
  json out = ClusterSummaryJson(c, identity);
  out["Template"] = c.template_name;
  out["Provider"] = c.spec.provider;
  out["ReleaseLabel"] = c.spec.release_label;
  out["Applications"] = spec["Applications"];
  out["InstanceGroups"] = spec["Instances"]["InstanceGroups"];
  out["BootstrapActions"] = spec["BootstrapActions"];
  out["Configurations"] = spec["Configurations"];
  out["Tags"] = spec["Tags"];
  out["LogUri"] = c.spec.log_uri;
  out["AutoTerminate"] = !c.spec.keep_alive;
  out["TerminationProtected"] = c.spec.termination_protected;
  out["StepConcurrencyLevel"] = c.spec.step_concurrency;
  if (c.spec.idle_timeout_seconds) {
    out["AutoTerminationPolicy"] = {{"IdleTimeout", *c.spec.idle_timeout_seconds}};
  }
  out["MaximumLifetimeSeconds"] = c.spec.max_lifetime_seconds;
  return out;
}

json StepJson(const clusters::Step& s) {
  json status = {{"State", clusters::StepStateName(s.state)},
                 {"StateChangeReason", json::object()}};
  if (!s.failure_reason.empty() || !s.failure_message.empty()) {
    status["FailureDetails"] = {
        {"Reason", s.failure_reason}, {"Message", s.failure_message}, {"LogFile", s.failure_log}};
  }
  json timeline = {{"CreationDateTime", FormatIso8601Millis(s.created)}};
  PutTime(timeline, "StartDateTime", s.started);
  PutTime(timeline, "EndDateTime", s.ended);
  status["Timeline"] = timeline;
  json out = {
      {"Id", s.id},
      {"Name", s.config.name},
      {"Config",
       {{"Jar", "command-runner.jar"}, {"Args", s.config.args}, {"Properties", json::object()}}},
      {"ActionOnFailure", clusters::ActionOnFailureName(s.config.action_on_failure)},
      {"Status", status},
      {"ClusterId", s.cluster_id}};
  if (s.config.sql) {
    // Not EMR's: what a sql step runs, and what it reported (rows, bytes, outputs, load).
    out["Config"]["Jar"] = "sluice-sql";
    out["Sql"] = engine::SqlStepToJson(*s.config.sql);
  }
  if (!s.result.empty()) out["Result"] = json::parse(s.result, nullptr, false);
  if (s.exit_code) out["ExitCode"] = *s.exit_code;
  return out;
}

}  // namespace sluice::cli

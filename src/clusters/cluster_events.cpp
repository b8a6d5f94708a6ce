#include "cluster_events.h"

#include <fmt/format.h>

#include "sluice/common/ids.h"
#include "sluice/common/time_format.h"

namespace sluice::clusters {
namespace {

using nlohmann::json;

// "2016-12-16 21:00 UTC", as EMR's messages write times. Not fmt's time_point formatting: before
// fmt 10 it writes local time.
std::string MessageTime(TimePoint t) {
  std::string rfc3339 = FormatRfc3339Seconds(t);  // 2016-12-16T21:00:05Z
  return rfc3339.substr(0, 10) + " " + rfc3339.substr(11, 5) + " UTC";
}

bool IsFailure(ReasonCode code) {
  return EndStateFor(code) == ClusterState::kTerminatedWithErrors;
}

std::string ClusterSeverity(const Cluster& c) {
  switch (c.state) {
    case ClusterState::kTerminatedWithErrors:
      return "CRITICAL";
    case ClusterState::kTerminating:
      return IsFailure(c.reason) ? "WARN" : "INFO";
    default:
      return "INFO";
  }
}

std::string ClusterMessage(const Cluster& c, TimePoint now) {
  std::string who = fmt::format("Amazon EMR cluster {} ({})", c.id, c.name);
  std::string at = MessageTime(now);
  std::string code(ReasonCodeName(c.reason));
  switch (c.state) {
    case ClusterState::kStarting:
      return fmt::format("{} was requested at {} and is being created.", who, at);
    case ClusterState::kBootstrapping:
      return fmt::format("{} is running bootstrap actions as of {}.", who, at);
    case ClusterState::kRunning:
      return fmt::format("{} is running steps as of {}.", who, at);
    case ClusterState::kWaiting:
      return fmt::format("{} is ready and waiting for work as of {}.", who, at);
    case ClusterState::kTerminating:
      return fmt::format("{} is terminating as of {} with a reason of {}.", who, at, code);
    case ClusterState::kTerminated:
      return fmt::format("Amazon EMR Cluster {} ({}) has terminated at {} with a reason of {}.",
                         c.id, c.name, at, code);
    case ClusterState::kTerminatedWithErrors:
      return fmt::format(
          "Amazon EMR Cluster {} ({}) has terminated with errors at {} with a reason of {}.", c.id,
          c.name, at, code);
  }
  return who;
}

std::string StepSeverity(StepState state) {
  switch (state) {
    case StepState::kCancelPending:
    case StepState::kCancelled:
      return "WARN";
    case StepState::kFailed:
    case StepState::kInterrupted:
      return "ERROR";
    default:
      return "INFO";
  }
}

std::string StepMessage(const Cluster& c, const Step& s, TimePoint now) {
  std::string who =
      fmt::format("Step {} ({}) in Amazon EMR cluster {} ({})", s.id, s.config.name, c.id, c.name);
  std::string at = MessageTime(now);
  switch (s.state) {
    case StepState::kPending:
      return fmt::format("{} was added at {} and is pending.", who, at);
    case StepState::kRunning:
      return fmt::format("{} started running at {}.", who, at);
    case StepState::kCompleted: {
      auto took = std::chrono::duration_cast<std::chrono::seconds>(now - s.started.value_or(now));
      return fmt::format(
          "{} completed execution at {}. The step started running at {} and took {} seconds to "
          "complete.",
          who, at, MessageTime(s.started.value_or(now)), took.count());
    }
    case StepState::kCancelPending:
      return fmt::format("{} is being cancelled as of {}.", who, at);
    case StepState::kCancelled:
      return fmt::format("{} was cancelled at {}.", who, at);
    case StepState::kFailed:
      return fmt::format("{} failed at {}.", who, at);
    case StepState::kInterrupted:
      return fmt::format("{} was interrupted at {}.", who, at);
  }
  return who;
}

store::EventSpec EmrEvent(std::string detail_type, json detail, const AwsIdentity& identity,
                          TimePoint now) {
  store::EventSpec spec;
  spec.source = "aws.emr";
  spec.detail_type = std::move(detail_type);
  spec.detail = std::move(detail);
  spec.time = now;
  spec.account = identity.account_id;
  spec.region = identity.region;
  return spec;
}

}  // namespace

store::EventSpec ClusterStateChangeEvent(const Cluster& cluster, const AwsIdentity& identity,
                                         TimePoint now) {
  json reason = {{"code", std::string(ReasonCodeName(cluster.reason))}};
  if (!cluster.reason_message.empty()) reason["message"] = cluster.reason_message;
  json detail = {{"severity", ClusterSeverity(cluster)},
                 {"stateChangeReason", reason.dump()},
                 {"name", cluster.name},
                 {"clusterId", cluster.id},
                 {"state", std::string(ClusterStateName(cluster.state))},
                 {"message", ClusterMessage(cluster, now)}};
  return EmrEvent("EMR Cluster State Change", std::move(detail), identity, now);
}

store::EventSpec StepStatusChangeEvent(const Cluster& cluster, const Step& step,
                                       const AwsIdentity& identity, TimePoint now) {
  json detail = {
      {"severity", StepSeverity(step.state)},
      {"actionOnFailure", std::string(ActionOnFailureName(step.config.action_on_failure))},
      {"stepId", step.id},
      {"name", step.config.name},
      {"clusterId", cluster.id},
      {"state", std::string(StepStateName(step.state))},
      {"message", StepMessage(cluster, step, now)}};
  return EmrEvent("EMR Step Status Change", std::move(detail), identity, now);
}

std::string NewEmrId(std::string_view prefix) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string hex = RandomHex(13);
  std::string id(prefix);
  for (size_t i = 0; i < 13; ++i) {
    int byte = std::stoi(hex.substr(2 * i, 2), nullptr, 16);
    id += kAlphabet[byte % 36];
  }
  return id;
}

}  // namespace sluice::clusters

#include "actions/cluster_actions.h"

#include "actions/parameter_template.h"
#include "sluice/common/json_fields.h"

namespace sluice::actions {
namespace {

using bus::InvokeResult;
using nlohmann::json;

// The default cluster of add_steps and terminate_cluster: the one the event is about.
const json kEventCluster = "${detail.clusterId}";

Status CheckSteps(const json& p) {
  auto steps = p.find("Steps");
  if (steps == p.end()) return Status::Ok();
  if (!steps->is_array()) return Status::Validation("Parameters.Steps must be an array of steps");
  for (const json& step : *steps) {
    SLUICE_RETURN_IF_ERROR(clusters::StepConfigFromJson(step).status().WithContext("Parameters"));
  }
  return Status::Ok();
}

Result<std::vector<clusters::StepConfig>> ReadSteps(const json& p) {
  std::vector<clusters::StepConfig> steps;
  auto list = p.find("Steps");
  if (list == p.end() || !list->is_array()) return steps;
  for (const json& step : *list) {
    SLUICE_ASSIGN_OR_RETURN(clusters::StepConfig config, clusters::StepConfigFromJson(step));
    steps.push_back(std::move(config));
  }
  return steps;
}

// A failure no retry can fix goes to the dead-letter store at once: NO_RESOURCE for a template
// or cluster that is not there, INVALID_PARAMETER for parameters that cannot be made or are
// refused. A store error may pass, so it is retried.
InvokeResult Failed(const Status& status) {
  switch (status.code()) {
    case StatusCode::kIoError:
    case StatusCode::kInternal:
      return InvokeResult::Retry("INTERNAL_ERROR", status.ToString());
    case StatusCode::kNotFound:
      return InvokeResult::Fail("NO_RESOURCE", status.message());
    default:
      return InvokeResult::Fail("INVALID_PARAMETER", status.message());
  }
}

Result<json> EventOf(const bus::Invocation& invocation) {
  json event = json::parse(invocation.input, nullptr, false);
  if (event.is_discarded()) return Status::Validation("the input is not JSON");
  return event;
}

// Checks how an action names its cluster: ClusterId or Cluster, not both; neither can read the
// cluster's own variables, since they are what finds it.
Status CheckClusterReference(const json& p) {
  if (p.contains("ClusterId") && p.contains("Cluster")) {
    return Status::Validation("Parameters: give ClusterId or Cluster, not both");
  }
  for (const char* key : {"ClusterId", "Cluster"}) {
    if (auto it = p.find(key); it != p.end()) {
      SLUICE_RETURN_IF_ERROR(CheckTemplate(*it, /*cluster_known=*/false)
                                 .WithContext(std::string("Parameters.") + key));
    }
  }
  return Status::Ok();
}

// Finds the cluster an action on a cluster is about: Parameters.Cluster names a template (its
// newest live cluster), else Parameters.ClusterId (default: the event's detail.clusterId).
Result<clusters::Cluster> TargetCluster(store::Transaction& tx, const clusters::ClusterStore& store,
                                        const json& p, const json& event) {
  if (auto name = p.find("Cluster"); name != p.end()) {
    SLUICE_ASSIGN_OR_RETURN(json expanded, ExpandTemplate(*name, event, nullptr));
    std::string template_name = expanded.is_string() ? expanded.get<std::string>() : "";
    SLUICE_ASSIGN_OR_RETURN(std::optional<clusters::Cluster> live,
                            store.FindLiveCluster(tx, template_name));
    if (!live) {
      return Status::NotFound("no live cluster of template " + template_name,
                              "ResourceNotFoundException");
    }
    return *live;
  }
  SLUICE_ASSIGN_OR_RETURN(json id,
                          ExpandTemplate(p.value("ClusterId", kEventCluster), event, nullptr));
  if (!id.is_string()) return Status::Validation("ClusterId must be a string, not " + id.dump());
  return store.RequireCluster(tx, id.get<std::string>());
}

}  // namespace

// create_cluster -------------------------------------------------------------------------------

Status CreateClusterAction::CheckParameters(const json& p) const {
  SLUICE_RETURN_IF_ERROR(
      RejectUnknownKeys(p, {"Template", "Reuse", "Tags", "Steps"}, "Parameters"));
  std::string name;
  bool reuse = false;
  SLUICE_RETURN_IF_ERROR(ReadField(p, "Template", name, "Parameters"));
  SLUICE_RETURN_IF_ERROR(ReadField(p, "Reuse", reuse, "Parameters"));
  if (name.empty()) return Status::Validation("Parameters.Template must name a cluster template");
  if (auto tags = p.find("Tags"); tags != p.end() && !tags->is_object()) {
    return Status::Validation("Parameters.Tags must be an object of strings");
  }
  SLUICE_RETURN_IF_ERROR(CheckSteps(p));
  SLUICE_RETURN_IF_ERROR(CheckTemplate(p, /*cluster_known=*/false).WithContext("Parameters"));
  return context_.db->Read(
      [&](store::Transaction& tx) -> Status { return store_.RequireTemplate(tx, name).status(); });
}

InvokeResult CreateClusterAction::Run(const bus::Invocation& invocation) {
  auto event = EventOf(invocation);
  if (!event.ok()) return InvokeResult::Fail("INVALID_INPUT", event.status().message());
  auto p = ExpandTemplate(invocation.target.parameters, *event, nullptr);
  if (!p.ok()) return Failed(p.status().WithContext("create_cluster"));
  clusters::CreateRequest request;
  request.delivery_key = std::string(invocation.delivery_key);
  if (auto tags = p->find("Tags"); tags != p->end() && tags->is_object()) {
    for (const auto& [key, value] : tags->items()) {
      request.tags[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }
  }
  auto steps = ReadSteps(*p);
  if (!steps.ok()) return Failed(steps.status().WithContext("create_cluster"));
  const std::string name = p->value("Template", "");
  Status made = context_.db->Write([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(clusters::ClusterTemplate spec, store_.RequireTemplate(tx, name));
    std::optional<clusters::Cluster> cluster;
    if (p->value("Reuse", false)) {
      // Without steps of its own, the request relies on the steps rules add when the cluster is
      // ready; a cluster that has started steps may have read its inputs already, so the event
      // that made this request could go unprocessed there: a new cluster is made instead.
      SLUICE_ASSIGN_OR_RETURN(cluster,
                              store_.FindLiveCluster(tx, name, /*not_started=*/steps->empty()));
    }
    if (!cluster) {
      SLUICE_ASSIGN_OR_RETURN(cluster,
                              store_.CreateCluster(tx, spec, request, context_.clock->Now()));
    }
    if (steps->empty()) return Status::Ok();
    clusters::AddStepsRequest add;
    add.delivery_key = request.delivery_key;
    return store_.AddSteps(tx, cluster->id, *steps, add, context_.clock->Now()).status();
  });
  if (!made.ok()) return Failed(made.WithContext("create_cluster"));
  ClustersChanged();
  return InvokeResult::Ok();
}

// add_steps ------------------------------------------------------------------------------------

Status AddStepsAction::CheckParameters(const json& p) const {
  SLUICE_RETURN_IF_ERROR(
      RejectUnknownKeys(p, {"ClusterId", "Cluster", "Unique", "Steps"}, "Parameters"));
  SLUICE_RETURN_IF_ERROR(CheckClusterReference(p));
  bool unique = false;
  SLUICE_RETURN_IF_ERROR(ReadField(p, "Unique", unique, "Parameters"));
  if (!p.contains("Steps") || !p["Steps"].is_array() || p["Steps"].empty()) {
    return Status::Validation("Parameters.Steps must be a non-empty array of steps");
  }
  SLUICE_RETURN_IF_ERROR(CheckSteps(p));
  return CheckTemplate(p["Steps"], /*cluster_known=*/true).WithContext("Parameters.Steps");
}

InvokeResult AddStepsAction::Run(const bus::Invocation& invocation) {
  auto event = EventOf(invocation);
  if (!event.ok()) return InvokeResult::Fail("INVALID_INPUT", event.status().message());
  const json& p = invocation.target.parameters;
  Status added = context_.db->Write([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(clusters::Cluster cluster, TargetCluster(tx, store_, p, *event));
    SLUICE_ASSIGN_OR_RETURN(json steps, ExpandTemplate(p["Steps"], *event, &cluster));
    SLUICE_ASSIGN_OR_RETURN(std::vector<clusters::StepConfig> configs,
                            ReadSteps(json{{"Steps", steps}}));
    clusters::AddStepsRequest request;
    request.unique = p.value("Unique", false);
    request.delivery_key = std::string(invocation.delivery_key);
    return store_.AddSteps(tx, cluster.id, configs, request, context_.clock->Now()).status();
  });
  if (!added.ok()) return Failed(added.WithContext("add_steps"));
  ClustersChanged();
  return InvokeResult::Ok();
}

// terminate_cluster ----------------------------------------------------------------------------

Status TerminateClusterAction::CheckParameters(const json& p) const {
  SLUICE_RETURN_IF_ERROR(RejectUnknownKeys(p, {"ClusterId", "Cluster"}, "Parameters"));
  return CheckClusterReference(p);
}

InvokeResult TerminateClusterAction::Run(const bus::Invocation& invocation) {
  auto event = EventOf(invocation);
  if (!event.ok()) return InvokeResult::Fail("INVALID_INPUT", event.status().message());
  const json& p = invocation.target.parameters;
  Status ended = context_.db->Write([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(clusters::Cluster cluster, TargetCluster(tx, store_, p, *event));
    return store_.RequestTermination(tx, cluster.id, context_.clock->Now());
  });
  if (!ended.ok()) return Failed(ended.WithContext("terminate_cluster"));
  ClustersChanged();
  return InvokeResult::Ok();
}

}  // namespace sluice::actions

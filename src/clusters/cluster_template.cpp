#include "sluice/clusters/cluster_template.h"

#include "sluice/common/json_fields.h"
#include "sluice/lake/s3_uri.h"

namespace sluice::clusters {
namespace {

using nlohmann::json;

Status ReadInstanceGroups(const json& instances, ClusterTemplate& t, const std::string& where) {
  if (auto groups = instances.find("InstanceGroups"); groups != instances.end()) {
    for (const char* shorthand : {"MasterInstanceType", "SlaveInstanceType", "InstanceCount"}) {
      if (instances.contains(shorthand)) {
        return Status::Validation(where + ": Instances: give InstanceGroups or " + shorthand +
                                  ", not both");
      }
    }
    if (!groups->is_array())
      return Status::Validation(where + ": Instances.InstanceGroups must be an array");
    for (size_t i = 0; i < groups->size(); ++i) {
      const json& g = (*groups)[i];
      std::string at = where + ": Instances.InstanceGroups[" + std::to_string(i) + "]";
      if (!g.is_object()) return Status::Validation(at + " must be an object");
      SLUICE_RETURN_IF_ERROR(RejectUnknownKeys(
          g, {"Name", "InstanceRole", "InstanceType", "InstanceCount", "Market"}, at));
      InstanceGroup group;
      SLUICE_RETURN_IF_ERROR(ReadField(g, "Name", group.name, at));
      SLUICE_RETURN_IF_ERROR(ReadField(g, "InstanceRole", group.role, at));
      SLUICE_RETURN_IF_ERROR(ReadField(g, "InstanceType", group.instance_type, at));
      SLUICE_RETURN_IF_ERROR(ReadField(g, "InstanceCount", group.count, at));
      SLUICE_RETURN_IF_ERROR(ReadField(g, "Market", group.market, at));
      t.instance_groups.push_back(std::move(group));
    }
    return Status::Ok();
  }
  // RunJobFlow's shorthand: one master plus InstanceCount - 1 core nodes of SlaveInstanceType.
  std::string master, slave;
  int count = 1;
  SLUICE_RETURN_IF_ERROR(ReadField(instances, "MasterInstanceType", master, where));
  SLUICE_RETURN_IF_ERROR(ReadField(instances, "SlaveInstanceType", slave, where));
  SLUICE_RETURN_IF_ERROR(ReadField(instances, "InstanceCount", count, where));
  if (master.empty()) {
    return Status::Validation(where + ": Instances needs InstanceGroups or MasterInstanceType");
  }
  t.instance_groups.push_back({"MASTER", master, 1, "Master", "ON_DEMAND"});
  if (count > 1) {
    t.instance_groups.push_back(
        {"CORE", slave.empty() ? master : slave, count - 1, "Core", "ON_DEMAND"});
  }
  return Status::Ok();
}

Status ReadInstances(const json& j, ClusterTemplate& t, const std::string& where) {
  auto it = j.find("Instances");
  if (it == j.end() || !it->is_object())
    return Status::Validation(where + ": Instances is required");
  SLUICE_RETURN_IF_ERROR(
      RejectUnknownKeys(*it,
                        {"InstanceGroups", "MasterInstanceType", "SlaveInstanceType",
                         "InstanceCount", "KeepJobFlowAliveWhenNoSteps", "TerminationProtected",
                         "Ec2KeyName", "Ec2SubnetId", "Placement"},
                        where + ": Instances"));
  SLUICE_RETURN_IF_ERROR(ReadInstanceGroups(*it, t, where));
  SLUICE_RETURN_IF_ERROR(ReadField(*it, "KeepJobFlowAliveWhenNoSteps", t.keep_alive, where));
  SLUICE_RETURN_IF_ERROR(ReadField(*it, "TerminationProtected", t.termination_protected, where));
  return Status::Ok();
}

Status ReadApplications(const json& j, ClusterTemplate& t, const std::string& where) {
  auto it = j.find("Applications");
  if (it == j.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) return Status::Validation(where + ": Applications must be an array");
  for (const json& app : *it) {
    std::string name;
    if (app.is_string()) {
      name = app.get<std::string>();
    } else if (app.is_object()) {
      SLUICE_RETURN_IF_ERROR(
          RejectUnknownKeys(app, {"Name", "Version", "Args"}, where + ": Applications"));
      SLUICE_RETURN_IF_ERROR(ReadField(app, "Name", name, where + ": Applications"));
    }
    if (name.empty()) return Status::Validation(where + ": each application needs a Name");
    t.applications.push_back(std::move(name));
  }
  return Status::Ok();
}

Status ReadBootstrapActions(const json& j, ClusterTemplate& t, const std::string& where) {
  auto it = j.find("BootstrapActions");
  if (it == j.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) return Status::Validation(where + ": BootstrapActions must be an array");
  for (size_t i = 0; i < it->size(); ++i) {
    const json& a = (*it)[i];
    std::string at = where + ": BootstrapActions[" + std::to_string(i) + "]";
    if (!a.is_object()) return Status::Validation(at + " must be an object");
    SLUICE_RETURN_IF_ERROR(RejectUnknownKeys(a, {"Name", "ScriptBootstrapAction"}, at));
    BootstrapAction action;
    SLUICE_RETURN_IF_ERROR(ReadField(a, "Name", action.name, at));
    auto script = a.find("ScriptBootstrapAction");
    if (script == a.end() || !script->is_object()) {
      return Status::Validation(at + ": ScriptBootstrapAction is required");
    }
    SLUICE_RETURN_IF_ERROR(RejectUnknownKeys(*script, {"Path", "Args"}, at));
    SLUICE_RETURN_IF_ERROR(ReadField(*script, "Path", action.path, at));
    SLUICE_RETURN_IF_ERROR(ReadField(*script, "Args", action.args, at));
    t.bootstrap_actions.push_back(std::move(action));
  }
  return Status::Ok();
}

Status ReadTags(const json& j, ClusterTemplate& t, const std::string& where) {
  auto it = j.find("Tags");
  if (it == j.end() || it->is_null()) return Status::Ok();
  if (it->is_object()) {  // {"key": "value"} is accepted beside EMR's [{"Key", "Value"}]
    for (const auto& [key, value] : it->items()) {
      if (!value.is_string())
        return Status::Validation(where + ": tag " + key + " must be a string");
      t.tags[key] = value.get<std::string>();
    }
    return Status::Ok();
  }
  if (!it->is_array()) return Status::Validation(where + ": Tags must be an array of {Key, Value}");
  for (const json& tag : *it) {
    if (!tag.is_object())
      return Status::Validation(where + ": Tags must be an array of {Key, Value}");
    SLUICE_RETURN_IF_ERROR(RejectUnknownKeys(tag, {"Key", "Value"}, where + ": Tags"));
    std::string key, value;
    SLUICE_RETURN_IF_ERROR(ReadField(tag, "Key", key, where + ": Tags"));
    SLUICE_RETURN_IF_ERROR(ReadField(tag, "Value", value, where + ": Tags"));
    t.tags[key] = value;
  }
  return Status::Ok();
}

Status ValidateGroups(const ClusterTemplate& t, const std::string& where) {
  int masters = 0, cores = 0, tasks = 0;
  for (const InstanceGroup& g : t.instance_groups) {
    std::string at = where + ": instance group " + (g.name.empty() ? g.role : g.name);
    if (g.role == "MASTER") {
      ++masters;
      if (g.count != 1 && g.count != 3)
        return Status::Validation(at + ": a MASTER group has 1 or 3 nodes");
    } else if (g.role == "CORE") {
      ++cores;
    } else if (g.role == "TASK") {
      ++tasks;
    } else {
      return Status::Validation(at + ": InstanceRole must be MASTER, CORE or TASK, not \"" +
                                g.role + "\"");
    }
    if (g.instance_type.empty()) return Status::Validation(at + ": InstanceType is required");
    if (g.count < 0 || g.count > 256)
      return Status::Validation(at + ": InstanceCount must be 0 to 256");
    if (g.market != "ON_DEMAND" && g.market != "SPOT") {
      return Status::Validation(at + ": Market must be ON_DEMAND or SPOT");
    }
  }
  if (masters != 1)
    return Status::Validation(where + ": exactly one MASTER instance group is required");
  if (cores > 1) return Status::Validation(where + ": at most one CORE instance group is allowed");
  if (tasks > 48)
    return Status::Validation(where + ": at most 48 TASK instance groups are allowed");
  return Status::Ok();
}

}  // namespace

Status ValidateTemplate(const ClusterTemplate& t) {
  if (t.name.empty() || t.name.size() > 256) {
    return Status::Validation("a cluster template needs a Name of 1 to 256 characters");
  }
  const std::string where = "cluster template " + t.name;
  if (t.provider != "local") {
    return Status::Validation(where + ": Provider \"" + t.provider +
                              "\" is not available; this build has the local provider only");
  }
  SLUICE_RETURN_IF_ERROR(ValidateGroups(t, where));
  if (t.bootstrap_actions.size() > 16) {
    return Status::Validation(where + ": at most 16 bootstrap actions are allowed");
  }
  for (const BootstrapAction& a : t.bootstrap_actions) {
    auto uri = lake::ParseS3Uri(a.path);
    if (!uri.ok() || uri->key.empty()) {
      return Status::Validation(where + ": bootstrap action " + a.name +
                                ": Path must be s3://bucket/key, not \"" + a.path + "\"");
    }
  }
  if (!t.log_uri.empty() && !lake::ParseS3Uri(t.log_uri).ok()) {
    return Status::Validation(where + ": LogUri must be s3://bucket/prefix, not \"" + t.log_uri +
                              "\"");
  }
  if (t.step_concurrency < 1 || t.step_concurrency > 256) {
    return Status::Validation(where + ": StepConcurrencyLevel must be between 1 and 256");
  }
  if (t.idle_timeout_seconds &&
      (*t.idle_timeout_seconds < 60 || *t.idle_timeout_seconds > 604800)) {
    return Status::Validation(where +
                              ": AutoTerminationPolicy.IdleTimeout must be between 60 and 604800 "
                              "seconds");
  }
  if (t.max_lifetime_seconds < 60 || t.max_lifetime_seconds > 30 * 86400) {
    return Status::Validation(where +
                              ": MaximumLifetimeSeconds must be between 60 and 2592000 (30 days)");
  }
  for (const auto& [key, value] : t.tags) {
    if (key.empty() || key.size() > 128)
      return Status::Validation(where + ": tag keys are 1 to 128 characters");
    if (value.size() > 256)
      return Status::Validation(where + ": tag " + key + " is longer than 256 characters");
  }
  if (!t.configurations.is_array())
    return Status::Validation(where + ": Configurations must be an array");
  return Status::Ok();
}

Result<ClusterTemplate> TemplateFromJson(const json& j) {
  if (!j.is_object()) return Status::Validation("a cluster template must be a JSON object");
  ClusterTemplate t;
  SLUICE_RETURN_IF_ERROR(ReadField(j, "Name", t.name, "cluster template"));
  const std::string where = "cluster template " + t.name;
  SLUICE_RETURN_IF_ERROR(RejectUnknownKeys(
      j,
      {"Name", "Provider", "ReleaseLabel", "Applications", "Instances", "BootstrapActions",
       "Configurations", "Tags", "LogUri", "StepConcurrencyLevel", "AutoTerminationPolicy",
       "MaximumLifetimeSeconds", "JobFlowRole", "ServiceRole", "VisibleToAllUsers"},
      where));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "Provider", t.provider, where));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "ReleaseLabel", t.release_label, where));
  SLUICE_RETURN_IF_ERROR(ReadApplications(j, t, where));
  SLUICE_RETURN_IF_ERROR(ReadInstances(j, t, where));
  SLUICE_RETURN_IF_ERROR(ReadBootstrapActions(j, t, where));
  if (auto it = j.find("Configurations"); it != j.end() && !it->is_null()) {
    t.configurations = *it;
  }
  SLUICE_RETURN_IF_ERROR(ReadTags(j, t, where));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "LogUri", t.log_uri, where));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "StepConcurrencyLevel", t.step_concurrency, where));
  if (auto it = j.find("AutoTerminationPolicy"); it != j.end() && !it->is_null()) {
    if (!it->is_object())
      return Status::Validation(where + ": AutoTerminationPolicy must be an object");
    SLUICE_RETURN_IF_ERROR(RejectUnknownKeys(*it, {"IdleTimeout"}, where));
    int64_t idle = 3600;  // EMR's default when the policy gives no value
    SLUICE_RETURN_IF_ERROR(ReadField(*it, "IdleTimeout", idle, where));
    t.idle_timeout_seconds = idle;
  }
  SLUICE_RETURN_IF_ERROR(ReadField(j, "MaximumLifetimeSeconds", t.max_lifetime_seconds, where));
  SLUICE_RETURN_IF_ERROR(ValidateTemplate(t));
  return t;
}

json TemplateToJson(const ClusterTemplate& t) {
  json groups = json::array();
  for (const InstanceGroup& g : t.instance_groups) {
    groups.push_back({{"Name", g.name},
                      {"InstanceRole", g.role},
                      {"InstanceType", g.instance_type},
                      {"InstanceCount", g.count},
                      {"Market", g.market}});
  }
  json applications = json::array();
  for (const std::string& name : t.applications)
    applications.push_back({{"Name", name}});
  json bootstrap = json::array();
  for (const BootstrapAction& a : t.bootstrap_actions) {
    bootstrap.push_back(
        {{"Name", a.name}, {"ScriptBootstrapAction", {{"Path", a.path}, {"Args", a.args}}}});
  }
  json tags = json::array();
  for (const auto& [key, value] : t.tags)
    tags.push_back({{"Key", key}, {"Value", value}});
  json out = {{"Name", t.name},
              {"Provider", t.provider},
              {"ReleaseLabel", t.release_label},
              {"Applications", applications},
              {"Instances",
               {{"InstanceGroups", groups},
                {"KeepJobFlowAliveWhenNoSteps", t.keep_alive},
                {"TerminationProtected", t.termination_protected}}},
              {"BootstrapActions", bootstrap},
              {"Configurations", t.configurations},
              {"Tags", tags},
              {"LogUri", t.log_uri},
              {"StepConcurrencyLevel", t.step_concurrency},
              {"MaximumLifetimeSeconds", t.max_lifetime_seconds}};
  if (t.idle_timeout_seconds) {
    out["AutoTerminationPolicy"] = {{"IdleTimeout", *t.idle_timeout_seconds}};
  }
  return out;
}

int NodeCount(const ClusterTemplate& t) {
  int nodes = 0;
  for (const InstanceGroup& g : t.instance_groups)
    nodes += g.count;
  return nodes;
}

}  // namespace sluice::clusters

// ClusterTemplate: what a cluster is made from. Its JSON form is EMR's RunJobFlow request (the
// fields sluice uses), so a template reads like what users already send to EMR and the `emr`
// provider can pass it on; sluice adds `Provider` and `MaximumLifetimeSeconds`.
//
//   {"Name": "orders-etl", "Provider": "local", "ReleaseLabel": "emr-7.5.0",
//    "Applications": [{"Name": "Spark"}],
//    "Instances": {"InstanceGroups": [{"InstanceRole": "MASTER", "InstanceType": "m5.xlarge",
//                                      "InstanceCount": 1}, ...],
//                  "KeepJobFlowAliveWhenNoSteps": false, "TerminationProtected": false},
//    "BootstrapActions": [{"Name": "setup", "ScriptBootstrapAction":
//                           {"Path": "s3://lake/bootstrap/setup.sh", "Args": ["--quiet"]}}],
//    "Configurations": [...], "Tags": [{"Key": "team", "Value": "data"}],
//    "LogUri": "s3://lake/logs/", "StepConcurrencyLevel": 1,
//    "AutoTerminationPolicy": {"IdleTimeout": 600}, "MaximumLifetimeSeconds": 86400}
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sluice/common/result.h"

namespace sluice::clusters {

struct InstanceGroup {
  std::string role;  // MASTER | CORE | TASK
  std::string instance_type;
  int count = 1;
  std::string name;
  std::string market = "ON_DEMAND";  // ON_DEMAND | SPOT
};

struct BootstrapAction {
  std::string name;
  std::string path;  // s3://bucket/key of the script in the lake
  std::vector<std::string> args;
};

struct ClusterTemplate {
  std::string name;  // the template's name, and the name of the clusters made from it
  std::string provider = "local";
  std::string release_label;
  std::vector<std::string> applications;
  std::vector<InstanceGroup> instance_groups;
  std::vector<BootstrapAction> bootstrap_actions;
  nlohmann::json configurations = nlohmann::json::array();
  std::map<std::string, std::string> tags;
  std::string log_uri;  // s3://bucket/prefix/, or empty: logs stay on this machine only
  int step_concurrency = 1;
  bool keep_alive = false;                      // KeepJobFlowAliveWhenNoSteps
  bool termination_protected = false;           // TerminationProtected
  std::optional<int64_t> idle_timeout_seconds;  // AutoTerminationPolicy.IdleTimeout
  int64_t max_lifetime_seconds = 24 * 3600;     // sluice's guard against orphaned clusters
};

// Parses and validates (ValidateTemplate) a template; errors name the field.
Result<ClusterTemplate> TemplateFromJson(const nlohmann::json& j);
nlohmann::json TemplateToJson(const ClusterTemplate& t);
// Checks every limit EMR and sluice put on a template (names, counts, ranges, URIs).
Status ValidateTemplate(const ClusterTemplate& t);

// How many nodes of each role the template asks for.
int NodeCount(const ClusterTemplate& t);

}  // namespace sluice::clusters

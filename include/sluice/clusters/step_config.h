// StepConfig: one step as AddJobFlowSteps takes it. A `command` step runs its argument vector on
// the cluster's master node with command-runner.jar's semantics. Two JSON forms are accepted:
//
//   EMR's:    {"Name": "s", "ActionOnFailure": "CONTINUE",
//              "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["bash", "-c", "echo hi"]}}
//   short:    {"Name": "s", "ActionOnFailure": "CONTINUE", "Command": ["bash", "-c", "echo hi"]}
//
// A `sql` step runs a query on the embedded engine instead (see engine/sql_step.h for its keys):
//
//   {"Name": "s", "ActionOnFailure": "CONTINUE", "Sql": {"inputs": ..., "query": ..., ...}}
//
// ActionOnFailure defaults to CONTINUE, as the AWS CLI does.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sluice/clusters/states.h"
#include "sluice/common/result.h"
#include "sluice/engine/sql_step.h"

namespace sluice::clusters {

struct StepConfig {
  std::string name;
  ActionOnFailure action_on_failure = ActionOnFailure::kContinue;
  std::vector<std::string> args;       // a command step: args[0] is looked up on the PATH
  std::optional<engine::SqlStep> sql;  // a sql step (args is empty)
};

Result<StepConfig> StepConfigFromJson(const nlohmann::json& j);
// EMR's form (HadoopJarStep with command-runner.jar), as DescribeStep shows it; a sql step as
// {"Name", "ActionOnFailure", "Sql"}.
nlohmann::json StepConfigToJson(const StepConfig& step);

}  // namespace sluice::clusters

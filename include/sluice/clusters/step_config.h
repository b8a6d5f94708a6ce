// StepConfig: one step as AddJobFlowSteps takes it. A `command` step runs its argument vector on
// the cluster's master node with command-runner.jar's semantics. Two JSON forms are accepted:
//
//   EMR's:    {"Name": "s", "ActionOnFailure": "CONTINUE",
//              "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["bash", "-c", "echo hi"]}}
//   short:    {"Name": "s", "ActionOnFailure": "CONTINUE", "Command": ["bash", "-c", "echo hi"]}
//
// ActionOnFailure defaults to CONTINUE, as the AWS CLI does.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sluice/clusters/states.h"
#include "sluice/common/result.h"

namespace sluice::clusters {

struct StepConfig {
  std::string name;
  ActionOnFailure action_on_failure = ActionOnFailure::kContinue;
  std::vector<std::string> args;  // the command: args[0] is looked up on the PATH
};

Result<StepConfig> StepConfigFromJson(const nlohmann::json& j);
// EMR's form (HadoopJarStep with command-runner.jar), as DescribeStep shows it.
nlohmann::json StepConfigToJson(const StepConfig& step);

}  // namespace sluice::clusters

#include "sluice/clusters/step_config.h"

#include "sluice/common/json_fields.h"

namespace sluice::clusters {
namespace {

using nlohmann::json;

constexpr size_t kMaxArgsCharacters = 10240;  // EMR's limit on a HadoopJarStep's strings

}  // namespace

Result<StepConfig> StepConfigFromJson(const json& j) {
  if (!j.is_object()) return Status::Validation("a step must be a JSON object");
  StepConfig step;
  SLUICE_RETURN_IF_ERROR(ReadField(j, "Name", step.name, "step"));
  if (step.name.empty() || step.name.size() > 256) {
    return Status::Validation("a step needs a Name of 1 to 256 characters");
  }
  const std::string where = "step " + step.name;
  SLUICE_RETURN_IF_ERROR(
      RejectUnknownKeys(j, {"Name", "ActionOnFailure", "HadoopJarStep", "Command", "Sql"}, where));
  std::string action = "CONTINUE";
  SLUICE_RETURN_IF_ERROR(ReadField(j, "ActionOnFailure", action, where));
  auto parsed = ParseActionOnFailure(action);
  if (!parsed) {
    return Status::Validation(where +
                              ": ActionOnFailure must be TERMINATE_CLUSTER, TERMINATE_JOB_FLOW, "
                              "CANCEL_AND_WAIT or CONTINUE, not \"" +
                              action + "\"");
  }
  step.action_on_failure = *parsed;
  auto jar = j.find("HadoopJarStep");
  bool has_command = j.contains("Command");
  bool has_sql = j.contains("Sql");
  if ((jar != j.end()) + has_command + has_sql != 1) {
    return Status::Validation(where + ": give exactly one of HadoopJarStep, Command and Sql");
  }
  if (has_sql) {
    SLUICE_ASSIGN_OR_RETURN(step.sql, engine::SqlStepFromJson(j["Sql"], where));
    return step;
  }
  if (has_command) {
    SLUICE_RETURN_IF_ERROR(ReadField(j, "Command", step.args, where));
  } else {
    if (!jar->is_object()) return Status::Validation(where + ": HadoopJarStep must be an object");
    SLUICE_RETURN_IF_ERROR(
        RejectUnknownKeys(*jar, {"Jar", "Args", "MainClass", "Properties"}, where));
    std::string jar_name, main_class;
    SLUICE_RETURN_IF_ERROR(ReadField(*jar, "Jar", jar_name, where + ": HadoopJarStep"));
    SLUICE_RETURN_IF_ERROR(ReadField(*jar, "MainClass", main_class, where + ": HadoopJarStep"));
    if (jar_name != "command-runner.jar") {
      return Status::Validation(
          where + ": HadoopJarStep.Jar \"" + jar_name +
          "\" is not supported; the local provider runs command-runner.jar steps");
    }
    if (!main_class.empty())
      return Status::Validation(where + ": command-runner.jar takes no MainClass");
    SLUICE_RETURN_IF_ERROR(ReadField(*jar, "Args", step.args, where + ": HadoopJarStep"));
  }
  if (step.args.empty() || step.args[0].empty()) {
    return Status::Validation(where + ": the command is empty; Args[0] names the program to run");
  }
  size_t characters = 0;
  for (const std::string& arg : step.args)
    characters += arg.size();
  if (characters > kMaxArgsCharacters) {
    return Status::Validation(where + ": the step's arguments exceed 10240 characters");
  }
  return step;
}

json StepConfigToJson(const StepConfig& step) {
  if (step.sql) {
    return {{"Name", step.name},
            {"ActionOnFailure", ActionOnFailureName(step.action_on_failure)},
            {"Sql", engine::SqlStepToJson(*step.sql)}};
  }
  return {{"Name", step.name},
          {"ActionOnFailure", ActionOnFailureName(step.action_on_failure)},
          {"HadoopJarStep", {{"Jar", "command-runner.jar"}, {"Args", step.args}}}};
}

}  // namespace sluice::clusters

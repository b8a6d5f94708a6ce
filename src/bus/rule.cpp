#include "sluice/bus/rule.h"

#include "sluice/bus/event_pattern.h"
#include "sluice/bus/schedule.h"
#include "sluice/common/json_fields.h"

namespace sluice::bus {
namespace {

using nlohmann::json;

bool IsNameCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

// Rule names and target ids: 1-64 characters of [.\-_A-Za-z0-9].
Status ValidateName(std::string_view what, std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return Status::Validation(std::string(what) + " \"" + std::string(name) +
                              "\" must be 1 to 64 characters long");
  }
  for (char c : name) {
    if (!IsNameCharacter(c)) {
      return Status::Validation(std::string(what) + " \"" + std::string(name) +
                                "\" may hold only letters, digits, '.', '-' and '_'");
    }
  }
  return Status::Ok();
}

Status ValidateTarget(const Rule& rule, const Target& t) {
  const std::string where = "rule " + rule.name + ", target " + t.id;
  SLUICE_RETURN_IF_ERROR(ValidateName("target id", t.id).WithContext("rule " + rule.name));
  if (t.action.empty() == t.function.empty()) {
    return Status::Validation(where + ": name exactly one of Action and Function");
  }
  int shapes = (t.input ? 1 : 0) + (t.input_path ? 1 : 0) + (t.input_transformer ? 1 : 0);
  if (shapes > 1) {
    return Status::Validation(where +
                              ": Input, InputPath and InputTransformer are mutually exclusive");
  }
  if (t.input) {
    if (t.input->size() > 8192)
      return Status::Validation(where + ": Input is longer than 8192 characters");
    if (!json::accept(*t.input)) return Status::Validation(where + ": Input is not valid JSON");
  }
  if (t.input_path) SLUICE_RETURN_IF_ERROR(ValidateInputPath(*t.input_path).WithContext(where));
  if (t.input_transformer) {
    SLUICE_RETURN_IF_ERROR(ValidateInputTransformer(*t.input_transformer).WithContext(where));
  }
  const RetryPolicy& r = t.retry_policy;
  if (r.maximum_retry_attempts < 0 || r.maximum_retry_attempts > 185) {
    return Status::Validation(where +
                              ": RetryPolicy.MaximumRetryAttempts must be between 0 and 185");
  }
  if (r.maximum_event_age_seconds < 60 || r.maximum_event_age_seconds > 86400) {
    return Status::Validation(
        where + ": RetryPolicy.MaximumEventAgeInSeconds must be between 60 and 86400");
  }
  if (t.batch) {
    if (t.batch->size < 1 || t.batch->size > 10000) {
      return Status::Validation(where + ": Batch.Size must be between 1 and 10000");
    }
    if (t.batch->window_seconds < 0 || t.batch->window_seconds > 86400) {
      return Status::Validation(where + ": Batch.WindowSeconds must be between 0 and 86400");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view RuleStateName(RuleState state) {
  return state == RuleState::kEnabled ? "ENABLED" : "DISABLED";
}

Status ValidateRule(const Rule& rule) {
  SLUICE_RETURN_IF_ERROR(ValidateName("rule name", rule.name));
  if (rule.description.size() > 512) {
    return Status::Validation("rule " + rule.name + ": Description is longer than 512 characters");
  }
  if (rule.event_pattern.empty() == rule.schedule_expression.empty()) {
    return Status::Validation(
        "rule " + rule.name +
        ": give an EventPattern or a ScheduleExpression (exactly one of them)");
  }
  if (!rule.event_pattern.empty()) {
    if (rule.event_pattern.size() > 4096) {
      return Status::Validation("rule " + rule.name +
                                ": EventPattern is longer than 4096 characters");
    }
    SLUICE_RETURN_IF_ERROR(CompilePattern(rule.event_pattern).status());
  }
  if (!rule.schedule_expression.empty()) {
    SLUICE_RETURN_IF_ERROR(ParseSchedule(rule.schedule_expression).status());
  }
  if (rule.targets.size() > kMaxTargetsPerRule) {
    return Status::Validation("rule " + rule.name + " has " + std::to_string(rule.targets.size()) +
                              " targets; a rule may have at most 5");
  }
  for (size_t i = 0; i < rule.targets.size(); ++i) {
    SLUICE_RETURN_IF_ERROR(ValidateTarget(rule, rule.targets[i]));
    for (size_t j = 0; j < i; ++j) {
      if (rule.targets[j].id == rule.targets[i].id) {
        return Status::Validation("rule " + rule.name + ": two targets have the id " +
                                  rule.targets[i].id);
      }
    }
  }
  return Status::Ok();
}

json TargetToJson(const Target& t) {
  json out = {{"Id", t.id}};
  if (!t.action.empty()) out["Action"] = t.action;
  if (!t.function.empty()) out["Function"] = t.function;
  if (!t.parameters.empty()) out["Parameters"] = t.parameters;
  if (t.input) out["Input"] = *t.input;
  if (t.input_path) out["InputPath"] = *t.input_path;
  if (t.input_transformer) {
    out["InputTransformer"] = {{"InputPathsMap", t.input_transformer->input_paths},
                               {"InputTemplate", t.input_transformer->input_template}};
  }
  out["RetryPolicy"] = {{"MaximumRetryAttempts", t.retry_policy.maximum_retry_attempts},
                        {"MaximumEventAgeInSeconds", t.retry_policy.maximum_event_age_seconds}};
  if (t.batch) out["Batch"] = {{"Size", t.batch->size}, {"WindowSeconds", t.batch->window_seconds}};
  return out;
}

Result<Target> TargetFromJson(const json& j) {
  if (!j.is_object()) return Status::Validation("a target must be a JSON object");
  Target t;
  SLUICE_RETURN_IF_ERROR(ReadField(j, "Id", t.id, "target"));
  const std::string where = "target " + t.id;
  SLUICE_RETURN_IF_ERROR(
      RejectUnknownKeys(j,
                        {"Id", "Action", "Function", "Parameters", "Input", "InputPath",
                         "InputTransformer", "RetryPolicy", "Batch"},
                        where));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "Action", t.action, where));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "Function", t.function, where));
  if (auto it = j.find("Parameters"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Status::Validation(where + ": Parameters must be an object");
    t.parameters = *it;
  }
  if (j.contains("Input")) {
    std::string input;
    SLUICE_RETURN_IF_ERROR(ReadField(j, "Input", input, where));
    t.input = input;
  }
  if (j.contains("InputPath")) {
    std::string path;
    SLUICE_RETURN_IF_ERROR(ReadField(j, "InputPath", path, where));
    t.input_path = path;
  }
  if (auto it = j.find("InputTransformer"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Status::Validation(where + ": InputTransformer must be an object");
    SLUICE_RETURN_IF_ERROR(RejectUnknownKeys(*it, {"InputPathsMap", "InputTemplate"}, where));
    InputTransformer transformer;
    SLUICE_RETURN_IF_ERROR(ReadField(*it, "InputPathsMap", transformer.input_paths, where));
    SLUICE_RETURN_IF_ERROR(ReadField(*it, "InputTemplate", transformer.input_template, where));
    t.input_transformer = std::move(transformer);
  }
  if (auto it = j.find("RetryPolicy"); it != j.end() && !it->is_null()) {
    SLUICE_RETURN_IF_ERROR(RejectUnknownKeys(
        *it, {"MaximumRetryAttempts", "MaximumEventAgeInSeconds"}, where + " RetryPolicy"));
    SLUICE_RETURN_IF_ERROR(
        ReadField(*it, "MaximumRetryAttempts", t.retry_policy.maximum_retry_attempts, where));
    SLUICE_RETURN_IF_ERROR(ReadField(*it, "MaximumEventAgeInSeconds",
                                     t.retry_policy.maximum_event_age_seconds, where));
  }
  if (auto it = j.find("Batch"); it != j.end() && !it->is_null()) {
    SLUICE_RETURN_IF_ERROR(RejectUnknownKeys(*it, {"Size", "WindowSeconds"}, where + " Batch"));
    BatchPolicy batch;
    SLUICE_RETURN_IF_ERROR(ReadField(*it, "Size", batch.size, where));
    SLUICE_RETURN_IF_ERROR(ReadField(*it, "WindowSeconds", batch.window_seconds, where));
    t.batch = batch;
  }
  return t;
}

json RuleToJson(const Rule& rule) {
  json out = {{"Name", rule.name}, {"State", RuleStateName(rule.state)}};
  if (!rule.description.empty()) out["Description"] = rule.description;
  if (!rule.event_pattern.empty()) out["EventPattern"] = rule.event_pattern;
  if (!rule.schedule_expression.empty()) out["ScheduleExpression"] = rule.schedule_expression;
  json targets = json::array();
  for (const Target& t : rule.targets)
    targets.push_back(TargetToJson(t));
  out["Targets"] = std::move(targets);
  return out;
}

Result<Rule> RuleFromJson(const json& j) {
  if (!j.is_object()) return Status::Validation("a rule must be a JSON object");
  Rule rule;
  SLUICE_RETURN_IF_ERROR(ReadField(j, "Name", rule.name, "rule"));
  const std::string where = "rule " + rule.name;
  SLUICE_RETURN_IF_ERROR(RejectUnknownKeys(
      j, {"Name", "Description", "EventPattern", "ScheduleExpression", "State", "Targets"}, where));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "Description", rule.description, where));
  if (auto it = j.find("EventPattern"); it != j.end() && !it->is_null()) {
    // As in the AWS API the pattern is JSON text; an object is accepted for convenience.
    rule.event_pattern = it->is_string() ? it->get<std::string>() : it->dump();
  }
  SLUICE_RETURN_IF_ERROR(ReadField(j, "ScheduleExpression", rule.schedule_expression, where));
  std::string state = "ENABLED";
  SLUICE_RETURN_IF_ERROR(ReadField(j, "State", state, where));
  if (state != "ENABLED" && state != "DISABLED") {
    return Status::Validation(where + ": State must be ENABLED or DISABLED, not " + state);
  }
  rule.state = state == "ENABLED" ? RuleState::kEnabled : RuleState::kDisabled;
  if (auto it = j.find("Targets"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Status::Validation(where + ": Targets must be an array");
    for (const json& target : *it) {
      SLUICE_ASSIGN_OR_RETURN(Target t, TargetFromJson(target).WithContext(where));
      rule.targets.push_back(std::move(t));
    }
  }
  return rule;
}

}  // namespace sluice::bus

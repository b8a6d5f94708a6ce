// Rule and Target: what a bus rule is, in EventBridge's terms (PutRule + PutTargets), and how it
// reads and writes as JSON (AWS's field names: Name, EventPattern, ScheduleExpression, State,
// Targets[].Id, RetryPolicy, InputTransformer, ...).
//
// A target names what runs a delivery: a built-in `Action` or a `Function` (later issues), with
// free-form `Parameters` the action interprets. Values; no threads involved.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sluice/bus/input_transformer.h"
#include "sluice/common/result.h"

namespace sluice::bus {

// EventBridge's defaults: 185 attempts over at most 24 hours.
struct RetryPolicy {
  int maximum_retry_attempts = 185;       // 0-185
  int maximum_event_age_seconds = 86400;  // 60-86400
};

// sluice's own: collect up to `size` events over at most `window_seconds` into one delivery.
struct BatchPolicy {
  int size = 1;            // 1-10000
  int window_seconds = 0;  // 0-86400
};

struct Target {
  std::string id;
  std::string action;    // a built-in action, or
  std::string function;  // a function; exactly one of the two
  nlohmann::json parameters = nlohmann::json::object();
  // At most one of the three ways to shape the input; none: the whole event.
  std::optional<std::string> input;       // constant JSON text
  std::optional<std::string> input_path;  // JSONPath into the event
  std::optional<InputTransformer> input_transformer;
  RetryPolicy retry_policy;
  std::optional<BatchPolicy> batch;
};

enum class RuleState { kEnabled, kDisabled };

struct Rule {
  std::string name;
  std::string description;
  std::string event_pattern;        // JSON text; empty for a scheduled rule
  std::string schedule_expression;  // rate(...) / cron(...); empty for a pattern rule
  RuleState state = RuleState::kEnabled;
  std::vector<Target> targets;
};

inline constexpr size_t kMaxTargetsPerRule = 5;

// Checks everything PutRule and PutTargets check: names, the pattern (compiled), the schedule,
// targets and their limits. Errors name the rule and the offending field, with EventBridge's
// codes (ValidationException, InvalidEventPatternException).
Status ValidateRule(const Rule& rule);

nlohmann::json RuleToJson(const Rule& rule);
// Reads a rule written as JSON (AWS field names); `EventPattern` may be an object or a string.
Result<Rule> RuleFromJson(const nlohmann::json& json);
nlohmann::json TargetToJson(const Target& target);
Result<Target> TargetFromJson(const nlohmann::json& json);

std::string_view RuleStateName(RuleState state);

}  // namespace sluice::bus

// FunctionConfig: what a function is — its name, how its code runs (a built-in runtime and a
// handler, or a program that speaks the Lambda Runtime API), its environment, limits and what
// happens to asynchronous invocations that fail — as `sluice functions put` and the pipeline
// spec declare it, and how it reads and writes as JSON in Lambda's field names (FunctionName,
// Runtime, Handler, Timeout, MemorySize, Environment.Variables, ...). Values; no threads involved.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"

namespace sluice::functions {

// How a function's code runs.
enum class RuntimeKind {
  kPython,    // "python3" (or Lambda's "python3.12", ...): sluice's bootstrap loads the handler
  kNode,      // "node" (or "nodejs20.x", ...): the same for JavaScript
  kProvided,  // "provided" (or "provided.al2023", ...): `command`, or the code's `bootstrap`
};

// Lambda's asynchronous invocation settings (PutFunctionEventInvokeConfig) and where events go
// when they fail for good.
struct AsyncPolicy {
  int maximum_retry_attempts = 2;         // 0-2
  int maximum_event_age_seconds = 21600;  // 60-21600
  // Failed events go to the dead-letter store (`sluice functions dlq`); false: they are dropped, as
  // Lambda drops them without a destination.
  bool dead_letter = true;
};

struct FunctionConfig {
  std::string name;         // 1-64 of A-Za-z0-9-_
  std::string description;  // at most 256 characters
  std::string runtime;      // as given: "python3", "nodejs20.x", "provided", ...
  // The program to run for a provided runtime (argv; the first word is looked up on PATH and in
  // the code folder); empty: the code folder's `bootstrap`.
  std::vector<std::string> command;
  std::string handler;  // "module.function" for python3 and node; any text for provided
  std::string code;     // a local folder, or s3://bucket/key.zip in the lake
  std::map<std::string, std::string> environment;
  int timeout_seconds = 3;                  // 1-900
  int memory_mb = 128;                      // 128-10240
  std::optional<int> reserved_concurrency;  // 0-1000; 0 throttles every invocation
  AsyncPolicy async;
};

// The kind a runtime name means, or nullopt for a name sluice does not know.
std::optional<RuntimeKind> RuntimeKindOf(std::string_view runtime);

// Checks everything CreateFunction checks, with Lambda's error code
// (InvalidParameterValueException) and a message naming the field.
Status ValidateFunctionConfig(const FunctionConfig& config);
// The name alone: 1-64 of A-Za-z0-9-_ (what a rule target naming a function is checked for).
Status ValidateFunctionName(std::string_view name);

// Lambda's GetFunctionConfiguration fields for what the config holds, plus sluice's Command,
// Code, ReservedConcurrentExecutions and the event invoke config (MaximumRetryAttempts,
// MaximumEventAgeInSeconds, DeadLetter).
nlohmann::json FunctionConfigToJson(const FunctionConfig& config);
// The inverse; unknown fields and wrong types are refused, naming them.
Result<FunctionConfig> FunctionConfigFromJson(const nlohmann::json& json);

// "arn:aws:lambda:<region>:<account>:function:<name>"
std::string FunctionArn(std::string_view region, std::string_view account, std::string_view name);

}  // namespace sluice::functions

#include "sluice/functions/function_config.h"

#include <algorithm>
#include <array>

#include "sluice/common/json_fields.h"

namespace sluice::functions {
namespace {

using nlohmann::json;

constexpr std::string_view kInvalidParameter = "InvalidParameterValueException";

// Lambda's limits (gettingstarted-limits, CreateFunction).
constexpr size_t kMaxNameLength = 64;
constexpr size_t kMaxDescriptionLength = 256;
constexpr int kMinTimeout = 1, kMaxTimeout = 900;
constexpr int kMinMemory = 128, kMaxMemory = 10240;
constexpr int kMaxReservedConcurrency = 1000;
constexpr size_t kMaxEnvironmentBytes = 4096;

// Set by the runtime environment; Lambda refuses them in a function's variables.
constexpr std::array<std::string_view, 18> kReservedVariables = {
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
};

Status Invalid(std::string message) {
  return Status::InvalidArgument(std::move(message), std::string(kInvalidParameter));
}

bool IsNameCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// Lambda's rule for variable names: a letter, then letters, digits and underscores (two or more
// characters in all).
bool IsVariableName(std::string_view name) {
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (name.size() < 2 || !letter(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return letter(c) || (c >= '0' && c <= '9') || c == '_'; });
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

Status CheckRange(std::string_view what, int value, int low, int high) {
  if (value >= low && value <= high) return Status::Ok();
  return Invalid(std::string(what) + " " + std::to_string(value) + " is out of range: it must be " +
                 std::to_string(low) + " to " + std::to_string(high));
}

// "module.function" (python: "package.module.function" or "folder/module.function"; node:
// "folder/file.function"): a module part and a function part, neither empty.
Status CheckHandler(const FunctionConfig& config) {
  const std::string& handler = config.handler;
  size_t dot = handler.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == handler.size()) {
    return Invalid("handler \"" + handler + "\" must be MODULE.FUNCTION (e.g. app.handler) for " +
                   config.runtime);
  }
  if (handler.find_first_of(" \t\n") != std::string::npos || handler.front() == '/' ||
      handler.find("..") != std::string::npos) {
    return Invalid("handler \"" + handler + "\" must be a module path inside the code folder");
  }
  return Status::Ok();
}

Status CheckEnvironment(const std::map<std::string, std::string>& environment) {
  size_t bytes = 0;
  for (const auto& [name, value] : environment) {
    if (std::find(kReservedVariables.begin(), kReservedVariables.end(), name) !=
        kReservedVariables.end()) {
      return Invalid("environment variable " + name +
                     " is reserved: the runtime environment sets it");
    }
    if (!IsVariableName(name)) {
      return Invalid("environment variable name \"" + name +
                     "\" must be a letter followed by letters, digits or underscores");
    }
    bytes += name.size() + value.size();
  }
  if (bytes > kMaxEnvironmentBytes) {
    return Invalid("environment variables take " + std::to_string(bytes) +
                   " bytes; at most 4096 are allowed");
  }
  return Status::Ok();
}

// Lambda's "nodejs20.x": digits between "nodejs" and ".x".
bool IsLambdaNodeName(std::string_view runtime) {
  if (!StartsWith(runtime, "nodejs") || runtime.size() < 9 ||
      runtime.substr(runtime.size() - 2) != ".x") {
    return false;
  }
  std::string_view version = runtime.substr(6, runtime.size() - 8);
  return std::all_of(version.begin(), version.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// An optional whole-number member: 3.5 or "3" is an error, not silently 3.
Status ReadWholeNumber(const json& object, const char* key, int& out, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return Status::Ok();
  if (!it->is_number_integer()) return Invalid(where + ": " + key + " must be a whole number");
  out = it->get<int>();
  return Status::Ok();
}

}  // namespace

std::optional<RuntimeKind> RuntimeKindOf(std::string_view runtime) {
  if (runtime == "python3" || StartsWith(runtime, "python3.")) return RuntimeKind::kPython;
  if (runtime == "node" || runtime == "nodejs" || IsLambdaNodeName(runtime)) {
    return RuntimeKind::kNode;
  }
  if (runtime == "provided" || StartsWith(runtime, "provided.")) return RuntimeKind::kProvided;
  return std::nullopt;
}

Status ValidateFunctionName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength ||
      !std::all_of(name.begin(), name.end(), IsNameCharacter)) {
    return Invalid("function name \"" + std::string(name) +
                   "\" must be 1 to 64 letters, digits, hyphens or underscores");
  }
  return Status::Ok();
}

Status ValidateFunctionConfig(const FunctionConfig& config) {
  SLUICE_RETURN_IF_ERROR(ValidateFunctionName(config.name));
  const std::string where = "function " + config.name + ": ";
  if (config.description.size() > kMaxDescriptionLength) {
    return Invalid(where + "the description is longer than 256 characters");
  }
  std::optional<RuntimeKind> kind = RuntimeKindOf(config.runtime);
  if (!kind) {
    return Invalid(where + "unknown runtime \"" + config.runtime +
                   "\" (python3, node or provided; Lambda's names such as python3.12, "
                   "nodejs20.x and provided.al2023 are accepted too)");
  }
  if (*kind == RuntimeKind::kProvided) {
    if (!config.command.empty() && config.command.front().empty()) {
      return Invalid(where + "the command's program is empty");
    }
  } else {
    if (!config.command.empty()) {
      return Invalid(where + "a command is only for the provided runtime; " + config.runtime +
                     " runs sluice's own bootstrap");
    }
    SLUICE_RETURN_IF_ERROR(CheckHandler(config).WithContext("function " + config.name));
  }
  if (config.code.empty()) return Invalid(where + "code is required (a folder or s3://.../x.zip)");
  SLUICE_RETURN_IF_ERROR(
      CheckEnvironment(config.environment).WithContext("function " + config.name));
  SLUICE_RETURN_IF_ERROR(
      CheckRange(where + "timeout", config.timeout_seconds, kMinTimeout, kMaxTimeout));
  SLUICE_RETURN_IF_ERROR(
      CheckRange(where + "memory size (MB)", config.memory_mb, kMinMemory, kMaxMemory));
  if (config.reserved_concurrency) {
    SLUICE_RETURN_IF_ERROR(CheckRange(where + "reserved concurrency", *config.reserved_concurrency,
                                      0, kMaxReservedConcurrency));
  }
  SLUICE_RETURN_IF_ERROR(
      CheckRange(where + "maximum retry attempts", config.async.maximum_retry_attempts, 0, 2));
  SLUICE_RETURN_IF_ERROR(CheckRange(where + "maximum event age (s)",
                                    config.async.maximum_event_age_seconds, 60, 21600));
  return Status::Ok();
}

json FunctionConfigToJson(const FunctionConfig& config) {
  json out = {{"FunctionName", config.name},
              {"Runtime", config.runtime},
              {"Handler", config.handler},
              {"Code", config.code},
              {"Timeout", config.timeout_seconds},
              {"MemorySize", config.memory_mb},
              {"Environment", {{"Variables", config.environment}}},
              {"MaximumRetryAttempts", config.async.maximum_retry_attempts},
              {"MaximumEventAgeInSeconds", config.async.maximum_event_age_seconds},
              {"DeadLetter", config.async.dead_letter}};
  if (!config.description.empty()) out["Description"] = config.description;
  if (!config.command.empty()) out["Command"] = config.command;
  if (config.reserved_concurrency) {
    out["ReservedConcurrentExecutions"] = *config.reserved_concurrency;
  }
  return out;
}

Result<FunctionConfig> FunctionConfigFromJson(const json& j) {
  const std::string code(kInvalidParameter);
  if (!j.is_object()) return Invalid("a function must be a JSON object");
  FunctionConfig config;
  SLUICE_RETURN_IF_ERROR(ReadField(j, "FunctionName", config.name, "function", code));
  const std::string where = "function " + config.name;
  SLUICE_RETURN_IF_ERROR(
      RejectUnknownKeys(j,
                        {"FunctionName", "Description", "Runtime", "Command", "Handler", "Code",
                         "Environment", "Timeout", "MemorySize", "ReservedConcurrentExecutions",
                         "MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DeadLetter"},
                        where, code));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "Description", config.description, where, code));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "Runtime", config.runtime, where, code));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "Command", config.command, where, code));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "Handler", config.handler, where, code));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "Code", config.code, where, code));
  if (auto it = j.find("Environment"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Invalid(where + ": Environment must be an object");
    SLUICE_RETURN_IF_ERROR(RejectUnknownKeys(*it, {"Variables"}, where + ": Environment", code));
    SLUICE_RETURN_IF_ERROR(
        ReadField(*it, "Variables", config.environment, where + ": Environment", code));
  }
  SLUICE_RETURN_IF_ERROR(ReadWholeNumber(j, "Timeout", config.timeout_seconds, where));
  SLUICE_RETURN_IF_ERROR(ReadWholeNumber(j, "MemorySize", config.memory_mb, where));
  if (auto it = j.find("ReservedConcurrentExecutions"); it != j.end() && !it->is_null()) {
    int reserved = 0;
    SLUICE_RETURN_IF_ERROR(ReadWholeNumber(j, "ReservedConcurrentExecutions", reserved, where));
    config.reserved_concurrency = reserved;
  }
  SLUICE_RETURN_IF_ERROR(
      ReadWholeNumber(j, "MaximumRetryAttempts", config.async.maximum_retry_attempts, where));
  SLUICE_RETURN_IF_ERROR(ReadWholeNumber(j, "MaximumEventAgeInSeconds",
                                         config.async.maximum_event_age_seconds, where));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "DeadLetter", config.async.dead_letter, where, code));
  return config;
}

std::string FunctionArn(std::string_view region, std::string_view account, std::string_view name) {
  return "arn:aws:lambda:" + std::string(region) + ":" + std::string(account) +
         ":function:" + std::string(name);
}

}  // namespace sluice::functions

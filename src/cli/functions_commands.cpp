// `sluice functions put | ls | describe | rm | invocations | dlq`: the functions rule targets and
// `sluice invoke` run, declared with their code (a folder or a zip in the lake) and settings, and
// what became of their asynchronous invocations.
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "cli/command.h"
#include "cli/function_runner.h"
#include "cli/json_argument.h"
#include "sluice/common/time_format.h"
#include "sluice/functions/async_queue.h"
#include "sluice/functions/function_deployment.h"

namespace sluice::cli {
namespace {

using nlohmann::json;

struct FunctionsArgs {
  std::string name, runtime, handler, code, command, description, file;
  std::vector<std::string> environment;  // KEY=VALUE
  int timeout = 3, memory = 128, max_retries = 2, max_event_age = 21600;
  std::optional<int> reserved_concurrency;
  bool no_dead_letter = false, json = false;
  std::string state;  // invocations --state
  int64_t after = 0;
  int limit = 100;
};

Result<functions::FunctionConfig> ConfigFromArgs(const FunctionsArgs& args, CLI::App* put) {
  if (!args.file.empty()) {
    for (const char* option : {"--runtime", "--handler", "--code", "--command", "--description",
                               "--env", "--timeout", "--memory", "--reserved-concurrency",
                               "--max-retries", "--max-event-age", "--no-dead-letter"}) {
      if (put->count(option) > 0) {
        return UsageError("give the function as --file or with options, not both (" +
                          std::string(option) + ")");
      }
    }
    SLUICE_ASSIGN_OR_RETURN(json document, ReadJsonArgument("@" + args.file, "--file"));
    if (document.is_object() && !document.contains("FunctionName")) {
      document["FunctionName"] = args.name;
    }
    SLUICE_ASSIGN_OR_RETURN(functions::FunctionConfig config,
                            functions::FunctionConfigFromJson(document).WithContext(args.file));
    if (config.name != args.name) {
      return UsageError("the file names function " + config.name + ", the command " + args.name);
    }
    return config;
  }
  if (args.runtime.empty() || args.code.empty()) {
    return UsageError("functions put needs --runtime and --code (or --file)");
  }
  functions::FunctionConfig config;
  config.name = args.name;
  config.runtime = args.runtime;
  config.handler = args.handler;
  config.code = args.code;
  config.description = args.description;
  std::istringstream words(args.command);
  for (std::string word; words >> word;)
    config.command.push_back(word);
  for (const std::string& pair : args.environment) {
    size_t equals = pair.find('=');
    if (equals == std::string::npos || equals == 0) {
      return UsageError("--env takes KEY=VALUE, not \"" + pair + "\"");
    }
    config.environment[pair.substr(0, equals)] = pair.substr(equals + 1);
  }
  config.timeout_seconds = args.timeout;
  config.memory_mb = args.memory;
  config.reserved_concurrency = args.reserved_concurrency;
  config.async = {args.max_retries, args.max_event_age, !args.no_dead_letter};
  return config;
}

Status PutCommand(DataDir& dir, const FunctionsArgs& args, CLI::App* put) {
  SLUICE_ASSIGN_OR_RETURN(functions::FunctionConfig config, ConfigFromArgs(args, put));
  SLUICE_ASSIGN_OR_RETURN(functions::DeploymentContext context, FunctionDeployment(dir));
  SLUICE_ASSIGN_OR_RETURN(functions::StoredFunction function,
                          functions::DeployFunction(context, config));
  std::printf("%s\n", functions::FunctionArn(dir.identity().region, dir.identity().account_id,
                                             function.config.name)
                          .c_str());
  return Status::Ok();
}

Status ListCommand(DataDir& dir, const FunctionsArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  std::vector<functions::StoredFunction> listed;
  SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(listed, functions::ListFunctions(tx));
    return Status::Ok();
  }));
  if (args.json) {
    json all = json::array();
    for (const auto& function : listed)
      all.push_back(functions::StoredFunctionToJson(function, dir.identity()));
    std::puts(json{{"Functions", all}}.dump(2).c_str());
    return Status::Ok();
  }
  std::printf("%-24s %-12s %-24s %8s %8s  %s\n", "NAME", "RUNTIME", "HANDLER", "TIMEOUT", "MEMORY",
              "LAST MODIFIED");
  for (const auto& function : listed) {
    const functions::FunctionConfig& c = function.config;
    json described = functions::StoredFunctionToJson(function, dir.identity());
    std::printf("%-24s %-12s %-24s %7ds %6dMB  %s\n", c.name.c_str(), c.runtime.c_str(),
                c.handler.empty() ? "-" : c.handler.c_str(), c.timeout_seconds, c.memory_mb,
                described["LastModified"].get<std::string>().c_str());
  }
  return Status::Ok();
}

Status DescribeCommand(DataDir& dir, const FunctionsArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  SLUICE_ASSIGN_OR_RETURN(functions::StoredFunction function,
                          functions::ReadFunction(*db, args.name));
  std::puts(functions::StoredFunctionToJson(function, dir.identity()).dump(2).c_str());
  return Status::Ok();
}

Result<std::vector<functions::AsyncInvocation>> ListInvocations(DataDir& dir,
                                                                const FunctionsArgs& args,
                                                                bool dead_letters) {
  functions::AsyncFilter filter;
  filter.function = args.name;
  filter.dead_lettered_only = dead_letters;
  filter.after_id = args.after;
  filter.limit = args.limit;
  for (auto state : {functions::AsyncState::kPending, functions::AsyncState::kRunning,
                     functions::AsyncState::kSucceeded, functions::AsyncState::kFailed}) {
    if (args.state == functions::AsyncStateName(state)) filter.state = state;
  }
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  std::vector<functions::AsyncInvocation> listed;
  SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(listed, functions::ListAsync(tx, filter));
    return Status::Ok();
  }));
  return listed;
}

Status InvocationsCommand(DataDir& dir, const FunctionsArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(auto listed, ListInvocations(dir, args, false));
  if (args.json) {
    json all = json::array();
    for (const auto& i : listed) {
      all.push_back({{"Id", i.id},
                     {"RequestId", i.request_id},
                     {"FunctionName", i.function},
                     {"Source", i.source},
                     {"State", functions::AsyncStateName(i.state)},
                     {"Attempts", i.attempts},
                     {"Throttles", i.throttles},
                     {"Enqueued", FormatIso8601Millis(i.enqueued)},
                     {"NextAttempt", FormatIso8601Millis(i.next_attempt)},
                     {"Condition", i.condition},
                     {"ErrorType", i.error_type},
                     {"DeadLettered", i.dead_lettered}});
    }
    std::puts(json{{"Invocations", all}}.dump(2).c_str());
    return Status::Ok();
  }
  std::printf("%-6s %-20s %-10s %8s  %-24s %-36s %s\n", "ID", "FUNCTION", "STATE", "ATTEMPTS",
              "ENQUEUED", "REQUEST ID", "ERROR");
  for (const auto& i : listed) {
    std::string error = i.error_type;
    if (!i.condition.empty()) error += " (" + i.condition + ")";
    std::printf("%-6lld %-20s %-10s %8d  %-24s %-36s %s\n", static_cast<long long>(i.id),
                i.function.c_str(), std::string(functions::AsyncStateName(i.state)).c_str(),
                i.attempts, FormatIso8601Millis(i.enqueued).c_str(), i.request_id.c_str(),
                error.c_str());
  }
  return Status::Ok();
}

// One JSON document per line: Lambda's on-failure destination records.
Status DeadLettersCommand(DataDir& dir, const FunctionsArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(auto listed, ListInvocations(dir, args, true));
  for (const auto& invocation : listed) {
    std::puts(functions::DestinationRecord(invocation, dir.identity())
                  .dump(-1, ' ', false, json::error_handler_t::replace)
                  .c_str());
  }
  return Status::Ok();
}

Status RemoveCommand(DataDir& dir, const FunctionsArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(functions::DeploymentContext context, FunctionDeployment(dir));
  SLUICE_RETURN_IF_ERROR(functions::UndeployFunction(context, args.name));
  std::printf("deleted: %s\n", args.name.c_str());
  return Status::Ok();
}

}  // namespace

void RegisterFunctionsCommands(CLI::App& app, Command& command) {
  static FunctionsArgs args;
  auto* functions = app.add_subcommand(
      "functions", "Functions: user code that rule targets and `sluice invoke` run");
  functions->require_subcommand(1);

  auto* put = functions->add_subcommand(
      "put", "Create or replace a function, deploying its code (CreateFunction)");
  put->add_option("name", args.name, "Function name (letters, digits, - and _)")->required();
  put->add_option("--runtime", args.runtime,
                  "python3, node or provided (Lambda's python3.12, nodejs20.x, provided.al2023 "
                  "are accepted too)");
  put->add_option("--handler", args.handler, "MODULE.FUNCTION for python3 and node (app.handler)");
  put->add_option("--code", args.code,
                  "The code: a folder, or a zip file in the lake (s3://bucket/key.zip)");
  put->add_option("--command", args.command,
                  "provided only: the program and its arguments, separated by spaces (default: "
                  "the code's bootstrap)");
  put->add_option("--env", args.environment, "An environment variable KEY=VALUE (repeatable)");
  put->add_option("--description", args.description, "What the function is for");
  put->add_option("--timeout", args.timeout, "Seconds an invocation may run, 1-900")
      ->capture_default_str();
  put->add_option("--memory", args.memory, "Memory limit in MB, 128-10240")->capture_default_str();
  put->add_option("--reserved-concurrency", args.reserved_concurrency,
                  "At most this many invocations at once (0 throttles all)");
  put->add_option("--max-retries", args.max_retries,
                  "Retries of a failed asynchronous invocation, 0-2")
      ->capture_default_str();
  put->add_option("--max-event-age", args.max_event_age,
                  "Seconds an asynchronous event may wait, 60-21600")
      ->capture_default_str();
  put->add_flag("--no-dead-letter", args.no_dead_letter,
                "Drop asynchronous events that fail for good instead of dead-lettering them");
  put->add_option("--file", args.file,
                  "The whole function as JSON (Lambda's field names: Runtime, Handler, Code, "
                  "Environment.Variables, Timeout, MemorySize, ...)");
  put->callback(
      [&command, put] { command.run = [put](DataDir& d) { return PutCommand(d, args, put); }; });

  auto* ls = functions->add_subcommand("ls", "List functions");
  ls->add_flag("--json", args.json, "Print one JSON document");
  OnChosen(ls, command, args, &ListCommand);

  auto* describe = functions->add_subcommand("describe", "Show one function as JSON");
  describe->add_option("name", args.name, "Function name")->required();
  OnChosen(describe, command, args, &DescribeCommand);

  auto* invocations = functions->add_subcommand(
      "invocations", "Asynchronous invocations (rule targets, Event invokes), oldest first");
  invocations->add_option("name", args.name, "Only this function's");
  invocations->add_option("--state", args.state, "Only PENDING, RUNNING, SUCCEEDED or FAILED ones")
      ->check(CLI::IsMember({"PENDING", "RUNNING", "SUCCEEDED", "FAILED"}));
  invocations->add_option("--after", args.after, "Only those after this id");
  invocations->add_option("--limit", args.limit, "At most this many")->capture_default_str();
  invocations->add_flag("--json", args.json, "Print one JSON document");
  OnChosen(invocations, command, args, &InvocationsCommand);

  auto* dlq = functions->add_subcommand(
      "dlq", "Asynchronous invocations that failed for good, as Lambda's on-failure records");
  dlq->add_option("name", args.name, "Only this function's");
  dlq->add_option("--after", args.after, "Only those after this id");
  dlq->add_option("--limit", args.limit, "At most this many")->capture_default_str();
  OnChosen(dlq, command, args, &DeadLettersCommand);

  auto* rm = functions->add_subcommand("rm", "Delete a function and its deployed code");
  rm->add_option("name", args.name, "Function name")->required();
  OnChosen(rm, command, args, &RemoveCommand);
}

}  // namespace sluice::cli

// `sluice invoke NAME [--payload JSON|@FILE] [--log-type Tail] [--json]`: runs a function once,
// synchronously (Lambda's RequestResponse), in this process's own sandbox pool, and prints what
// it returned. A function error prints the error document and exits 1, as a failed command.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/function_runner.h"
#include "cli/json_argument.h"
#include "sluice/common/base64.h"

namespace sluice::cli {
namespace {

using nlohmann::json;

struct InvokeArgs {
  std::string name;
  std::string payload = "{}";
  std::string log_type = "None";
  bool json = false;
};

Status Invoke(DataDir& dir, const InvokeArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(std::string payload, ReadArgumentText(args.payload, "--payload"));
  if (payload.size() > functions::kMaxSyncPayloadBytes) {
    return Status::InvalidArgument(
        "--payload is " + std::to_string(payload.size()) + " bytes; Lambda takes at most 6291456",
        "RequestTooLargeException");
  }
  json parsed = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return UsageError("--payload is not JSON: Lambda takes a JSON document");
  }
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  SLUICE_ASSIGN_OR_RETURN(functions::StoredFunction function,
                          functions::ReadFunction(*db, args.name));
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<functions::FunctionPool> pool,
                          OpenFunctionPool(dir, /*marker=*/""));
  if (std::optional<std::string> endpoint = RunningEngineEndpoint(dir)) {
    UseEngineEndpoint(*pool, *endpoint);
  }
  functions::InvokeRequest request;
  request.payload = std::move(payload);
  request.tail_log = args.log_type == "Tail";
  SLUICE_ASSIGN_OR_RETURN(functions::InvokeResponse response, pool->Invoke(function, request));
  if (response.outcome == functions::InvokeOutcome::kThrottled) {
    return Status::Conflict("function " + args.name + " is throttled: " + response.throttle_reason,
                            "TooManyRequestsException");
  }
  if (args.json) {
    json out = {{"StatusCode", 200}, {"ExecutedVersion", "$LATEST"}};
    if (!response.function_error.empty()) out["FunctionError"] = response.function_error;
    if (request.tail_log) out["LogResult"] = Base64Encode(response.log_tail);
    json result = json::parse(response.payload, nullptr, /*allow_exceptions=*/false);
    out["Payload"] = result.is_discarded() ? json(response.payload) : result;
    std::puts(out.dump(2).c_str());
  } else {
    std::fwrite(response.payload.data(), 1, response.payload.size(), stdout);
    std::fputc('\n', stdout);
    if (request.tail_log)
      std::fwrite(response.log_tail.data(), 1, response.log_tail.size(), stderr);
  }
  std::fflush(stdout);
  if (response.outcome == functions::InvokeOutcome::kFunctionError) {
    return Status::FailedPrecondition("function " + args.name + " failed: " + response.error_type,
                                      response.function_error);
  }
  return Status::Ok();
}

}  // namespace

void RegisterInvokeCommand(CLI::App& app, Command& command) {
  static InvokeArgs args;
  auto* invoke = app.add_subcommand("invoke", "Run a function once and print its answer (Invoke)");
  invoke->add_option("name", args.name, "Function name")->required();
  invoke->add_option("--payload", args.payload, "The event: JSON, or @FILE")->capture_default_str();
  invoke->add_option("--log-type", args.log_type, "Tail: print the end of its log on stderr")
      ->check(CLI::IsMember({"None", "Tail"}))
      ->capture_default_str();
  invoke->add_flag("--json", args.json,
                   "Print Lambda's answer as JSON: StatusCode, FunctionError, LogResult, Payload");
  OnChosen(invoke, command, args, &Invoke);
}

}  // namespace sluice::cli

#include "actions/run_sql_action.h"

#include <spdlog/spdlog.h>

#include "actions/parameter_template.h"
#include "sluice/engine/sql_runner.h"

namespace sluice::actions {
namespace {

using bus::InvokeResult;
using nlohmann::json;

// Parameters are a sql step's keys, plus an optional Name for messages.
json StepKeys(const json& parameters) {
  json keys = parameters;
  keys.erase("Name");
  return keys;
}

std::string NameOf(const json& parameters, std::string_view rule) {
  auto name = parameters.find("Name");
  return name != parameters.end() && name->is_string() ? name->get<std::string>()
                                                       : std::string(rule);
}

// A missing input is NO_RESOURCE; a warehouse busy with another load or an I/O failure may
// pass, so they are retried; bad SQL, data or parameters fail for good.
InvokeResult Failed(const Status& status) {
  switch (status.code()) {
    case StatusCode::kConflict:
    case StatusCode::kIoError:
    case StatusCode::kInternal:
      return InvokeResult::Retry("INTERNAL_ERROR", status.message());
    case StatusCode::kNotFound:
      return InvokeResult::Fail("NO_RESOURCE", status.message());
    default:
      return InvokeResult::Fail("INVALID_PARAMETER", status.message());
  }
}

}  // namespace

Status RunSqlAction::CheckParameters(const json& parameters) const {
  if (!parameters.is_object()) return Status::Validation("Parameters must be a sql step object");
  if (parameters.contains("Name") && !parameters["Name"].is_string()) {
    return Status::Validation("Parameters.Name must be a string");
  }
  SLUICE_RETURN_IF_ERROR(CheckTemplate(parameters, /*cluster_known=*/false));
  return engine::SqlStepFromJson(StepKeys(parameters), "Parameters").status();
}

InvokeResult RunSqlAction::Run(const bus::Invocation& invocation) {
  const json& parameters = invocation.target.parameters;
  json event = json::parse(invocation.input, nullptr, false);
  if (event.is_discarded()) return Failed(Status::Validation("the input is not JSON"));
  auto expanded = ExpandTemplate(StepKeys(parameters), event, nullptr);
  if (!expanded.ok()) return Failed(expanded.status());
  const std::string name = NameOf(parameters, invocation.rule);
  auto step = engine::SqlStepFromJson(*expanded, "run_sql " + name);
  if (!step.ok()) return Failed(step.status());

  engine::SqlRunContext run;
  run.step_name = name;
  run.lake = context_.lake;
  // One folder per delivery: concurrent deliveries never share temp files.
  std::string folder = "run-sql-" + std::string(invocation.delivery_key);
  for (char& c : folder) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  }
  run.work_dir = context_.work_root / folder;
  run.warehouse_url = context_.warehouse_url;
  run.warehouse_options = context_.warehouse_options;
  run.load_id = std::string(invocation.delivery_key);
  run.request.requester = "sluice:rule/" + std::string(invocation.rule);
  auto result = engine::RunSqlStep(*step, run);
  if (!result.ok()) return Failed(result.status());
  spdlog::info("run_sql {}: {}", name, result->ToJson().dump());
  return InvokeResult::Ok();
}

}  // namespace sluice::actions

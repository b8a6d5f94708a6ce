#include "sluice/engine/sql_step_job.h"

#include <cstdio>
#include <fstream>

#include "sluice/common/json_fields.h"

namespace sluice::engine {

using nlohmann::json;

json SqlStepJob::ToJson() const {
  return {{"StepId", step_id},          {"Name", step_name},           {"Sql", SqlStepToJson(sql)},
          {"Threads", threads},         {"MemoryLimit", memory_limit}, {"WorkDir", work_dir},
          {"OutcomeFile", outcome_file}};
}

Result<SqlStepJob> SqlStepJob::FromJson(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("a sql step job must be a JSON object");
  SqlStepJob job;
  const std::string where = "sql step job";
  SLUICE_RETURN_IF_ERROR(ReadField(j, "StepId", job.step_id, where));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "Name", job.step_name, where));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "Threads", job.threads, where));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "MemoryLimit", job.memory_limit, where));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "WorkDir", job.work_dir, where));
  SLUICE_RETURN_IF_ERROR(ReadField(j, "OutcomeFile", job.outcome_file, where));
  if (!j.contains("Sql") || job.work_dir.empty() || job.outcome_file.empty()) {
    return Status::InvalidArgument(where + ": Sql, WorkDir and OutcomeFile are required");
  }
  SLUICE_ASSIGN_OR_RETURN(job.sql, SqlStepFromJson(j["Sql"], "step " + job.step_name));
  return job;
}

Status WriteOutcome(const std::string& path, const json& outcome) {
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << outcome.dump() << "\n";
    if (!out.flush()) return Status::IoError("cannot write " + temp);
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    return Status::IoError("cannot rename " + temp + " to " + path);
  }
  return Status::Ok();
}

std::optional<json> ReadOutcome(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  json outcome = json::parse(in, nullptr, false);
  if (outcome.is_discarded() || !outcome.is_object()) return std::nullopt;
  return outcome;
}

}  // namespace sluice::engine

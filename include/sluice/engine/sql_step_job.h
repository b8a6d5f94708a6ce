// SqlStepJob: everything a process needs to run one sql step on a cluster's master node, as the
// cluster provider hands it over (a JSON file in the step's log folder, read by
// `sluice run-sql-step FILE`), and how the outcome comes back (a JSON file the provider reads
// when the process has exited).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sluice/common/result.h"
#include "sluice/engine/sql_runner.h"
#include "sluice/engine/sql_step.h"

namespace sluice::engine {

struct SqlStepJob {
  std::string step_id;
  std::string step_name;
  SqlStep sql;
  int threads = 0;
  std::string memory_limit;  // "12GiB"
  std::string work_dir;      // temp files and spills
  std::string outcome_file;  // where the outcome goes

  nlohmann::json ToJson() const;
  static Result<SqlStepJob> FromJson(const nlohmann::json& j);
};

// The outcome file: {"Result": {...}} when the step succeeded, {"Error": "..."} when it failed.
// Written atomically (temp file + rename).
Status WriteOutcome(const std::string& path, const nlohmann::json& outcome);
// The outcome a step process left, or nullopt when it left none (it was killed, or crashed).
std::optional<nlohmann::json> ReadOutcome(const std::string& path);

}  // namespace sluice::engine

// Putting and removing functions, the steps `sluice functions put/rm` and applying a pipeline
// both take: deploy the code (code_package.h; a zip named s3://bucket/key is read from the lake
// first), then commit the function in one transaction, then drop the code folder the previous
// version used when no function uses it any more.
//
// The code a function names as a folder is resolved against `working_dir` when relative.
// Thread-safe as far as the database and lake are.
#pragma once

#include <filesystem>
#include <string_view>

#include "sluice/common/clock.h"
#include "sluice/functions/function_registry.h"
#include "sluice/lake/object_store.h"
#include "sluice/store/database.h"

namespace sluice::functions {

struct DeploymentContext {
  store::Database& db;
  lake::ObjectStore& lake;
  std::filesystem::path functions_root;  // the data dir's functions folder
  std::filesystem::path working_dir;     // relative code folders are relative to this
  const Clock& clock = SystemClock::Instance();
};

// Validates, deploys and commits `config` (creating or replacing the function).
Result<StoredFunction> DeployFunction(const DeploymentContext& context,
                                      const FunctionConfig& config);
// Deletes the function and its code. ResourceNotFoundException when there is none.
Status UndeployFunction(const DeploymentContext& context, std::string_view name);

}  // namespace sluice::functions

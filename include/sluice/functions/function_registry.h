// The functions table: functions stored durably with the code deployed for them, read and
// changed inside the caller's transaction. Every change bumps the counter "functions", so an
// engine knows to retire warm processes that run an older version.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/aws_identity.h"
#include "sluice/common/clock.h"
#include "sluice/functions/function_config.h"
#include "sluice/store/database.h"
#include "sluice/store/transaction.h"

namespace sluice::functions {

// A function's code as deployed: an unpacked copy that never changes (code_package.h).
struct DeployedCode {
  std::string sha256;  // base64 SHA-256, as Lambda's CodeSha256
  uint64_t size = 0;   // bytes: the zip's, or the folder's files' together
  std::string folder;  // the unpacked code, relative to the data dir's functions folder
};

struct StoredFunction {
  FunctionConfig config;
  DeployedCode code;
  std::string revision_id;  // a new UUID on every put, as Lambda's RevisionId
  TimePoint last_modified;
};

// Creates or replaces the function (validate its config first).
Status PutFunction(store::Transaction& tx, const StoredFunction& function);
Result<std::optional<StoredFunction>> GetFunction(store::Transaction& tx, std::string_view name);
// The function, read in a transaction of its own; NotFound (ResourceNotFoundException) when
// there is none.
Result<StoredFunction> ReadFunction(store::Database& db, std::string_view name);
// By name.
Result<std::vector<StoredFunction>> ListFunctions(store::Transaction& tx);
// Fails with ResourceNotFoundException when there is no such function.
Status DeleteFunction(store::Transaction& tx, std::string_view name);
// Whether any function's code is `folder` (so that it must be kept).
Result<bool> CodeFolderInUse(store::Transaction& tx, std::string_view folder);
// Changes whenever any function changes.
Result<int64_t> FunctionsVersion(store::Transaction& tx);

// GetFunctionConfiguration's answer: the config's fields and FunctionArn, CodeSha256, CodeSize,
// LastModified, RevisionId, Version ($LATEST), State (Active), PackageType (Zip).
nlohmann::json StoredFunctionToJson(const StoredFunction& function, const AwsIdentity& identity);

}  // namespace sluice::functions

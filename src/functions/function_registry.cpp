#include "sluice/functions/function_registry.h"

#include "sluice/common/time_format.h"
#include "sluice/store/counters.h"

namespace sluice::functions {
namespace {

constexpr std::string_view kVersionCounter = "functions";

constexpr const char* kSelect =
    "SELECT config, code_sha256, code_size, code_folder, revision_id, last_modified_ms "
    "FROM functions ";

Result<StoredFunction> Decode(const store::Cursor& row) {
  auto json = nlohmann::json::parse(row.Bytes(0), nullptr, false);
  if (json.is_discarded()) return Status::Corruption("a stored function's config is not JSON");
  SLUICE_ASSIGN_OR_RETURN(FunctionConfig config, FunctionConfigFromJson(json));
  StoredFunction function;
  function.config = std::move(config);
  function.code.sha256 = row.Text(1);
  function.code.size = static_cast<uint64_t>(row.Int(2));
  function.code.folder = row.Text(3);
  function.revision_id = row.Text(4);
  function.last_modified = FromUnixMillis(row.Int(5));
  return function;
}

// Lambda writes times as "2024-03-01T12:00:00.000+0000".
std::string LambdaTime(TimePoint t) {
  std::string text = FormatIso8601Millis(t);
  if (!text.empty() && text.back() == 'Z') text.replace(text.size() - 1, 1, "+0000");
  return text;
}

}  // namespace

Status PutFunction(store::Transaction& tx, const StoredFunction& function) {
  SLUICE_RETURN_IF_ERROR(
      tx.Execute("INSERT INTO functions (name, config, code_sha256, code_size, code_folder, "
                 "revision_id, last_modified_ms) VALUES (?, ?, ?, ?, ?, ?, ?) "
                 "ON CONFLICT (name) DO UPDATE SET config = excluded.config, "
                 "code_sha256 = excluded.code_sha256, code_size = excluded.code_size, "
                 "code_folder = excluded.code_folder, revision_id = excluded.revision_id, "
                 "last_modified_ms = excluded.last_modified_ms",
                 function.config.name, FunctionConfigToJson(function.config).dump(),
                 function.code.sha256, static_cast<int64_t>(function.code.size),
                 function.code.folder, function.revision_id, ToUnixMillis(function.last_modified))
          .status());
  return store::NextCounterValue(tx, kVersionCounter).status();
}

Result<std::optional<StoredFunction>> GetFunction(store::Transaction& tx, std::string_view name) {
  SLUICE_ASSIGN_OR_RETURN(store::Cursor row,
                          tx.Query(std::string(kSelect) + "WHERE name = ?", name));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  if (!found) return std::optional<StoredFunction>();
  SLUICE_ASSIGN_OR_RETURN(StoredFunction function, Decode(row));
  return std::optional<StoredFunction>(std::move(function));
}

Result<StoredFunction> ReadFunction(store::Database& db, std::string_view name) {
  std::optional<StoredFunction> function;
  SLUICE_RETURN_IF_ERROR(db.Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(function, GetFunction(tx, name));
    return Status::Ok();
  }));
  if (!function) {
    return Status::NotFound("function " + std::string(name) + " does not exist",
                            "ResourceNotFoundException");
  }
  return std::move(*function);
}

Result<std::vector<StoredFunction>> ListFunctions(store::Transaction& tx) {
  SLUICE_ASSIGN_OR_RETURN(store::Cursor row, tx.Query(std::string(kSelect) + "ORDER BY name"));
  std::vector<StoredFunction> functions;
  for (;;) {
    SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
    if (!found) break;
    SLUICE_ASSIGN_OR_RETURN(StoredFunction function, Decode(row));
    functions.push_back(std::move(function));
  }
  return functions;
}

Status DeleteFunction(store::Transaction& tx, std::string_view name) {
  SLUICE_ASSIGN_OR_RETURN(int changed, tx.Execute("DELETE FROM functions WHERE name = ?", name));
  if (changed == 0) {
    return Status::NotFound("function " + std::string(name) + " does not exist",
                            "ResourceNotFoundException");
  }
  return store::NextCounterValue(tx, kVersionCounter).status();
}

Result<bool> CodeFolderInUse(store::Transaction& tx, std::string_view folder) {
  SLUICE_ASSIGN_OR_RETURN(store::Cursor row,
                          tx.Query("SELECT 1 FROM functions WHERE code_folder = ?", folder));
  return row.Next();
}

Result<int64_t> FunctionsVersion(store::Transaction& tx) {
  SLUICE_ASSIGN_OR_RETURN(store::Cursor row,
                          tx.Query("SELECT value FROM counters WHERE name = ?", kVersionCounter));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  return found ? row.Int(0) : int64_t{0};
}

nlohmann::json StoredFunctionToJson(const StoredFunction& function, const AwsIdentity& identity) {
  nlohmann::json out = FunctionConfigToJson(function.config);
  out["FunctionArn"] = FunctionArn(identity.region, identity.account_id, function.config.name);
  out["CodeSha256"] = function.code.sha256;
  out["CodeSize"] = function.code.size;
  out["LastModified"] = LambdaTime(function.last_modified);
  out["RevisionId"] = function.revision_id;
  out["Version"] = "$LATEST";
  out["State"] = "Active";
  out["PackageType"] = "Zip";
  return out;
}

}  // namespace sluice::functions

#include "sluice/pipeline/applied_pipeline.h"

#include <nlohmann/json.hpp>

namespace sluice::pipeline {
namespace {

std::vector<std::string> Names(std::string_view text) {
  auto names = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (!names.is_array()) return out;
  for (const auto& name : names) {
    if (name.is_string()) out.push_back(name.get<std::string>());
  }
  return out;
}

}  // namespace

Result<std::optional<AppliedPipeline>> GetAppliedPipeline(store::Transaction& tx,
                                                          const std::string& name) {
  SLUICE_ASSIGN_OR_RETURN(
      store::Cursor row,
      tx.Query("SELECT warehouse, rules, templates, applied_ms, functions FROM pipelines "
               "WHERE name = ?",
               name));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  if (!found) return std::optional<AppliedPipeline>();
  AppliedPipeline pipeline;
  pipeline.name = name;
  pipeline.warehouse = row.Text(0);
  pipeline.rules = Names(row.Bytes(1));
  pipeline.templates = Names(row.Bytes(2));
  pipeline.applied = FromUnixMillis(row.Int(3));
  pipeline.functions = Names(row.Bytes(4));
  return std::optional<AppliedPipeline>(std::move(pipeline));
}

Status RecordAppliedPipeline(store::Transaction& tx, const AppliedPipeline& pipeline) {
  return tx
      .Execute(
          "INSERT OR REPLACE INTO pipelines (name, warehouse, rules, templates, applied_ms, "
          "functions) VALUES (?, ?, ?, ?, ?, ?)",
          pipeline.name, pipeline.warehouse, nlohmann::json(pipeline.rules).dump(),
          nlohmann::json(pipeline.templates).dump(), ToUnixMillis(pipeline.applied),
          nlohmann::json(pipeline.functions).dump())
      .status();
}

Result<std::string> LastAppliedWarehouse(store::Transaction& tx) {
  SLUICE_ASSIGN_OR_RETURN(store::Cursor row,
                          tx.Query("SELECT warehouse FROM pipelines WHERE warehouse <> '' "
                                   "ORDER BY applied_ms DESC, name LIMIT 1"));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  return found ? row.Text(0) : std::string();
}

}  // namespace sluice::pipeline

#include "cli/data_dir.h"

#include <cstdlib>

#include "sluice/actions/builtin_actions.h"
#include "sluice/common/posix_file.h"
#include "sluice/pipeline/applied_pipeline.h"

namespace sluice::cli {

std::filesystem::path ResolveDataDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* home = std::getenv("SLUICE_HOME"); home != nullptr && *home != '\0') return home;
  return ".sluice";
}

Result<std::string> DataDir::warehouse_url() {
  if (!warehouse_flag_.empty()) return warehouse_flag_;
  const char* env = std::getenv("SLUICE_WAREHOUSE");
  if (env != nullptr && *env != '\0') return std::string(env);
  // A data dir without a state store has no applied pipeline; reading creates neither.
  std::error_code missing;
  if (database_ || std::filesystem::exists(path_ / "state.db", missing)) {
    SLUICE_ASSIGN_OR_RETURN(store::Database * db, Database());
    std::string applied;
    SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
      SLUICE_ASSIGN_OR_RETURN(applied, pipeline::LastAppliedWarehouse(tx));
      return Status::Ok();
    }));
    if (!applied.empty()) return applied;
  }
  return std::string(warehouse::kDefaultWarehouseUrl);
}

warehouse::WarehouseOptions DataDir::warehouse_options() const {
  warehouse::WarehouseOptions options;
  options.base_dir = std::filesystem::absolute(path_).string();
  return options;
}

Result<std::unique_ptr<warehouse::Warehouse>> DataDir::Warehouse() {
  SLUICE_ASSIGN_OR_RETURN(std::string url, warehouse_url());
  return warehouse::OpenWarehouse(url, warehouse_options());
}

Result<store::Database*> DataDir::Database() {
  if (!database_) {
    SLUICE_RETURN_IF_ERROR(CreateDirectories(path_));
    SLUICE_ASSIGN_OR_RETURN(database_, store::Database::Open(path_ / "state.db"));
  }
  return database_.get();
}

Result<lake::LocalObjectStore*> DataDir::Lake() {
  if (!lake_) {
    SLUICE_ASSIGN_OR_RETURN(store::Database * db, Database());
    SLUICE_ASSIGN_OR_RETURN(lake_, lake::LocalObjectStore::Open(*db, path_ / "lake"));
  }
  return lake_.get();
}

Result<bus::ActionRegistry*> DataDir::Actions() {
  if (!actions_) {
    SLUICE_ASSIGN_OR_RETURN(store::Database * db, Database());
    SLUICE_ASSIGN_OR_RETURN(lake::LocalObjectStore * lake, Lake());
    actions_ = std::make_unique<bus::ActionRegistry>();
    actions::ActionContext context;
    context.db = db;
    context.identity = identity_;
    context.clock = &SystemClock::Instance();
    // The engine sets the hook once it runs a cluster manager; commands that only put rules
    // never call it.
    context.clusters_changed = [this] {
      if (clusters_changed_) clusters_changed_();
    };
    context.lake = lake;
    SLUICE_ASSIGN_OR_RETURN(context.warehouse_url, warehouse_url());
    context.warehouse_options = warehouse_options();
    context.work_root = path_ / "work";
    actions::RegisterBuiltinActions(*actions_, context);
    function_targets_ = std::make_unique<functions::FunctionTargets>(*db, SystemClock::Instance());
    actions_->SetFunctionInvoker(function_targets_.get());
  }
  return actions_.get();
}

}  // namespace sluice::cli

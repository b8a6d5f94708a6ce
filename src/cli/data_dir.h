// DataDir: what a sluice data dir holds (the state store and the lake), opened on first use so
// that commands which need neither (`--help`, `version`) touch nothing.
//
// Layout: <dir>/state.db (SQLite, WAL), <dir>/lake/ (object files), <dir>/clusters/ (the local
// provider's node folders and logs) and <dir>/engine.lock.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "sluice/bus/action_registry.h"
#include "sluice/common/aws_identity.h"
#include "sluice/common/result.h"
#include "sluice/functions/function_targets.h"
#include "sluice/lake/local_object_store.h"
#include "sluice/store/database.h"
#include "sluice/warehouse/warehouse.h"

namespace sluice::cli {

// --data-dir if given, else $SLUICE_HOME, else ./.sluice.
std::filesystem::path ResolveDataDir(const std::string& flag);

class DataDir {
 public:
  DataDir(std::filesystem::path path, std::string warehouse_flag)
      : path_(std::move(path)), warehouse_flag_(std::move(warehouse_flag)) {}

  const std::filesystem::path& path() const { return path_; }
  // Where the local provider keeps clusters' node folders and logs.
  std::filesystem::path clusters_path() const { return path_ / "clusters"; }
  Result<store::Database*> Database();
  Result<lake::LocalObjectStore*> Lake();
  // The built-in actions and function targets, ready to check and run targets.
  Result<bus::ActionRegistry*> Actions();
  // Where function targets queue their events (valid once Actions() succeeded).
  functions::FunctionTargets* function_targets() { return function_targets_.get(); }
  // The data dir's functions folder (code, logs, built-in runtimes).
  std::filesystem::path functions_path() const { return path_ / "functions"; }
  const AwsIdentity& identity() const { return identity_; }
  // --warehouse if given, else $SLUICE_WAREHOUSE, else the warehouse of the pipeline spec
  // applied last (that names one), else duckdb://warehouse.duckdb (in the dir).
  Result<std::string> warehouse_url();
  warehouse::WarehouseOptions warehouse_options() const;
  // A pipeline's warehouse: used unless --warehouse was given. Call before Actions().
  void UseWarehouseUnlessGiven(std::string url) {
    if (warehouse_flag_.empty()) warehouse_flag_ = std::move(url);
  }
  Result<std::unique_ptr<warehouse::Warehouse>> Warehouse();
  // What the cluster actions call after recording work (the engine wakes its cluster manager).
  void OnClustersChanged(std::function<void()> hook) { clusters_changed_ = std::move(hook); }

 private:
  std::filesystem::path path_;
  std::string warehouse_flag_;
  AwsIdentity identity_;
  std::unique_ptr<store::Database> database_;
  std::unique_ptr<lake::LocalObjectStore> lake_;
  std::unique_ptr<bus::ActionRegistry> actions_;
  std::unique_ptr<functions::FunctionTargets> function_targets_;
  std::function<void()> clusters_changed_;
};

}  // namespace sluice::cli

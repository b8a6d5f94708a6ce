// DataDir: what a sluice data dir holds (the state store and the lake), opened on first use so
// that commands which need neither (`--help`, `version`) touch nothing.
//
// Layout: <dir>/state.db (SQLite, WAL) and <dir>/lake/ (object files).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "sluice/common/result.h"
#include "sluice/lake/local_object_store.h"
#include "sluice/store/database.h"

namespace sluice::cli {

// --data-dir if given, else $SLUICE_HOME, else ./.sluice.
std::filesystem::path ResolveDataDir(const std::string& flag);

class DataDir {
 public:
  explicit DataDir(std::filesystem::path path) : path_(std::move(path)) {}

  const std::filesystem::path& path() const { return path_; }
  Result<store::Database*> Database();
  Result<lake::LocalObjectStore*> Lake();

 private:
  std::filesystem::path path_;
  std::unique_ptr<store::Database> database_;
  std::unique_ptr<lake::LocalObjectStore> lake_;
};

}  // namespace sluice::cli

#include "cli/data_dir.h"

#include <cstdlib>

#include "sluice/actions/builtin_actions.h"
#include "sluice/common/posix_file.h"

namespace sluice::cli {

std::filesystem::path ResolveDataDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* home = std::getenv("SLUICE_HOME"); home != nullptr && *home != '\0') return home;
  return ".sluice";
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
    actions_ = std::make_unique<bus::ActionRegistry>();
    // The engine sets the hook once it runs a cluster manager; commands that only put rules
    // never call it.
    actions::RegisterBuiltinActions(*actions_, {db, identity_, &SystemClock::Instance(), [this] {
                                                  if (clusters_changed_) clusters_changed_();
                                                }});
  }
  return actions_.get();
}

}  // namespace sluice::cli

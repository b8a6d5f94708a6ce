// Running the engine on a data dir: what `sluice serve` does, and what `sluice run` does after
// applying a pipeline. One engine per data dir (a lock file says which process has it); SIGINT and
// SIGTERM stop it cleanly, with running steps recorded INTERRUPTED.
#pragma once

#include "cli/data_dir.h"
#include "sluice/common/status.h"

namespace sluice::cli {

struct EngineRunArgs {
  // Stop once nothing is left to do: no unrouted events, pending deliveries, open batches or
  // live clusters with work.
  bool until_idle = false;
};

Status RunEngine(DataDir& dir, const EngineRunArgs& args);

}  // namespace sluice::cli

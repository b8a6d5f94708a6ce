// Running the engine on a data dir: what `sluice serve` does, and what `sluice run` does after
// applying a pipeline. One engine per data dir (a lock file says which process has it); SIGINT and
// SIGTERM stop it cleanly, with running steps recorded INTERRUPTED.
#pragma once

#include <string>
#include <string_view>

#include "cli/data_dir.h"
#include "sluice/common/status.h"

namespace sluice::cli {

struct EngineRunArgs {
  // Stop once nothing is left to do: no unrouted events, pending deliveries, open batches or
  // live clusters with work.
  bool until_idle = false;
  // Log only warnings and errors: the caller shows progress its own way (a live view).
  bool quiet = false;
  // Say on stderr that the engine runs, and where.
  bool announce = true;
  // Serve the engine's API (S3, and Lambda's Invoke) on this HOST:PORT; the address bound is
  // printed as the first line of standard output, for scripts that asked for port 0. Empty: only
  // on a free loopback port, unannounced, for the engine's own functions.
  std::string s3_listen;
};

Status RunEngine(DataDir& dir, const EngineRunArgs& args);

// The variable that gives `serve` and `up` their --listen default.
inline constexpr std::string_view kListenVariable = "SLUICE_S3_LISTEN";

// Whether an engine is running on `dir` now (another process holds its lock).
Result<bool> EngineRunning(const DataDir& dir);

}  // namespace sluice::cli

// Waiting for a DuckDB warehouse file. DuckDB lets one process write a database file at a time
// and refuses the others at once (an "IO Error: Could not set lock on file" naming the holder's
// PID). Within one process its lock does not help (POSIX record locks belong to the process), so
// sluice adds a mutex per file: in this process one load or query uses the file at a time, and
// across processes a refused attempt is retried with short sleeps until a deadline.
//
// Any thread. Waits use the steady clock: they wait for a real lock held by a real process.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include "sluice/common/result.h"

namespace sluice::warehouse {

using Deadline = std::chrono::steady_clock::time_point;

// Holds this process's turn at a warehouse file.
using FileTurn = std::unique_lock<std::timed_mutex>;

// Waits until no other Warehouse in this process uses the file at `path`. Conflict when the
// deadline passes first.
Result<FileTurn> WaitForFileTurn(const std::string& path, Deadline deadline);

// Whether `status` is DuckDB refusing a file another process holds.
bool IsFileLockConflict(const Status& status);

// Calls `attempt` until it returns anything but a file-lock conflict, sleeping between tries.
// When the deadline passes, Conflict saying how long it waited for `path` and DuckDB's message.
Status RetryWhileLocked(const std::function<Status()>& attempt, const std::string& path,
                        Deadline deadline);

}  // namespace sluice::warehouse

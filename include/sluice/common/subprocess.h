// Running programs as child processes: each in its own session and process group, so that
// stopping one stops everything it started; with its output sent to files; and with a marker in
// its environment so that processes a crashed engine left behind can be found again.
//
// Any thread may call these. A child must be waited for by exactly one thread (WaitForExit).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "sluice/common/result.h"

namespace sluice {

struct SpawnOptions {
  std::vector<std::string> argv;           // argv[0] is looked up on the PATH when it has no '/'
  std::filesystem::path cwd;               // empty: the engine's
  std::map<std::string, std::string> env;  // set over the engine's own environment
  // Variables of the engine's environment left out when their names start with one of these
  // (a function gets sluice's AWS_* credentials, never the engine user's).
  std::vector<std::string> drop_env_prefixes;
  std::filesystem::path stdout_path;  // created or appended to; empty: /dev/null
  std::filesystem::path stderr_path;
};

// Starts the program. It fails (with the program named) when the program cannot be started:
// not found, not executable, a bad working folder.
Result<pid_t> Spawn(const SpawnOptions& options);

struct ExitStatus {
  int exit_code = 0;  // valid when signal == 0
  int signal = 0;     // the signal that ended it, or 0
  bool ok() const { return signal == 0 && exit_code == 0; }
};

// Blocks until the child ends; retries on EINTR.
ExitStatus WaitForExit(pid_t pid);
// "exit code 3", "killed by signal 9 (Killed)".
std::string DescribeExit(const ExitStatus& status);

// Sends `signal` to the process group `pgid` (a Spawn'ed child's pid); a group that is gone is
// not an error.
void SignalGroup(pid_t pgid, int signal);

// Kills (SIGKILL) every process whose environment holds `name=value`, other than this one, and
// returns how many it found. Used on start to stop what a crashed engine left running.
int KillProcessesMarked(const std::string& name, const std::string& value);

// The full path of `program` on the PATH (or as given, when it holds a '/'); empty if none.
std::string FindProgram(const std::string& program);

}  // namespace sluice

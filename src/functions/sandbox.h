// Sandbox: one execution environment of a function, as Lambda has them: a runtime process, the
// Runtime API it talks to (on a loopback port of its own), and the log its output goes to. A
// sandbox runs one invocation at a time; the pool (function_pool.h) decides which.
//
// A sandbox dies when its runtime exits, fails to initialise, runs past its timeout or uses more
// memory than its function may (the watchdog reads the process's peak resident memory while it
// works and once more before accepting its reply, and kills it when over). A dead sandbox is
// never used again; the invocation it was running fails with the error type Lambda reports
// (Runtime.ExitError, Sandbox.Timedout, Runtime.OutOfMemory, or the runtime's init error).
//
// Invoke is called by one thread at a time; alive() and the accessors by any.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "functions/runtime_api.h"
#include "sluice/common/clock.h"
#include "sluice/common/posix_file.h"
#include "sluice/common/subprocess.h"
#include "sluice/functions/invocation.h"
#include "sluice/http/server.h"

namespace sluice::functions {

struct SandboxSpec {
  std::string function_name;
  std::string function_arn;
  std::string revision_id;  // the function version this sandbox runs
  std::vector<std::string> argv;
  std::filesystem::path cwd;                       // the code folder
  std::map<std::string, std::string> environment;  // without AWS_LAMBDA_RUNTIME_API (added here)
  std::filesystem::path log_path;                  // output and START/END/REPORT lines
  int timeout_seconds = 3;
  int memory_mb = 128;
};

// How long a runtime may take to initialise before it asks for its first event (Lambda's 10 s).
inline constexpr std::chrono::seconds kInitTimeout{10};

class Sandbox {
 public:
  // Starts the runtime process. Fails when it cannot be started (no such program, no port).
  static Result<std::unique_ptr<Sandbox>> Start(SandboxSpec spec);
  // Kills the runtime (its whole process group) if it still runs.
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  // Runs one invocation. `clock` dates the log; the deadline the runtime is told and the timeout
  // are real time, which is what the runtime process lives in.
  InvokeResponse Invoke(const InvokeRequest& request, const Clock& clock);

  // Kills the process group and waits until the process is gone. Any thread; an Invoke running
  // meanwhile returns with the runtime's exit.
  void Kill();

  bool alive() const { return !dead_.load(); }
  const SandboxSpec& spec() const { return spec_; }

 private:
  explicit Sandbox(SandboxSpec spec);
  // Peak resident memory of the runtime process so far, in bytes (0 once it is gone).
  uint64_t PeakMemoryBytes() const;
  std::string ExitDescription();
  // Appends a line to the log.
  void Log(const std::string& line);

  SandboxSpec spec_;
  RuntimeApi api_;
  std::unique_ptr<http::HttpServer> server_;
  pid_t pid_ = 0;
  std::mutex kill_mutex_;  // one Kill at a time: the waiter is joined once
  std::thread waiter_;     // waits for the process to exit, then closes the Runtime API
  std::mutex exit_mutex_;
  std::optional<ExitStatus> exit_;  // guarded by exit_mutex_
  std::atomic<bool> dead_ = false;
  bool initialized_ = false;  // the first invocation saw the runtime initialise
  std::chrono::steady_clock::time_point started_;
  UniqueFd log_;
};

}  // namespace sluice::functions

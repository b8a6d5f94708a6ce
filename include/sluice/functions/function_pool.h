// FunctionPool: the sandboxes (runtime processes) that run functions, and synchronous invocation
// on them. Warm sandboxes are reused, newest first; a cold one starts on demand while the
// function's reserved concurrency and the pool's own limit allow, else the invocation is
// throttled (429 TooManyRequestsException, as Lambda answers). A sandbox idle past
// `idle_timeout` is stopped, as is one whose function changed (a new revision) once it is free.
//
// Every sandbox's process gets Lambda's environment (_HANDLER, LAMBDA_TASK_ROOT,
// AWS_LAMBDA_FUNCTION_*, AWS_REGION, ...), the function's own variables, and what the pool is
// given for all of them (the engine's endpoint and credentials), but none of the engine's own
// AWS_* variables. Its output goes to a log file per sandbox under <functions root>/.logs/,
// between Lambda's START, END and REPORT lines.
//
// Invoke may be called from any number of threads at once. Destroying the pool kills every
// sandbox.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "sluice/common/aws_identity.h"
#include "sluice/common/clock.h"
#include "sluice/functions/function_registry.h"
#include "sluice/functions/invocation.h"

namespace sluice::functions {

class Sandbox;

struct PoolOptions {
  // The data dir's functions folder: code folders are relative to it; the built-in runtimes and
  // the logs go under it.
  std::filesystem::path functions_root;
  AwsIdentity identity;
  // Set for every function (after Lambda's own variables): AWS_ENDPOINT_URL, credentials, ...
  std::map<std::string, std::string> environment;
  const Clock* clock = &SystemClock::Instance();
  std::chrono::seconds idle_timeout{600};
  // Invocations running at once across all functions (Lambda's account concurrency).
  int max_concurrency = 64;
  // SLUICE_ENGINE_DIR in every runtime's environment, so that an engine restarted after a crash
  // can stop the runtimes the crashed one left (KillProcessesMarked). Empty: not set.
  std::string marker;
};

// Where a function's logs are: one file per sandbox, named by its log stream.
std::filesystem::path FunctionLogFolder(const std::filesystem::path& functions_root,
                                        std::string_view function_name);

class FunctionPool {
 public:
  static Result<std::unique_ptr<FunctionPool>> Create(PoolOptions options);
  ~FunctionPool();
  FunctionPool(const FunctionPool&) = delete;
  FunctionPool& operator=(const FunctionPool&) = delete;

  // Runs `function` once and waits for its answer. A failure of the function, its runtime or
  // its sandbox is an answer (kFunctionError), as is a throttle (kThrottled); an error Status
  // means sluice itself could not try (no port to listen on, say).
  Result<InvokeResponse> Invoke(const StoredFunction& function, const InvokeRequest& request);

  // Sets a variable for every sandbox started from now on (the engine's endpoint, known once its
  // server listens).
  void SetEnvironment(const std::string& name, const std::string& value);

  // Kills every sandbox, busy ones too (their invocations end as runtime exits), and refuses
  // invocations from then on. The engine calls it when it stops.
  void Shutdown();

  // Stops sandboxes idle for longer than idle_timeout by the clock; returns how many. The pool
  // calls it itself every second; tests on a manual clock call it directly.
  int ReapIdle();

  struct Counts {
    int sandboxes = 0;  // running processes
    int busy = 0;       // of which running an invocation
  };
  Counts CountsFor(const std::string& function_name) const;

 private:
  struct Warm {
    std::unique_ptr<Sandbox> sandbox;
    TimePoint idle_since;
  };
  struct Slot {
    std::vector<Warm> idle;  // most recently used last
    int busy = 0;
  };

  explicit FunctionPool(PoolOptions options, std::filesystem::path runtimes);
  Result<std::unique_ptr<Sandbox>> StartSandbox(const StoredFunction& function);
  void ReaperLoop();

  PoolOptions options_;  // environment guarded by mutex_
  std::filesystem::path runtimes_;
  mutable std::mutex mutex_;
  std::map<std::string, Slot> slots_;  // by function name; guarded by mutex_
  int busy_ = 0;                       // guarded by mutex_
  std::set<Sandbox*> working_;         // running an invocation; guarded by mutex_
  bool stopping_ = false;              // guarded by mutex_
  std::condition_variable stop_;
  std::thread reaper_;
};

}  // namespace sluice::functions

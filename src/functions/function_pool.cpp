#include "sluice/functions/function_pool.h"

#include "functions/builtin_runtimes.h"
#include "functions/sandbox.h"
#include "sluice/common/ids.h"
#include "sluice/common/time_format.h"

namespace sluice::functions {
namespace {

namespace fs = std::filesystem;

// A sandbox's log stream, named as Lambda names them ("2026/12/06/[$LATEST]" and 32 hex
// digits), and the file that holds it ("2026-12-06-<hex>.log").
struct LogStream {
  std::string name;
  std::string file_name;
};

LogStream NewLogStream(TimePoint now) {
  std::string day = FormatIso8601Millis(now).substr(0, 10);  // "2026-12-06"
  std::string id = RandomHex(16);
  std::string slashed = day;
  for (char& c : slashed)
    if (c == '-') c = '/';
  return {slashed + "/[$LATEST]" + id, day + "-" + id + ".log"};
}

std::string ExecutionEnv(RuntimeKind kind) {
  switch (kind) {
    case RuntimeKind::kPython:
      return "AWS_Lambda_python3";
    case RuntimeKind::kNode:
      return "AWS_Lambda_nodejs";
    case RuntimeKind::kProvided:
      break;
  }
  return "";
}

InvokeResponse Throttled(std::string reason) {
  InvokeResponse response;
  response.outcome = InvokeOutcome::kThrottled;
  response.throttle_reason = std::move(reason);
  return response;
}

}  // namespace

fs::path FunctionLogFolder(const fs::path& functions_root, std::string_view function_name) {
  return functions_root / ".logs" / std::string(function_name);
}

Result<std::unique_ptr<FunctionPool>> FunctionPool::Create(PoolOptions options) {
  SLUICE_ASSIGN_OR_RETURN(fs::path runtimes, InstallBuiltinRuntimes(options.functions_root));
  std::unique_ptr<FunctionPool> pool(new FunctionPool(std::move(options), std::move(runtimes)));
  pool->reaper_ = std::thread([p = pool.get()] { p->ReaperLoop(); });
  return pool;
}

FunctionPool::FunctionPool(PoolOptions options, fs::path runtimes)
    : options_(std::move(options)), runtimes_(std::move(runtimes)) {}

FunctionPool::~FunctionPool() {
  Shutdown();
  if (reaper_.joinable()) reaper_.join();
}

void FunctionPool::SetEnvironment(const std::string& name, const std::string& value) {
  std::lock_guard lock(mutex_);
  options_.environment[name] = value;
}

void FunctionPool::Shutdown() {
  std::map<std::string, Slot> slots;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    slots.swap(slots_);
    // Busy sandboxes belong to their invoking threads; killing them ends those invocations.
    for (Sandbox* sandbox : working_)
      sandbox->Kill();
  }
  stop_.notify_all();
  // The idle sandboxes go with `slots`: each kills its process.
}

void FunctionPool::ReaperLoop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    stop_.wait_for(lock, std::chrono::seconds(1));
    if (stopping_) return;
    lock.unlock();
    ReapIdle();
    lock.lock();
  }
}

int FunctionPool::ReapIdle() {
  std::vector<std::unique_ptr<Sandbox>> reaped;
  {
    std::lock_guard lock(mutex_);
    TimePoint now = options_.clock->Now();
    for (auto& [name, slot] : slots_) {
      auto expired = [&](const Warm& warm) {
        return now - warm.idle_since >= options_.idle_timeout || !warm.sandbox->alive();
      };
      for (Warm& warm : slot.idle)
        if (expired(warm)) reaped.push_back(std::move(warm.sandbox));
      std::erase_if(slot.idle, [](const Warm& warm) { return warm.sandbox == nullptr; });
    }
  }
  return static_cast<int>(reaped.size());  // stopped here, outside the lock
}

FunctionPool::Counts FunctionPool::CountsFor(const std::string& function_name) const {
  std::lock_guard lock(mutex_);
  auto found = slots_.find(function_name);
  if (found == slots_.end()) return {};
  return {static_cast<int>(found->second.idle.size()) + found->second.busy, found->second.busy};
}

Result<std::unique_ptr<Sandbox>> FunctionPool::StartSandbox(const StoredFunction& function) {
  const FunctionConfig& config = function.config;
  fs::path code = options_.functions_root / function.code.folder;
  SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> argv, RuntimeCommand(config, runtimes_, code));
  SandboxSpec spec;
  spec.function_name = config.name;
  spec.function_arn =
      FunctionArn(options_.identity.region, options_.identity.account_id, config.name);
  spec.revision_id = function.revision_id;
  spec.argv = std::move(argv);
  spec.cwd = code;
  spec.timeout_seconds = config.timeout_seconds;
  spec.memory_mb = config.memory_mb;
  LogStream stream = NewLogStream(options_.clock->Now());
  spec.log_path = FunctionLogFolder(options_.functions_root, config.name) / stream.file_name;

  std::map<std::string, std::string>& env = spec.environment;
  env = config.environment;
  env["_HANDLER"] = config.handler;
  env["LAMBDA_TASK_ROOT"] = code.string();
  env["LAMBDA_RUNTIME_DIR"] = runtimes_.string();
  env["AWS_REGION"] = options_.identity.region;
  env["AWS_DEFAULT_REGION"] = options_.identity.region;
  if (std::string execution = ExecutionEnv(*RuntimeKindOf(config.runtime)); !execution.empty()) {
    env["AWS_EXECUTION_ENV"] = execution;
  }
  env["AWS_LAMBDA_FUNCTION_NAME"] = config.name;
  env["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST";
  env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = std::to_string(config.memory_mb);
  env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
  env["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + config.name;
  env["AWS_LAMBDA_LOG_STREAM_NAME"] = stream.name;
  env["TZ"] = ":UTC";
  if (!options_.marker.empty()) env["SLUICE_ENGINE_DIR"] = options_.marker;
  std::lock_guard lock(mutex_);
  for (const auto& [name, value] : options_.environment)
    env[name] = value;
  return Sandbox::Start(std::move(spec));
}

Result<InvokeResponse> FunctionPool::Invoke(const StoredFunction& function,
                                            const InvokeRequest& request) {
  const std::string& name = function.config.name;
  std::unique_ptr<Sandbox> sandbox;
  std::vector<std::unique_ptr<Sandbox>> stale;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return Status::FailedPrecondition("the function pool is shutting down");
    Slot& slot = slots_[name];
    for (Warm& warm : slot.idle) {
      if (warm.sandbox->spec().revision_id != function.revision_id || !warm.sandbox->alive()) {
        stale.push_back(std::move(warm.sandbox));
      }
    }
    std::erase_if(slot.idle, [](const Warm& warm) { return warm.sandbox == nullptr; });
    if (const auto& reserved = function.config.reserved_concurrency;
        reserved && slot.busy >= *reserved) {
      return Throttled("ReservedFunctionConcurrentInvocationLimitExceeded");
    }
    if (busy_ >= options_.max_concurrency) return Throttled("ConcurrentInvocationLimitExceeded");
    if (!slot.idle.empty()) {
      sandbox = std::move(slot.idle.back().sandbox);
      slot.idle.pop_back();
    }
    ++slot.busy;
    ++busy_;
  }
  stale.clear();  // stopped outside the lock

  auto release = [&](std::unique_ptr<Sandbox> used) {
    std::lock_guard lock(mutex_);
    working_.erase(used.get());
    Slot& slot = slots_[name];
    --slot.busy;
    --busy_;
    if (used && used->alive() && !stopping_) {
      slot.idle.push_back({std::move(used), options_.clock->Now()});
      used.reset();
    }
    return used;  // a dead one is stopped by the caller, outside the lock
  };

  if (!sandbox) {
    Result<std::unique_ptr<Sandbox>> started = StartSandbox(function);
    if (!started.ok()) {
      release(nullptr);
      if (started.status().code() == StatusCode::kFailedPrecondition) {
        // The runtime cannot start at all: Lambda's answer to a broken entrypoint.
        InvokeResponse response;
        response.outcome = InvokeOutcome::kFunctionError;
        response.function_error = "Unhandled";
        response.error_type = "Runtime.InvalidEntrypoint";
        response.request_id = request.request_id.empty() ? NewUuid() : request.request_id;
        response.payload = ErrorDocument(response.error_type, started.status().message());
        return response;
      }
      return started.status();
    }
    sandbox = std::move(*started);
  }
  {
    std::lock_guard lock(mutex_);
    if (stopping_) sandbox->Kill();
    working_.insert(sandbox.get());
  }
  InvokeResponse response = sandbox->Invoke(request, *options_.clock);
  std::unique_ptr<Sandbox> dead = release(std::move(sandbox));
  return response;
}

}  // namespace sluice::functions

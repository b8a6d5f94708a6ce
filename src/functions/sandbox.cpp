#include "functions/sandbox.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cinttypes>
#include <cmath>
#include <cstring>
#include <fstream>

#include "sluice/common/ids.h"
#include "sluice/common/time_format.h"

namespace sluice::functions {
namespace {

using SteadyClock = std::chrono::steady_clock;

// How often the watchdog looks at a working runtime's memory.
constexpr auto kMemoryPoll = std::chrono::milliseconds(10);
// The Runtime API waits as long as a runtime may work between two requests: a handler runs up
// to 900 s with the runtime's connection idle.
constexpr auto kRuntimeIdleTimeout = std::chrono::seconds(1800);

double Milliseconds(SteadyClock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

std::string TwoDecimals(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

// "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0", X-Ray's format.
std::string NewTraceId(TimePoint now) {
  char epoch[16];
  std::snprintf(epoch, sizeof epoch, "%08" PRIx64, static_cast<uint64_t>(ToUnixMillis(now) / 1000));
  return "Root=1-" + std::string(epoch) + "-" + RandomHex(12) + ";Parent=" + RandomHex(8) +
         ";Sampled=0";
}

// Go's spelling of an exit, which Lambda's messages use: "exit status 1", "signal: killed".
std::string GoExitDescription(const ExitStatus& status) {
  if (status.signal == 0) return "exit status " + std::to_string(status.exit_code);
  std::string name = ::strsignal(status.signal);
  for (char& c : name)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return "signal: " + name;
}

}  // namespace

Result<std::unique_ptr<Sandbox>> Sandbox::Start(SandboxSpec spec) {
  std::unique_ptr<Sandbox> sandbox(new Sandbox(std::move(spec)));
  const SandboxSpec& s = sandbox->spec_;
  http::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.max_connections = 16;
  options.limits.idle_timeout = kRuntimeIdleTimeout;
  SLUICE_ASSIGN_OR_RETURN(sandbox->server_, http::HttpServer::Start(sandbox->api_, options));

  std::error_code ignored;
  std::filesystem::create_directories(s.log_path.parent_path(), ignored);
  SLUICE_ASSIGN_OR_RETURN(sandbox->log_, OpenFile(s.log_path, O_RDWR | O_CREAT | O_APPEND, 0644));
  SpawnOptions spawn;
  spawn.argv = s.argv;
  spawn.cwd = s.cwd;
  spawn.env = s.environment;
  spawn.env["AWS_LAMBDA_RUNTIME_API"] = sandbox->server_->address();
  spawn.drop_env_prefixes = {"AWS_", "_X_AMZN", "LAMBDA_", "_HANDLER"};
  spawn.stdout_path = s.log_path;
  spawn.stderr_path = s.log_path;
  sandbox->started_ = SteadyClock::now();
  SLUICE_ASSIGN_OR_RETURN(sandbox->pid_, Spawn(spawn).WithContext("function " + s.function_name));
  sandbox->waiter_ = std::thread([raw = sandbox.get()] {
    ExitStatus status = WaitForExit(raw->pid_);
    {
      std::lock_guard lock(raw->exit_mutex_);
      raw->exit_ = status;
    }
    raw->dead_ = true;
    raw->api_.Close();
  });
  return sandbox;
}

Sandbox::Sandbox(SandboxSpec spec) : spec_(std::move(spec)) {}

Sandbox::~Sandbox() {
  Kill();
  if (server_) server_->Stop();
}

void Sandbox::Kill() {
  std::lock_guard kill_lock(kill_mutex_);
  dead_ = true;
  if (waiter_.joinable()) {
    bool running;
    {
      std::lock_guard lock(exit_mutex_);
      running = !exit_.has_value();
    }
    if (running) SignalGroup(pid_, SIGKILL);
    waiter_.join();
  }
  api_.Close();
}

uint64_t Sandbox::PeakMemoryBytes() const {
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
  }
  return 0;
}

std::string Sandbox::ExitDescription() {
  std::lock_guard lock(exit_mutex_);
  return exit_ ? GoExitDescription(*exit_) : "signal: killed";
}

void Sandbox::Log(const std::string& line) {
  std::string text = line + "\n";
  (void)WriteAll(log_.get(), text.data(), text.size(), spec_.log_path.string());
}

InvokeResponse Sandbox::Invoke(const InvokeRequest& request, const Clock& clock) {
  InvokeResponse response;
  response.request_id = request.request_id.empty() ? NewUuid() : request.request_id;
  const std::string& id = response.request_id;
  // Where this invocation's lines begin, for its tail.
  struct stat before {};
  off_t log_start = request.tail_log && ::fstat(log_.get(), &before) == 0 ? before.st_size : 0;
  Log("START RequestId: " + id + " Version: $LATEST");

  auto fail = [&](std::string_view type, const std::string& message) {
    response.outcome = InvokeOutcome::kFunctionError;
    response.function_error = "Unhandled";
    response.error_type = type;
    response.payload = ErrorDocument(type, message);
  };
  const uint64_t memory_limit = static_cast<uint64_t>(spec_.memory_mb) << 20;
  uint64_t peak = 0;  // the most seen: a process that is gone reads as 0
  auto over_memory = [&] {
    peak = std::max(peak, PeakMemoryBytes());
    return peak > memory_limit;
  };

  SteadyClock::time_point begin = SteadyClock::now();
  const auto timeout = std::chrono::seconds(spec_.timeout_seconds);
  // The deadline is for the runtime, which reads the real time: it is dated by the system clock.
  api_.Post({id, request.payload, timeout, &SystemClock::Instance(), spec_.function_arn,
             request.trace_id.empty() ? NewTraceId(clock.Now()) : request.trace_id,
             request.client_context});
  std::optional<RuntimeReply> reply;
  bool timed_out = false, init_timed_out = false, out_of_memory = false;
  if (!initialized_) {
    // A cold start: the runtime initialises first, within its own limit, then the timeout runs.
    initialized_ = true;
    if (api_.WaitUntilInitialized(started_ + kInitTimeout)) {
      begin = *api_.initialized_at();
      response.init_duration_ms = Milliseconds(begin - started_);
    } else if (alive() && SteadyClock::now() >= started_ + kInitTimeout) {
      init_timed_out = true;
    }
  }
  const SteadyClock::time_point deadline = begin + timeout;
  timed_out = init_timed_out;
  while (!timed_out) {
    // Returns at once, with the reply if one came, once the runtime has exited.
    reply = api_.WaitForReply(std::min(deadline, SteadyClock::now() + kMemoryPoll));
    if (reply || !alive()) break;
    if (SteadyClock::now() >= deadline) {
      timed_out = true;
    } else if (over_memory()) {
      out_of_memory = true;
      break;
    }
  }
  // The peak stays recorded: an overrun between two looks is caught here, before the reply counts.
  if (reply && alive() && over_memory()) out_of_memory = true;
  peak = std::max(peak, PeakMemoryBytes());
  response.max_memory_used_mb = (peak + (1 << 20) - 1) >> 20;
  double duration = Milliseconds(SteadyClock::now() - begin);

  if (out_of_memory) {
    Kill();
    response.max_memory_used_mb = static_cast<uint64_t>(spec_.memory_mb);
    fail("Runtime.OutOfMemory",
         "RequestId: " + id + " Error: Runtime exited with error: signal: killed");
  } else if (timed_out) {
    Kill();
    std::string seconds = TwoDecimals(
        static_cast<double>(init_timed_out ? kInitTimeout.count() : spec_.timeout_seconds));
    Log(FormatIso8601Millis(clock.Now()) + " " + id + " Task timed out after " + seconds +
        " seconds");
    fail("Sandbox.Timedout",
         "RequestId: " + id + " Error: Task timed out after " + seconds + " seconds");
  } else if (!reply) {
    Kill();
    fail("Runtime.ExitError",
         "RequestId: " + id + " Error: Runtime exited with error: " + ExitDescription());
  } else if (reply->kind == RuntimeReply::Kind::kResponse) {
    response.payload = std::move(reply->body);
  } else {
    // The runtime's error document goes back as it is, with the type it named.
    response.outcome = InvokeOutcome::kFunctionError;
    response.function_error = "Unhandled";
    response.error_type = reply->error_type;
    response.payload = std::move(reply->body);
    // A runtime that could not initialise is done for, as in Lambda.
    if (reply->kind == RuntimeReply::Kind::kInitError) Kill();
  }
  response.duration_ms = duration;
  Log("END RequestId: " + id);
  std::string report = "REPORT RequestId: " + id + "\tDuration: " + TwoDecimals(duration) +
                       " ms\tBilled Duration: " +
                       std::to_string(static_cast<int64_t>(std::ceil(std::max(duration, 1.0)))) +
                       " ms\tMemory Size: " + std::to_string(spec_.memory_mb) +
                       " MB\tMax Memory Used: " + std::to_string(response.max_memory_used_mb) +
                       " MB";
  if (response.init_duration_ms > 0) {
    report += "\tInit Duration: " + TwoDecimals(response.init_duration_ms) + " ms";
  }
  if (response.outcome == InvokeOutcome::kFunctionError && !alive()) {
    report += "\tStatus: error\tError Type: " + response.error_type;
  }
  Log(report);
  if (request.tail_log) {
    struct stat after {};
    off_t log_end = ::fstat(log_.get(), &after) == 0 ? after.st_size : log_start;
    off_t from = std::max<off_t>(log_start, log_end - static_cast<off_t>(kLogTailBytes));
    std::string tail(static_cast<size_t>(log_end - from), '\0');
    auto n = ReadAt(log_.get(), tail.data(), tail.size(), static_cast<uint64_t>(from), "log");
    if (n.ok()) {
      tail.resize(*n);
      response.log_tail = std::move(tail);
    }
  }
  return response;
}

}  // namespace sluice::functions

#include "sluice/clusters/local_provider.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <thread>

#include "applications.h"
#include "lake_files.h"
#include "sluice/clusters/instance_capacity.h"
#include "sluice/clusters/step_logs.h"
#include "sluice/common/subprocess.h"
#include "sluice/common/time_format.h"
#include "sluice/engine/sql_step_job.h"

namespace sluice::clusters {
namespace {

namespace fs = std::filesystem;

// In a sql step's log folder: the job it was given and the outcome it reported.
constexpr const char* kSqlJobFile = "sql-step.json";
constexpr const char* kSqlOutcomeFile = "outcome.json";

constexpr size_t kStderrInMessage = 800;  // bytes of a failed bootstrap's stderr in its reason

std::string Tail(const fs::path& file, size_t bytes) {
  std::ifstream in(file, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (content.size() > bytes) content = "..." + content.substr(content.size() - bytes);
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r'))
    content.pop_back();
  return content;
}

// EMR's controller log: what ran, where, and how it ended.
void Controller(const fs::path& file, const std::string& level, const std::string& line) {
  std::ofstream out(file, std::ios::app);
  out << FormatIso8601Millis(SystemClock::Instance().Now()) << " " << level << " " << line << "\n";
}

std::string Quoted(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& a : args) {
    if (!out.empty()) out += " ";
    out += "'" + a + "'";
  }
  return out;
}

}  // namespace

struct LocalProvider::Runtime {
  std::set<pid_t> pids;                // every process of the cluster still running
  std::map<std::string, pid_t> steps;  // step id -> its process
  bool released = false;
};

LocalProvider::LocalProvider(LocalProviderOptions options) : options_(std::move(options)) {
  // Processes run in their node's folder: every path handed to them must not be relative.
  options_.root = fs::absolute(options_.root).lexically_normal();
}

LocalProvider::~LocalProvider() {
  std::unique_lock lock(mutex_);
  stopping_ = true;
  for (auto& [id, runtime] : clusters_) {
    for (pid_t pid : runtime->pids)
      SignalGroup(pid, SIGKILL);
  }
  changed_.notify_all();
  changed_.wait(lock, [&] { return threads_ == 0; });
}

void LocalProvider::SetListener(Listener listener) {
  listener_ = std::move(listener);
}

void LocalProvider::Report(ProviderReport report) {
  if (listener_) listener_(std::move(report));
}

void LocalProvider::Detach(std::function<void()> work) {
  {
    std::lock_guard lock(mutex_);
    ++threads_;
  }
  std::thread([this, work = std::move(work)] {
    work();
    std::lock_guard lock(mutex_);
    --threads_;
    changed_.notify_all();
  }).detach();
}

LocalProvider::Runtime& LocalProvider::RuntimeFor(const std::string& cluster_id) {
  auto& runtime = clusters_[cluster_id];
  if (!runtime) runtime = std::make_unique<Runtime>();
  return *runtime;
}

void LocalProvider::Forget(const std::string& cluster_id, pid_t pid) {
  std::lock_guard lock(mutex_);
  Runtime& runtime = RuntimeFor(cluster_id);
  runtime.pids.erase(pid);
  for (auto it = runtime.steps.begin(); it != runtime.steps.end(); ++it) {
    if (it->second == pid) {
      runtime.steps.erase(it);
      break;
    }
  }
  changed_.notify_all();
}

std::map<std::string, std::string> LocalProvider::NodeEnvironment(const Cluster& cluster,
                                                                  const Node& node) const {
  std::map<std::string, std::string> env = options_.environment;
  env["SLUICE_ENGINE_DIR"] = options_.marker;
  env["SLUICE_CLUSTER_ID"] = cluster.id;
  env["SLUICE_NODE_ID"] = node.id;
  env["SLUICE_NODE_ROLE"] = node.role;
  env["SLUICE_INSTANCE_TYPE"] = node.instance_type;
  return env;
}

fs::path LocalProvider::StepLogFolder(const std::string& cluster_id,
                                      const std::string& step_id) const {
  return clusters::StepLogFolder(options_.root, cluster_id, step_id);
}

void LocalProvider::Launch(const Cluster& cluster) {
  {
    std::lock_guard lock(mutex_);
    RuntimeFor(cluster.id).released = false;
  }
  Detach([this, cluster] { Bootstrap(cluster); });
}

void LocalProvider::Bootstrap(Cluster cluster) {
  auto fail = [&](ReasonCode reason, std::string message) {
    Report(ProviderReport::Failed(cluster.id, reason, std::move(message)));
  };
  std::vector<Node> nodes;
  std::error_code ec;
  for (const InstanceGroup& group : cluster.spec.instance_groups) {
    std::string prefix = group.role == "MASTER" ? "master" : group.role == "CORE" ? "core" : "task";
    int existing = 0;
    for (const Node& n : nodes)
      existing += n.role == group.role ? 1 : 0;
    for (int i = 0; i < group.count; ++i) {
      Node node{prefix + "-" + std::to_string(existing + i + 1), group.role, group.instance_type};
      fs::create_directories(options_.root / cluster.id / "work" / node.id, ec);
      if (ec) {
        return fail(ReasonCode::kInternalError,
                    "cannot make the folder of node " + node.id + ": " + ec.message());
      }
      nodes.push_back(node);
    }
  }
  if (Status apps = CheckApplications(cluster.spec.applications); !apps.ok()) {
    return fail(ReasonCode::kValidationError, apps.message());
  }
  Report(ProviderReport::Of(ProviderReport::Kind::kBootstrapping, cluster.id));
  if (Status bootstrapped = RunBootstrapActions(cluster, nodes); !bootstrapped.ok()) {
    return fail(ReasonCode::kBootstrapFailure, bootstrapped.message());
  }
  Report(ProviderReport::Of(ProviderReport::Kind::kReady, cluster.id));
}

Status LocalProvider::RunBootstrapActions(const Cluster& cluster, const std::vector<Node>& nodes) {
  const auto& actions = cluster.spec.bootstrap_actions;
  for (size_t n = 0; n < actions.size(); ++n) {
    const BootstrapAction& action = actions[n];
    const std::string label = "Bootstrap action " + std::to_string(n + 1) +
                              (action.name.empty() ? "" : " (" + action.name + ")");
    fs::path script = options_.root / cluster.id / "bootstrap" / std::to_string(n + 1) /
                      fs::path(action.path).filename();
    // Not the throwing overload: this runs on the provider's own thread. A folder that cannot be
    // made fails the download (or the spawn, below) with a Status instead.
    std::error_code ec;
    fs::create_directories(script.parent_path(), ec);
    if (options_.lake == nullptr) return Status::Internal("the local provider has no lake");
    if (Status fetched = DownloadScript(*options_.lake, action.path, script); !fetched.ok()) {
      return Status::FailedPrecondition(label + ": cannot fetch " + action.path + ": " +
                                        fetched.message());
    }
    // The action runs on every node at once; a failure on any node fails the cluster.
    std::vector<std::pair<const Node*, pid_t>> running;
    for (const Node& node : nodes) {
      fs::path logs = options_.root / cluster.id / "node" / node.id / "bootstrap-actions" /
                      std::to_string(n + 1);
      fs::create_directories(logs, ec);
      SpawnOptions spawn;
      spawn.argv = {script.string()};
      spawn.argv.insert(spawn.argv.end(), action.args.begin(), action.args.end());
      spawn.cwd = options_.root / cluster.id / "work" / node.id;
      spawn.env = NodeEnvironment(cluster, node);
      spawn.stdout_path = logs / "stdout";
      spawn.stderr_path = logs / "stderr";
      std::unique_lock lock(mutex_);
      if (RuntimeFor(cluster.id).released || stopping_) break;
      auto pid = Spawn(spawn);
      if (!pid.ok()) {
        lock.unlock();
        for (auto& [other, other_pid] : running) {
          SignalGroup(other_pid, SIGKILL);
          WaitForExit(other_pid);
          Forget(cluster.id, other_pid);
        }
        return Status::FailedPrecondition(label + " on node " + node.id + ": " +
                                          pid.status().message());
      }
      RuntimeFor(cluster.id).pids.insert(*pid);
      running.emplace_back(&node, *pid);
    }
    Status first_failure = Status::Ok();
    for (auto& [node, pid] : running) {
      ExitStatus exit = WaitForExit(pid);
      SignalGroup(pid, SIGKILL);  // whatever the script left running in the background
      Forget(cluster.id, pid);
      fs::path logs = options_.root / cluster.id / "node" / node->id / "bootstrap-actions" /
                      std::to_string(n + 1);
      if (!exit.ok() && first_failure.ok()) {
        std::string stderr_tail = Tail(logs / "stderr", kStderrInMessage);
        first_failure = Status::FailedPrecondition(label + " on node " + node->id +
                                                   " failed with " + DescribeExit(exit) +
                                                   (stderr_tail.empty() ? "" : ": " + stderr_tail));
      }
      if (!cluster.spec.log_uri.empty()) {
        for (const char* name : {"stdout", "stderr"}) {
          std::string relative = cluster.id + "/node/" + node->id + "/bootstrap-actions/" +
                                 std::to_string(n + 1) + "/" + name + ".gz";
          Status uploaded =
              UploadGzipped(*options_.lake, logs / name, JoinUri(cluster.spec.log_uri, relative));
          if (!uploaded.ok()) spdlog::warn("clusters: {}: {}", relative, uploaded.message());
        }
      }
    }
    SLUICE_RETURN_IF_ERROR(first_failure);
    std::lock_guard lock(mutex_);
    if (RuntimeFor(cluster.id).released) {
      return Status::FailedPrecondition("the cluster was terminated while bootstrapping");
    }
  }
  return Status::Ok();
}

Result<int64_t> LocalProvider::StartStep(const Cluster& cluster, const Step& step) {
  fs::path logs = StepLogFolder(cluster.id, step.id);
  std::error_code ec;
  fs::create_directories(logs, ec);
  if (ec) return Status::IoError("cannot make " + logs.string() + ": " + ec.message());
  Node master{"master-1", "MASTER", ""};
  for (const InstanceGroup& g : cluster.spec.instance_groups) {
    if (g.role == "MASTER") master.instance_type = g.instance_type;
  }
  SpawnOptions spawn;
  spawn.cwd = options_.root / cluster.id / "work" / master.id;
  fs::create_directories(spawn.cwd, ec);
  SLUICE_ASSIGN_OR_RETURN(spawn.argv, StepCommand(cluster, step, logs, spawn.cwd / step.id));
  spawn.env = NodeEnvironment(cluster, master);
  spawn.env["SLUICE_STEP_ID"] = step.id;
  spawn.stdout_path = logs / "stdout";
  spawn.stderr_path = logs / "stderr";
  Controller(logs / "controller", "INFO", "startExec " + Quoted(spawn.argv));
  Controller(logs / "controller", "INFO", "Working dir " + spawn.cwd.string());
  std::unique_lock lock(mutex_);
  Runtime& runtime = RuntimeFor(cluster.id);
  if (runtime.released || stopping_) {
    return Status::FailedPrecondition("cluster " + cluster.id + " is being released");
  }
  auto pid = Spawn(spawn);
  if (!pid.ok()) {
    lock.unlock();
    Controller(logs / "controller", "ERROR", pid.status().message());
    return pid.status();
  }
  runtime.pids.insert(*pid);
  runtime.steps[step.id] = *pid;
  lock.unlock();
  Detach([this, cluster, step, pid = *pid] { WaitForStep(cluster, step, pid); });
  return static_cast<int64_t>(*pid);
}

Result<std::vector<std::string>> LocalProvider::StepCommand(const Cluster& cluster,
                                                            const Step& step, const fs::path& logs,
                                                            const fs::path& work) const {
  if (!step.config.sql) return step.config.args;
  if (options_.sql_step_command.empty()) {
    return Status::FailedPrecondition("this engine has no runner for sql steps");
  }
  std::string master_type;
  for (const InstanceGroup& g : cluster.spec.instance_groups) {
    if (g.role == "MASTER") master_type = g.instance_type;
  }
  InstanceCapacity capacity = LimitToThisMachine(CapacityOf(master_type));
  engine::SqlStepJob job;
  job.step_id = step.id;
  job.step_name = step.config.name;
  job.sql = *step.config.sql;
  job.threads = capacity.vcpus;
  job.memory_limit = std::to_string(static_cast<int64_t>(capacity.memory_gib * 1024)) + "MiB";
  job.work_dir = work.string();
  job.outcome_file = (logs / kSqlOutcomeFile).string();
  std::error_code ec;
  fs::remove(job.outcome_file, ec);  // a retried step's old outcome must not be read as its own
  fs::path job_file = logs / kSqlJobFile;
  std::ofstream out(job_file, std::ios::trunc);
  out << job.ToJson().dump(2) << "\n";
  if (!out.flush()) return Status::IoError("cannot write " + job_file.string());
  std::vector<std::string> argv = options_.sql_step_command;
  argv.push_back(job_file.string());
  return argv;
}

void LocalProvider::WaitForStep(Cluster cluster, Step step, pid_t pid) {
  ExitStatus exit = WaitForExit(pid);
  SignalGroup(pid, SIGKILL);  // what the command left running in the background
  fs::path logs = StepLogFolder(cluster.id, step.id);
  Controller(logs / "controller", exit.ok() ? "INFO" : "WARN",
             "Process completed with " + DescribeExit(exit));
  ProviderReport report = ProviderReport::Of(ProviderReport::Kind::kStepExited, cluster.id);
  report.step_id = step.id;
  report.exit_code = exit.signal != 0 ? exit.signal : exit.exit_code;
  report.signalled = exit.signal != 0;
  report.message = "Step failed with " + DescribeExit(exit);
  report.log_file = (logs / "stderr").string();
  if (step.config.sql) {
    // A sql step says what it did, or why it failed, in its outcome file.
    if (auto outcome = engine::ReadOutcome((logs / kSqlOutcomeFile).string())) {
      if (outcome->contains("Result")) report.result = (*outcome)["Result"].dump();
      if (outcome->contains("Error") && !exit.ok()) {
        report.message = (*outcome)["Error"].get<std::string>();
      }
    }
  }
  if (!cluster.spec.log_uri.empty()) {
    for (const char* name : {"controller", "stdout", "stderr"}) {
      Status uploaded =
          UploadGzipped(*options_.lake, logs / name,
                        ArchivedStepLogUri(cluster.spec.log_uri, cluster.id, step.id, name));
      if (!uploaded.ok())
        spdlog::warn("clusters: step {} log {}: {}", step.id, name, uploaded.message());
    }
    report.log_file = ArchivedStepLogUri(cluster.spec.log_uri, cluster.id, step.id, "stderr");
  }
  // Reported before it is forgotten: Release waits for the cluster's processes to be forgotten,
  // so the step's exit always reaches the manager before the cluster's kReleased.
  Report(std::move(report));
  Forget(cluster.id, pid);
}

void LocalProvider::CancelStep(const std::string& cluster_id, const std::string& step_id,
                               bool force) {
  pid_t pid = 0;
  {
    std::lock_guard lock(mutex_);
    auto& steps = RuntimeFor(cluster_id).steps;
    if (auto it = steps.find(step_id); it != steps.end()) pid = it->second;
  }
  if (pid == 0) return;
  SignalGroup(pid, force ? SIGKILL : SIGTERM);
  if (force) return;
  Detach([this, cluster_id, step_id, pid] {
    std::unique_lock lock(mutex_);
    bool gone = changed_.wait_for(lock, options_.cancel_grace, [&] {
      return stopping_ || RuntimeFor(cluster_id).steps.count(step_id) == 0;
    });
    if (!gone) SignalGroup(pid, SIGKILL);
  });
}

void LocalProvider::Release(const Cluster& cluster) {
  Detach([this, cluster] {
    std::unique_lock lock(mutex_);
    Runtime& runtime = RuntimeFor(cluster.id);
    runtime.released = true;
    for (pid_t pid : runtime.pids)
      SignalGroup(pid, SIGKILL);
    changed_.wait(lock, [&] { return stopping_ || RuntimeFor(cluster.id).pids.empty(); });
    lock.unlock();
    std::error_code ec;
    fs::remove_all(options_.root / cluster.id / "work", ec);
    Report(ProviderReport::Of(ProviderReport::Kind::kReleased, cluster.id));
  });
}

Result<int> LocalProvider::ReapLeftovers() {
  return KillProcessesMarked("SLUICE_ENGINE_DIR", options_.marker);
}

}  // namespace sluice::clusters

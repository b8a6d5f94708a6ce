// The LocalProvider with real processes: bootstrap actions on every node folder, failing
// bootstraps and missing applications, steps' exit codes and logs (kept here and archived gzipped
// to the lake), cancellation of a step's whole process group, release, and reaping what a crashed
// engine left running. Waits are bounded (10 s) so a broken provider fails rather than hangs;
// nothing asserts how long anything took.
#include "sluice/clusters/local_provider.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "sluice/clusters/cluster_manager.h"
#include "sluice/common/subprocess.h"
#include "sluice/lake/byte_sources.h"
#include "sluice/lake/local_object_store.h"
#include "sluice/store/database.h"
#include "support/temp_dir.h"

namespace sluice::clusters {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Kind = ProviderReport::Kind;

constexpr auto kPatience = 10s;  // for anything a process should do almost at once

// Provider reports, as they arrive from the provider's threads.
class ReportQueue {
 public:
  void Push(ProviderReport report) {
    std::lock_guard lock(mutex_);
    reports_.push_back(std::move(report));
    arrived_.notify_all();
  }

  // Removes and returns the first report `matches` accepts, waiting up to kPatience for it.
  std::optional<ProviderReport> Take(const std::function<bool(const ProviderReport&)>& matches) {
    std::unique_lock lock(mutex_);
    std::optional<ProviderReport> found;
    arrived_.wait_for(lock, kPatience, [&] {
      for (auto it = reports_.begin(); it != reports_.end(); ++it) {
        if (matches(*it)) {
          found = std::move(*it);
          reports_.erase(it);
          return true;
        }
      }
      return false;
    });
    return found;
  }
  std::optional<ProviderReport> Take(Kind kind) {
    return Take([kind](const ProviderReport& r) { return r.kind == kind; });
  }
  // The next report of any kind.
  std::optional<ProviderReport> Next() {
    return Take([](const ProviderReport&) { return true; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<ProviderReport> reports_;
};

// Sets (or, with nullopt, unsets) an environment variable for one test, restoring it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string Gunzip(const std::string& gzipped) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzipped.data()));
  stream.avail_in = static_cast<uInt>(gzipped.size());
  std::string out;
  char buffer[4096];
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  EXPECT_EQ(result, Z_STREAM_END) << "not a whole gzip stream";
  inflateEnd(&stream);
  return out;
}

// Whether any process of process group `pgid` is alive (zombies are not).
bool GroupAlive(pid_t pgid) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::string stat = ReadFile(entry.path() / "stat");
    // pid (comm) state ppid pgrp ...; comm may hold spaces, so read after the last ')'.
    size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 1));
    char state = 0;
    pid_t ppid = 0, pgrp = 0;
    fields >> state >> ppid >> pgrp;
    if (pgrp == pgid && state != 'Z' && state != 'X') return true;
  }
  return false;
}

bool ProcessAlive(pid_t pid) {
  std::string stat = ReadFile(fs::path("/proc") / std::to_string(pid) / "stat");
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return false;
  char state = stat.size() > close + 2 ? stat[close + 2] : 'X';
  return state != 'Z' && state != 'X';
}

// Polls `done` until it holds or kPatience passes.
bool Eventually(const std::function<bool()>& done) {
  auto give_up = std::chrono::steady_clock::now() + kPatience;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

class LocalProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::Database::Open(dir_ / "state.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto lake = lake::LocalObjectStore::Open(*db_, dir_ / "lake");
    ASSERT_TRUE(lake.ok()) << lake.status().ToString();
    lake_ = std::move(lake).value();
    ASSERT_TRUE(lake_->CreateBucket("lake").ok());
    MakeProvider(30s);
  }

  void MakeProvider(std::chrono::milliseconds cancel_grace) {
    provider_.reset();
    LocalProviderOptions options;
    options.root = dir_ / "clusters";
    options.marker = Marker();
    options.lake = lake_.get();
    options.environment = {{"SLUICE_TEST_VARIABLE", "set"}};
    options.cancel_grace = cancel_grace;
    provider_ = std::make_unique<LocalProvider>(std::move(options));
    provider_->SetListener([this](ProviderReport report) { reports_.Push(std::move(report)); });
  }

  static TimePoint Now() { return SystemClock::Instance().Now(); }
  std::string Marker() const { return (dir_ / "data").string(); }

  // One master and two core nodes.
  static Cluster MakeCluster(const std::string& id) {
    Cluster c;
    c.id = id;
    c.name = "etl";
    c.template_name = "etl";
    c.spec.name = "etl";
    c.spec.instance_groups = {{"MASTER", "m5.xlarge", 1, "Master"},
                              {"CORE", "m5.large", 2, "Core"}};
    return c;
  }

  static Step MakeStep(const std::string& cluster_id, const std::string& id,
                       std::vector<std::string> args) {
    Step s;
    s.id = id;
    s.cluster_id = cluster_id;
    s.config = StepConfig{"step", ActionOnFailure::kContinue, std::move(args), std::nullopt};
    return s;
  }

  void PutObject(const std::string& key, const std::string& bytes) {
    lake::StringByteSource body(bytes);
    auto put = lake_->PutObject("lake", key, body, {});
    ASSERT_TRUE(put.ok()) << put.status().ToString();
  }

  std::optional<std::string> GetObject(const std::string& key) {
    auto reader = lake_->GetObject("lake", key);
    if (!reader.ok()) return std::nullopt;
    std::string out;
    char buffer[4096];
    while (true) {
      auto n = (*reader)->Read(buffer, sizeof buffer);
      if (!n.ok() || *n == 0) return out;
      out.append(buffer, *n);
    }
  }

  // Starts a step, expecting it to start.
  pid_t Start(const Cluster& cluster, const Step& step) {
    auto pid = provider_->StartStep(cluster, step);
    EXPECT_TRUE(pid.ok()) << pid.status().ToString();
    return pid.ok() ? static_cast<pid_t>(*pid) : 0;
  }

  std::optional<ProviderReport> ExitOf(const std::string& step_id) {
    return reports_.Take([&](const ProviderReport& r) {
      return r.kind == Kind::kStepExited && r.step_id == step_id;
    });
  }

  fs::path WorkFolder(const std::string& cluster_id, const std::string& node) {
    return dir_ / "clusters" / cluster_id / "work" / node;
  }

  // Declared in the order that lets each outlive what uses it: the provider goes first, waiting
  // for its threads, which report to reports_ and upload to lake_.
  sluice::testing::TempDir dir_;
  ReportQueue reports_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<lake::LocalObjectStore> lake_;
  std::unique_ptr<LocalProvider> provider_;
};

TEST_F(LocalProviderTest, BootstrapRunsOnEveryNode) {
  PutObject("bootstrap/node.sh",
            "#!/bin/sh\n"
            "echo \"$SLUICE_NODE_ID $SLUICE_NODE_ROLE $SLUICE_INSTANCE_TYPE $1\" > node.txt\n"
            "echo \"$SLUICE_TEST_VARIABLE $SLUICE_ENGINE_DIR\" >> node.txt\n"
            "echo bootstrapped $SLUICE_NODE_ID\n");
  Cluster cluster = MakeCluster("j-BOOTSTRAPOK1");
  cluster.spec.bootstrap_actions = {{"setup", "s3://lake/bootstrap/node.sh", {"hello"}}};
  cluster.spec.log_uri = "s3://lake/logs";
  provider_->Launch(cluster);

  auto first = reports_.Next();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->kind, Kind::kBootstrapping);
  EXPECT_EQ(first->cluster_id, cluster.id);
  auto second = reports_.Next();
  ASSERT_TRUE(second.has_value());
  ASSERT_EQ(second->kind, Kind::kReady) << second->message;

  const std::pair<const char*, const char*> nodes[] = {
      {"master-1", "MASTER m5.xlarge"}, {"core-1", "CORE m5.large"}, {"core-2", "CORE m5.large"}};
  for (const auto& [node, role] : nodes) {
    EXPECT_EQ(ReadFile(WorkFolder(cluster.id, node) / "node.txt"),
              std::string(node) + " " + role + " hello\nset " + Marker() + "\n")
        << node;
  }
  EXPECT_FALSE(fs::exists(WorkFolder(cluster.id, "task-1")));
  // Each node's bootstrap log, here and archived in the lake.
  fs::path logs = dir_ / "clusters" / cluster.id / "node" / "core-2" / "bootstrap-actions" / "1";
  EXPECT_EQ(ReadFile(logs / "stdout"), "bootstrapped core-2\n");
  auto archived = GetObject("logs/" + cluster.id + "/node/core-2/bootstrap-actions/1/stdout.gz");
  ASSERT_TRUE(archived.has_value());
  EXPECT_EQ(Gunzip(*archived), "bootstrapped core-2\n");
}

TEST_F(LocalProviderTest, FailingBootstrapFailsTheCluster) {
  PutObject("bootstrap/fail.sh", "#!/bin/sh\necho boom >&2\nexit 3\n");
  Cluster cluster = MakeCluster("j-BOOTSTRAPBAD");
  cluster.spec.bootstrap_actions = {{"setup", "s3://lake/bootstrap/fail.sh", {}}};
  provider_->Launch(cluster);

  auto bootstrapping = reports_.Next();
  ASSERT_TRUE(bootstrapping.has_value());
  EXPECT_EQ(bootstrapping->kind, Kind::kBootstrapping);
  auto failed = reports_.Next();
  ASSERT_TRUE(failed.has_value());
  ASSERT_EQ(failed->kind, Kind::kFailed);
  EXPECT_EQ(failed->reason, ReasonCode::kBootstrapFailure);
  EXPECT_NE(failed->message.find("Bootstrap action 1 (setup)"), std::string::npos)
      << failed->message;
  EXPECT_NE(failed->message.find("exit code 3"), std::string::npos) << failed->message;
  EXPECT_NE(failed->message.find("boom"), std::string::npos) << failed->message;
}

TEST_F(LocalProviderTest, MissingBootstrapScriptFailsTheCluster) {
  Cluster cluster = MakeCluster("j-BOOTSTRAPGONE");
  cluster.spec.bootstrap_actions = {{"setup", "s3://lake/bootstrap/missing.sh", {}}};
  provider_->Launch(cluster);
  auto failed = reports_.Take(Kind::kFailed);
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->reason, ReasonCode::kBootstrapFailure);
  EXPECT_NE(failed->message.find("cannot fetch s3://lake/bootstrap/missing.sh"), std::string::npos)
      << failed->message;
}

TEST_F(LocalProviderTest, FolderThatCannotBeMadeFailsTheBootstrap) {
  PutObject("bootstrap/node.sh", "#!/bin/sh\ntrue\n");
  Cluster cluster = MakeCluster("j-NOFOLDER0001");
  cluster.spec.bootstrap_actions = {{"setup", "s3://lake/bootstrap/node.sh", {}}};
  // A file where the bootstrap folder goes: an error to report, not an exception on the
  // provider's thread.
  fs::create_directories(dir_ / "clusters" / cluster.id);
  std::ofstream(dir_ / "clusters" / cluster.id / "bootstrap") << "in the way";
  provider_->Launch(cluster);
  auto failed = reports_.Take(Kind::kFailed);
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->reason, ReasonCode::kBootstrapFailure);
  EXPECT_NE(failed->message.find("Bootstrap action 1 (setup)"), std::string::npos)
      << failed->message;
}

TEST_F(LocalProviderTest, MissingApplicationIsAValidationError) {
  fs::create_directories(dir_ / "empty-bin");
  std::optional<ProviderReport> failed;
  {
    ScopedEnv path("PATH", (dir_ / "empty-bin").string());
    ScopedEnv spark_home("SPARK_HOME", std::nullopt);
    Cluster cluster = MakeCluster("j-NOSPARK");
    cluster.spec.applications = {"DuckDB", "Spark"};
    provider_->Launch(cluster);
    failed = reports_.Next();  // the environment stays changed until the check is done
  }
  ASSERT_TRUE(failed.has_value());
  ASSERT_EQ(failed->kind, Kind::kFailed);  // before any bootstrap
  EXPECT_EQ(failed->reason, ReasonCode::kValidationError);
  EXPECT_NE(failed->message.find("spark-submit"), std::string::npos) << failed->message;
  EXPECT_NE(failed->message.find("SPARK_HOME"), std::string::npos) << failed->message;
}

TEST_F(LocalProviderTest, StepExitCodeAndLogs) {
  Cluster cluster = MakeCluster("j-STEPLOGS0001");
  Step step =
      MakeStep(cluster.id, "s-EXITTWO00001", {"sh", "-c", "echo out; echo err >&2; exit 2"});
  ASSERT_GT(Start(cluster, step), 0);

  auto exited = ExitOf(step.id);
  ASSERT_TRUE(exited.has_value());
  EXPECT_EQ(exited->cluster_id, cluster.id);
  EXPECT_EQ(exited->exit_code, 2);
  EXPECT_FALSE(exited->signalled);
  EXPECT_EQ(exited->message, "Step failed with exit code 2");
  fs::path logs = provider_->StepLogFolder(cluster.id, step.id);
  EXPECT_EQ(logs, dir_ / "clusters" / cluster.id / "steps" / step.id);
  EXPECT_EQ(exited->log_file, (logs / "stderr").string());
  EXPECT_EQ(ReadFile(logs / "stdout"), "out\n");
  EXPECT_EQ(ReadFile(logs / "stderr"), "err\n");
  std::string controller = ReadFile(logs / "controller");
  EXPECT_NE(controller.find("startExec 'sh' '-c' 'echo out; echo err >&2; exit 2'"),
            std::string::npos)
      << controller;
  EXPECT_NE(controller.find("Process completed with exit code 2"), std::string::npos) << controller;
}

TEST_F(LocalProviderTest, StepRunsOnTheMasterNode) {
  Cluster cluster = MakeCluster("j-STEPENV00001");
  Step step =
      MakeStep(cluster.id, "s-STEPENV00001",
               {"sh", "-c", "pwd; echo $SLUICE_STEP_ID $SLUICE_NODE_ID $SLUICE_CLUSTER_ID"});
  ASSERT_GT(Start(cluster, step), 0);
  auto exited = ExitOf(step.id);
  ASSERT_TRUE(exited.has_value());
  EXPECT_EQ(exited->exit_code, 0);
  std::string out = ReadFile(provider_->StepLogFolder(cluster.id, step.id) / "stdout");
  EXPECT_EQ(out, fs::canonical(WorkFolder(cluster.id, "master-1")).string() + "\n" + step.id +
                     " master-1 " + cluster.id + "\n");
}

TEST_F(LocalProviderTest, StepLogsAreArchivedGzippedToTheLake) {
  Cluster cluster = MakeCluster("j-STEPARCHIVE1");
  cluster.spec.log_uri = "s3://lake/logs/";
  Step step =
      MakeStep(cluster.id, "s-ARCHIVED0001", {"sh", "-c", "echo out; echo err >&2; exit 2"});
  ASSERT_GT(Start(cluster, step), 0);
  auto exited = ExitOf(step.id);
  ASSERT_TRUE(exited.has_value());

  const std::string prefix = "logs/" + cluster.id + "/steps/" + step.id + "/";
  EXPECT_EQ(exited->log_file, "s3://lake/" + prefix + "stderr.gz");
  auto stderr_gz = GetObject(prefix + "stderr.gz");
  ASSERT_TRUE(stderr_gz.has_value());
  EXPECT_EQ(Gunzip(*stderr_gz), "err\n");
  auto stdout_gz = GetObject(prefix + "stdout.gz");
  ASSERT_TRUE(stdout_gz.has_value());
  EXPECT_EQ(Gunzip(*stdout_gz), "out\n");
  auto controller_gz = GetObject(prefix + "controller.gz");
  ASSERT_TRUE(controller_gz.has_value());
  EXPECT_NE(Gunzip(*controller_gz).find("exit code 2"), std::string::npos);
}

TEST_F(LocalProviderTest, CancelStopsTheWholeProcessGroup) {
  Cluster cluster = MakeCluster("j-CANCELGROUP1");
  Step step = MakeStep(cluster.id, "s-CANCELGROUP1",
                       {"sh", "-c", "sleep 100 & echo $! > background.pid; sleep 100"});
  pid_t pid = Start(cluster, step);
  ASSERT_GT(pid, 0);
  fs::path background_file = WorkFolder(cluster.id, "master-1") / "background.pid";
  ASSERT_TRUE(Eventually([&] { return !ReadFile(background_file).empty(); }));
  pid_t background = std::stoi(ReadFile(background_file));
  ASSERT_TRUE(ProcessAlive(background));

  provider_->CancelStep(cluster.id, step.id, /*force=*/false);
  auto exited = ExitOf(step.id);
  ASSERT_TRUE(exited.has_value());
  EXPECT_TRUE(exited->signalled);
  EXPECT_EQ(exited->exit_code, SIGTERM);  // it stopped when asked, within the grace period
  EXPECT_TRUE(Eventually([&] { return !ProcessAlive(background); }));
  EXPECT_TRUE(Eventually([&] { return !GroupAlive(pid); }));
}

TEST_F(LocalProviderTest, CancelKillsWhatIgnoresTheInterrupt) {
  MakeProvider(100ms);
  Cluster cluster = MakeCluster("j-CANCELGRACE1");
  const std::vector<std::string> stubborn = {"sh", "-c",
                                             "trap '' TERM; touch ready; sleep 100; sleep 100"};
  Step step = MakeStep(cluster.id, "s-CANCELGRACE1", stubborn);
  pid_t pid = Start(cluster, step);
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(Eventually([&] { return fs::exists(WorkFolder(cluster.id, "master-1") / "ready"); }));
  provider_->CancelStep(cluster.id, step.id, /*force=*/false);
  auto exited = ExitOf(step.id);
  ASSERT_TRUE(exited.has_value());
  EXPECT_TRUE(exited->signalled);
  EXPECT_EQ(exited->exit_code, SIGKILL);  // killed once the grace period ran out
  EXPECT_TRUE(Eventually([&] { return !GroupAlive(pid); }));

  Step forced = MakeStep(cluster.id, "s-CANCELFORCE1", stubborn);
  ASSERT_GT(Start(cluster, forced), 0);
  provider_->CancelStep(cluster.id, forced.id, /*force=*/true);
  auto killed = ExitOf(forced.id);
  ASSERT_TRUE(killed.has_value());
  EXPECT_TRUE(killed->signalled);
  EXPECT_EQ(killed->exit_code, SIGKILL);

  provider_->CancelStep(cluster.id, "s-NOTRUNNING00", false);  // nothing to stop: no effect
}

TEST_F(LocalProviderTest, StepThatCannotStartNamesItsProgram) {
  Cluster cluster = MakeCluster("j-NOPROGRAM001");
  Step step = MakeStep(cluster.id, "s-NOPROGRAM001", {"sluice-no-such-program", "x"});
  auto pid = provider_->StartStep(cluster, step);
  ASSERT_FALSE(pid.ok());
  EXPECT_NE(pid.status().message().find("sluice-no-such-program"), std::string::npos)
      << pid.status().message();
  EXPECT_NE(ReadFile(provider_->StepLogFolder(cluster.id, step.id) / "controller")
                .find("sluice-no-such-program"),
            std::string::npos);
}

TEST_F(LocalProviderTest, ReleaseStopsStepsAndRemovesTheNodes) {
  Cluster cluster = MakeCluster("j-RELEASE00001");
  provider_->Launch(cluster);
  ASSERT_TRUE(reports_.Take(Kind::kReady).has_value());
  Step step = MakeStep(cluster.id, "s-RELEASE00001", {"sh", "-c", "sleep 100 & sleep 100"});
  pid_t pid = Start(cluster, step);
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(fs::exists(WorkFolder(cluster.id, "core-2")));

  provider_->Release(cluster);
  auto released = reports_.Take(Kind::kReleased);
  ASSERT_TRUE(released.has_value());
  EXPECT_EQ(released->cluster_id, cluster.id);
  auto exited = ExitOf(step.id);
  ASSERT_TRUE(exited.has_value());
  EXPECT_TRUE(exited->signalled);
  EXPECT_EQ(exited->exit_code, SIGKILL);
  EXPECT_TRUE(Eventually([&] { return !GroupAlive(pid); }));
  EXPECT_FALSE(fs::exists(dir_ / "clusters" / cluster.id / "work"));
  EXPECT_TRUE(fs::exists(provider_->StepLogFolder(cluster.id, step.id) / "controller"));

  auto refused = provider_->StartStep(cluster, MakeStep(cluster.id, "s-RELEASE00002", {"true"}));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("being released"), std::string::npos);
}

TEST_F(LocalProviderTest, ReapLeftoversKillsOnlyItsOwnMarker) {
  SpawnOptions ours;
  ours.argv = {"sleep", "100"};
  ours.env = {{"SLUICE_ENGINE_DIR", Marker()}};
  SpawnOptions theirs = ours;
  theirs.env = {{"SLUICE_ENGINE_DIR", Marker() + "-other"}};
  auto left = Spawn(ours);
  ASSERT_TRUE(left.ok()) << left.status().ToString();
  auto other = Spawn(theirs);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  // Spawn returns while the child's exec may still be setting up what /proc shows of its
  // environment; a leftover of a crashed engine is long past that.
  auto shows = [](pid_t pid, const std::string& marker) {
    std::string environment = ReadFile(fs::path("/proc") / std::to_string(pid) / "environ");
    return environment.find(std::string("SLUICE_ENGINE_DIR=") + marker + '\0') != std::string::npos;
  };
  EXPECT_TRUE(Eventually([&] { return shows(*left, Marker()); }));
  EXPECT_TRUE(Eventually([&] { return shows(*other, Marker() + "-other"); }));

  auto reaped = provider_->ReapLeftovers();
  ASSERT_TRUE(reaped.ok()) << reaped.status().ToString();
  EXPECT_EQ(*reaped, 1);
  if (*reaped != 1) SignalGroup(*left, SIGKILL);  // fail without waiting for the sleep
  EXPECT_EQ(WaitForExit(*left).signal, SIGKILL);

  int status = 0;
  EXPECT_EQ(::waitpid(*other, &status, WNOHANG), 0) << "the other engine's process was killed";
  SignalGroup(*other, SIGKILL);
  WaitForExit(*other);
}

// The manager and the local provider together, on the real clock: a cluster comes up, runs its
// steps and, not kept alive, ends.
TEST_F(LocalProviderTest, ManagerRunsAClusterToItsEnd) {
  PutObject("bootstrap/node.sh", "#!/bin/sh\necho \"$SLUICE_NODE_ID\" > node.txt\n");
  ClusterTemplate t = MakeCluster("").spec;
  t.bootstrap_actions = {{"setup", "s3://lake/bootstrap/node.sh", {}}};
  t.log_uri = "s3://lake/logs/";
  ClusterStore store{AwsIdentity{}};
  std::string id;
  ASSERT_TRUE(
      db_->Write([&](store::Transaction& tx) -> Status {
           SLUICE_ASSIGN_OR_RETURN(Cluster c, store.CreateCluster(tx, t, {}, Now()));
           id = c.id;
           std::vector<StepConfig> steps = {
               {"fails", ActionOnFailure::kContinue, {"sh", "-c", "echo bad >&2; exit 4"}, {}},
               {"works", ActionOnFailure::kContinue, {"sh", "-c", "cat node.txt"}, {}}};
           return store.AddSteps(tx, id, steps, {}, Now()).status();
         })
          .ok());

  ClusterManager manager(*db_, *provider_);  // replaces the test's listener
  std::atomic<bool> stop = false;
  std::thread runner([&] { EXPECT_TRUE(manager.Run([&] { return stop.load(); }, 20ms).ok()); });
  std::optional<Cluster> ended;
  Eventually([&] {
    EXPECT_TRUE(db_->Read([&](store::Transaction& tx) -> Status {
                     SLUICE_ASSIGN_OR_RETURN(ended, store.GetCluster(tx, id));
                     return Status::Ok();
                   })
                    .ok());
    return ended && IsTerminal(ended->state);
  });
  stop = true;
  manager.Notify();
  runner.join();
  provider_.reset();  // its threads are done before the manager they report to goes

  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->state, ClusterState::kTerminated);
  EXPECT_EQ(ended->reason, ReasonCode::kAllStepsCompleted);
  std::vector<Step> steps;
  ASSERT_TRUE(db_->Read([&](store::Transaction& tx) -> Status {
                   SLUICE_ASSIGN_OR_RETURN(steps, store.ListSteps(tx, id, {}));
                   return Status::Ok();
                 })
                  .ok());
  ASSERT_EQ(steps.size(), 2u);
  const Step& works = steps[0];  // newest first
  const Step& fails = steps[1];
  EXPECT_EQ(fails.state, StepState::kFailed);
  EXPECT_EQ(fails.exit_code, 4);
  EXPECT_EQ(fails.failure_message, "Step failed with exit code 4");
  EXPECT_EQ(fails.failure_log, "s3://lake/logs/" + id + "/steps/" + fails.id + "/stderr.gz");
  EXPECT_EQ(works.state, StepState::kCompleted);
  auto out = GetObject("logs/" + id + "/steps/" + works.id + "/stdout.gz");
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(Gunzip(*out), "master-1\n");  // it ran on the bootstrapped master node
  EXPECT_FALSE(fs::exists(dir_ / "clusters" / id / "work"));
}

}  // namespace
}  // namespace sluice::clusters

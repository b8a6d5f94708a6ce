// bench/clusters: how fast requests become cluster and step states, as a user sees it: from the
// request committed in the store to the state reached there, with the ClusterManager running its
// Run() loop on its own thread and woken by Notify() as an action wakes it, the LocalProvider
// running real processes, and the state store and lake on one disk.
//
//   cluster_bench [--dir DIR] [--steps N]
//
// 1. create -> WAITING: 50 clusters (1 master m5.xlarge, no bootstrap actions, kept alive), one
//    at a time, each terminated before the next. Target: p99 under 20 ms.
// 2. add -> COMPLETED: N/5 steps running `true`, one at a time on one WAITING cluster
//    (concurrency 1); baseline: sluice::Spawn + WaitForExit of `true`. Target: p50 and p99
//    within 5 ms of the baseline's.
// 3. N steps (default 1,000) of `true` through one cluster, added as EMR's limit of 256 pending
//    or running allows; total wall time beside N bare spawns one after another. Target: within
//    5 ms per step of the spawns.
// Beside 1: one synced commit of the same store (the floor under every state change); beside 1
// and 2: how many commits each request took, its own included.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "sluice/clusters/cluster_manager.h"
#include "sluice/clusters/cluster_store.h"
#include "sluice/clusters/local_provider.h"
#include "sluice/common/subprocess.h"
#include "sluice/lake/local_object_store.h"
#include "sluice/store/database.h"

namespace {

namespace fs = std::filesystem;
using namespace sluice;
using namespace sluice::clusters;
using Clock = std::chrono::steady_clock;

constexpr int kClusters = 50;
constexpr int kMaxActiveSteps = 256;  // EMR's limit of steps pending or running per cluster

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "cluster_bench: %s\n", what.c_str());
  std::exit(1);
}

void Check(const Status& status, const std::string& what) {
  if (!status.ok()) Die(what + ": " + status.ToString());
}

struct Percentiles {
  double p50, p99;
};

Percentiles Summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]};
}

// The engine's cluster half, as `sluice serve` runs it.
struct Engine {
  explicit Engine(const fs::path& dir) {
    auto opened = store::Database::Open(dir / "state.db");
    Check(opened.status(), "open state store");
    db = std::move(opened).value();
    auto lake_opened = lake::LocalObjectStore::Open(*db, dir / "lake");
    Check(lake_opened.status(), "open lake");
    lake = std::move(lake_opened).value();
    provider = std::make_unique<LocalProvider>(
        LocalProviderOptions{dir / "clusters", dir.string(), lake.get(), {}, {}});
    manager = std::make_unique<ClusterManager>(*db, *provider);
    Check(manager->Recover().status(), "recover");
    loop = std::thread([this] { Check(manager->Run([this] { return stop.load(); }), "run"); });
  }
  ~Engine() {
    stop = true;
    manager->Notify();
    loop.join();
    provider.reset();  // waits for its threads, which report to the manager
  }

  std::unique_ptr<store::Database> db;
  std::unique_ptr<lake::LocalObjectStore> lake;
  std::unique_ptr<LocalProvider> provider;
  std::unique_ptr<ClusterManager> manager;
  ClusterStore store{AwsIdentity{}};
  std::atomic<bool> stop{false};
  std::thread loop;
};

// Commits `body` as a request would, then wakes the manager.
void Request(Engine& e, const store::Database::Body& body, const std::string& what) {
  Check(e.db->Write(body), what);
  e.manager->Notify();
}

// Returns once `done` (which reads the store) holds, re-checking after every commit.
void WaitUntil(Engine& e, const std::function<bool(store::Transaction&)>& done,
               const std::string& what) {
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (true) {
    uint64_t seen = e.db->commit_count();
    bool reached = false;
    Check(e.db->Read([&](store::Transaction& tx) {
      reached = done(tx);
      return Status::Ok();
    }),
          what);
    if (reached) return;
    if (Clock::now() > deadline) Die("timed out waiting for " + what);
    e.db->WaitForCommit(seen, std::chrono::milliseconds(50));
  }
}

ClusterState StateOf(Engine& e, store::Transaction& tx, const std::string& id) {
  auto cluster = e.store.GetCluster(tx, id);
  if (!cluster.ok() || !*cluster) Die("no cluster " + id);
  return (*cluster)->state;
}

void WaitForCluster(Engine& e, const std::string& id, ClusterState state) {
  WaitUntil(
      e, [&](store::Transaction& tx) { return StateOf(e, tx, id) == state; },
      "cluster " + id + " " + std::string(ClusterStateName(state)));
}

std::string CreateCluster(Engine& e) {
  ClusterTemplate t;
  t.name = "bench";
  InstanceGroup master;
  master.role = "MASTER";
  master.instance_type = "m5.xlarge";
  t.instance_groups = {master};
  t.keep_alive = true;
  std::string id;
  Request(
      e,
      [&](store::Transaction& tx) -> Status {
        SLUICE_ASSIGN_OR_RETURN(Cluster c,
                                e.store.CreateCluster(tx, t, {}, SystemClock::Instance().Now()));
        id = c.id;
        return Status::Ok();
      },
      "create cluster");
  return id;
}

void TerminateCluster(Engine& e, const std::string& id) {
  Request(
      e,
      [&](store::Transaction& tx) {
        return e.store.RequestTermination(tx, id, SystemClock::Instance().Now());
      },
      "terminate");
  WaitForCluster(e, id, ClusterState::kTerminated);
}

std::vector<std::string> AddTrueSteps(Engine& e, const std::string& cluster_id, int count) {
  std::vector<StepConfig> steps(count,
                                StepConfig{"true", ActionOnFailure::kContinue, {"true"}, {}});
  std::vector<std::string> ids;
  Request(
      e,
      [&](store::Transaction& tx) -> Status {
        SLUICE_ASSIGN_OR_RETURN(
            ids, e.store.AddSteps(tx, cluster_id, steps, {}, SystemClock::Instance().Now()));
        return Status::Ok();
      },
      "add steps");
  return ids;
}

// How many of the cluster's steps are in `states` (e.g. "'PENDING', 'RUNNING'"): one count on
// the steps_by_cluster index, so that watching a burst takes no CPU from the manager (ListSteps
// would parse every step).
int CountSteps(Engine& e, const std::string& cluster_id, const std::string& states) {
  int count = 0;
  Check(e.db->Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(
        store::Cursor row,
        tx.Query("SELECT count(*) FROM steps WHERE cluster_id = ? AND state IN (" + states + ")",
                 cluster_id));
    SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
    if (found) count = static_cast<int>(row.Int(0));
    return Status::Ok();
  }),
        "count steps");
  return count;
}

void SpawnTrue() {
  SpawnOptions options;
  options.argv = {"true"};
  auto pid = Spawn(options);
  Check(pid.status(), "spawn true");
  if (!WaitForExit(*pid).ok()) Die("true failed");
}

double TimeSpawn() {
  auto start = Clock::now();
  SpawnTrue();
  return MillisSince(start);
}

double TimeSpawnBurst(int n) {
  auto start = Clock::now();
  for (int i = 0; i < n; ++i)
    SpawnTrue();
  return MillisSince(start);
}

// One synced commit of one row: the floor under every state change.
double TimeCommit(Engine& e) {
  static int row = 0;
  auto start = Clock::now();
  Check(e.db->Write([&](store::Transaction& tx) {
    return tx.Execute("INSERT INTO counters (name, value) VALUES (?, 1)", std::to_string(++row))
        .status();
  }),
        "commit");
  return MillisSince(start);
}

// Samples of ours and of the baseline, taken in turn so that both see the same machine.
struct Measured {
  std::vector<double> ours, baseline;
  double commits = 0;  // per sample, the request's own included
};

// 1. Each cluster from its committed request to WAITING; terminated (untimed) before the next.
// Baseline: one synced commit.
Measured TimeCreates(Engine& e) {
  Measured m;
  uint64_t commits = 0;
  for (int i = 0; i < kClusters; ++i) {
    m.baseline.push_back(TimeCommit(e));
    uint64_t before = e.db->commit_count();
    std::string id = CreateCluster(e);
    auto start = Clock::now();
    WaitForCluster(e, id, ClusterState::kWaiting);
    m.ours.push_back(MillisSince(start));
    commits += e.db->commit_count() - before;
    TerminateCluster(e, id);
  }
  m.commits = static_cast<double>(commits) / kClusters;
  return m;
}

// 2. Each step from its committed AddSteps to COMPLETED; the cluster back in WAITING (untimed)
// before the next. Baseline: Spawn + WaitForExit of `true`.
Measured TimeSteps(Engine& e, const std::string& cluster_id, int n) {
  Measured m;
  uint64_t commits = 0;
  for (int i = 0; i < n; ++i) {
    m.baseline.push_back(TimeSpawn());
    uint64_t before = e.db->commit_count();
    std::string step_id = AddTrueSteps(e, cluster_id, 1).at(0);
    auto start = Clock::now();
    StepState state = StepState::kPending;
    WaitUntil(
        e,
        [&](store::Transaction& tx) {
          auto step = e.store.GetStep(tx, step_id);
          if (!step.ok() || !*step) Die("no step " + step_id);
          state = (*step)->state;
          return IsFinished(state);
        },
        "step " + step_id);
    m.ours.push_back(MillisSince(start));
    if (state != StepState::kCompleted) {
      Die("step " + step_id + " ended " + std::string(StepStateName(state)));
    }
    WaitForCluster(e, cluster_id, ClusterState::kWaiting);
    commits += e.db->commit_count() - before;
  }
  m.commits = static_cast<double>(commits) / n;
  return m;
}

// 3. n steps through the cluster, topped up whenever 64 or more of the 256 slots are free;
// returns milliseconds from the first AddSteps to the last step COMPLETED.
double TimeStepBurst(Engine& e, const std::string& cluster_id, int n, double& commits_per_step) {
  const int completed_before = CountSteps(e, cluster_id, "'COMPLETED'");
  auto start = Clock::now();
  uint64_t first = e.db->commit_count();
  int added = 0;
  while (true) {
    uint64_t seen = e.db->commit_count();
    int active = CountSteps(e, cluster_id, "'PENDING', 'RUNNING'");
    if (added == n && active == 0) break;
    int room = std::min(kMaxActiveSteps - active, n - added);
    if (room >= 64 || (room > 0 && added + room == n)) {
      added += static_cast<int>(AddTrueSteps(e, cluster_id, room).size());
      continue;
    }
    e.db->WaitForCommit(seen, std::chrono::milliseconds(50));
  }
  double ms = MillisSince(start);
  commits_per_step = static_cast<double>(e.db->commit_count() - first) / n;
  int completed = CountSteps(e, cluster_id, "'COMPLETED'") - completed_before;
  if (completed != n) Die(std::to_string(n - completed) + " steps did not complete");
  return ms;
}

const char* Verdict(bool met) {
  return met ? "met" : "NOT met";
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = fs::canonical("/proc/self/exe").parent_path().parent_path() / "cluster-bench-data";
  int burst = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--dir")
      dir = argv[i + 1];
    else if (flag == "--steps")
      burst = std::atoi(argv[i + 1]);
    else
      Die("unknown flag " + flag + " (usage: cluster_bench [--dir DIR] [--steps N])");
  }
  if (burst < 5) Die("--steps must be at least 5");
  const int one_by_one = burst / 5;
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::printf("cluster benchmark in %s (store, lake and nodes on one disk)\n\n",
              fs::absolute(dir).c_str());

  Measured creates, steps;
  double burst_ms = 0, burst_spawns_ms = 0, burst_commits = 0;
  {
    Engine e(dir);
    creates = TimeCreates(e);
    std::string cluster_id = CreateCluster(e);
    WaitForCluster(e, cluster_id, ClusterState::kWaiting);
    steps = TimeSteps(e, cluster_id, one_by_one);
    burst_ms = TimeStepBurst(e, cluster_id, burst, burst_commits);
    burst_spawns_ms = TimeSpawnBurst(burst);
    TerminateCluster(e, cluster_id);
  }
  fs::remove_all(dir);

  Percentiles create = Summarize(creates.ours), commit = Summarize(creates.baseline),
              step = Summarize(steps.ours), spawn = Summarize(steps.baseline);
  double overhead50 = step.p50 - spawn.p50, overhead99 = step.p99 - spawn.p99;
  double burst_overhead = (burst_ms - burst_spawns_ms) / burst;
  std::printf("%-36s %8s %8s %8s   %s\n", "", "p50 ms", "p99 ms", "commits", "target");
  std::printf("%-36s %8.2f %8.2f %8.1f   p99 < 20 ms: %s\n",
              ("create -> WAITING, " + std::to_string(kClusters) + " clusters").c_str(), create.p50,
              create.p99, creates.commits, Verdict(create.p99 < 20));
  std::printf("%-36s %8.2f %8.2f %8d\n", "  beside: one synced commit", commit.p50, commit.p99, 1);
  std::printf("%-36s %8.2f %8.2f %8.1f\n",
              ("add -> COMPLETED, " + std::to_string(one_by_one) + " steps").c_str(), step.p50,
              step.p99, steps.commits);
  std::printf("%-36s %8.2f %8.2f\n", "  baseline: Spawn + wait `true`", spawn.p50, spawn.p99);
  std::printf("%-36s %8.2f %8.2f %8s   <= 5 ms: p50 %s, p99 %s\n", "  step overhead", overhead50,
              overhead99, "", Verdict(overhead50 <= 5), Verdict(overhead99 <= 5));
  std::printf("\n%-36s %8.0f ms %6.0f steps/s %5.1f commits/step\n",
              (std::to_string(burst) + " steps through one cluster").c_str(), burst_ms,
              burst * 1000 / burst_ms, burst_commits);
  std::printf("%-36s %8.0f ms %6.0f spawns/s\n",
              ("  baseline: " + std::to_string(burst) + " spawns of `true`").c_str(),
              burst_spawns_ms, burst * 1000 / burst_spawns_ms);
  std::printf("%-36s %8.2f ms per step   <= 5 ms: %s\n", "  overhead", burst_overhead,
              Verdict(burst_overhead <= 5));
  return 0;
}

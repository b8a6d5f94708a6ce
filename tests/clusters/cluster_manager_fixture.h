// A store, a manual clock, a scripted ClusterProvider and a ClusterManager, for tests that drive
// clusters and steps through their state machines on simulated time.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sluice/clusters/cluster_manager.h"
#include "sluice/clusters/cluster_store.h"
#include "sluice/store/database.h"
#include "sluice/store/event_log.h"
#include "support/temp_dir.h"

namespace sluice::clusters {

// Failures print states by name.
inline void PrintTo(ClusterState state, std::ostream* os) {
  *os << ClusterStateName(state);
}
inline void PrintTo(StepState state, std::ostream* os) {
  *os << StepStateName(state);
}
inline void PrintTo(ReasonCode code, std::ostream* os) {
  *os << (code == ReasonCode::kNone ? "(none)" : ReasonCodeName(code));
}

// A provider double that does what the test scripts and records what it was asked. Launch
// reports at once (kBootstrapping, then kReady or the scripted failure); a step runs until the
// test delivers its exit with Exit(); Release reports kReleased at once unless told to wait.
// Reports go to the manager's listener synchronously, so they are applied in the next round.
class ScriptedProvider final : public ClusterProvider {
 public:
  struct LaunchScript {
    bool bootstrapping = true;          // false: the failure comes before bootstrap (validation)
    std::optional<ReasonCode> failure;  // set: the launch fails with it instead of kReady
    std::string message;
  };
  struct CancelCall {
    std::string step_id;
    bool force = false;
  };

  void SetListener(Listener listener) override { listener_ = std::move(listener); }

  void Launch(const Cluster& cluster) override {
    launched.push_back(cluster.id);
    if (launch.bootstrapping) Deliver(Report(ProviderReport::Kind::kBootstrapping, cluster.id));
    if (launch.failure) {
      Deliver(ProviderReport::Failed(cluster.id, *launch.failure, launch.message));
    } else {
      Deliver(Report(ProviderReport::Kind::kReady, cluster.id));
    }
  }

  Result<int64_t> StartStep(const Cluster&, const Step& step) override {
    started.push_back(step.config.name);
    if (auto it = start_errors.find(step.config.name); it != start_errors.end()) {
      return Status::FailedPrecondition(it->second);
    }
    return next_pid_++;
  }

  void CancelStep(const std::string&, const std::string& step_id, bool force) override {
    cancels.push_back({step_id, force});
  }

  void Release(const Cluster& cluster) override {
    released.push_back(cluster.id);
    if (release_at_once) Deliver(Report(ProviderReport::Kind::kReleased, cluster.id));
  }

  Result<int> ReapLeftovers() override {
    ++reaps;
    return leftovers;
  }

  // The step's process ended: with `code`, or killed by signal `code` when `signalled`.
  void Exit(const Step& step, int code, bool signalled = false) {
    ProviderReport report = Report(ProviderReport::Kind::kStepExited, step.cluster_id);
    report.step_id = step.id;
    report.exit_code = code;
    report.signalled = signalled;
    report.message = std::string("Step failed with ") +
                     (signalled ? "killed by signal " : "exit code ") + std::to_string(code);
    report.log_file = "/logs/" + step.id + "/stderr";
    Deliver(std::move(report));
  }

  void Deliver(ProviderReport report) {
    ++delivered;
    listener_(std::move(report));
  }

  static ProviderReport Report(ProviderReport::Kind kind, const std::string& cluster_id) {
    return ProviderReport::Of(kind, cluster_id);
  }

  // The script.
  LaunchScript launch;
  std::map<std::string, std::string> start_errors;  // step name -> why it cannot start
  bool release_at_once = true;
  int leftovers = 0;  // what ReapLeftovers reports it stopped

  // What it was asked.
  std::vector<std::string> launched;  // cluster ids
  std::vector<std::string> started;   // step names, in start order
  std::vector<CancelCall> cancels;
  std::vector<std::string> released;  // cluster ids
  int reaps = 0;
  int delivered = 0;  // reports sent to the listener

 private:
  Listener listener_;
  int64_t next_pid_ = 1000;
};

class ClusterManagerTest : public ::testing::Test {
 protected:
  // 2023-11-14 22:13:20 UTC.
  static constexpr int64_t kStartMs = 1'700'000'000'000;

  void SetUp() override {
    clock_.Set(T0());
    auto db = store::Database::Open(dir_ / "state.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    manager_ = std::make_unique<ClusterManager>(*db_, provider_, Options());
  }

  static TimePoint T0() { return FromUnixMillis(kStartMs); }
  ClusterManagerOptions Options() {
    ClusterManagerOptions options;
    options.clock = &clock_;
    return options;
  }

  // One m5.xlarge master and two m5.xlarge core nodes, keeping alive, concurrency 1.
  static ClusterTemplate Template() {
    ClusterTemplate t;
    t.name = "etl";
    t.instance_groups = {{"MASTER", "m5.xlarge", 1, "Master"}, {"CORE", "m5.xlarge", 2, "Core"}};
    t.keep_alive = true;
    return t;
  }

  static StepConfig StepOf(const std::string& name,
                           ActionOnFailure action = ActionOnFailure::kContinue) {
    return StepConfig{name, action, {"true"}, std::nullopt};
  }

  std::string Create(const ClusterTemplate& t, const CreateRequest& request = {}) {
    std::string id;
    Status made = db_->Write([&](store::Transaction& tx) -> Status {
      SLUICE_ASSIGN_OR_RETURN(Cluster c, store_.CreateCluster(tx, t, request, clock_.Now()));
      id = c.id;
      return Status::Ok();
    });
    EXPECT_TRUE(made.ok()) << made.ToString();
    return id;
  }

  Result<std::vector<std::string>> TryAdd(const std::string& cluster_id,
                                          const std::vector<StepConfig>& steps,
                                          const AddStepsRequest& request = {}) {
    std::vector<std::string> ids;
    Status added = db_->Write([&](store::Transaction& tx) -> Status {
      SLUICE_ASSIGN_OR_RETURN(ids, store_.AddSteps(tx, cluster_id, steps, request, clock_.Now()));
      return Status::Ok();
    });
    if (!added.ok()) return added;
    return ids;
  }

  std::vector<std::string> Add(const std::string& cluster_id, const std::vector<StepConfig>& steps,
                               const AddStepsRequest& request = {}) {
    auto ids = TryAdd(cluster_id, steps, request);
    EXPECT_TRUE(ids.ok()) << ids.status().ToString();
    return ids.ok() ? *ids : std::vector<std::string>{};
  }

  Status Terminate(const std::string& cluster_id) {
    return db_->Write([&](store::Transaction& tx) {
      return store_.RequestTermination(tx, cluster_id, clock_.Now());
    });
  }

  std::vector<CancelOutcome> Cancel(const std::string& cluster_id,
                                    const std::vector<std::string>& step_ids,
                                    const std::string& option) {
    std::vector<CancelOutcome> outcomes;
    Status cancelled = db_->Write([&](store::Transaction& tx) -> Status {
      SLUICE_ASSIGN_OR_RETURN(outcomes,
                              store_.CancelSteps(tx, cluster_id, step_ids, option, clock_.Now()));
      return Status::Ok();
    });
    EXPECT_TRUE(cancelled.ok()) << cancelled.ToString();
    return outcomes;
  }

  // Rounds until one does no work and the provider reported nothing during it (a report sent
  // in a round is applied in the next).
  static void Settle(ClusterManager& manager, const ScriptedProvider& provider) {
    for (int round = 0; round < 50; ++round) {
      int delivered = provider.delivered;
      auto stats = manager.RunOnce();
      ASSERT_TRUE(stats.ok()) << stats.status().ToString();
      if (!stats->did_work() && provider.delivered == delivered) return;
    }
    FAIL() << "the manager did not settle in 50 rounds";
  }
  void Settle() { Settle(*manager_, provider_); }

  bool Idle() {
    auto idle = manager_->Idle();
    EXPECT_TRUE(idle.ok()) << idle.status().ToString();
    return idle.ok() && *idle;
  }

  Cluster GetCluster(const std::string& id) {
    std::optional<Cluster> found;
    Status read = db_->Read([&](store::Transaction& tx) -> Status {
      SLUICE_ASSIGN_OR_RETURN(found, store_.GetCluster(tx, id));
      return Status::Ok();
    });
    EXPECT_TRUE(read.ok()) << read.ToString();
    EXPECT_TRUE(found.has_value()) << id;
    return found.value_or(Cluster{});
  }
  ClusterState StateOf(const std::string& cluster_id) { return GetCluster(cluster_id).state; }

  std::vector<Step> Steps(const std::string& cluster_id) {
    std::vector<Step> steps;
    Status read = db_->Read([&](store::Transaction& tx) -> Status {
      SLUICE_ASSIGN_OR_RETURN(steps, store_.ListSteps(tx, cluster_id, {}));
      return Status::Ok();
    });
    EXPECT_TRUE(read.ok()) << read.ToString();
    return steps;
  }
  Step StepNamed(const std::string& cluster_id, const std::string& name) {
    for (Step& step : Steps(cluster_id)) {
      if (step.config.name == name) return step;
    }
    ADD_FAILURE() << "no step " << name << " in " << cluster_id;
    return Step{};
  }
  StepState StateOf(const std::string& cluster_id, const std::string& step_name) {
    return StepNamed(cluster_id, step_name).state;
  }

  // Delivers the exit of the named step and settles.
  void Exit(const std::string& cluster_id, const std::string& step_name, int code,
            bool signalled = false) {
    provider_.Exit(StepNamed(cluster_id, step_name), code, signalled);
    Settle();
  }

  std::vector<store::LoggedEvent> Events() {
    std::vector<store::LoggedEvent> events;
    Status read = db_->Read([&](store::Transaction& tx) -> Status {
      SLUICE_ASSIGN_OR_RETURN(events, store::ReadEvents(tx, 0, 1'000'000));
      return Status::Ok();
    });
    EXPECT_TRUE(read.ok()) << read.ToString();
    return events;
  }

  // The event log as "cluster STATE" and "step NAME STATE" lines.
  std::vector<std::string> Sequence() {
    std::vector<std::string> lines;
    for (const store::LoggedEvent& event : Events()) {
      auto body = nlohmann::json::parse(event.body);
      const auto& detail = body["detail"];
      if (event.detail_type == "EMR Cluster State Change") {
        lines.push_back("cluster " + detail["state"].get<std::string>());
      } else {
        lines.push_back("step " + detail["name"].get<std::string>() + " " +
                        detail["state"].get<std::string>());
      }
    }
    return lines;
  }

  sluice::testing::TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<store::Database> db_;
  ClusterStore store_{AwsIdentity{}};
  ScriptedProvider provider_;
  std::unique_ptr<ClusterManager> manager_;  // after provider_: destroyed first
};

}  // namespace sluice::clusters

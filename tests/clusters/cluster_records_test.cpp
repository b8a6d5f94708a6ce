// What the ClusterManager and ClusterStore leave behind: the aws.emr events (their order and
// their exact detail fields), the Timeline, the cost ledger, and requests that are retried
// (CreateCluster and AddJobFlowSteps by delivery key, `unique` steps).
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "clusters/cluster_manager_fixture.h"
#include "sluice/clusters/cost.h"

namespace sluice::clusters {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using CS = ClusterState;
using SS = StepState;
using Strings = std::vector<std::string>;

class ClusterRecordsTest : public ClusterManagerTest {
 protected:
  // The detail of the last event of `detail_type` in `state`.
  json LastDetail(const std::string& detail_type, const std::string& state) {
    json found;
    for (const store::LoggedEvent& event : Events()) {
      json body = json::parse(event.body);
      if (event.detail_type == detail_type && body["detail"]["state"] == state) found = body;
    }
    EXPECT_FALSE(found.is_null()) << "no " << detail_type << " event in " << state;
    if (!found.is_null()) {
      EXPECT_EQ(found["source"], "aws.emr");
      EXPECT_EQ(found["detail-type"], detail_type);
      EXPECT_EQ(found["account"], "000000000000");
      EXPECT_EQ(found["region"], "us-east-1");
      for (const auto& [key, value] : found["detail"].items()) {
        EXPECT_TRUE(value.is_string()) << key << " is not a string";
      }
    }
    return found;
  }

  struct LedgerRow {
    std::string group, type;
    int64_t count = 0, billed = 0, start_ms = 0, end_ms = 0;
    double ec2 = 0, emr = 0, local_usd = 0, emr_usd = 0;
  };
  std::vector<LedgerRow> Ledger(const std::string& cluster_id) {
    std::vector<LedgerRow> rows;
    Status read = db_->Read([&](store::Transaction& tx) -> Status {
      SLUICE_ASSIGN_OR_RETURN(
          store::Cursor row,
          tx.Query("SELECT instance_group, instance_type, instance_count, billed_seconds, "
                   "start_ms, end_ms, ec2_usd_hour, emr_usd_hour, local_usd, emr_usd "
                   "FROM cost_ledger WHERE cluster_id = ? ORDER BY instance_group DESC",
                   cluster_id));
      while (true) {
        SLUICE_ASSIGN_OR_RETURN(bool more, row.Next());
        if (!more) return Status::Ok();
        rows.push_back({row.Text(0), row.Text(1), row.Int(2), row.Int(3), row.Int(4), row.Int(5),
                        row.Double(6), row.Double(7), row.Double(8), row.Double(9)});
      }
    });
    EXPECT_TRUE(read.ok()) << read.ToString();
    return rows;
  }
};

// Sets the machine's time zone for one test, to show times are written in UTC whatever it is.
class ScopedTimeZone {
 public:
  explicit ScopedTimeZone(const char* zone) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    ::setenv("TZ", zone, 1);
    ::tzset();
  }
  ~ScopedTimeZone() {
    if (old_) {
      ::setenv("TZ", old_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }
  ScopedTimeZone(const ScopedTimeZone&) = delete;
  ScopedTimeZone& operator=(const ScopedTimeZone&) = delete;

 private:
  std::optional<std::string> old_;
};

TEST_F(ClusterRecordsTest, EventSequenceAndDetails) {
  ScopedTimeZone new_york("America/New_York");
  std::string id = Create(Template());
  Add(id, {StepOf("a", ActionOnFailure::kTerminateCluster), StepOf("b")});
  Settle();
  clock_.Advance(2min);  // 22:15:20 UTC
  Exit(id, "a", 1);
  ASSERT_EQ(StateOf(id), CS::kTerminatedWithErrors);

  EXPECT_EQ(Sequence(),
            (Strings{"cluster STARTING", "step a PENDING", "step b PENDING",
                     "cluster BOOTSTRAPPING", "cluster RUNNING", "step a RUNNING", "step a FAILED",
                     "cluster TERMINATING", "step b CANCELLED", "cluster TERMINATED_WITH_ERRORS"}));

  json cluster = LastDetail("EMR Cluster State Change", "TERMINATED_WITH_ERRORS");
  EXPECT_EQ(cluster["time"], "2023-11-14T22:15:20Z");
  EXPECT_EQ(cluster["detail"],
            json({{"severity", "CRITICAL"},
                  {"stateChangeReason",
                   R"({"code":"STEP_FAILURE","message":"Shut down as step failed"})"},
                  {"name", "etl"},
                  {"clusterId", id},
                  {"state", "TERMINATED_WITH_ERRORS"},
                  {"message", "Amazon EMR Cluster " + id +
                                  " (etl) has terminated with errors at 2023-11-14 22:15 UTC "
                                  "with a reason of STEP_FAILURE."}}));
  EXPECT_EQ(LastDetail("EMR Cluster State Change", "TERMINATING")["detail"]["severity"], "WARN");
  EXPECT_EQ(LastDetail("EMR Cluster State Change", "STARTING")["detail"]["stateChangeReason"],
            R"({"code":""})");
  EXPECT_EQ(LastDetail("EMR Cluster State Change", "STARTING")["detail"]["message"],
            "Amazon EMR cluster " + id +
                " (etl) was requested at 2023-11-14 22:13 UTC and is being created.");

  const std::string a = StepNamed(id, "a").id;
  json step = LastDetail("EMR Step Status Change", "FAILED");
  EXPECT_EQ(step["detail"], json({{"severity", "ERROR"},
                                  {"actionOnFailure", "TERMINATE_CLUSTER"},
                                  {"stepId", a},
                                  {"name", "a"},
                                  {"clusterId", id},
                                  {"state", "FAILED"},
                                  {"message", "Step " + a + " (a) in Amazon EMR cluster " + id +
                                                  " (etl) failed at 2023-11-14 22:15 UTC."}}));
  EXPECT_EQ(LastDetail("EMR Step Status Change", "CANCELLED")["detail"]["severity"], "WARN");
  EXPECT_EQ(LastDetail("EMR Step Status Change", "RUNNING")["detail"]["severity"], "INFO");
}

TEST_F(ClusterRecordsTest, EventSequenceOfAKeptAliveCluster) {
  std::string id = Create(Template());
  Settle();
  Add(id, {StepOf("a")});
  Settle();
  clock_.Advance(75s);
  Exit(id, "a", 0);
  ASSERT_TRUE(Terminate(id).ok());
  Settle();
  EXPECT_EQ(Sequence(),
            (Strings{"cluster STARTING", "cluster BOOTSTRAPPING", "cluster WAITING",
                     "step a PENDING", "cluster RUNNING", "step a RUNNING", "step a COMPLETED",
                     "cluster WAITING", "cluster TERMINATING", "cluster TERMINATED"}));
  json completed = LastDetail("EMR Step Status Change", "COMPLETED");
  EXPECT_NE(completed["detail"]["message"].get<std::string>().find("took 75 seconds"),
            std::string::npos)
      << completed["detail"]["message"];
  json ended = LastDetail("EMR Cluster State Change", "TERMINATED");
  EXPECT_EQ(ended["detail"]["severity"], "INFO");
  EXPECT_EQ(ended["detail"]["stateChangeReason"],
            R"({"code":"USER_REQUEST","message":"Terminated by user request"})");
}

TEST_F(ClusterRecordsTest, Timeline) {
  std::string id = Create(Template());
  Cluster fresh = GetCluster(id);
  EXPECT_EQ(fresh.created, T0());
  EXPECT_EQ(fresh.ready, std::nullopt);
  EXPECT_EQ(fresh.ended, std::nullopt);

  clock_.Advance(5s);
  Settle();
  EXPECT_EQ(GetCluster(id).ready, T0() + 5s);
  Add(id, {StepOf("a")});
  clock_.Advance(10s);
  Settle();
  clock_.Advance(10s);
  Exit(id, "a", 0);
  Cluster waiting = GetCluster(id);
  EXPECT_EQ(waiting.state, CS::kWaiting);
  EXPECT_EQ(waiting.ready, T0() + 5s);  // set once, not again on RUNNING or WAITING
  EXPECT_EQ(waiting.waiting_since, T0() + 25s);
  EXPECT_EQ(waiting.ended, std::nullopt);
  Step a = StepNamed(id, "a");
  EXPECT_EQ(a.created, T0() + 5s);
  EXPECT_EQ(a.started, T0() + 15s);
  EXPECT_EQ(a.ended, T0() + 25s);
  EXPECT_EQ(a.exit_code, 0);
  EXPECT_EQ(a.pid, 1000);

  clock_.Advance(5s);
  ASSERT_TRUE(Terminate(id).ok());
  Settle();
  Cluster ended = GetCluster(id);
  EXPECT_EQ(ended.state, CS::kTerminated);
  EXPECT_EQ(ended.ready, T0() + 5s);
  EXPECT_EQ(ended.ended, T0() + 30s);
  EXPECT_EQ(ended.waiting_since, std::nullopt);
}

TEST_F(ClusterRecordsTest, CostLedgerAfterTermination) {
  std::string id = Create(Template());  // 1 + 2 m5.xlarge
  Settle();
  clock_.Advance(30s);
  ASSERT_TRUE(Terminate(id).ok());
  Settle();
  ASSERT_EQ(StateOf(id), CS::kTerminated);

  // $0.192 + $0.048 an hour per m5.xlarge node; 30 s is billed as the one-minute minimum.
  const double per_node_second = (0.192 + 0.048) / 3600;
  std::vector<LedgerRow> rows = Ledger(id);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].group, "Master");
  EXPECT_EQ(rows[0].type, "m5.xlarge");
  EXPECT_EQ(rows[0].count, 1);
  EXPECT_EQ(rows[0].billed, 60);
  EXPECT_EQ(rows[0].start_ms, kStartMs);
  EXPECT_EQ(rows[0].end_ms, kStartMs + 30'000);
  EXPECT_DOUBLE_EQ(rows[0].ec2, 0.192);
  EXPECT_DOUBLE_EQ(rows[0].emr, 0.048);
  EXPECT_NEAR(rows[0].emr_usd, 1 * 60 * per_node_second, 1e-12);
  EXPECT_NEAR(rows[0].local_usd, 30 * 0.05 / 3600, 1e-12);  // the machine's time, booked once
  EXPECT_EQ(rows[1].group, "Core");
  EXPECT_EQ(rows[1].count, 2);
  EXPECT_EQ(rows[1].billed, 60);
  EXPECT_NEAR(rows[1].emr_usd, 2 * 60 * per_node_second, 1e-12);
  EXPECT_EQ(rows[1].local_usd, 0.0);

  std::vector<CostLine> lines;
  ASSERT_TRUE(db_->Read([&](store::Transaction& tx) -> Status {
                   SLUICE_ASSIGN_OR_RETURN(lines, SumCosts(tx, CostGrouping::kCluster));
                   return Status::Ok();
                 })
                  .ok());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].key, id);
  EXPECT_EQ(lines[0].node_seconds, 3 * 60);
  EXPECT_NEAR(lines[0].emr_usd, 3 * 60 * per_node_second, 1e-12);

  // A run's cost: the same, and EMR with ten minutes of provisioning on each of the 3 nodes
  // (30 s + 600 s each). A cluster that is not booked (unknown, or still live) adds nothing.
  RunCost run;
  ASSERT_TRUE(db_->Read([&](store::Transaction& tx) -> Status {
                   SLUICE_ASSIGN_OR_RETURN(run, CostOfClusters(tx, {id, "j-NOTBOOKED"}));
                   return Status::Ok();
                 })
                  .ok());
  EXPECT_EQ(run.booked.clusters, 1);
  EXPECT_EQ(run.booked.node_seconds, 3 * 60);
  EXPECT_NEAR(run.booked.emr_usd, 3 * 60 * per_node_second, 1e-12);
  EXPECT_NEAR(run.booked.local_usd, 30 * 0.05 / 3600, 1e-12);
  EXPECT_NEAR(run.emr_with_provisioning_usd, 3 * 630 * per_node_second, 1e-12);
}

TEST_F(ClusterRecordsTest, CostIsPerSecondPastTheFirstMinute) {
  EXPECT_EQ(BilledSeconds(T0(), T0()), 60);
  EXPECT_EQ(BilledSeconds(T0(), T0() + 60s), 60);
  EXPECT_EQ(BilledSeconds(T0(), T0() + 60s + 1ms), 61);  // rounded up
  EXPECT_EQ(BilledSeconds(T0(), T0() + 125s + 400ms), 126);
  EXPECT_EQ(BilledSeconds(T0() + 5s, T0()), 60);  // a clock gone backwards bills the minimum

  std::string id = Create(Template());
  Settle();
  clock_.Advance(125s + 400ms);
  ASSERT_TRUE(Terminate(id).ok());
  Settle();
  std::vector<LedgerRow> rows = Ledger(id);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].billed, 126);
  EXPECT_NEAR(rows[0].emr_usd, 126 * (0.192 + 0.048) / 3600, 1e-12);
  EXPECT_NEAR(rows[1].emr_usd, 2 * 126 * (0.192 + 0.048) / 3600, 1e-12);
}

TEST_F(ClusterRecordsTest, CostOfUnpricedTypesAndByPipeline) {
  ClusterTemplate odd = Template();
  odd.name = "odd";
  odd.instance_groups = {{"MASTER", "x9.unpriced", 1, ""}};
  std::string unpriced = Create(odd, {{{"sluice:pipeline", "orders"}}, ""});
  std::string priced = Create(Template(), {{{"sluice:pipeline", "orders"}}, ""});
  std::string plain = Create(Template());
  Settle();
  clock_.Advance(90s);
  for (const std::string& id : {unpriced, priced, plain})
    ASSERT_TRUE(Terminate(id).ok());
  Settle();

  std::vector<LedgerRow> rows = Ledger(unpriced);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].group, "MASTER");  // an unnamed group is booked under its role
  EXPECT_EQ(rows[0].billed, 90);
  EXPECT_EQ(rows[0].emr_usd, 0.0);  // booked at 0, with a warning
  EXPECT_NEAR(rows[0].local_usd, 90 * 0.05 / 3600, 1e-12);

  std::vector<CostLine> lines;
  ASSERT_TRUE(db_->Read([&](store::Transaction& tx) -> Status {
                   SLUICE_ASSIGN_OR_RETURN(lines, SumCosts(tx, CostGrouping::kPipeline));
                   return Status::Ok();
                 })
                  .ok());
  ASSERT_EQ(lines.size(), 2u);
  std::map<std::string, CostLine> by_key;
  for (const CostLine& line : lines)
    by_key[line.key] = line;
  EXPECT_EQ(by_key["orders"].clusters, 2);
  EXPECT_EQ(by_key["orders"].node_seconds, 90 + 3 * 90);
  EXPECT_EQ(by_key["etl"].clusters, 1);  // no pipeline tag: grouped by template
  EXPECT_NEAR(by_key["etl"].emr_usd, 3 * 90 * (0.192 + 0.048) / 3600, 1e-12);
}

TEST(PriceTableTest, FileOverridesAndExtendsTheShippedPrices) {
  sluice::testing::TempDir dir;
  auto missing = PriceTable::Load(dir / "prices.json");
  ASSERT_TRUE(missing.ok());
  EXPECT_DOUBLE_EQ(missing->Find("m5.xlarge")->ec2_usd_per_hour, 0.192);
  EXPECT_DOUBLE_EQ(missing->local_usd_per_hour(), 0.05);

  std::ofstream(dir / "prices.json") << R"({"local_usd_per_hour": 0.1, "instances": {
      "m5.xlarge": {"emr_usd_per_hour": 0.05}, "z1.tiny": {"ec2_usd_per_hour": 0.01}}})";
  auto loaded = PriceTable::Load(dir / "prices.json");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_DOUBLE_EQ(loaded->local_usd_per_hour(), 0.1);
  EXPECT_DOUBLE_EQ(loaded->Find("m5.xlarge")->ec2_usd_per_hour, 0.192);  // kept
  EXPECT_DOUBLE_EQ(loaded->Find("m5.xlarge")->emr_usd_per_hour, 0.05);   // overridden
  EXPECT_DOUBLE_EQ(loaded->Find("z1.tiny")->ec2_usd_per_hour, 0.01);
  EXPECT_EQ(loaded->Find("z9.none"), std::nullopt);

  std::ofstream(dir / "prices.json") << R"({"instances": {"m5.xlarge": {"ec2_usd_per_hour": -1}}})";
  EXPECT_NE(PriceTable::Load(dir / "prices.json").status().message().find("cannot be negative"),
            std::string::npos);
  std::ofstream(dir / "prices.json") << R"({"local": 1})";
  EXPECT_NE(PriceTable::Load(dir / "prices.json").status().message().find("unknown field local"),
            std::string::npos);
}

TEST_F(ClusterRecordsTest, CreateClusterByDeliveryKeyIsIdempotent) {
  std::string first = Create(Template(), {{{"run", "1"}}, "delivery-1"});
  std::string again = Create(Template(), {{{"run", "2"}}, "delivery-1"});
  EXPECT_EQ(again, first);
  EXPECT_EQ(GetCluster(first).spec.tags.at("run"), "1");
  std::string other = Create(Template(), {{}, "delivery-2"});
  EXPECT_NE(other, first);
  std::string unkeyed = Create(Template());
  EXPECT_NE(unkeyed, first);
  EXPECT_EQ(Sequence(), (Strings{"cluster STARTING", "cluster STARTING", "cluster STARTING"}));
}

TEST_F(ClusterRecordsTest, AddStepsByDeliveryKeyIsIdempotent) {
  std::string id = Create(Template());
  AddStepsRequest request;
  request.delivery_key = "delivery-7";
  Strings ids = Add(id, {StepOf("x"), StepOf("y")}, request);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(Add(id, {StepOf("x"), StepOf("y")}, request), ids);  // the retry adds nothing
  EXPECT_EQ(Steps(id).size(), 2u);
  EXPECT_NE(Add(id, {StepOf("x")}, {false, "delivery-8"}), Strings{ids[0]});
  EXPECT_EQ(Steps(id).size(), 3u);
  // ListSteps is newest first.
  EXPECT_EQ(Steps(id)[1].id, ids[1]);
}

// Reuse without steps of its own may attach only to a cluster that has not started a step.
TEST_F(ClusterRecordsTest, FindLiveClusterNotStartedSkipsAClusterThatRanSteps) {
  std::string id = Create(Template());
  Settle();
  auto find = [&](bool not_started) {
    std::optional<Cluster> found;
    EXPECT_TRUE(db_->Read([&](store::Transaction& tx) -> Status {
                     SLUICE_ASSIGN_OR_RETURN(
                         found, store_.FindLiveCluster(tx, Template().name, not_started));
                     return Status::Ok();
                   })
                    .ok());
    return found ? found->id : "";
  };
  EXPECT_EQ(find(true), id);
  Add(id, {StepOf("x")});
  Settle();
  ASSERT_EQ(Steps(id).at(0).state, StepState::kRunning);
  EXPECT_EQ(find(true), "");
  EXPECT_EQ(find(false), id);
}

TEST_F(ClusterRecordsTest, UniqueSkipsAStepAlreadyWaitingOrRunning) {
  std::string id = Create(Template());
  AddStepsRequest unique;
  unique.unique = true;
  Strings first = Add(id, {StepOf("x")}, unique);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(Add(id, {StepOf("x")}, unique).empty());  // PENDING
  Settle();
  ASSERT_EQ(StateOf(id, "x"), SS::kRunning);
  Strings mixed = Add(id, {StepOf("x"), StepOf("z")}, unique);  // RUNNING: only z is added
  ASSERT_EQ(mixed.size(), 1u);
  EXPECT_EQ(StepNamed(id, "z").id, mixed[0]);
  EXPECT_EQ(Steps(id).size(), 2u);
  Exit(id, "x", 0);
  Exit(id, "z", 0);
  EXPECT_EQ(Add(id, {StepOf("x")}, unique).size(), 1u);  // finished: a new run is added
  EXPECT_EQ(Steps(id).size(), 3u);
  EXPECT_EQ(Add(id, {StepOf("x")}).size(), 1u);  // without `unique`, duplicates are fine
}

TEST_F(ClusterRecordsTest, AtMost256StepsPendingOrRunning) {
  std::string id = Create(Template());
  auto named = [](const std::string& prefix, int count) {
    std::vector<StepConfig> steps;
    for (int i = 0; i < count; ++i)
      steps.push_back(StepOf(prefix + std::to_string(i)));
    return steps;
  };
  AddStepsRequest request;
  request.delivery_key = "delivery-big";
  Strings ids = Add(id, named("s", 250), request);
  EXPECT_EQ(ids.size(), 250u);
  auto refused = TryAdd(id, named("t", 7));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("more than 256 steps"), std::string::npos);
  EXPECT_EQ(Steps(id).size(), 250u);  // none of the refused request's steps
  EXPECT_EQ(Add(id, named("t", 6)).size(), 6u);
  EXPECT_FALSE(TryAdd(id, {StepOf("one-more")}).ok());

  // A retry adds nothing, so the limit does not refuse it; nor a `unique` request whose steps
  // are all there.
  EXPECT_EQ(Add(id, named("s", 250), request), ids);
  AddStepsRequest unique;
  unique.unique = true;
  EXPECT_EQ(Add(id, {StepOf("s0")}, unique), Strings{});
  EXPECT_EQ(Steps(id).size(), 256u);
  EXPECT_EQ(TryAdd("j-NOSUCHCLUSTER", {StepOf("a")}).status().aws_code(),
            "ResourceNotFoundException");
}

}  // namespace
}  // namespace sluice::clusters

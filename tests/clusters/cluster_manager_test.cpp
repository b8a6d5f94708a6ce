// The ClusterManager's state machines against a scripted provider on simulated time: what each
// ActionOnFailure does to the later steps and the cluster, concurrent steps, keep-alive, bootstrap
// and validation failures, idle timeout, maximum lifetime, termination protection, cancellation,
// steps that cannot start, user termination and recovery after a restart.
#include "sluice/clusters/cluster_manager.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "clusters/cluster_manager_fixture.h"

namespace sluice::clusters {
namespace {

using namespace std::chrono_literals;
using CS = ClusterState;
using SS = StepState;
using AOF = ActionOnFailure;
using Strings = std::vector<std::string>;

// Concurrency 1: step a fails with `action`; b and c (CONTINUE) follow it.
struct FailureCase {
  std::string name;
  AOF action;
  bool keep_alive;
  bool termination_protected;
  SS later;  // b's and c's final state
  CS end;    // the cluster's final state
  ReasonCode reason;
};
void PrintTo(const FailureCase& c, std::ostream* os) {
  *os << c.name;
}

const FailureCase kFailureCases[] = {
    {"TerminateCluster", AOF::kTerminateCluster, true, false, SS::kCancelled,
     CS::kTerminatedWithErrors, ReasonCode::kStepFailure},
    {"TerminateJobFlow", AOF::kTerminateJobFlow, true, false, SS::kCancelled,
     CS::kTerminatedWithErrors, ReasonCode::kStepFailure},
    {"TerminateClusterNoKeepAlive", AOF::kTerminateCluster, false, false, SS::kCancelled,
     CS::kTerminatedWithErrors, ReasonCode::kStepFailure},
    {"CancelAndWait", AOF::kCancelAndWait, true, false, SS::kCancelled, CS::kWaiting,
     ReasonCode::kNone},
    // A cluster that auto-terminates terminates instead of waiting.
    {"CancelAndWaitNoKeepAlive", AOF::kCancelAndWait, false, false, SS::kCancelled, CS::kTerminated,
     ReasonCode::kAllStepsCompleted},
    {"Continue", AOF::kContinue, true, false, SS::kCompleted, CS::kWaiting, ReasonCode::kNone},
    {"ContinueNoKeepAlive", AOF::kContinue, false, false, SS::kCompleted, CS::kTerminated,
     ReasonCode::kAllStepsCompleted},
    // Protection holds a cluster that keeps alive...
    {"TerminateClusterProtected", AOF::kTerminateCluster, true, true, SS::kCancelled, CS::kWaiting,
     ReasonCode::kNone},
    // ... but not one that auto-terminates.
    {"TerminateClusterProtectedNoKeepAlive", AOF::kTerminateCluster, false, true, SS::kCancelled,
     CS::kTerminatedWithErrors, ReasonCode::kStepFailure},
};

class ActionOnFailureTest : public ClusterManagerTest,
                            public ::testing::WithParamInterface<FailureCase> {};

TEST_P(ActionOnFailureTest, LaterStepsAndCluster) {
  const FailureCase& c = GetParam();
  ClusterTemplate t = Template();
  t.keep_alive = c.keep_alive;
  t.termination_protected = c.termination_protected;
  std::string id = Create(t);
  Add(id, {StepOf("a", c.action), StepOf("b"), StepOf("c")});
  Settle();
  EXPECT_EQ(StateOf(id), CS::kRunning);
  EXPECT_EQ(provider_.started, Strings{"a"});
  EXPECT_EQ(StateOf(id, "b"), SS::kPending);

  Exit(id, "a", 1);
  // Whatever runs after the failure completes.
  for (const char* name : {"b", "c"}) {
    if (StateOf(id, name) == SS::kRunning) Exit(id, name, 0);
  }

  Step a = StepNamed(id, "a");
  EXPECT_EQ(a.state, SS::kFailed);
  EXPECT_EQ(a.exit_code, 1);
  EXPECT_EQ(a.failure_reason, "Unknown Error");
  EXPECT_EQ(a.failure_message, "Step failed with exit code 1");
  EXPECT_EQ(a.failure_log, "/logs/" + a.id + "/stderr");
  EXPECT_EQ(StateOf(id, "b"), c.later);
  EXPECT_EQ(StateOf(id, "c"), c.later);
  if (c.later == SS::kCancelled) {
    EXPECT_EQ(provider_.started, Strings{"a"});
  } else {
    EXPECT_EQ(provider_.started, (Strings{"a", "b", "c"}));
  }
  Cluster cluster = GetCluster(id);
  EXPECT_EQ(cluster.state, c.end);
  EXPECT_EQ(cluster.reason, c.reason);
  if (c.reason == ReasonCode::kStepFailure) {
    EXPECT_EQ(cluster.reason_message, "Shut down as step failed");
  }
  EXPECT_EQ(provider_.released.size(), IsTerminal(c.end) ? 1u : 0u);
}

INSTANTIATE_TEST_SUITE_P(Cases, ActionOnFailureTest, ::testing::ValuesIn(kFailureCases),
                         [](const auto& info) { return info.param.name; });

TEST_F(ClusterManagerTest, ConcurrentStepsStartFifoAndFailAlone) {
  ClusterTemplate t = Template();
  t.step_concurrency = 2;
  std::string id = Create(t);
  for (AOF refused : {AOF::kTerminateCluster, AOF::kTerminateJobFlow, AOF::kCancelAndWait}) {
    auto added = TryAdd(id, {StepOf("ok"), StepOf("bad", refused)});
    ASSERT_FALSE(added.ok());
    EXPECT_EQ(added.status().aws_code(), "ValidationException");
    EXPECT_NE(added.status().message().find("ActionOnFailure setting is not valid"),
              std::string::npos)
        << added.status().message();
  }
  EXPECT_TRUE(Steps(id).empty());  // a refused request adds none of its steps

  Add(id, {StepOf("a"), StepOf("b"), StepOf("c"), StepOf("d")});
  Settle();
  EXPECT_EQ(provider_.started, (Strings{"a", "b"}));
  EXPECT_EQ(StateOf(id, "c"), SS::kPending);

  Exit(id, "a", 1);  // fails: the others go on, the next pending one starts
  EXPECT_EQ(StateOf(id, "a"), SS::kFailed);
  EXPECT_EQ(StateOf(id, "b"), SS::kRunning);
  EXPECT_EQ(StateOf(id, "c"), SS::kRunning);
  EXPECT_EQ(StateOf(id, "d"), SS::kPending);
  EXPECT_EQ(provider_.started, (Strings{"a", "b", "c"}));

  Exit(id, "c", 0);  // parallel steps may finish in any order
  EXPECT_EQ(provider_.started, (Strings{"a", "b", "c", "d"}));
  Exit(id, "b", 0);
  EXPECT_EQ(StateOf(id), CS::kRunning);
  Exit(id, "d", 0);
  EXPECT_EQ(StateOf(id), CS::kWaiting);
  EXPECT_TRUE(provider_.cancels.empty());
}

TEST_F(ClusterManagerTest, KeepAliveWaitsAfterItsSteps) {
  std::string id = Create(Template());
  Add(id, {StepOf("a")});
  Settle();
  Exit(id, "a", 0);
  EXPECT_EQ(StateOf(id), CS::kWaiting);
  clock_.Advance(24h - 1min);
  Settle();
  EXPECT_EQ(StateOf(id), CS::kWaiting);  // no idle policy: it waits
  Add(id, {StepOf("b")});                // WAITING → RUNNING when a step is added
  Settle();
  EXPECT_EQ(StateOf(id), CS::kRunning);
  EXPECT_EQ(StateOf(id, "b"), SS::kRunning);
}

TEST_F(ClusterManagerTest, AutoTerminatingClusterEndsAfterItsSteps) {
  ASSERT_TRUE(Idle());
  ClusterTemplate t = Template();
  t.keep_alive = false;
  std::string id = Create(t);
  EXPECT_FALSE(Idle());
  Settle();
  // Fresh, with no steps yet: it waits for its first steps (the rule adding them reacts to its
  // WAITING event) rather than ending at once.
  EXPECT_EQ(StateOf(id), CS::kWaiting);
  clock_.Advance(10min);
  Settle();
  EXPECT_EQ(StateOf(id), CS::kWaiting);

  Add(id, {StepOf("a"), StepOf("b")});
  Settle();
  EXPECT_EQ(StateOf(id), CS::kRunning);
  Exit(id, "a", 0);
  EXPECT_EQ(StateOf(id), CS::kRunning);
  provider_.release_at_once = false;
  Exit(id, "b", 0);
  Cluster ending = GetCluster(id);
  EXPECT_EQ(ending.state, CS::kTerminating);
  EXPECT_EQ(ending.reason, ReasonCode::kAllStepsCompleted);
  EXPECT_EQ(provider_.released, Strings{id});

  provider_.Deliver(ScriptedProvider::Report(ProviderReport::Kind::kReleased, id));
  EXPECT_FALSE(Idle());  // a report is waiting
  Settle();
  EXPECT_TRUE(Idle());
  Cluster ended = GetCluster(id);
  EXPECT_EQ(ended.state, CS::kTerminated);
  EXPECT_EQ(ended.reason, ReasonCode::kAllStepsCompleted);
  EXPECT_EQ(ended.reason_message, "Steps completed");
  auto refused = TryAdd(id, {StepOf("late")});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("may not be modified"), std::string::npos);
}

struct LaunchFailureCase {
  std::string name;
  bool bootstrapping;  // whether the failure comes after the nodes are up
  ReasonCode reason;
  std::string message;
  Strings sequence;
};
void PrintTo(const LaunchFailureCase& c, std::ostream* os) {
  *os << c.name;
}

const LaunchFailureCase kLaunchFailures[] = {
    {"Bootstrap",
     true,
     ReasonCode::kBootstrapFailure,
     "Bootstrap action 1 (setup) on node core-2 failed with exit code 3: boom",
     {"cluster STARTING", "step a PENDING", "cluster BOOTSTRAPPING", "cluster TERMINATING",
      "step a CANCELLED", "cluster TERMINATED_WITH_ERRORS"}},
    {"Validation",
     false,
     ReasonCode::kValidationError,
     "Application Spark needs spark-submit on the PATH or SPARK_HOME set to its installation; "
     "neither was found on this machine",
     {"cluster STARTING", "step a PENDING", "cluster TERMINATING", "step a CANCELLED",
      "cluster TERMINATED_WITH_ERRORS"}},
};

class LaunchFailureTest : public ClusterManagerTest,
                          public ::testing::WithParamInterface<LaunchFailureCase> {};

TEST_P(LaunchFailureTest, EndsWithErrorsAndItsMessage) {
  const LaunchFailureCase& c = GetParam();
  provider_.launch = {c.bootstrapping, c.reason, c.message};
  std::string id = Create(Template());
  Add(id, {StepOf("a")});
  Settle();
  Cluster cluster = GetCluster(id);
  EXPECT_EQ(cluster.state, CS::kTerminatedWithErrors);
  EXPECT_EQ(cluster.reason, c.reason);
  EXPECT_EQ(cluster.reason_message, c.message);
  EXPECT_EQ(cluster.ready, std::nullopt);  // it never came up
  EXPECT_EQ(cluster.ended, clock_.Now());
  EXPECT_EQ(StateOf(id, "a"), SS::kCancelled);
  EXPECT_TRUE(provider_.started.empty());
  EXPECT_EQ(provider_.launched, Strings{id});
  EXPECT_EQ(provider_.released, Strings{id});
  EXPECT_EQ(Sequence(), c.sequence);
}

INSTANTIATE_TEST_SUITE_P(Cases, LaunchFailureTest, ::testing::ValuesIn(kLaunchFailures),
                         [](const auto& info) { return info.param.name; });

TEST_F(ClusterManagerTest, IdleTimeoutEndsAWaitingCluster) {
  ClusterTemplate t = Template();
  t.idle_timeout_seconds = 600;
  std::string id = Create(t);
  Settle();
  ASSERT_EQ(StateOf(id), CS::kWaiting);
  EXPECT_EQ(manager_->NextWakeup(), T0() + 600s);

  // A step restarts the idle timer: it counts from the last time the cluster became WAITING.
  clock_.Advance(500s);
  Add(id, {StepOf("a")});
  Settle();
  clock_.Advance(300s);
  Exit(id, "a", 0);
  ASSERT_EQ(StateOf(id), CS::kWaiting);
  const TimePoint deadline = T0() + 800s + 600s;
  EXPECT_EQ(manager_->NextWakeup(), deadline);

  clock_.Set(deadline - 1s);
  Settle();
  EXPECT_EQ(StateOf(id), CS::kWaiting);
  EXPECT_EQ(manager_->NextWakeup(), deadline);

  clock_.Set(deadline + 1s);
  Settle();
  Cluster ended = GetCluster(id);
  EXPECT_EQ(ended.state, CS::kTerminated);
  EXPECT_EQ(ended.reason, ReasonCode::kAllStepsCompleted);
  EXPECT_EQ(ended.reason_message,
            "Idle for 600 seconds: terminated by its auto-termination policy");
  EXPECT_EQ(manager_->NextWakeup(), std::nullopt);  // nothing live is left
}

TEST_F(ClusterManagerTest, MaximumLifetimeEndsEvenABusyCluster) {
  ClusterTemplate t = Template();
  t.max_lifetime_seconds = 3600;
  t.termination_protected = true;  // sluice's guard holds whatever the cluster's protection
  std::string id = Create(t);
  Add(id, {StepOf("forever")});
  Settle();
  ASSERT_EQ(StateOf(id, "forever"), SS::kRunning);
  EXPECT_EQ(manager_->NextWakeup(), T0() + 3600s);

  clock_.Advance(3599s);
  Settle();
  EXPECT_EQ(StateOf(id), CS::kRunning);

  clock_.Advance(1s);
  Settle();
  Cluster ended = GetCluster(id);
  EXPECT_EQ(ended.state, CS::kTerminated);
  EXPECT_EQ(ended.reason, ReasonCode::kUserRequest);
  EXPECT_EQ(ended.reason_message,
            "Terminated by sluice: the cluster reached its maximum lifetime of 3600 seconds");
  // Released before its process reported an exit: the step ends with its cluster.
  EXPECT_EQ(StateOf(id, "forever"), SS::kCancelled);
}

TEST_F(ClusterManagerTest, TerminationProtectionRefusesUserTermination) {
  ClusterTemplate t = Template();
  t.termination_protected = true;
  std::string id = Create(t);
  Settle();
  Status refused = Terminate(id);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.aws_code(), "ValidationException");
  EXPECT_NE(refused.message().find("termination protected"), std::string::npos)
      << refused.message();
  Settle();
  EXPECT_EQ(StateOf(id), CS::kWaiting);
  EXPECT_TRUE(provider_.released.empty());
}

TEST_F(ClusterManagerTest, CancelPendingAndRunningSteps) {
  std::string id = Create(Template());
  Add(id, {StepOf("a", AOF::kTerminateCluster), StepOf("b"), StepOf("c"), StepOf("d")});
  Settle();
  ASSERT_EQ(StateOf(id, "a"), SS::kRunning);
  const std::string a = StepNamed(id, "a").id;
  const std::string b = StepNamed(id, "b").id;

  // PENDING: CANCELLED at once, before any round.
  auto outcomes = Cancel(id, {b}, "SEND_INTERRUPT");
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, "SUBMITTED");
  EXPECT_EQ(StateOf(id, "b"), SS::kCancelled);

  // RUNNING: CANCEL_PENDING; the manager asks the provider once, with force for
  // TERMINATE_PROCESS.
  outcomes = Cancel(id, {a}, "TERMINATE_PROCESS");
  EXPECT_EQ(outcomes[0].status, "SUBMITTED");
  EXPECT_EQ(StateOf(id, "a"), SS::kCancelPending);
  Settle();
  Settle();
  EXPECT_EQ(Cancel(id, {a}, "TERMINATE_PROCESS")[0].status, "SUBMITTED");  // idempotent
  Settle();
  ASSERT_EQ(provider_.cancels.size(), 1u);
  EXPECT_EQ(provider_.cancels[0].step_id, a);
  EXPECT_TRUE(provider_.cancels[0].force);
  EXPECT_EQ(StateOf(id, "c"), SS::kPending);  // a still holds the only slot

  // It ends by the signal: CANCELLED, and its ActionOnFailure (TERMINATE_CLUSTER) does not fire.
  Exit(id, "a", 9, /*signalled=*/true);
  EXPECT_EQ(StateOf(id, "a"), SS::kCancelled);
  EXPECT_EQ(StateOf(id), CS::kRunning);
  EXPECT_EQ(StateOf(id, "c"), SS::kRunning);

  // SEND_INTERRUPT asks without force; a step that still exits 0 has COMPLETED.
  Cancel(id, {StepNamed(id, "c").id}, "SEND_INTERRUPT");
  Settle();
  ASSERT_EQ(provider_.cancels.size(), 2u);
  EXPECT_FALSE(provider_.cancels[1].force);
  Exit(id, "c", 0);
  EXPECT_EQ(StateOf(id, "c"), SS::kCompleted);

  outcomes = Cancel(id, {a, "s-NOSUCHSTEP"}, "SEND_INTERRUPT");
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].status, "FAILED");
  EXPECT_NE(outcomes[0].reason.find("is CANCELLED and cannot be cancelled"), std::string::npos);
  EXPECT_EQ(outcomes[1].status, "FAILED");
  EXPECT_NE(outcomes[1].reason.find("not in cluster"), std::string::npos);
}

// b cannot start (its program does not exist); a ran before it and c waits after it.
struct StartFailureCase {
  std::string name;
  AOF action;
  SS c_state;
  CS end;
  Strings started;
};
void PrintTo(const StartFailureCase& c, std::ostream* os) {
  *os << c.name;
}

const StartFailureCase kStartFailures[] = {
    {"TerminateCluster",
     AOF::kTerminateCluster,
     SS::kCancelled,
     CS::kTerminatedWithErrors,
     {"a", "b"}},
    {"CancelAndWait", AOF::kCancelAndWait, SS::kCancelled, CS::kWaiting, {"a", "b"}},
    {"Continue", AOF::kContinue, SS::kCompleted, CS::kWaiting, {"a", "b", "c"}},
};

class StartFailureTest : public ClusterManagerTest,
                         public ::testing::WithParamInterface<StartFailureCase> {};

TEST_P(StartFailureTest, FailsAndAppliesItsActionOnFailure) {
  const StartFailureCase& c = GetParam();
  provider_.start_errors["b"] = "cannot run nosuch: No such file or directory";
  std::string id = Create(Template());
  Add(id, {StepOf("a"), StepOf("b", c.action), StepOf("c")});
  Settle();
  Exit(id, "a", 0);
  if (StateOf(id, "c") == SS::kRunning) Exit(id, "c", 0);

  Step b = StepNamed(id, "b");
  EXPECT_EQ(b.state, SS::kFailed);
  EXPECT_EQ(b.failure_reason, "Unknown Error");
  EXPECT_EQ(b.failure_message, "cannot run nosuch: No such file or directory");
  EXPECT_EQ(b.started, std::nullopt);
  EXPECT_EQ(StateOf(id, "c"), c.c_state);
  EXPECT_EQ(provider_.started, c.started);
  EXPECT_EQ(StateOf(id), c.end);
}

INSTANTIATE_TEST_SUITE_P(Cases, StartFailureTest, ::testing::ValuesIn(kStartFailures),
                         [](const auto& info) { return info.param.name; });

TEST_F(ClusterManagerTest, UserTerminationWhileStepsRun) {
  ClusterTemplate t = Template();
  t.step_concurrency = 2;
  std::string id = Create(t);
  Add(id, {StepOf("a"), StepOf("b"), StepOf("c")});
  Settle();
  ASSERT_EQ(provider_.started, (Strings{"a", "b"}));

  provider_.release_at_once = false;
  ASSERT_TRUE(Terminate(id).ok());
  EXPECT_TRUE(Terminate(id).ok());  // already ending: left alone
  Settle();
  Cluster ending = GetCluster(id);
  EXPECT_EQ(ending.state, CS::kTerminating);
  EXPECT_EQ(ending.reason, ReasonCode::kUserRequest);
  EXPECT_EQ(StateOf(id, "c"), SS::kCancelled);  // pending: at once
  EXPECT_EQ(StateOf(id, "a"), SS::kRunning);    // running: when its process has stopped
  EXPECT_EQ(provider_.released, Strings{id});
  EXPECT_FALSE(TryAdd(id, {StepOf("late")}).ok());

  Exit(id, "a", 9, /*signalled=*/true);
  Exit(id, "b", 143);
  EXPECT_EQ(StateOf(id, "a"), SS::kCancelled);
  EXPECT_EQ(StateOf(id, "b"), SS::kCancelled);  // not FAILED: it was stopped
  EXPECT_EQ(StateOf(id), CS::kTerminating);

  provider_.Deliver(ScriptedProvider::Report(ProviderReport::Kind::kReleased, id));
  Settle();
  Cluster ended = GetCluster(id);
  EXPECT_EQ(ended.state, CS::kTerminated);
  EXPECT_EQ(ended.reason, ReasonCode::kUserRequest);
  EXPECT_EQ(ended.reason_message, "Terminated by user request");
  EXPECT_EQ(provider_.released, Strings{id});  // asked once
}

struct RecoveryCase {
  std::string name;
  AOF action;
  CS cluster_after_recover;
  SS b_after_rounds;
  CS cluster_after_rounds;
};
void PrintTo(const RecoveryCase& c, std::ostream* os) {
  *os << c.name;
}

const RecoveryCase kRecoveries[] = {
    {"TerminateCluster", AOF::kTerminateCluster, CS::kTerminating, SS::kCancelled,
     CS::kTerminatedWithErrors},
    {"Continue", AOF::kContinue, CS::kRunning, SS::kRunning, CS::kRunning},
};

class RecoveryTest : public ClusterManagerTest,
                     public ::testing::WithParamInterface<RecoveryCase> {};

TEST_P(RecoveryTest, RunningStepsAreInterrupted) {
  const RecoveryCase& c = GetParam();
  std::string id = Create(Template());
  Add(id, {StepOf("a", c.action), StepOf("b")});
  Settle();
  ASSERT_EQ(StateOf(id, "a"), SS::kRunning);

  // The engine restarts: a new provider and manager over the same store.
  ScriptedProvider restarted;
  restarted.leftovers = 2;
  ClusterManager manager(*db_, restarted, Options());
  auto recovery = manager.Recover();
  ASSERT_TRUE(recovery.ok()) << recovery.status().ToString();
  EXPECT_EQ(restarted.reaps, 1);
  EXPECT_EQ(recovery->processes_reaped, 2);
  EXPECT_EQ(recovery->steps_interrupted, 1);
  Step a = StepNamed(id, "a");
  EXPECT_EQ(a.state, SS::kInterrupted);
  EXPECT_NE(a.failure_message.find("The engine stopped while the step was running"),
            std::string::npos);
  EXPECT_EQ(StateOf(id), c.cluster_after_recover);

  Settle(manager, restarted);
  EXPECT_EQ(StateOf(id, "b"), c.b_after_rounds);
  Cluster cluster = GetCluster(id);
  EXPECT_EQ(cluster.state, c.cluster_after_rounds);
  if (c.action == AOF::kTerminateCluster) {
    EXPECT_EQ(cluster.reason, ReasonCode::kStepFailure);
    EXPECT_TRUE(restarted.started.empty());
    EXPECT_EQ(restarted.released, Strings{id});
  } else {
    EXPECT_EQ(restarted.started, Strings{"b"});
    EXPECT_TRUE(restarted.launched.empty());  // it was up already
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, RecoveryTest, ::testing::ValuesIn(kRecoveries),
                         [](const auto& info) { return info.param.name; });

TEST_F(ClusterManagerTest, RecoveryFinishesCancellations) {
  std::string id = Create(Template());
  Add(id, {StepOf("a")});
  Settle();
  Cancel(id, {StepNamed(id, "a").id}, "SEND_INTERRUPT");
  ScriptedProvider restarted;
  ClusterManager manager(*db_, restarted, Options());
  auto recovery = manager.Recover();
  ASSERT_TRUE(recovery.ok()) << recovery.status().ToString();
  EXPECT_EQ(recovery->steps_interrupted, 0);
  EXPECT_EQ(StateOf(id, "a"), SS::kCancelled);
  Settle(manager, restarted);
  EXPECT_EQ(StateOf(id), CS::kWaiting);
}

}  // namespace
}  // namespace sluice::clusters

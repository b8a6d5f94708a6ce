// EMR's cluster and step state tables (states.h) as data: names round-trip, the allowed and the
// refused transitions the reference (A1, A2) names, and which reasons end with errors.
#include "sluice/clusters/states.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::clusters {
namespace {

using CS = ClusterState;
using SS = StepState;

TEST(StatesTest, NamesRoundTrip) {
  for (CS s : {CS::kStarting, CS::kBootstrapping, CS::kRunning, CS::kWaiting, CS::kTerminating,
               CS::kTerminated, CS::kTerminatedWithErrors}) {
    EXPECT_EQ(ParseClusterState(ClusterStateName(s)), s) << ClusterStateName(s);
  }
  for (SS s : {SS::kPending, SS::kCancelPending, SS::kRunning, SS::kCompleted, SS::kCancelled,
               SS::kFailed, SS::kInterrupted}) {
    EXPECT_EQ(ParseStepState(StepStateName(s)), s) << StepStateName(s);
  }
  for (ActionOnFailure a : {ActionOnFailure::kTerminateCluster, ActionOnFailure::kTerminateJobFlow,
                            ActionOnFailure::kCancelAndWait, ActionOnFailure::kContinue}) {
    EXPECT_EQ(ParseActionOnFailure(ActionOnFailureName(a)), a) << ActionOnFailureName(a);
  }
  EXPECT_EQ(ClusterStateName(CS::kTerminatedWithErrors), "TERMINATED_WITH_ERRORS");
  EXPECT_EQ(StepStateName(SS::kCancelPending), "CANCEL_PENDING");
  EXPECT_EQ(ReasonCodeName(ReasonCode::kAllStepsCompleted), "ALL_STEPS_COMPLETED");
  EXPECT_EQ(ReasonCodeName(ReasonCode::kNone), "");
  EXPECT_EQ(ParseReasonCode(""), ReasonCode::kNone);
  EXPECT_EQ(ParseReasonCode("STEP_FAILURE"), ReasonCode::kStepFailure);
  // EMR has no IDLE_TIMEOUT code, and names are case-sensitive.
  EXPECT_EQ(ParseReasonCode("IDLE_TIMEOUT"), std::nullopt);
  EXPECT_EQ(ParseClusterState("running"), std::nullopt);
  EXPECT_EQ(ParseActionOnFailure("TERMINATE"), std::nullopt);
}

struct ClusterTransition {
  CS from, to;
  bool allowed;
};

const ClusterTransition kClusterTransitions[] = {
    {CS::kStarting, CS::kBootstrapping, true},
    {CS::kBootstrapping, CS::kRunning, true},
    {CS::kBootstrapping, CS::kWaiting, true},
    {CS::kRunning, CS::kWaiting, true},
    {CS::kWaiting, CS::kRunning, true},
    {CS::kStarting, CS::kTerminating, true},  // any live state may end
    {CS::kBootstrapping, CS::kTerminating, true},
    {CS::kRunning, CS::kTerminating, true},
    {CS::kWaiting, CS::kTerminating, true},
    {CS::kTerminating, CS::kTerminated, true},
    {CS::kTerminating, CS::kTerminatedWithErrors, true},
    {CS::kStarting, CS::kRunning, false},  // bootstrap comes first
    {CS::kStarting, CS::kWaiting, false},
    {CS::kRunning, CS::kTerminated, false},  // ending goes through TERMINATING
    {CS::kWaiting, CS::kTerminatedWithErrors, false},
    {CS::kTerminating, CS::kRunning, false},  // no way back
    {CS::kTerminated, CS::kStarting, false},
    {CS::kTerminated, CS::kTerminatedWithErrors, false},
    {CS::kWaiting, CS::kWaiting, false},  // a self-transition is not a transition
    {CS::kRunning, CS::kBootstrapping, false},
};

TEST(StatesTest, ClusterTransitions) {
  for (const ClusterTransition& t : kClusterTransitions) {
    EXPECT_EQ(CanTransition(t.from, t.to), t.allowed)
        << ClusterStateName(t.from) << " -> " << ClusterStateName(t.to);
  }
}

struct StepTransition {
  SS from, to;
  bool allowed;
};

const StepTransition kStepTransitions[] = {
    {SS::kPending, SS::kRunning, true},
    {SS::kPending, SS::kCancelled, true},
    {SS::kPending, SS::kFailed, true},  // could not start
    {SS::kRunning, SS::kCompleted, true},
    {SS::kRunning, SS::kFailed, true},
    {SS::kRunning, SS::kCancelPending, true},
    {SS::kRunning, SS::kCancelled, true},  // its cluster ended
    {SS::kRunning, SS::kInterrupted, true},
    {SS::kCancelPending, SS::kCancelled, true},
    {SS::kCancelPending, SS::kCompleted, true},  // it finished before the cancel reached it
    {SS::kPending, SS::kCompleted, false},
    {SS::kPending, SS::kCancelPending, false},  // a pending step is cancelled at once
    {SS::kPending, SS::kInterrupted, false},
    {SS::kCompleted, SS::kRunning, false},
    {SS::kCancelled, SS::kRunning, false},
    {SS::kFailed, SS::kCancelled, false},
    {SS::kCancelPending, SS::kRunning, false},
    {SS::kInterrupted, SS::kFailed, false},
    {SS::kRunning, SS::kRunning, false},
};

TEST(StatesTest, StepTransitions) {
  for (const StepTransition& t : kStepTransitions) {
    EXPECT_EQ(CanTransition(t.from, t.to), t.allowed)
        << StepStateName(t.from) << " -> " << StepStateName(t.to);
  }
}

TEST(StatesTest, LiveTerminalFinished) {
  EXPECT_TRUE(IsLive(CS::kStarting));
  EXPECT_TRUE(IsLive(CS::kWaiting));
  EXPECT_FALSE(IsLive(CS::kTerminating));
  EXPECT_FALSE(IsLive(CS::kTerminated));
  EXPECT_FALSE(IsTerminal(CS::kTerminating));
  EXPECT_TRUE(IsTerminal(CS::kTerminated));
  EXPECT_TRUE(IsTerminal(CS::kTerminatedWithErrors));
  EXPECT_FALSE(IsFinished(SS::kPending));
  EXPECT_FALSE(IsFinished(SS::kRunning));
  EXPECT_FALSE(IsFinished(SS::kCancelPending));
  for (SS s : {SS::kCompleted, SS::kCancelled, SS::kFailed, SS::kInterrupted}) {
    EXPECT_TRUE(IsFinished(s)) << StepStateName(s);
  }
}

TEST(StatesTest, EndStateFor) {
  const std::pair<ReasonCode, CS> cases[] = {
      {ReasonCode::kInternalError, CS::kTerminatedWithErrors},
      {ReasonCode::kValidationError, CS::kTerminatedWithErrors},
      {ReasonCode::kInstanceFailure, CS::kTerminatedWithErrors},
      {ReasonCode::kInstanceFleetTimeout, CS::kTerminatedWithErrors},
      {ReasonCode::kBootstrapFailure, CS::kTerminatedWithErrors},
      {ReasonCode::kStepFailure, CS::kTerminatedWithErrors},
      {ReasonCode::kUserRequest, CS::kTerminated},
      {ReasonCode::kAllStepsCompleted, CS::kTerminated},
      {ReasonCode::kNone, CS::kTerminated},
  };
  for (const auto& [code, end] : cases) {
    EXPECT_EQ(EndStateFor(code), end) << ReasonCodeName(code);
  }
}

}  // namespace
}  // namespace sluice::clusters

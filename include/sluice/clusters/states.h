// EMR's cluster and step states, state-change reason codes and ActionOnFailure values, spelled as
// EMR spells them, and the tables of which transitions are allowed. Every state change in sluice
// goes through CanTransition(), so the code and the reference (../shared/reference/emr-lambda.md)
// read alike:
//
//   cluster: STARTING → BOOTSTRAPPING → RUNNING ⇄ WAITING → TERMINATING → TERMINATED
//                                                                      ↘ TERMINATED_WITH_ERRORS
//            (any live state may go to TERMINATING)
//   step:    PENDING → RUNNING → COMPLETED | FAILED | CANCELLED | INTERRUPTED
//            PENDING → CANCELLED;  RUNNING → CANCEL_PENDING → CANCELLED | COMPLETED | FAILED
#pragma once

#include <optional>
#include <string_view>

namespace sluice::clusters {

enum class ClusterState {
  kStarting,              // nodes are being provisioned
  kBootstrapping,         // bootstrap actions run on every node; applications are checked
  kRunning,               // at least one step is running
  kWaiting,               // up, with no step running
  kTerminating,           // shutting down: steps are stopped, nodes released
  kTerminated,            // ended normally
  kTerminatedWithErrors,  // ended because of a failure
};

enum class StepState {
  kPending,        // queued; runs when the cluster is up and a concurrency slot is free
  kCancelPending,  // cancellation of a running step was requested; its processes are being stopped
  kRunning,
  kCompleted,    // exit code 0
  kCancelled,    // cancelled, or never run because the cluster ended or an earlier step failed
  kFailed,       // exit code other than 0, or the step could not start
  kInterrupted,  // the engine stopped while the step ran (found on restart)
};

// ClusterStateChangeReasonCode: exactly EMR's eight.
enum class ReasonCode {
  kNone,  // no reason (the live states)
  kInternalError,
  kValidationError,
  kInstanceFailure,
  kInstanceFleetTimeout,
  kBootstrapFailure,
  kUserRequest,
  kStepFailure,
  kAllStepsCompleted,
};

enum class ActionOnFailure { kTerminateCluster, kTerminateJobFlow, kCancelAndWait, kContinue };

std::string_view ClusterStateName(ClusterState state);
std::string_view StepStateName(StepState state);
std::string_view ReasonCodeName(ReasonCode code);  // "" for kNone
std::string_view ActionOnFailureName(ActionOnFailure action);

std::optional<ClusterState> ParseClusterState(std::string_view name);
std::optional<StepState> ParseStepState(std::string_view name);
std::optional<ReasonCode> ParseReasonCode(std::string_view name);
std::optional<ActionOnFailure> ParseActionOnFailure(std::string_view name);

// STARTING, BOOTSTRAPPING, RUNNING or WAITING: the cluster can take steps.
bool IsLive(ClusterState state);
// TERMINATED or TERMINATED_WITH_ERRORS.
bool IsTerminal(ClusterState state);
bool IsFinished(StepState state);  // COMPLETED, CANCELLED, FAILED or INTERRUPTED

bool CanTransition(ClusterState from, ClusterState to);
bool CanTransition(StepState from, StepState to);

// The final state for a termination reason: a *_FAILURE or *_ERROR code ends
// TERMINATED_WITH_ERRORS, any other TERMINATED (the rule EMR and its emulators follow).
ClusterState EndStateFor(ReasonCode code);

}  // namespace sluice::clusters

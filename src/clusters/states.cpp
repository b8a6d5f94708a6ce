#include "sluice/clusters/states.h"

#include <array>
#include <utility>

namespace sluice::clusters {
namespace {

template <typename Enum, size_t N>
std::optional<Enum> Lookup(const std::array<std::pair<Enum, std::string_view>, N>& names,
                           std::string_view name) {
  for (const auto& [value, text] : names) {
    if (text == name) return value;
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
std::string_view NameOf(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum value) {
  for (const auto& [v, text] : names) {
    if (v == value) return text;
  }
  return "";
}

using CS = ClusterState;
using SS = StepState;

constexpr std::array<std::pair<CS, std::string_view>, 7> kClusterStates{{
    {CS::kStarting, "STARTING"},
    {CS::kBootstrapping, "BOOTSTRAPPING"},
    {CS::kRunning, "RUNNING"},
    {CS::kWaiting, "WAITING"},
    {CS::kTerminating, "TERMINATING"},
    {CS::kTerminated, "TERMINATED"},
    {CS::kTerminatedWithErrors, "TERMINATED_WITH_ERRORS"},
}};

constexpr std::array<std::pair<SS, std::string_view>, 7> kStepStates{{
    {SS::kPending, "PENDING"},
    {SS::kCancelPending, "CANCEL_PENDING"},
    {SS::kRunning, "RUNNING"},
    {SS::kCompleted, "COMPLETED"},
    {SS::kCancelled, "CANCELLED"},
    {SS::kFailed, "FAILED"},
    {SS::kInterrupted, "INTERRUPTED"},
}};

constexpr std::array<std::pair<ReasonCode, std::string_view>, 8> kReasonCodes{{
    {ReasonCode::kInternalError, "INTERNAL_ERROR"},
    {ReasonCode::kValidationError, "VALIDATION_ERROR"},
    {ReasonCode::kInstanceFailure, "INSTANCE_FAILURE"},
    {ReasonCode::kInstanceFleetTimeout, "INSTANCE_FLEET_TIMEOUT"},
    {ReasonCode::kBootstrapFailure, "BOOTSTRAP_FAILURE"},
    {ReasonCode::kUserRequest, "USER_REQUEST"},
    {ReasonCode::kStepFailure, "STEP_FAILURE"},
    {ReasonCode::kAllStepsCompleted, "ALL_STEPS_COMPLETED"},
}};

constexpr std::array<std::pair<ActionOnFailure, std::string_view>, 4> kActions{{
    {ActionOnFailure::kTerminateCluster, "TERMINATE_CLUSTER"},
    {ActionOnFailure::kTerminateJobFlow, "TERMINATE_JOB_FLOW"},
    {ActionOnFailure::kCancelAndWait, "CANCEL_AND_WAIT"},
    {ActionOnFailure::kContinue, "CONTINUE"},
}};

// state × next state. Self-transitions are not transitions.
constexpr std::pair<CS, CS> kClusterTransitions[] = {
    {CS::kStarting, CS::kBootstrapping},
    {CS::kStarting, CS::kTerminating},
    {CS::kBootstrapping, CS::kRunning},
    {CS::kBootstrapping, CS::kWaiting},
    {CS::kBootstrapping, CS::kTerminating},
    {CS::kRunning, CS::kWaiting},
    {CS::kRunning, CS::kTerminating},
    {CS::kWaiting, CS::kRunning},
    {CS::kWaiting, CS::kTerminating},
    {CS::kTerminating, CS::kTerminated},
    {CS::kTerminating, CS::kTerminatedWithErrors},
};

constexpr std::pair<SS, SS> kStepTransitions[] = {
    {SS::kPending, SS::kRunning},
    {SS::kPending, SS::kCancelled},
    {SS::kPending, SS::kFailed},  // could not start (the command does not exist, ...)
    {SS::kRunning, SS::kCompleted},
    {SS::kRunning, SS::kFailed},
    {SS::kRunning, SS::kCancelled},
    {SS::kRunning, SS::kInterrupted},
    {SS::kRunning, SS::kCancelPending},
    {SS::kCancelPending, SS::kCancelled},
    {SS::kCancelPending, SS::kCompleted},
    {SS::kCancelPending, SS::kFailed},
    {SS::kCancelPending, SS::kInterrupted},
};

}  // namespace

std::string_view ClusterStateName(ClusterState state) {
  return NameOf(kClusterStates, state);
}
std::string_view StepStateName(StepState state) {
  return NameOf(kStepStates, state);
}
std::string_view ReasonCodeName(ReasonCode code) {
  return NameOf(kReasonCodes, code);
}
std::string_view ActionOnFailureName(ActionOnFailure action) {
  return NameOf(kActions, action);
}

std::optional<ClusterState> ParseClusterState(std::string_view name) {
  return Lookup(kClusterStates, name);
}
std::optional<StepState> ParseStepState(std::string_view name) {
  return Lookup(kStepStates, name);
}
std::optional<ReasonCode> ParseReasonCode(std::string_view name) {
  if (name.empty()) return ReasonCode::kNone;
  return Lookup(kReasonCodes, name);
}
std::optional<ActionOnFailure> ParseActionOnFailure(std::string_view name) {
  return Lookup(kActions, name);
}

bool IsLive(ClusterState state) {
  return state == CS::kStarting || state == CS::kBootstrapping || state == CS::kRunning ||
         state == CS::kWaiting;
}

bool IsTerminal(ClusterState state) {
  return state == CS::kTerminated || state == CS::kTerminatedWithErrors;
}

bool IsFinished(StepState state) {
  return state == SS::kCompleted || state == SS::kCancelled || state == SS::kFailed ||
         state == SS::kInterrupted;
}

bool CanTransition(ClusterState from, ClusterState to) {
  for (const auto& [a, b] : kClusterTransitions) {
    if (a == from && b == to) return true;
  }
  return false;
}

bool CanTransition(StepState from, StepState to) {
  for (const auto& [a, b] : kStepTransitions) {
    if (a == from && b == to) return true;
  }
  return false;
}

ClusterState EndStateFor(ReasonCode code) {
  switch (code) {
    case ReasonCode::kInternalError:
    case ReasonCode::kValidationError:
    case ReasonCode::kInstanceFailure:
    case ReasonCode::kInstanceFleetTimeout:
    case ReasonCode::kBootstrapFailure:
    case ReasonCode::kStepFailure:
      return CS::kTerminatedWithErrors;
    case ReasonCode::kNone:
    case ReasonCode::kUserRequest:
    case ReasonCode::kAllStepsCompleted:
      return CS::kTerminated;
  }
  return CS::kTerminatedWithErrors;
}

}  // namespace sluice::clusters

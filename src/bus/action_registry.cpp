#include "sluice/bus/action_registry.h"

namespace sluice::bus {

void ActionRegistry::Register(std::string name, std::unique_ptr<Action> action) {
  actions_[std::move(name)] = std::move(action);
}

Status ActionRegistry::CheckTarget(const Target& target) const {
  if (!target.function.empty()) {
    if (functions_ == nullptr) {
      return Status::InvalidArgument(
          "target " + target.id + ": function targets are not available in this sluice",
          "ValidationException");
    }
    return functions_->CheckTarget(target);
  }
  auto it = actions_.find(target.action);
  if (it == actions_.end()) {
    std::string known;
    for (const auto& [name, action] : actions_)
      known += (known.empty() ? "" : ", ") + name;
    return Status::InvalidArgument(
        "target " + target.id + ": unknown action \"" + target.action + "\" (known: " + known + ")",
        "ValidationException");
  }
  return it->second->CheckParameters(target.parameters)
      .WithContext("target " + target.id + " (" + target.action + ")");
}

InvokeResult ActionRegistry::Invoke(const Invocation& invocation) {
  const Target& target = invocation.target;
  if (!target.function.empty()) {
    if (functions_ == nullptr) {
      return InvokeResult::Fail("NO_RESOURCE", "function targets are not available");
    }
    return functions_->Invoke(invocation);
  }
  auto it = actions_.find(target.action);
  if (it == actions_.end()) {
    return InvokeResult::Fail("NO_RESOURCE", "unknown action " + target.action);
  }
  return it->second->Run(invocation);
}

}  // namespace sluice::bus

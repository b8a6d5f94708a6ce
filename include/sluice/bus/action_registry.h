// ActionRegistry: the TargetInvoker for built-in actions, each registered under its name
// (`put_events`, `write_log`, and later `create_cluster`, `add_steps`, ...). Function targets are
// passed on to a function invoker once one is set (the functions issue).
//
// Register everything before the dispatcher starts; afterwards the registry is read-only.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "sluice/bus/target_invoker.h"

namespace sluice::bus {

class Action {
 public:
  virtual ~Action() = default;
  // Checks the target's Parameters when its rule is put.
  virtual Status CheckParameters(const nlohmann::json& parameters) const = 0;
  virtual InvokeResult Run(const Invocation& invocation) = 0;
};

class ActionRegistry final : public TargetInvoker {
 public:
  void Register(std::string name, std::unique_ptr<Action> action);
  void SetFunctionInvoker(TargetInvoker* functions) { functions_ = functions; }

  Status CheckTarget(const Target& target) const override;
  InvokeResult Invoke(const Invocation& invocation) override;

 private:
  std::map<std::string, std::unique_ptr<Action>> actions_;
  TargetInvoker* functions_ = nullptr;
};

}  // namespace sluice::bus

// The run_sql action: see builtin_actions.h.
#pragma once

#include "sluice/actions/builtin_actions.h"

namespace sluice::actions {

class RunSqlAction final : public bus::Action {
 public:
  explicit RunSqlAction(ActionContext context) : context_(std::move(context)) {}
  Status CheckParameters(const nlohmann::json& parameters) const override;
  bus::InvokeResult Run(const bus::Invocation& invocation) override;

 private:
  ActionContext context_;
};

}  // namespace sluice::actions

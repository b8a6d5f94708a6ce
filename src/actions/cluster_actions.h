// The cluster actions: see builtin_actions.h. Each is idempotent on the delivery key, so a
// retried delivery neither launches a second cluster nor adds its steps twice.
#pragma once

#include "sluice/actions/builtin_actions.h"
#include "sluice/clusters/cluster_store.h"

namespace sluice::actions {

class CreateClusterAction final : public bus::Action {
 public:
  explicit CreateClusterAction(ActionContext context)
      : context_(std::move(context)), store_(context_.identity) {}
  Status CheckParameters(const nlohmann::json& parameters) const override;
  bus::InvokeResult Run(const bus::Invocation& invocation) override;

 private:
  ActionContext context_;
  clusters::ClusterStore store_;
};

class AddStepsAction final : public bus::Action {
 public:
  explicit AddStepsAction(ActionContext context)
      : context_(std::move(context)), store_(context_.identity) {}
  Status CheckParameters(const nlohmann::json& parameters) const override;
  bus::InvokeResult Run(const bus::Invocation& invocation) override;

 private:
  ActionContext context_;
  clusters::ClusterStore store_;
};

class TerminateClusterAction final : public bus::Action {
 public:
  explicit TerminateClusterAction(ActionContext context)
      : context_(std::move(context)), store_(context_.identity) {}
  Status CheckParameters(const nlohmann::json& parameters) const override;
  bus::InvokeResult Run(const bus::Invocation& invocation) override;

 private:
  ActionContext context_;
  clusters::ClusterStore store_;
};

}  // namespace sluice::actions

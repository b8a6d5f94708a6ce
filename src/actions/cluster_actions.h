// The cluster actions: see builtin_actions.h. Each is idempotent on the delivery key, so a
// retried delivery neither launches a second cluster nor adds its steps twice.
#pragma once

#include "sluice/actions/builtin_actions.h"
#include "sluice/clusters/cluster_store.h"

namespace sluice::actions {

// What every cluster action holds: the engine's context and the cluster records it changes.
class ClusterAction : public bus::Action {
 public:
  explicit ClusterAction(ActionContext context)
      : context_(std::move(context)), store_(context_.identity) {}

 protected:
  // Wakes the cluster manager after this action recorded work for it.
  void ClustersChanged() const {
    if (context_.clusters_changed) context_.clusters_changed();
  }

  ActionContext context_;
  clusters::ClusterStore store_;
};

class CreateClusterAction final : public ClusterAction {
 public:
  using ClusterAction::ClusterAction;
  Status CheckParameters(const nlohmann::json& parameters) const override;
  bus::InvokeResult Run(const bus::Invocation& invocation) override;
};

class AddStepsAction final : public ClusterAction {
 public:
  using ClusterAction::ClusterAction;
  Status CheckParameters(const nlohmann::json& parameters) const override;
  bus::InvokeResult Run(const bus::Invocation& invocation) override;
};

class TerminateClusterAction final : public ClusterAction {
 public:
  using ClusterAction::ClusterAction;
  Status CheckParameters(const nlohmann::json& parameters) const override;
  bus::InvokeResult Run(const bus::Invocation& invocation) override;
};

}  // namespace sluice::actions

// FunctionTargets: the TargetInvoker for rule targets that name a function. EventBridge invokes
// a Lambda function asynchronously, so a delivery succeeds once its event is queued for the
// function (async_queue.h) — once per delivery key, however often the delivery runs — and the
// function's own retry policy takes over from there (async_invoker.h). A function that does not
// exist fails the delivery for good (RESOURCE_NOT_FOUND), as EventBridge dead-letters a target
// that is gone; an event over Lambda's 1 MB asynchronous limit fails it too.
//
// Called from the dispatcher's thread; `on_queued` (the engine's AsyncInvoker::Notify) from it.
#pragma once

#include <functional>

#include "sluice/bus/target_invoker.h"
#include "sluice/common/clock.h"
#include "sluice/store/database.h"

namespace sluice::functions {

class FunctionTargets final : public bus::TargetInvoker {
 public:
  FunctionTargets(store::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Called after each event is queued (the engine wakes its AsyncInvoker).
  void OnQueued(std::function<void()> hook) { on_queued_ = std::move(hook); }

  Status CheckTarget(const bus::Target& target) const override;
  bus::InvokeResult Invoke(const bus::Invocation& invocation) override;

 private:
  store::Database& db_;
  const Clock& clock_;
  std::function<void()> on_queued_;
};

}  // namespace sluice::functions

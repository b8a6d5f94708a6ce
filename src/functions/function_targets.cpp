#include "sluice/functions/function_targets.h"

#include "sluice/functions/async_queue.h"
#include "sluice/functions/function_registry.h"
#include "sluice/functions/invocation.h"

namespace sluice::functions {

Status FunctionTargets::CheckTarget(const bus::Target& target) const {
  // The function may be created after the rule (Lambda's PutTargets does not look either); only
  // its name is checked now.
  return ValidateFunctionName(target.function).WithContext("target " + target.id);
}

bus::InvokeResult FunctionTargets::Invoke(const bus::Invocation& invocation) {
  const std::string& name = invocation.target.function;
  if (invocation.input.size() > kMaxAsyncPayloadBytes) {
    return bus::InvokeResult::Fail("REQUEST_TOO_LARGE",
                                   "the event is " + std::to_string(invocation.input.size()) +
                                       " bytes; a function's asynchronous event is at most 1 MB");
  }
  bool exists = false;
  Status queued = db_.Write([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(std::optional<StoredFunction> function, GetFunction(tx, name));
    exists = function.has_value();
    if (!exists) return Status::Ok();
    NewAsyncInvocation queued{name, std::string(invocation.input),
                              "rule/" + std::string(invocation.rule),
                              std::string(invocation.delivery_key)};
    return EnqueueAsync(tx, queued, clock_.Now()).status();
  });
  if (!queued.ok()) return bus::InvokeResult::Retry("INTERNAL_ERROR", queued.ToString());
  if (!exists) {
    return bus::InvokeResult::Fail("RESOURCE_NOT_FOUND", "function " + name + " does not exist");
  }
  if (on_queued_) on_queued_();
  return bus::InvokeResult::Ok();
}

}  // namespace sluice::functions

#include "sluice/actions/builtin_actions.h"

#include "actions/put_events_action.h"
#include "actions/write_log_action.h"

namespace sluice::actions {

void RegisterBuiltinActions(bus::ActionRegistry& registry, const ActionContext& context) {
  registry.Register("put_events", std::make_unique<PutEventsAction>(context));
  registry.Register("write_log", std::make_unique<WriteLogAction>(context));
}

}  // namespace sluice::actions

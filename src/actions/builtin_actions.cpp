#include "sluice/actions/builtin_actions.h"

#include "actions/cluster_actions.h"
#include "actions/put_events_action.h"
#include "actions/run_sql_action.h"
#include "actions/write_log_action.h"

namespace sluice::actions {

void RegisterBuiltinActions(bus::ActionRegistry& registry, const ActionContext& context) {
  registry.Register("put_events", std::make_unique<PutEventsAction>(context));
  registry.Register("write_log", std::make_unique<WriteLogAction>(context));
  registry.Register("create_cluster", std::make_unique<CreateClusterAction>(context));
  registry.Register("add_steps", std::make_unique<AddStepsAction>(context));
  registry.Register("terminate_cluster", std::make_unique<TerminateClusterAction>(context));
  if (context.lake != nullptr)
    registry.Register("run_sql", std::make_unique<RunSqlAction>(context));
}

}  // namespace sluice::actions

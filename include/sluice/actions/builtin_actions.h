// The built-in actions a rule target can name, registered into the bus's ActionRegistry:
//   put_events  emits a custom event (Parameters: Source, DetailType); the target's input
//               becomes the event's detail. Idempotent: a retried delivery emits nothing new.
//   write_log   appends one JSON line per delivery to a local file (Parameters: Path), synced
//               before the delivery counts as done:
//               {"delivery","attempt","rule","time","input"}.
// Later issues add create_cluster, add_steps, terminate_cluster, run_sql, load_warehouse.
#pragma once

#include "sluice/bus/action_registry.h"
#include "sluice/common/aws_identity.h"
#include "sluice/common/clock.h"
#include "sluice/store/database.h"

namespace sluice::actions {

struct ActionContext {
  store::Database* db;
  AwsIdentity identity;
  const Clock* clock;
};

void RegisterBuiltinActions(bus::ActionRegistry& registry, const ActionContext& context);

}  // namespace sluice::actions

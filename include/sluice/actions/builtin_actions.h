// The built-in actions a rule target can name, registered into the bus's ActionRegistry:
//   put_events  emits a custom event (Parameters: Source, DetailType); the target's input
//               becomes the event's detail. Idempotent: a retried delivery emits nothing new.
//   write_log   appends one JSON line per delivery to a local file (Parameters: Path), synced
//               before the delivery counts as done:
//               {"delivery","attempt","rule","time","input"}.
//   create_cluster  launches a cluster from a template (Parameters: Template, Reuse, Tags,
//               Steps). Reuse: true attaches to the template's newest live cluster instead.
//   add_steps   adds steps to a cluster (Parameters: ClusterId, default ${detail.clusterId}, or
//               Cluster, a template whose newest live cluster takes them; Unique; Steps).
//               Unique: true skips a step whose name is already PENDING or RUNNING there.
//   terminate_cluster  asks a cluster to end (Parameters: ClusterId or Cluster, as add_steps).
//   run_sql     runs a sql step (engine/sql_step.h) in the engine's own process, with no
//               cluster, for small jobs: Parameters are the step's keys (inputs, query, output,
//               load, on_bad_rows) and an optional Name. Its load happens once per delivery.
// Cluster actions' and run_sql's parameters are templated from the event (and the cluster; see
// parameter_template.h) and are idempotent on the delivery key.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "sluice/bus/action_registry.h"
#include "sluice/common/aws_identity.h"
#include "sluice/common/clock.h"
#include "sluice/lake/local_object_store.h"
#include "sluice/store/database.h"
#include "sluice/warehouse/warehouse.h"

namespace sluice::actions {

struct ActionContext {
  store::Database* db = nullptr;
  AwsIdentity identity;
  const Clock* clock = &SystemClock::Instance();
  // Called after an action recorded cluster work, to wake the cluster manager; may be empty.
  std::function<void()> clusters_changed;
  // run_sql: the lake it reads and writes (nullptr: run_sql is refused), the warehouse it loads,
  // and where its temp files go.
  lake::LocalObjectStore* lake = nullptr;
  std::string warehouse_url;
  warehouse::WarehouseOptions warehouse_options;
  std::filesystem::path work_root;
};

void RegisterBuiltinActions(bus::ActionRegistry& registry, const ActionContext& context);

}  // namespace sluice::actions

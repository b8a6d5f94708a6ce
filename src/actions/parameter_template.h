// Templated action parameters: strings in a target's Parameters may hold `${path}` variables,
// filled in from the delivery's input (the event: `${detail.object.key}`, `${id}`, `${time}`,
// `${resources.0}`) and, for actions on a cluster, from that cluster (`${cluster.id}`,
// `${cluster.name}`, `${cluster.tags.source_key}`). `$${` writes a literal `${`.
//
// A string that is one variable and nothing else takes the value's JSON type; elsewhere values
// are written as text (strings bare, others as JSON).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sluice/clusters/cluster_store.h"
#include "sluice/common/result.h"

namespace sluice::actions {

// Checks the syntax and the variables that can be known when the rule is put: each must start
// at an event field (version, id, detail-type, source, account, time, region, resources,
// detail) or, when `cluster_known`, at `cluster`.
Status CheckTemplate(const nlohmann::json& parameters, bool cluster_known);

// Fills in every variable; a variable missing from the event or the cluster is an error naming
// it.
Result<nlohmann::json> ExpandTemplate(const nlohmann::json& parameters, const nlohmann::json& event,
                                      const clusters::Cluster* cluster);

}  // namespace sluice::actions

// The `aws.emr` events of cluster and step transitions, with EMR's detail fields (all strings;
// `stateChangeReason` is itself JSON text) and EMR's message wording.
#pragma once

#include "sluice/clusters/cluster_store.h"
#include "sluice/store/event_log.h"

namespace sluice::clusters {

store::EventSpec ClusterStateChangeEvent(const Cluster& cluster, const AwsIdentity& identity,
                                         TimePoint now);
store::EventSpec StepStatusChangeEvent(const Cluster& cluster, const Step& step,
                                       const AwsIdentity& identity, TimePoint now);

// A fresh EMR-style id: `prefix` ("j-" or "s-") and 13 characters of [0-9A-Z].
std::string NewEmrId(std::string_view prefix);

}  // namespace sluice::clusters

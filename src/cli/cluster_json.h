// Clusters and steps as EMR's DescribeCluster / ListSteps show them (times as ISO 8601 strings),
// for the `--json` output of `sluice clusters` and `sluice steps`.
#pragma once

#include <nlohmann/json.hpp>

#include "sluice/clusters/cluster_store.h"

namespace sluice::cli {

nlohmann::json ClusterJson(const clusters::Cluster& cluster, const AwsIdentity& identity);
// The short form ListClusters returns.
nlohmann::json ClusterSummaryJson(const clusters::Cluster& cluster, const AwsIdentity& identity);
nlohmann::json StepJson(const clusters::Step& step);

}  // namespace sluice::cli

// What clusters cost. A PriceTable gives each instance type its EC2 and EMR prices ($/hour,
// on-demand, us-east-1) and the price of a machine-hour here; the cost ledger books each
// cluster's node-seconds when it ends, billed as EMR bills: per second, with a one-minute minimum
// per node.
//
// The table ships with common instance types; <data-dir>/prices.json overrides or extends it:
//   {"local_usd_per_hour": 0.05,
//    "instances": {"m5.xlarge": {"ec2_usd_per_hour": 0.192, "emr_usd_per_hour": 0.048}}}
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sluice/clusters/cluster_store.h"

namespace sluice::clusters {

struct InstancePrice {
  double ec2_usd_per_hour = 0;
  double emr_usd_per_hour = 0;
};

class PriceTable {
 public:
  // The shipped prices.
  static PriceTable Default();
  // The shipped prices with `file`'s entries over them; a missing file changes nothing.
  static Result<PriceTable> Load(const std::filesystem::path& file);

  std::optional<InstancePrice> Find(const std::string& instance_type) const;
  double local_usd_per_hour() const { return local_usd_per_hour_; }
  const std::map<std::string, InstancePrice>& instances() const { return instances_; }

 private:
  std::map<std::string, InstancePrice> instances_;
  double local_usd_per_hour_ = 0.05;  // a 2-core, 24 GiB machine, rented or owned
};

// Per node: seconds from creation to end, rounded up, one minute at least.
int64_t BilledSeconds(TimePoint start, TimePoint end);

// Books an ended cluster's cost: one ledger row per instance group. Booking twice changes
// nothing. An instance type missing from the table is booked at 0 with a warning in the log.
Status BookClusterCost(store::Transaction& tx, const Cluster& cluster, const PriceTable& prices);

struct CostLine {
  std::string key;  // the cluster id, pipeline or day (YYYY-MM-DD) it sums
  int clusters = 0;
  int64_t node_seconds = 0;  // billed
  double local_usd = 0;
  double emr_usd = 0;
};

enum class CostGrouping { kCluster, kPipeline, kDay };
Result<std::vector<CostLine>> SumCosts(store::Transaction& tx, CostGrouping grouping);

// How long EMR typically takes from RunJobFlow to a cluster ready for steps: what a transient
// cluster there bills on every node before its first step (5 to 20 minutes are common).
inline constexpr std::chrono::seconds kTypicalEmrProvisioning{600};

struct RunCost {
  CostLine booked;  // the clusters' ledger rows, summed (key empty)
  // The same instance groups on EMR, each node also billed for `provisioning` before its work.
  double emr_with_provisioning_usd = 0;
};

// What the ended clusters among `cluster_ids` cost (clusters still live are not booked yet).
Result<RunCost> CostOfClusters(store::Transaction& tx, const std::vector<std::string>& cluster_ids,
                               std::chrono::seconds provisioning = kTypicalEmrProvisioning);

}  // namespace sluice::clusters

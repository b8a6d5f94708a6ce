#include "sluice/clusters/cost.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sluice/common/json_fields.h"
#include "sluice/common/time_format.h"

namespace sluice::clusters {
namespace {

using nlohmann::json;

// On-demand Linux prices in us-east-1 (EC2, and the EMR fee on top), $/hour.
constexpr struct {
  const char* type;
  double ec2, emr;
} kShippedPrices[] = {
    {"m5.large", 0.096, 0.024},    {"m5.xlarge", 0.192, 0.048},    {"m5.2xlarge", 0.384, 0.096},
    {"m5.4xlarge", 0.768, 0.192},  {"m5.8xlarge", 1.536, 0.27},    {"m5.12xlarge", 2.304, 0.27},
    {"m6g.xlarge", 0.154, 0.0385}, {"m6g.2xlarge", 0.308, 0.077},  {"m6i.xlarge", 0.192, 0.048},
    {"m6i.2xlarge", 0.384, 0.096}, {"m7g.xlarge", 0.1632, 0.0408}, {"c5.xlarge", 0.17, 0.052},
    {"c5.2xlarge", 0.34, 0.085},   {"c5.4xlarge", 0.68, 0.17},     {"r5.xlarge", 0.252, 0.063},
    {"r5.2xlarge", 0.504, 0.126},  {"r5.4xlarge", 1.008, 0.252},   {"r6g.xlarge", 0.2016, 0.0504},
    {"i3.xlarge", 0.312, 0.078},   {"m4.large", 0.10, 0.03},       {"m4.xlarge", 0.20, 0.06},
};

}  // namespace

PriceTable PriceTable::Default() {
  PriceTable table;
  for (const auto& p : kShippedPrices)
    table.instances_[p.type] = {p.ec2, p.emr};
  return table;
}

Result<PriceTable> PriceTable::Load(const std::filesystem::path& file) {
  PriceTable table = Default();
  std::ifstream in(file);
  if (!in) return table;
  json doc = json::parse(in, nullptr, false);
  const std::string where = file.string();
  if (!doc.is_object()) return Status::InvalidArgument(where + ": not a JSON object");
  SLUICE_RETURN_IF_ERROR(RejectUnknownKeys(doc, {"local_usd_per_hour", "instances"}, where));
  SLUICE_RETURN_IF_ERROR(ReadField(doc, "local_usd_per_hour", table.local_usd_per_hour_, where));
  if (auto it = doc.find("instances"); it != doc.end()) {
    if (!it->is_object()) return Status::InvalidArgument(where + ": instances must be an object");
    for (const auto& [type, price] : it->items()) {
      std::string at = where + ": instances." + type;
      if (!price.is_object()) return Status::InvalidArgument(at + " must be an object");
      SLUICE_RETURN_IF_ERROR(
          RejectUnknownKeys(price, {"ec2_usd_per_hour", "emr_usd_per_hour"}, at));
      InstancePrice p = table.Find(type).value_or(InstancePrice{});
      SLUICE_RETURN_IF_ERROR(ReadField(price, "ec2_usd_per_hour", p.ec2_usd_per_hour, at));
      SLUICE_RETURN_IF_ERROR(ReadField(price, "emr_usd_per_hour", p.emr_usd_per_hour, at));
      if (p.ec2_usd_per_hour < 0 || p.emr_usd_per_hour < 0) {
        return Status::InvalidArgument(at + ": prices cannot be negative");
      }
      table.instances_[type] = p;
    }
  }
  if (table.local_usd_per_hour_ < 0) {
    return Status::InvalidArgument(where + ": local_usd_per_hour cannot be negative");
  }
  return table;
}

std::optional<InstancePrice> PriceTable::Find(const std::string& instance_type) const {
  auto it = instances_.find(instance_type);
  if (it == instances_.end()) return std::nullopt;
  return it->second;
}

int64_t BilledSeconds(TimePoint start, TimePoint end) {
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(end - start).count();
  int64_t seconds = (std::max<int64_t>(millis, 0) + 999) / 1000;
  return std::max<int64_t>(seconds, 60);
}

Status BookClusterCost(store::Transaction& tx, const Cluster& cluster, const PriceTable& prices) {
  TimePoint end = cluster.ended.value_or(cluster.created);
  int64_t billed = BilledSeconds(cluster.created, end);
  auto lived = std::chrono::duration<double>(end - cluster.created).count();
  auto pipeline = cluster.spec.tags.find("sluice:pipeline");
  bool first = true;
  for (const InstanceGroup& group : cluster.spec.instance_groups) {
    if (group.count == 0) continue;
    auto price = prices.Find(group.instance_type);
    if (!price) {
      spdlog::warn("cost: no price for instance type {} (cluster {}); booked at 0",
                   group.instance_type, cluster.id);
    }
    InstancePrice p = price.value_or(InstancePrice{});
    double emr_usd = group.count * billed * (p.ec2_usd_per_hour + p.emr_usd_per_hour) / 3600.0;
    // The local cluster shares one machine: its time here is booked once, on the first group.
    double local_usd = first ? lived * prices.local_usd_per_hour() / 3600.0 : 0.0;
    first = false;
    SLUICE_RETURN_IF_ERROR(
        tx.Execute("INSERT OR IGNORE INTO cost_ledger (cluster_id, instance_group, instance_type, "
                   "instance_count, template, pipeline, start_ms, end_ms, billed_seconds, "
                   "ec2_usd_hour, emr_usd_hour, local_usd, emr_usd) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   cluster.id, group.name.empty() ? group.role : group.name, group.instance_type,
                   group.count, cluster.template_name,
                   pipeline == cluster.spec.tags.end() ? std::string() : pipeline->second,
                   ToUnixMillis(cluster.created), ToUnixMillis(end), billed, p.ec2_usd_per_hour,
                   p.emr_usd_per_hour, local_usd, emr_usd)
            .status());
  }
  return Status::Ok();
}

Result<std::vector<CostLine>> SumCosts(store::Transaction& tx, CostGrouping grouping) {
  std::string key;
  switch (grouping) {
    case CostGrouping::kCluster:
      key = "cluster_id";
      break;
    case CostGrouping::kPipeline:
      key = "CASE pipeline WHEN '' THEN template ELSE pipeline END";
      break;
    case CostGrouping::kDay:
      key = "strftime('%Y-%m-%d', start_ms / 1000, 'unixepoch')";
      break;
  }
  SLUICE_ASSIGN_OR_RETURN(
      store::Cursor rows,
      tx.Query(
          "SELECT " + key +
          " AS k, count(DISTINCT cluster_id), sum(billed_seconds * instance_count), "
          "sum(local_usd), sum(emr_usd) FROM cost_ledger GROUP BY k ORDER BY min(start_ms), k"));
  std::vector<CostLine> lines;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(bool more, rows.Next());
    if (!more) return lines;
    CostLine line;
    line.key = rows.Text(0);
    line.clusters = static_cast<int>(rows.Int(1));
    line.node_seconds = rows.Int(2);
    line.local_usd = rows.Double(3);
    line.emr_usd = rows.Double(4);
    lines.push_back(line);
  }
}

Result<RunCost> CostOfClusters(store::Transaction& tx, const std::vector<std::string>& cluster_ids,
                               std::chrono::seconds provisioning) {
  RunCost cost;
  for (const std::string& id : cluster_ids) {
    SLUICE_ASSIGN_OR_RETURN(
        store::Cursor rows,
        tx.Query("SELECT instance_count, start_ms, end_ms, billed_seconds, ec2_usd_hour, "
                 "emr_usd_hour, local_usd, emr_usd FROM cost_ledger WHERE cluster_id = ?",
                 id));
    bool booked = false;
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(bool more, rows.Next());
      if (!more) break;
      booked = true;
      int64_t count = rows.Int(0);
      TimePoint start = FromUnixMillis(rows.Int(1));
      TimePoint end = FromUnixMillis(rows.Int(2)) + provisioning;
      cost.booked.node_seconds += rows.Int(3) * count;
      cost.booked.local_usd += rows.Double(6);
      cost.booked.emr_usd += rows.Double(7);
      cost.emr_with_provisioning_usd +=
          count * BilledSeconds(start, end) * (rows.Double(4) + rows.Double(5)) / 3600.0;
    }
    cost.booked.clusters += booked ? 1 : 0;
  }
  return cost;
}

}  // namespace sluice::clusters

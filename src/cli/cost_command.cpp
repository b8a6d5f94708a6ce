// `sluice cost`: what ended clusters cost, from the cost ledger.
#include <cstdio>

#include "cli/command.h"
#include "sluice/clusters/cost.h"

namespace sluice::cli {
namespace {

struct CostArgs {
  std::string by = "cluster";
  bool json = false;
};

Status CostCommand(DataDir& dir, const CostArgs& args) {
  clusters::CostGrouping grouping;
  if (args.by == "cluster") {
    grouping = clusters::CostGrouping::kCluster;
  } else if (args.by == "pipeline") {
    grouping = clusters::CostGrouping::kPipeline;
  } else if (args.by == "day") {
    grouping = clusters::CostGrouping::kDay;
  } else {
    return UsageError("--by is cluster, pipeline or day");
  }
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  std::vector<clusters::CostLine> lines;
  SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(lines, clusters::SumCosts(tx, grouping));
    return Status::Ok();
  }));
  if (args.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& l : lines) {
      out.push_back({{"Key", l.key},
                     {"Clusters", l.clusters},
                     {"NodeSeconds", l.node_seconds},
                     {"LocalUsd", l.local_usd},
                     {"EmrUsd", l.emr_usd}});
    }
    std::puts(nlohmann::json{{"By", args.by}, {"Costs", out}}.dump(2).c_str());
    return Status::Ok();
  }
  std::printf("%-24s %8s %12s %12s %12s\n",
              args.by == "cluster"    ? "CLUSTER"
              : args.by == "pipeline" ? "PIPELINE"
                                      : "DAY",
              "CLUSTERS", "NODE-SECONDS", "LOCAL $", "ON EMR $");
  clusters::CostLine total;
  for (const auto& l : lines) {
    std::printf("%-24s %8d %12lld %12.4f %12.4f\n", l.key.c_str(), l.clusters,
                static_cast<long long>(l.node_seconds), l.local_usd, l.emr_usd);
    total.clusters += l.clusters;
    total.node_seconds += l.node_seconds;
    total.local_usd += l.local_usd;
    total.emr_usd += l.emr_usd;
  }
  std::printf("%-24s %8d %12lld %12.4f %12.4f\n", "TOTAL", total.clusters,
              static_cast<long long>(total.node_seconds), total.local_usd, total.emr_usd);
  return Status::Ok();
}

}  // namespace

void RegisterCostCommand(CLI::App& app, Command& command) {
  static CostArgs args;
  auto* cost = app.add_subcommand(
      "cost", "What ended clusters cost here, and what the same node-seconds cost on EMR");
  cost->add_option("--by", args.by, "cluster (default), pipeline or day");
  cost->add_flag("--json", args.json, "Print one JSON document");
  cost->callback([&] { command.run = [](DataDir& d) { return CostCommand(d, args); }; });
}

}  // namespace sluice::cli

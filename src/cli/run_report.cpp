#include "cli/run_report.h"

#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/text_table.h"
#include "sluice/clusters/cost.h"
#include "sluice/clusters/step_logs.h"
#include "warehouse/table_name.h"

namespace sluice::cli {
namespace {

using nlohmann::json;

void Section(const char* title) {
  std::printf("\n%s\n", title);
}

std::string Took(TimePoint from, std::optional<TimePoint> to) {
  if (!to) return "";
  return fmt::format("{:.3f} s", std::chrono::duration<double>(*to - from).count());
}

struct RunClusters {
  std::vector<clusters::Cluster> clusters;
  std::vector<std::vector<clusters::Step>> steps;  // per cluster, oldest first
};

Result<RunClusters> ReadClusters(DataDir& dir, const std::vector<std::string>& ids) {
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  clusters::ClusterStore store(dir.identity());
  RunClusters run;
  SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
    for (const std::string& id : ids) {
      SLUICE_ASSIGN_OR_RETURN(std::optional<clusters::Cluster> cluster, store.GetCluster(tx, id));
      if (!cluster) continue;
      SLUICE_ASSIGN_OR_RETURN(std::vector<clusters::Step> steps, store.ListSteps(tx, id, {}));
      std::reverse(steps.begin(), steps.end());
      run.clusters.push_back(std::move(*cluster));
      run.steps.push_back(std::move(steps));
    }
    return Status::Ok();
  }));
  return run;
}

// Prints each cluster and its steps; returns the first step that did not complete, as an error.
Status PrintClusters(const RunClusters& run) {
  Section("clusters and steps");
  Status first_failure;
  size_t step_count = 0;
  for (size_t i = 0; i < run.clusters.size(); ++i) {
    const clusters::Cluster& c = run.clusters[i];
    std::printf("  cluster %s %s %s (%s) %s\n", c.id.c_str(), c.name.c_str(),
                std::string(clusters::ClusterStateName(c.state)).c_str(),
                std::string(clusters::ReasonCodeName(c.reason)).c_str(),
                Took(c.created, c.ended).c_str());
    for (const clusters::Step& s : run.steps[i]) {
      ++step_count;
      std::printf("    step %s %-28s %-10s %s\n", s.id.c_str(), s.config.name.c_str(),
                  std::string(clusters::StepStateName(s.state)).c_str(),
                  s.started ? Took(*s.started, s.ended).c_str() : "");
      if (s.state != clusters::StepState::kCompleted && first_failure.ok()) {
        std::string why = s.failure_message.empty() ? "" : ": " + s.failure_message;
        std::string log = s.failure_log.empty() ? "" : " (log: " + s.failure_log + ")";
        first_failure =
            Status::FailedPrecondition("step " + s.config.name + " (" + s.id + ") ended " +
                                       std::string(clusters::StepStateName(s.state)) + why + log);
      }
    }
  }
  std::printf("  %zu cluster(s), %zu step(s)\n", run.clusters.size(), step_count);
  return first_failure;
}

// Lake objects the steps wrote and the warehouse tables they loaded, each table with its first
// rows.
void PrintResults(DataDir& dir, const RunClusters& run) {
  std::vector<std::string> objects;
  std::set<std::string> tables;
  for (const auto& steps : run.steps) {
    for (const clusters::Step& s : steps) {
      json r = json::parse(s.result.empty() ? "{}" : s.result, nullptr, false);
      if (!r.is_object()) continue;
      for (const json& uri : r.value("Outputs", json::array())) {
        if (uri.is_string()) objects.push_back(uri.get<std::string>());
      }
      if (r.contains("Rejects") && r["Rejects"].is_string()) objects.push_back(r["Rejects"]);
      if (r.contains("Load") && r["Load"].is_object()) tables.insert(r["Load"].value("Table", ""));
    }
  }
  if (objects.empty() && tables.empty()) return;
  Section("results");
  for (const std::string& uri : objects)
    std::printf("  lake       %s\n", uri.c_str());
  auto url = dir.warehouse_url();
  for (const std::string& table : tables) {
    std::printf("  warehouse  %s in %s\n", table.c_str(),
                url.ok() ? url->c_str() : url.status().ToString().c_str());
  }
  for (const clusters::Cluster& c : run.clusters) {
    std::string logs = clusters::ArchivedClusterLogPrefix(c);
    if (!logs.empty()) std::printf("  logs       %s\n", logs.c_str());
  }
  auto warehouse = dir.Warehouse();
  if (!warehouse.ok()) {
    std::printf("  (warehouse: %s)\n", warehouse.status().ToString().c_str());
    return;
  }
  for (const std::string& table : tables) {
    auto name = warehouse::ParseTableName(table);
    if (!name.ok()) continue;
    auto count = (*warehouse)->Query("SELECT count(*) FROM " + name->Quoted(), 1);
    auto rows = (*warehouse)->Query("SELECT * FROM " + name->Quoted() + " ORDER BY 1 LIMIT 5", 5);
    if (!count.ok() || !rows.ok()) {
      std::printf("  (%s: %s)\n", table.c_str(),
                  (count.ok() ? rows.status() : count.status()).ToString().c_str());
      continue;
    }
    std::string total = count->rows.empty() ? "?" : count->rows[0][0].value_or("?");
    Section(fmt::format("{}: {} rows, the first ones", table, total).c_str());
    PrintTextTable(*rows, TableFormat::kTable);
  }
}

Status PrintCost(DataDir& dir, const RunClusters& run) {
  std::vector<std::string> ids;
  for (const clusters::Cluster& c : run.clusters)
    ids.push_back(c.id);
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  clusters::RunCost cost;
  SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(cost, clusters::CostOfClusters(tx, ids));
    return Status::Ok();
  }));
  if (cost.booked.clusters == 0) return Status::Ok();
  const clusters::CostLine& b = cost.booked;
  Section("cost");
  auto line = [](const std::string& what, double usd) {
    std::printf("  %-62s $%10.6f\n", what.c_str(), usd);
  };
  line("here, at the local price", b.local_usd);
  line(fmt::format("the same cluster on EMR: {} node-seconds, 1-minute minimum", b.node_seconds),
       b.emr_usd);
  line(fmt::format("a typical EMR run of this shape, with ~{} min of provisioning",
                   clusters::kTypicalEmrProvisioning.count() / 60),
       cost.emr_with_provisioning_usd);
  return Status::Ok();
}

}  // namespace

void PrintHappening(TimePoint start, const Happening& h) {
  std::printf("  %9s  %-7s  %s\n", Elapsed(start, h.time).c_str(), h.subject.c_str(),
              h.text.c_str());
}

Status PrintRunReport(DataDir& dir, const RunRecord& record) {
  Section("timeline (since the uploads began; the time since the line before)");
  TimePoint previous = record.start;
  for (const Happening& h : record.timeline) {
    double gap = std::chrono::duration<double>(h.time - previous).count() * 1000;
    std::printf("  %9s  %8s  %-7s  %s\n", Elapsed(record.start, h.time).c_str(),
                fmt::format("{:.0f} ms", gap).c_str(), h.subject.c_str(), h.text.c_str());
    previous = h.time;
  }
  SLUICE_ASSIGN_OR_RETURN(RunClusters run, ReadClusters(dir, record.cluster_ids));
  Status outcome = PrintClusters(run);
  PrintResults(dir, run);
  SLUICE_RETURN_IF_ERROR(PrintCost(dir, run));
  std::fflush(stdout);
  return outcome;
}

}  // namespace sluice::cli

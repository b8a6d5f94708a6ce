// `sluice run FILE [--put LOCAL s3://BUCKET/KEY]...`: applies a pipeline spec (its buckets,
// cluster templates and rules, as `mb`, `clusters templates put` and `rules put` would), uploads
// the files given, runs the engine until the pipeline is quiet, prints what ran, and exits 0 only
// if every step the run started completed.
#include <fcntl.h>

#include <cstdio>

#include "cli/command.h"
#include "cli/engine_runner.h"
#include "sluice/bus/rule_store.h"
#include "sluice/clusters/cluster_store.h"
#include "sluice/common/posix_file.h"
#include "sluice/lake/byte_sources.h"
#include "sluice/lake/s3_uri.h"
#include "sluice/pipeline/pipeline_spec.h"

namespace sluice::cli {
namespace {

struct RunArgs {
  std::string file;
  std::vector<std::pair<std::string, std::string>> puts;  // local file, s3:// destination
};

// Reads and checks the spec; its problems are printed as `validate` prints them.
Result<pipeline::PipelineSpec> ReadSpec(const std::string& file) {
  std::vector<pipeline::Diagnostic> diagnostics;
  auto spec = pipeline::LoadPipelineSpec(file, diagnostics);
  if (!spec.ok()) return BadInput(spec.status().message());
  for (const pipeline::Diagnostic& diagnostic : diagnostics) {
    std::fprintf(stderr, "%s\n", pipeline::FormatDiagnostic(file, diagnostic).c_str());
  }
  if (!diagnostics.empty()) {
    return BadInput(file + ": " + std::to_string(diagnostics.size()) + " problem(s)");
  }
  return spec;
}

Status Apply(DataDir& dir, pipeline::PipelineSpec spec) {
  SLUICE_ASSIGN_OR_RETURN(lake::LocalObjectStore * lake, dir.Lake());
  for (const std::string& bucket : spec.buckets) {
    Status made = lake->CreateBucket(bucket);
    if (!made.ok() && made.aws_code() != "BucketAlreadyOwnedByYou") return made;
  }
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  SLUICE_ASSIGN_OR_RETURN(bus::ActionRegistry * actions, dir.Actions());
  clusters::ClusterStore clusters(dir.identity());
  TimePoint now = SystemClock::Instance().Now();
  // Templates first: create_cluster targets are checked against the stored templates.
  SLUICE_RETURN_IF_ERROR(db->Write([&](store::Transaction& tx) -> Status {
    for (clusters::ClusterTemplate& t : spec.templates) {
      // Clusters carry their pipeline's name, so `sluice cost --by pipeline` can group them.
      t.tags.emplace("sluice:pipeline", spec.name);
      SLUICE_RETURN_IF_ERROR(clusters.PutTemplate(tx, t, now));
    }
    return Status::Ok();
  }));
  for (const bus::Rule& rule : spec.rules) {
    for (const bus::Target& target : rule.targets) {
      SLUICE_RETURN_IF_ERROR(actions->CheckTarget(target).WithContext("rule " + rule.name));
    }
  }
  return db->Write([&](store::Transaction& tx) -> Status {
    for (const bus::Rule& rule : spec.rules)
      SLUICE_RETURN_IF_ERROR(bus::PutRule(tx, rule, now));
    return Status::Ok();
  });
}

Status Upload(DataDir& dir, const std::string& local, const std::string& destination) {
  SLUICE_ASSIGN_OR_RETURN(lake::LocalObjectStore * lake, dir.Lake());
  SLUICE_ASSIGN_OR_RETURN(lake::S3Uri uri, lake::ParseS3Uri(destination));
  if (uri.key.empty() || uri.key.back() == '/') {
    uri.key += std::filesystem::path(local).filename().string();
  }
  SLUICE_ASSIGN_OR_RETURN(UniqueFd file, OpenFile(local, O_RDONLY));
  lake::FdByteSource source(file.get(), local);
  SLUICE_RETURN_IF_ERROR(lake->PutObject(uri.bucket, uri.key, source, {}).status());
  std::printf("upload: %s to %s\n", local.c_str(), uri.ToString().c_str());
  return Status::Ok();
}

// Prints the clusters made since `since` and their steps; an error naming the first step that
// did not complete, with its reason and log.
Status Report(DataDir& dir, TimePoint since) {
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  clusters::ClusterStore store(dir.identity());
  std::vector<clusters::Cluster> made;
  std::vector<std::vector<clusters::Step>> steps;
  SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(std::vector<clusters::Cluster> all, store.ListClusters(tx, {}, 1000));
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
      if (it->created < since) continue;
      SLUICE_ASSIGN_OR_RETURN(std::vector<clusters::Step> cluster_steps,
                              store.ListSteps(tx, it->id, {}));
      std::reverse(cluster_steps.begin(), cluster_steps.end());  // oldest first
      made.push_back(*it);
      steps.push_back(std::move(cluster_steps));
    }
    return Status::Ok();
  }));
  Status first_failure;
  size_t step_count = 0;
  for (size_t i = 0; i < made.size(); ++i) {
    const clusters::Cluster& c = made[i];
    std::printf("cluster %s %s %s (%s)\n", c.id.c_str(), c.name.c_str(),
                std::string(clusters::ClusterStateName(c.state)).c_str(),
                std::string(clusters::ReasonCodeName(c.reason)).c_str());
    for (const clusters::Step& s : steps[i]) {
      ++step_count;
      std::printf("  step %s %-28s %s\n", s.id.c_str(), s.config.name.c_str(),
                  std::string(clusters::StepStateName(s.state)).c_str());
      if (s.state != clusters::StepState::kCompleted && first_failure.ok()) {
        std::string why = s.failure_message.empty() ? "" : ": " + s.failure_message;
        std::string log = s.failure_log.empty() ? "" : " (log: " + s.failure_log + ")";
        first_failure =
            Status::FailedPrecondition("step " + s.config.name + " (" + s.id + ") ended " +
                                       std::string(clusters::StepStateName(s.state)) + why + log);
      }
    }
  }
  std::printf("%zu cluster(s), %zu step(s)\n", made.size(), step_count);
  return first_failure;
}

Status RunPipeline(DataDir& dir, const RunArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(pipeline::PipelineSpec spec, ReadSpec(args.file));
  // The spec's warehouse, unless --warehouse says otherwise; set before anything uses it.
  if (!spec.warehouse.empty()) dir.UseWarehouseUnlessGiven(spec.warehouse);
  TimePoint started = SystemClock::Instance().Now();
  SLUICE_RETURN_IF_ERROR(Apply(dir, spec));
  std::printf("applied %s: %zu bucket(s), %zu cluster template(s), %zu rule(s)\n",
              spec.name.c_str(), spec.buckets.size(), spec.templates.size(), spec.rules.size());
  for (const auto& [local, destination] : args.puts) {
    SLUICE_RETURN_IF_ERROR(Upload(dir, local, destination));
  }
  std::fflush(stdout);
  SLUICE_RETURN_IF_ERROR(RunEngine(dir, {/*until_idle=*/true}));
  return Report(dir, started);
}

}  // namespace

void RegisterRunCommand(CLI::App& app, Command& command) {
  static RunArgs args;
  auto* run = app.add_subcommand(
      "run",
      "Apply a pipeline spec, upload files, run until quiet and report (exit 0 only if "
      "every step completed)");
  run->add_option("file", args.file, "The pipeline spec (YAML)")->required();
  run->add_option("--put", args.puts, "Upload LOCAL to s3://BUCKET/KEY once the spec is applied")
      ->allow_extra_args(false);
  OnChosen(run, command, args, &RunPipeline);
}

}  // namespace sluice::cli

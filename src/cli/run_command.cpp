// `sluice run FILE [--put LOCAL s3://BUCKET/KEY]...`: applies a pipeline spec, uploads the files
// given, runs the engine until the pipeline is quiet while printing what happens, then prints
// the report (timeline, clusters and steps, results, cost) and exits 0 only if every step the
// run started completed.
#include <cstdio>

#include "cli/command.h"
#include "cli/engine_runner.h"
#include "cli/live_view.h"
#include "cli/pipeline_apply.h"
#include "cli/run_report.h"

namespace sluice::cli {
namespace {

struct RunArgs {
  std::string file;
  std::vector<std::pair<std::string, std::string>> puts;  // local file, s3:// destination
};

Status RunPipeline(DataDir& dir, const RunArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(pipeline::PipelineSpec spec, ReadPipelineSpec(args.file));
  // The spec's warehouse, unless --warehouse says otherwise; set before anything uses it.
  if (!spec.warehouse.empty()) dir.UseWarehouseUnlessGiven(spec.warehouse);
  SLUICE_RETURN_IF_ERROR(ApplyPipeline(dir, spec));
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  SLUICE_ASSIGN_OR_RETURN(PipelineWatch watch, PipelineWatch::Start(*db, dir.identity()));
  TimePoint start = SystemClock::Instance().Now();
  for (const auto& [local, destination] : args.puts) {
    SLUICE_RETURN_IF_ERROR(UploadFile(dir, local, destination));
  }
  std::printf("\nrunning until the pipeline is quiet\n");
  std::fflush(stdout);
  LiveView view(std::move(watch), start);
  Status ran =
      RunEngine(dir, {.until_idle = true, .quiet = true, .announce = false, .s3_listen = {}});
  view.Stop();
  SLUICE_RETURN_IF_ERROR(ran);
  return PrintRunReport(dir, {start, view.happenings(), view.watch().clusters()});
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

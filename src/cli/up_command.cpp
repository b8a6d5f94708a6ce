// `sluice up FILE`: applies a pipeline spec and runs the engine in the foreground, printing each
// event, delivery, cluster and step state as it happens, until Ctrl-C (running steps are then
// stopped and recorded INTERRUPTED). On a data dir whose engine is already running, it applies
// the spec to it and returns: rules and templates change in place, the engine picks them up.
#include <cstdio>

#include "cli/command.h"
#include "cli/engine_runner.h"
#include "cli/live_view.h"
#include "cli/pipeline_apply.h"
#include "sluice/s3/server.h"

namespace sluice::cli {
namespace {

struct UpArgs {
  std::string file;
  std::string listen{s3::kDefaultListenAddress};
};

Status Up(DataDir& dir, const UpArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(pipeline::PipelineSpec spec, ReadPipelineSpec(args.file));
  if (!spec.warehouse.empty()) dir.UseWarehouseUnlessGiven(spec.warehouse);
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  SLUICE_ASSIGN_OR_RETURN(bool running, EngineRunning(dir));
  SLUICE_RETURN_IF_ERROR(ApplyPipeline(dir, spec));
  if (running) {
    std::printf("the engine already running on %s has the new spec\n", dir.path().c_str());
    return Status::Ok();
  }
  // From here on, as `run` does: what applying the spec itself uploaded is not shown.
  SLUICE_ASSIGN_OR_RETURN(PipelineWatch watch, PipelineWatch::Start(*db, dir.identity()));
  std::fflush(stdout);
  LiveView view(std::move(watch), SystemClock::Instance().Now());
  Status ran = RunEngine(
      dir, {.until_idle = false, .quiet = true, .announce = true, .s3_listen = args.listen});
  view.Stop();
  return ran;
}

}  // namespace

void RegisterUpCommand(CLI::App& app, Command& command) {
  static UpArgs args;
  auto* up = app.add_subcommand(
      "up",
      "Apply a pipeline spec and run the engine with a live view until Ctrl-C (with an engine "
      "already running: apply the spec to it)");
  up->add_option("file", args.file, "The pipeline spec (YAML)")->required();
  up->add_option("--listen", args.listen, "Serve the S3 API on HOST:PORT (port 0 picks a free one)")
      ->envname(std::string(kListenVariable))
      ->capture_default_str();
  OnChosen(up, command, args, &Up);
}

}  // namespace sluice::cli

// `sluice serve`: runs the engine on a data dir: the dispatcher that turns logged events into
// deliveries and runs them. One engine per data dir (a lock file says which process has it).
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>

#include <csignal>
#include <cstdio>

#include "cli/command.h"
#include "sluice/bus/dispatcher.h"
#include "sluice/common/posix_file.h"

namespace sluice::cli {
namespace {

struct ServeArgs {
  bool until_idle = false;
};

volatile std::sig_atomic_t stop_requested = 0;

Status Serve(DataDir& dir, const ServeArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  SLUICE_ASSIGN_OR_RETURN(bus::ActionRegistry * actions, dir.Actions());
  SLUICE_ASSIGN_OR_RETURN(UniqueFd lock, OpenFile(dir.path() / "engine.lock", O_RDWR | O_CREAT));
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    return Status::FailedPrecondition("another sluice engine is running on " + dir.path().string());
  }
  std::signal(SIGINT, [](int) { stop_requested = 1; });
  std::signal(SIGTERM, [](int) { stop_requested = 1; });
  spdlog::set_level(spdlog::level::info);

  bus::DispatcherOptions options;
  options.identity = dir.identity();
  bus::Dispatcher dispatcher(*db, *actions, options);
  SLUICE_RETURN_IF_ERROR(dispatcher.Recover().status());
  std::fprintf(stderr, "sluice: engine running on %s%s\n", dir.path().c_str(),
               args.until_idle ? " until idle" : " (Ctrl-C to stop)");
  auto should_stop = [&] {
    if (stop_requested) return true;
    if (!args.until_idle) return false;
    auto idle = dispatcher.Idle();
    return idle.ok() && *idle;
  };
  auto report = [](const bus::RoundStats& s) {
    spdlog::info(
        "routed {} events, {} deliveries run ({} succeeded, {} to retry, {} dead-lettered)",
        s.events_routed, s.deliveries_run, s.succeeded, s.retried, s.dead_lettered);
  };
  return dispatcher.Run(should_stop, report);
}

}  // namespace

void RegisterServeCommand(CLI::App& app, Command& command) {
  static ServeArgs args;
  auto* serve = app.add_subcommand("serve", "Run the engine: route events and run deliveries");
  serve->add_flag("--until-idle", args.until_idle,
                  "Stop once nothing is left to do (no unrouted events, pending deliveries or "
                  "open batches)");
  serve->callback([&] { command.run = [](DataDir& d) { return Serve(d, args); }; });
}

}  // namespace sluice::cli

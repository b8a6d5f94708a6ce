// `sluice run-sql-step JOB`: what a cluster's master node runs for a sql step (not for people:
// the local provider writes the job file and starts this). Prints progress to stdout (the step's
// log), writes the outcome file, and exits 0 only if the step succeeded. SIGTERM or SIGINT (a
// cancelled step) interrupts the query; nothing is committed then.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "cli/command.h"
#include "sluice/engine/sql_step_job.h"

namespace sluice::cli {
namespace {

struct RunSqlStepArgs {
  std::string job_file;
};

// Turns SIGTERM and SIGINT into an interrupt of the running query, from a thread of its own
// (DuckDB's interrupt is not async-signal-safe).
class SignalWatcher {
 public:
  explicit SignalWatcher(engine::QueryInterrupter& interrupter) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGTERM);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGUSR1);  // how the destructor wakes the thread
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    thread_ = std::thread([this, &interrupter] {
      bool interrupting = false;
      while (true) {
        // Once interrupting, again every 100 ms: DuckDB forgets an interrupt that arrives
        // between two of the step's queries.
        timespec tick{0, 100'000'000};
        int signal = sigtimedwait(&signals_, nullptr, interrupting ? &tick : nullptr);
        if (signal == SIGUSR1) return;
        if (signal > 0) {
          std::printf("received signal %d: interrupting the query\n", signal);
          std::fflush(stdout);
          interrupting = true;
        }
        if (interrupting) interrupter.Interrupt();
      }
    });
  }
  ~SignalWatcher() {
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
  }

 private:
  sigset_t signals_;
  std::thread thread_;
};

Result<engine::SqlStepJob> ReadJob(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read the job file " + path);
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) return Status::InvalidArgument(path + " is not JSON");
  return engine::SqlStepJob::FromJson(j);
}

Status RunSqlStep(DataDir& dir, const RunSqlStepArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(engine::SqlStepJob job, ReadJob(args.job_file));
  SLUICE_ASSIGN_OR_RETURN(lake::LocalObjectStore * lake, dir.Lake());
  engine::QueryInterrupter interrupter;
  SignalWatcher watcher(interrupter);
  engine::SqlRunContext context;
  context.step_name = job.step_name;
  context.lake = lake;
  context.work_dir = job.work_dir;
  context.threads = job.threads;
  context.memory_limit = job.memory_limit;
  SLUICE_ASSIGN_OR_RETURN(context.warehouse_url, dir.warehouse_url());
  context.warehouse_options = dir.warehouse_options();
  context.load_id = job.step_id;
  context.request.requester = "sluice:step/" + job.step_id;
  context.interrupter = &interrupter;
  std::printf("running sql step %s (%s) with %d threads and %s of memory\n", job.step_name.c_str(),
              job.step_id.c_str(), job.threads, job.memory_limit.c_str());
  std::fflush(stdout);
  auto result = engine::RunSqlStep(job.sql, context);
  if (!result.ok()) {
    std::fprintf(stderr, "%s\n", result.status().message().c_str());
    SLUICE_RETURN_IF_ERROR(
        engine::WriteOutcome(job.outcome_file, {{"Error", result.status().message()}}));
    return result.status();
  }
  nlohmann::json summary = result->ToJson();
  std::printf("done: %s\n", summary.dump().c_str());
  return engine::WriteOutcome(job.outcome_file, {{"Result", summary}});
}

}  // namespace

void RegisterRunSqlStepCommand(CLI::App& app, Command& command) {
  static RunSqlStepArgs args;
  auto* run = app.add_subcommand("run-sql-step", "Run a sql step's job file (used by clusters)");
  run->group("");  // not for people: hidden from --help
  run->add_option("job", args.job_file, "The job file the cluster provider wrote")->required();
  OnChosen(run, command, args, RunSqlStep);
}

}  // namespace sluice::cli

// `sluice serve`: runs the engine on a data dir: the dispatcher that turns logged events into
// deliveries and runs them, and the cluster manager that drives clusters and steps on the local
// provider. One engine per data dir (a lock file says which process has it).
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include "cli/command.h"
#include "cli/engine_runner.h"
#include "cli/function_runner.h"
#include "sluice/bus/dispatcher.h"
#include "sluice/clusters/cluster_manager.h"
#include "sluice/clusters/local_provider.h"
#include "sluice/common/posix_file.h"
#include "sluice/functions/async_invoker.h"
#include "sluice/s3/credentials.h"
#include "sluice/s3/server.h"
#include "sluice/server/lambda_service.h"

namespace sluice::cli {
namespace {

struct ServeArgs {
  bool until_idle = false;
  std::string listen{s3::kDefaultListenAddress};
};

volatile std::sig_atomic_t stop_requested = 0;

// The engine's API endpoint: S3, and Lambda's Invoke API for requests signed for "lambda".
Result<std::unique_ptr<s3::S3Server>> StartServer(DataDir& dir, lake::ObjectStore& lake,
                                                  const std::string& listen,
                                                  s3::SecretLookup secrets,
                                                  server::LambdaService& lambda) {
  s3::ServerOptions options;
  options.listen = listen;
  options.region = dir.identity().region;
  options.identity = dir.identity();
  options.services = {{"lambda", &lambda}};
  return s3::S3Server::Start(lake, std::move(secrets), options);
}

}  // namespace

Status RunEngine(DataDir& dir, const EngineRunArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  SLUICE_ASSIGN_OR_RETURN(bus::ActionRegistry * actions, dir.Actions());
  SLUICE_ASSIGN_OR_RETURN(UniqueFd lock, OpenFile(dir.path() / "engine.lock", O_RDWR | O_CREAT));
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    return Status::FailedPrecondition("another sluice engine is running on " + dir.path().string());
  }
  std::signal(SIGINT, [](int) { stop_requested = 1; });
  std::signal(SIGTERM, [](int) { stop_requested = 1; });
  spdlog::set_level(args.quiet ? spdlog::level::warn : spdlog::level::info);

  SLUICE_ASSIGN_OR_RETURN(lake::LocalObjectStore * lake, dir.Lake());
  SLUICE_ASSIGN_OR_RETURN(clusters::PriceTable prices,
                          clusters::PriceTable::Load(dir.path() / "prices.json"));
  // One spelling per data dir (`d`, `./d/`, a symlink to it): it is the marker ReapLeftovers
  // matches, so the next engine finds what this one left running however it was given.
  std::error_code canonical_error;
  std::filesystem::path canonical = std::filesystem::canonical(dir.path(), canonical_error);
  if (canonical_error) canonical = std::filesystem::absolute(dir.path()).lexically_normal();
  const std::string data_dir = canonical.string();
  clusters::LocalProviderOptions provider_options;
  provider_options.root = dir.clusters_path();
  provider_options.marker = data_dir;
  provider_options.lake = lake;
  // Steps and bootstrap actions can run `sluice` itself (`sluice get s3://...`) on this data dir.
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe");
  std::string path = self.parent_path().string();
  if (const char* inherited = std::getenv("PATH"); inherited != nullptr)
    path += ":" + std::string(inherited);
  SLUICE_ASSIGN_OR_RETURN(std::string warehouse, dir.warehouse_url());
  provider_options.environment = {
      {"SLUICE_HOME", data_dir}, {"PATH", path}, {"SLUICE_WAREHOUSE", warehouse}};
  provider_options.sql_step_command = {self.string(), "run-sql-step"};
  // Destroyed before the manager (below): its threads report to the manager until they end.
  auto provider = std::make_unique<clusters::LocalProvider>(provider_options);
  clusters::ClusterManagerOptions manager_options;
  manager_options.identity = dir.identity();
  manager_options.prices = prices;
  clusters::ClusterManager manager(*db, *provider, manager_options);
  dir.OnClustersChanged([&manager] { manager.Notify(); });

  bus::DispatcherOptions options;
  options.identity = dir.identity();
  bus::Dispatcher dispatcher(*db, *actions, options);
  SLUICE_RETURN_IF_ERROR(dispatcher.Recover().status());
  SLUICE_ASSIGN_OR_RETURN(clusters::RecoveryReport recovered, manager.Recover());
  if (recovered.processes_reaped + recovered.steps_interrupted > 0) {
    spdlog::warn("recovered: {} leftover processes stopped, {} running steps marked INTERRUPTED",
                 recovered.processes_reaped, recovered.steps_interrupted);
  }
  // Functions: the pool their sandboxes run in, the queue of asynchronous invocations (rule
  // targets, Event invokes), and the Invoke API. Opening the pool makes the data dir's first
  // access key when it has none yet.
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<functions::FunctionPool> pool,
                          OpenFunctionPool(dir, data_dir));
  functions::AsyncInvokerOptions invoker_options;
  invoker_options.identity = dir.identity();
  functions::AsyncInvoker invoker(*db, *pool, invoker_options);
  SLUICE_ASSIGN_OR_RETURN(int requeued, invoker.Recover());
  if (requeued > 0) spdlog::warn("recovered: {} function invocations queued again", requeued);
  dir.function_targets()->OnQueued([&invoker] { invoker.Notify(); });
  // One view of the access keys for both APIs: it rereads the file when it changes.
  s3::SecretLookup secrets = s3::LiveSecretLookup(dir.path() / "credentials.json");
  server::LambdaService lambda(*db, *pool, secrets, dir.identity(), SystemClock::Instance(),
                               [&invoker] { invoker.Notify(); });
  // Asked for no API (`sluice run`), the engine still serves one on a free loopback port: its
  // functions reach the lake through it.
  const bool serving = !args.s3_listen.empty();
  SLUICE_ASSIGN_OR_RETURN(
      std::unique_ptr<s3::S3Server> s3_server,
      StartServer(dir, *lake, serving ? args.s3_listen : "127.0.0.1:0", secrets, lambda));
  std::string endpoint = "http://" + s3_server->address();
  UseEngineEndpoint(*pool, endpoint);
  SLUICE_RETURN_IF_ERROR(WriteEngineEndpoint(dir, endpoint));
  if (serving) {
    std::printf("%s\n", s3_server->address().c_str());
    std::fflush(stdout);
  }
  invoker.Start();
  if (args.announce) {
    std::fprintf(stderr, "sluice: engine running on %s%s\n", dir.path().c_str(),
                 args.until_idle ? " until idle" : " (Ctrl-C to stop)");
    if (serving) {
      std::fprintf(stderr, "sluice: S3 API on http://%s\n", s3_server->address().c_str());
    }
  }
  std::atomic<bool> stopping = false;
  std::thread cluster_thread([&] {
    Status run = manager.Run([&] { return stopping.load(); });
    if (!run.ok()) spdlog::error("clusters: {}", run.ToString());
  });
  auto should_stop = [&] {
    if (stop_requested) return true;
    if (!args.until_idle) return false;
    auto idle = dispatcher.Idle();
    auto quiet = manager.Idle();
    auto settled = invoker.Idle();
    return idle.ok() && *idle && quiet.ok() && *quiet && settled.ok() && *settled;
  };
  auto report = [](const bus::RoundStats& s) {
    spdlog::info(
        "routed {} events, {} deliveries run ({} succeeded, {} to retry, {} dead-lettered)",
        s.events_routed, s.deliveries_run, s.succeeded, s.retried, s.dead_lettered);
  };
  Status ran = dispatcher.Run(should_stop, report);
  s3_server->Stop();
  RemoveEngineEndpoint(dir);
  // Running invocations end with their sandboxes and run again after the next start.
  invoker.Stop();
  stopping = true;
  manager.Notify();
  cluster_thread.join();
  // Steps still running are stopped and recorded INTERRUPTED now, not found on the next start.
  auto stopped = manager.Recover(clusters::ClusterManager::StopCause::kShutdown);
  if (stopped.ok() && stopped->steps_interrupted > 0) {
    spdlog::warn("stopped {} running steps (INTERRUPTED)", stopped->steps_interrupted);
  }
  provider.reset();
  return ran;
}

Result<bool> EngineRunning(const DataDir& dir) {
  SLUICE_ASSIGN_OR_RETURN(UniqueFd lock, OpenFile(dir.path() / "engine.lock", O_RDWR | O_CREAT));
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) == 0) {
    ::flock(lock.get(), LOCK_UN);
    return false;
  }
  if (errno == EWOULDBLOCK) return true;
  return ErrnoStatus("lock " + (dir.path() / "engine.lock").string(), errno);
}

namespace {

Status Serve(DataDir& dir, const ServeArgs& args) {
  return RunEngine(
      dir,
      {.until_idle = args.until_idle, .quiet = false, .announce = true, .s3_listen = args.listen});
}

}  // namespace

void RegisterServeCommand(CLI::App& app, Command& command) {
  static ServeArgs args;
  auto* serve = app.add_subcommand("serve", "Run the engine: route events and run deliveries");
  serve->add_flag("--until-idle", args.until_idle,
                  "Stop once nothing is left to do (no unrouted events, pending deliveries or "
                  "open batches)");
  serve
      ->add_option("--listen", args.listen,
                   "Serve the S3 API on HOST:PORT (port 0 picks a free one; the address bound "
                   "is the first line of output)")
      ->envname(std::string(kListenVariable))
      ->capture_default_str();
  serve->callback([&] { command.run = [](DataDir& d) { return Serve(d, args); }; });
}

}  // namespace sluice::cli

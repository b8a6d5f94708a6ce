// LocalProvider: runs clusters on this machine. Each node is a working folder
// (<root>/<cluster-id>/work/<node>, nodes named master-1, core-1, core-2, task-1, ...); bootstrap
// actions run on every node as real processes; steps run on the master node with command-runner
// semantics. Logs are kept under <root>/<cluster-id>/ in EMR's layout (steps/<step-id>/,
// node/<node>/bootstrap-actions/<n>/) and, when the cluster has a LogUri, archived gzipped to the
// lake at the same relative keys.
//
// Every process it starts carries SLUICE_ENGINE_DIR=<marker> in its environment, so that
// ReapLeftovers can find what a crashed engine left running. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "sluice/clusters/cluster_provider.h"
#include "sluice/lake/object_store.h"

namespace sluice::clusters {

struct LocalProviderOptions {
  std::filesystem::path root;  // where cluster folders go, e.g. <data-dir>/clusters
  std::string marker;          // SLUICE_ENGINE_DIR's value: the data dir
  lake::ObjectStore* lake = nullptr;
  // Set in every node's environment: the lake endpoint and credentials, SLUICE_HOME, ...
  std::map<std::string, std::string> environment;
  // What runs a sql step, given its job file (engine/sql_step_job.h): the engine's own binary and
  // `run-sql-step`. Empty: sql steps cannot start here.
  std::vector<std::string> sql_step_command;
  // How long a step cancelled with SEND_INTERRUPT has to stop before it is killed.
  std::chrono::milliseconds cancel_grace{std::chrono::seconds(10)};
};

class LocalProvider final : public ClusterProvider {
 public:
  explicit LocalProvider(LocalProviderOptions options);
  // Kills whatever still runs and waits for its threads.
  ~LocalProvider() override;

  void SetListener(Listener listener) override;
  void Launch(const Cluster& cluster) override;
  Result<int64_t> StartStep(const Cluster& cluster, const Step& step) override;
  void CancelStep(const std::string& cluster_id, const std::string& step_id, bool force) override;
  void Release(const Cluster& cluster) override;
  Result<int> ReapLeftovers() override;

  // The folder a step's logs are written to while it runs and kept in afterwards.
  std::filesystem::path StepLogFolder(const std::string& cluster_id,
                                      const std::string& step_id) const;

 private:
  struct Node {
    std::string id;    // master-1, core-1, ...
    std::string role;  // MASTER | CORE | TASK
    std::string instance_type;
  };
  struct Runtime;

  void Bootstrap(Cluster cluster);
  Status RunBootstrapActions(const Cluster& cluster, const std::vector<Node>& nodes);
  void WaitForStep(Cluster cluster, Step step, pid_t pid);
  // The command that runs `step`: its own for a command step; for a sql step, the sql step
  // command with a job file written to `logs`.
  Result<std::vector<std::string>> StepCommand(const Cluster& cluster, const Step& step,
                                               const std::filesystem::path& logs,
                                               const std::filesystem::path& work) const;
  void Report(ProviderReport report);
  // Runs `work` on its own thread, counted so the destructor can wait for it.
  void Detach(std::function<void()> work);
  std::map<std::string, std::string> NodeEnvironment(const Cluster& cluster,
                                                     const Node& node) const;
  Runtime& RuntimeFor(const std::string& cluster_id);  // mutex_ held
  void Forget(const std::string& cluster_id, pid_t pid);

  LocalProviderOptions options_;
  Listener listener_;
  std::mutex mutex_;
  std::condition_variable changed_;  // a process ended, a thread finished, or stopping_
  std::map<std::string, std::unique_ptr<Runtime>> clusters_;
  int threads_ = 0;
  bool stopping_ = false;
};

}  // namespace sluice::clusters

#include "sluice/clusters/step_logs.h"

#include <fstream>
#include <sstream>

#include "lake_files.h"

namespace sluice::clusters {

std::filesystem::path StepLogFolder(const std::filesystem::path& root,
                                    const std::string& cluster_id, const std::string& step_id) {
  return root / cluster_id / "steps" / step_id;
}

std::string ArchivedStepLogUri(const std::string& log_uri, const std::string& cluster_id,
                               const std::string& step_id, std::string_view name) {
  return JoinUri(log_uri, cluster_id + "/steps/" + step_id + "/" + std::string(name) + ".gz");
}

std::string ArchivedClusterLogPrefix(const Cluster& cluster) {
  if (cluster.spec.log_uri.empty()) return "";
  return JoinUri(cluster.spec.log_uri, cluster.id + "/");
}

Result<std::string> ReadStepLog(lake::ObjectStore& lake, const std::filesystem::path& root,
                                const Cluster& cluster, const std::string& step_id,
                                std::string_view name) {
  if (std::ifstream in(StepLogFolder(root, cluster.id, step_id) / std::string(name),
                       std::ios::binary);
      in) {
    std::stringstream local;
    local << in.rdbuf();
    return local.str();
  }
  if (cluster.spec.log_uri.empty()) {
    return Status::NotFound("step " + step_id + " has no " + std::string(name) + " log yet");
  }
  return ReadGzipped(lake, ArchivedStepLogUri(cluster.spec.log_uri, cluster.id, step_id, name));
}

}  // namespace sluice::clusters

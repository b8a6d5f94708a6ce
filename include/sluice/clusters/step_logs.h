// Where a step's logs live, for whoever writes them (the local provider) and whoever reads them
// back (`sluice steps logs`): on this machine in <root>/<cluster-id>/steps/<step-id>/<name>,
// and, for a cluster with a LogUri, archived gzipped at
// <LogUri>/<cluster-id>/steps/<step-id>/<name>.gz, as EMR archives them. Names are `stdout`,
// `stderr` and `controller`.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "sluice/clusters/cluster_store.h"
#include "sluice/lake/object_store.h"

namespace sluice::clusters {

std::filesystem::path StepLogFolder(const std::filesystem::path& root,
                                    const std::string& cluster_id, const std::string& step_id);
std::string ArchivedStepLogUri(const std::string& log_uri, const std::string& cluster_id,
                               const std::string& step_id, std::string_view name);
// Where everything `cluster` archives goes: "<LogUri>/<cluster-id>/", or empty without a LogUri.
std::string ArchivedClusterLogPrefix(const Cluster& cluster);

// The log `name` of a step of `cluster`: this machine's copy while there is one, else the
// archive (gunzipped); NotFound when there is neither.
Result<std::string> ReadStepLog(lake::ObjectStore& lake, const std::filesystem::path& root,
                                const Cluster& cluster, const std::string& step_id,
                                std::string_view name);

}  // namespace sluice::clusters

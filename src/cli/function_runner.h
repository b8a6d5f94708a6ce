// Running functions from the CLI and the engine: the pool every invocation goes through, told
// what each function's process needs to reach the engine (AWS_ENDPOINT_URL when the engine
// serves its API, the data dir's first access key, the region), and the file through which a
// running engine tells other commands where it serves.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cli/data_dir.h"
#include "sluice/functions/function_deployment.h"
#include "sluice/functions/function_pool.h"

namespace sluice::cli {

// `marker`: the canonical data dir, for the engine's pool (reaped after a crash); empty for a
// CLI's.
Result<std::unique_ptr<functions::FunctionPool>> OpenFunctionPool(DataDir& dir,
                                                                  const std::string& marker);
// Tells functions started from now on where the engine serves its API ("http://HOST:PORT").
void UseEngineEndpoint(functions::FunctionPool& pool, const std::string& endpoint);

// Deploying functions on the data dir (`functions put`, applying a spec): local code folders are
// relative to the current directory.
Result<functions::DeploymentContext> FunctionDeployment(DataDir& dir);

// <data dir>/engine.endpoint holds the running engine's API address while it runs.
Status WriteEngineEndpoint(const DataDir& dir, const std::string& endpoint);
void RemoveEngineEndpoint(const DataDir& dir);
// The running engine's endpoint, or nullopt when no engine runs or it serves no API.
std::optional<std::string> RunningEngineEndpoint(const DataDir& dir);

}  // namespace sluice::cli

#include "cli/function_runner.h"

#include <fstream>

#include "cli/engine_runner.h"
#include "sluice/s3/credentials.h"

namespace sluice::cli {

Result<std::unique_ptr<functions::FunctionPool>> OpenFunctionPool(DataDir& dir,
                                                                  const std::string& marker) {
  SLUICE_ASSIGN_OR_RETURN(s3::CredentialStore credentials,
                          s3::CredentialStore::Open(dir.path() / "credentials.json"));
  const s3::AccessKey& key = credentials.keys().front();
  functions::PoolOptions options;
  options.functions_root = std::filesystem::absolute(dir.functions_path());
  options.identity = dir.identity();
  options.marker = marker;
  options.environment = {{"AWS_ACCESS_KEY_ID", key.id}, {"AWS_SECRET_ACCESS_KEY", key.secret}};
  if (const char* limit = std::getenv("SLUICE_FUNCTION_CONCURRENCY"); limit && *limit) {
    char* end = nullptr;
    long value = std::strtol(limit, &end, 10);
    if (*end != '\0' || value < 1 || value > 100000) {
      return Status::InvalidArgument("SLUICE_FUNCTION_CONCURRENCY is \"" + std::string(limit) +
                                     "\": it must be a number of invocations, 1 to 100000");
    }
    options.max_concurrency = static_cast<int>(value);
  }
  return functions::FunctionPool::Create(std::move(options));
}

void UseEngineEndpoint(functions::FunctionPool& pool, const std::string& endpoint) {
  // AWS_ENDPOINT_URL is read by current SDKs and the aws CLI; older ones (Debian's boto3 1.26)
  // need it passed as endpoint_url, which SLUICE_ENDPOINT_URL makes easy to find.
  pool.SetEnvironment("AWS_ENDPOINT_URL", endpoint);
  pool.SetEnvironment("SLUICE_ENDPOINT_URL", endpoint);
}

Result<functions::DeploymentContext> FunctionDeployment(DataDir& dir) {
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  SLUICE_ASSIGN_OR_RETURN(lake::LocalObjectStore * lake, dir.Lake());
  return functions::DeploymentContext{*db, *lake, dir.functions_path(),
                                      std::filesystem::current_path(), SystemClock::Instance()};
}

Status WriteEngineEndpoint(const DataDir& dir, const std::string& endpoint) {
  std::filesystem::path path = dir.path() / "engine.endpoint";
  std::filesystem::path staging = dir.path() / "engine.endpoint.tmp";
  {
    std::ofstream out(staging, std::ios::trunc);
    out << endpoint << "\n";
    if (!out) return Status::IoError("cannot write " + staging.string());
  }
  std::error_code error;
  std::filesystem::rename(staging, path, error);
  if (error) return Status::IoError("cannot write " + path.string() + ": " + error.message());
  return Status::Ok();
}

void RemoveEngineEndpoint(const DataDir& dir) {
  std::error_code ignored;
  std::filesystem::remove(dir.path() / "engine.endpoint", ignored);
}

std::optional<std::string> RunningEngineEndpoint(const DataDir& dir) {
  auto running = EngineRunning(dir);
  if (!running.ok() || !*running) return std::nullopt;
  std::ifstream in(dir.path() / "engine.endpoint");
  std::string endpoint;
  if (!std::getline(in, endpoint) || endpoint.empty()) return std::nullopt;
  return endpoint;
}

}  // namespace sluice::cli

#include "sluice/functions/function_deployment.h"

#include <fcntl.h>

#include <optional>
#include <vector>

#include "sluice/common/ids.h"
#include "sluice/common/posix_file.h"
#include "sluice/functions/code_package.h"
#include "sluice/lake/s3_uri.h"

namespace sluice::functions {
namespace {

namespace fs = std::filesystem;

// A temporary file removed when it goes out of scope.
struct TemporaryFile {
  fs::path path;
  ~TemporaryFile() {
    std::error_code ignored;
    fs::remove(path, ignored);
  }
};

// Copies the lake object at `uri` to `path`.
Status DownloadObject(lake::ObjectStore& lake, const lake::S3Uri& uri, const fs::path& path) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::ObjectReader> reader,
                          lake.GetObject(uri.bucket, uri.key));
  SLUICE_ASSIGN_OR_RETURN(UniqueFd out, OpenFile(path, O_WRONLY | O_CREAT | O_TRUNC, 0600));
  std::vector<char> buffer(1 << 16);
  for (;;) {
    SLUICE_ASSIGN_OR_RETURN(size_t n, reader->Read(buffer.data(), buffer.size()));
    if (n == 0) return Status::Ok();
    SLUICE_RETURN_IF_ERROR(WriteAll(out.get(), buffer.data(), n, path.string()));
  }
}

Result<DeployedCode> Deploy(const DeploymentContext& context, const FunctionConfig& config) {
  if (config.code.rfind("s3://", 0) != 0) {
    fs::path source(config.code);
    if (source.is_relative()) source = context.working_dir / source;
    return DeployCode(context.functions_root, config.name, source);
  }
  SLUICE_ASSIGN_OR_RETURN(lake::S3Uri uri, lake::ParseS3Uri(config.code));
  if (uri.key.empty()) {
    return Status::InvalidArgument("code " + config.code + " names a bucket, not a zip file",
                                   "InvalidParameterValueException");
  }
  SLUICE_RETURN_IF_ERROR(CreateDirectories(context.functions_root / ".staging"));
  TemporaryFile zip{context.functions_root / ".staging" / (RandomHex(8) + ".zip")};
  SLUICE_RETURN_IF_ERROR(
      DownloadObject(context.lake, uri, zip.path).WithContext("code " + config.code));
  SLUICE_ASSIGN_OR_RETURN(DeployedCode code,
                          DeployCode(context.functions_root, config.name, zip.path));
  return code;
}

// Removes `folder` unless a function still uses it.
Status DropCodeIfUnused(const DeploymentContext& context, const std::string& folder) {
  bool in_use = false;
  SLUICE_RETURN_IF_ERROR(context.db.Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(in_use, CodeFolderInUse(tx, folder));
    return Status::Ok();
  }));
  return in_use ? Status::Ok() : RemoveCode(context.functions_root, folder);
}

}  // namespace

Result<StoredFunction> DeployFunction(const DeploymentContext& context,
                                      const FunctionConfig& config) {
  SLUICE_RETURN_IF_ERROR(ValidateFunctionConfig(config));
  StoredFunction function;
  function.config = config;
  SLUICE_ASSIGN_OR_RETURN(function.code, Deploy(context, config));
  function.revision_id = NewUuid();
  function.last_modified = context.clock.Now();
  std::optional<std::string> previous_folder;
  Status committed = context.db.Write([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(std::optional<StoredFunction> previous, GetFunction(tx, config.name));
    previous_folder.reset();
    if (previous && previous->code.folder != function.code.folder) {
      previous_folder = previous->code.folder;
    }
    return PutFunction(tx, function);
  });
  if (!committed.ok()) {
    (void)DropCodeIfUnused(context, function.code.folder);
    return committed;
  }
  if (previous_folder) SLUICE_RETURN_IF_ERROR(DropCodeIfUnused(context, *previous_folder));
  return function;
}

Status UndeployFunction(const DeploymentContext& context, std::string_view name) {
  std::string folder;
  SLUICE_RETURN_IF_ERROR(context.db.Write([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(std::optional<StoredFunction> existing, GetFunction(tx, name));
    if (existing) folder = existing->code.folder;
    return DeleteFunction(tx, name);
  }));
  return DropCodeIfUnused(context, folder);
}

}  // namespace sluice::functions

#include "functions/builtin_runtimes.h"

#include <fcntl.h>
#include <unistd.h>

#include "sluice/common/ids.h"
#include "sluice/common/posix_file.h"
#include "sluice/common/sha256.h"
#include "sluice/common/subprocess.h"

namespace sluice::functions {
namespace {

namespace fs = std::filesystem;

Status WriteFileAtomically(const fs::path& path, std::string_view content) {
  fs::path staging = path;
  staging += "." + RandomHex(6) + ".tmp";
  {
    SLUICE_ASSIGN_OR_RETURN(UniqueFd out, OpenFile(staging, O_WRONLY | O_CREAT | O_TRUNC, 0644));
    SLUICE_RETURN_IF_ERROR(WriteAll(out.get(), content.data(), content.size(), staging.string()));
    SLUICE_RETURN_IF_ERROR(SyncFile(out.get(), staging.string()));
  }
  std::error_code error;
  fs::rename(staging, path, error);
  if (error) return Status::IoError("rename " + staging.string() + ": " + error.message());
  return Status::Ok();
}

Result<std::string> Interpreter(const std::string& program, std::string_view runtime) {
  std::string found = FindProgram(program);
  if (found.empty()) {
    return Status::FailedPrecondition("runtime " + std::string(runtime) + " needs " + program +
                                      ", which is not on the PATH");
  }
  return found;
}

}  // namespace

Result<fs::path> InstallBuiltinRuntimes(const fs::path& root) {
  Sha256 hash;
  for (const EmbeddedFile& file : BuiltinRuntimeFiles()) {
    hash.Update(file.name);
    hash.Update(file.content);
  }
  fs::path folder = root / ".runtimes" / hash.FinishHex().substr(0, 16);
  for (const EmbeddedFile& file : BuiltinRuntimeFiles()) {
    fs::path path = folder / file.name;
    std::error_code error;
    if (fs::exists(path, error) && fs::file_size(path, error) == file.content.size()) continue;
    SLUICE_RETURN_IF_ERROR(CreateDirectories(path.parent_path()));
    SLUICE_RETURN_IF_ERROR(WriteFileAtomically(path, file.content));
  }
  return folder;
}

Result<std::vector<std::string>> RuntimeCommand(const FunctionConfig& config,
                                                const fs::path& runtimes, const fs::path& code) {
  std::optional<RuntimeKind> kind = RuntimeKindOf(config.runtime);
  if (!kind) return Status::InvalidArgument("unknown runtime " + config.runtime);
  switch (*kind) {
    case RuntimeKind::kPython: {
      SLUICE_ASSIGN_OR_RETURN(std::string python, Interpreter("python3", config.runtime));
      return std::vector<std::string>{python, (runtimes / "python3" / "bootstrap.py").string()};
    }
    case RuntimeKind::kNode: {
      SLUICE_ASSIGN_OR_RETURN(std::string node, Interpreter("node", config.runtime));
      return std::vector<std::string>{node, (runtimes / "node" / "bootstrap.js").string()};
    }
    case RuntimeKind::kProvided:
      break;
  }
  std::vector<std::string> argv = config.command;
  if (argv.empty()) {
    fs::path bootstrap = code / "bootstrap";
    if (::access(bootstrap.c_str(), X_OK) != 0) {
      return Status::FailedPrecondition("function " + config.name +
                                        " has no command and its code has no executable "
                                        "bootstrap file");
    }
    return std::vector<std::string>{bootstrap.string()};
  }
  // A program shipped with the code runs from there; anything else comes from the PATH.
  fs::path in_code = code / argv[0];
  if (argv[0].find('/') == std::string::npos || fs::path(argv[0]).is_relative()) {
    if (::access(in_code.c_str(), X_OK) == 0) {
      argv[0] = in_code.string();
      return argv;
    }
  }
  std::string found = FindProgram(argv[0]);
  if (found.empty()) {
    return Status::FailedPrecondition("function " + config.name + ": cannot run " + argv[0] +
                                      ": not in its code folder nor on the PATH");
  }
  argv[0] = found;
  return argv;
}

}  // namespace sluice::functions

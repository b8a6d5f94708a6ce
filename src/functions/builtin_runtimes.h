// The built-in runtimes, `python3` and `node`: small bootstraps shipped inside the sluice binary
// (src/functions/runtimes/, embedded at build time) that load a handler and loop on the Runtime
// API, and the command line that starts any function's runtime.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/functions/function_config.h"

namespace sluice::functions {

struct EmbeddedFile {
  std::string_view name;  // "python3/bootstrap.py"
  std::string_view content;
};
const std::vector<EmbeddedFile>& BuiltinRuntimeFiles();

// Writes the bootstraps under `root`, in a folder named by their content's hash that is never
// rewritten (engines of different versions side by side each get their own), and returns it.
Result<std::filesystem::path> InstallBuiltinRuntimes(const std::filesystem::path& root);

// The argv that starts a runtime for `config` whose code is unpacked in `code`:
//   python3   python3 <runtimes>/python3/bootstrap.py
//   node      node <runtimes>/node/bootstrap.js
//   provided  the config's command (its first word found in the code folder, else on the PATH),
//             else the code folder's `bootstrap`
// Fails naming what is missing (no python3 on the PATH, no executable bootstrap).
Result<std::vector<std::string>> RuntimeCommand(const FunctionConfig& config,
                                                const std::filesystem::path& runtimes,
                                                const std::filesystem::path& code);

}  // namespace sluice::functions

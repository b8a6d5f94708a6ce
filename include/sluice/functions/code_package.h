// Deploying a function's code. The folder or zip file a user names is unpacked into a folder of
// its own under the data dir's functions folder, named by the function and the content's SHA-256,
// and never changed afterwards: a function's processes run that copy, so editing the source later
// changes nothing until the function is put again (as Lambda takes a deployment package).
//
// Files keep their executable bit (a provided runtime's `bootstrap` must run). Zip entries that
// would land outside the folder (absolute, with "..") and symbolic links are refused, as are
// packages over Lambda's 250 MB unzipped. Everything is synced before DeployCode returns, so a
// function committed afterwards never points at a folder a crash emptied.
//
// Thread-safe: each call works in a staging folder of its own.
#pragma once

#include <filesystem>
#include <string_view>

#include "sluice/functions/function_registry.h"

namespace sluice::functions {

// Lambda's limit on a function's unzipped code.
inline constexpr uint64_t kMaxUnzippedCodeBytes = 262144000;

// Unpacks `source` (a folder, or a zip file) for `function_name` under `functions_root`.
// CodeSha256 is the zip file's, as Lambda's; a folder's is taken over its files' paths,
// executable bits and bytes, in path order, so the same tree always hashes the same.
Result<DeployedCode> DeployCode(const std::filesystem::path& functions_root,
                                std::string_view function_name,
                                const std::filesystem::path& source);

// Removes a deployed code folder (relative to `functions_root`); a missing one is not an error.
Status RemoveCode(const std::filesystem::path& functions_root, std::string_view folder);

}  // namespace sluice::functions

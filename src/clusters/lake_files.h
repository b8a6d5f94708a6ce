// Moving files between a node's folders and the lake: bootstrap scripts down, logs up (gzipped,
// as EMR archives them) and back.
#pragma once

#include <filesystem>
#include <string>

#include "sluice/lake/object_store.h"

namespace sluice::clusters {

// Copies the object at `uri` (s3://bucket/key) to `destination`, made executable.
Status DownloadScript(lake::ObjectStore& lake, const std::string& uri,
                      const std::filesystem::path& destination);

// Puts `file` gzipped at `uri` (s3://bucket/key).
Status UploadGzipped(lake::ObjectStore& lake, const std::filesystem::path& file,
                     const std::string& uri);

// The object at `uri` (s3://bucket/key), gunzipped.
Result<std::string> ReadGzipped(lake::ObjectStore& lake, const std::string& uri);

// Joins an s3:// prefix and a relative key with exactly one '/'.
std::string JoinUri(const std::string& prefix, const std::string& relative);

}  // namespace sluice::clusters

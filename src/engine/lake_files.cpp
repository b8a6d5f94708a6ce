#include "sluice/engine/lake_files.h"

#include <fnmatch.h>

#include "sluice/lake/s3_uri.h"

namespace sluice::engine {
namespace {

constexpr std::string_view kFdPathPrefix = "/proc/self/fd/";

bool IsHidden(std::string_view key) {
  size_t slash = key.rfind('/');
  std::string_view name = slash == std::string_view::npos ? key : key.substr(slash + 1);
  return name.empty() || name[0] == '_' || name[0] == '.';
}

bool MatchesGlob(const std::string& pattern, const std::string& key) {
  // With **, levels may be crossed: match without FNM_PATHNAME, where * also matches '/'.
  bool crosses_levels = pattern.find("**") != std::string::npos;
  return ::fnmatch(pattern.c_str(), key.c_str(), crosses_levels ? 0 : FNM_PATHNAME) == 0;
}

}  // namespace

Result<std::vector<std::string>> LakeFiles::MatchingKeys(const std::string& bucket,
                                                         const std::string& pattern) {
  size_t wildcard = pattern.find_first_of("*?[");
  bool is_glob = wildcard != std::string::npos;
  bool is_prefix = !is_glob && (pattern.empty() || pattern.back() == '/');
  if (!is_glob && !is_prefix) return std::vector<std::string>{pattern};

  lake::ListRequest request;
  request.prefix = is_glob ? pattern.substr(0, wildcard) : pattern;
  std::vector<std::string> keys;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(lake::ListPage page, lake_.ListObjects(bucket, request));
    for (const lake::ObjectInfo& object : page.objects) {
      if (object.key.back() == '/') continue;  // a folder marker
      if (is_glob ? MatchesGlob(pattern, object.key) : !IsHidden(object.key)) {
        keys.push_back(object.key);
      }
    }
    if (!page.truncated) return keys;
    request.start_after = page.next_marker;
  }
}

Result<std::vector<std::string>> LakeFiles::Open(const std::string& uri) {
  SLUICE_ASSIGN_OR_RETURN(lake::S3Uri parsed, lake::ParseS3Uri(uri));
  SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> keys, MatchingKeys(parsed.bucket, parsed.key));
  if (keys.empty()) return Status::NotFound("no objects match " + uri, "NoSuchKey");
  std::vector<std::string> paths;
  for (const std::string& key : keys) {
    auto file = lake_.OpenObjectFile(parsed.bucket, key);
    if (!file.ok()) return file.status().WithContext(uri);
    int fd = file->fd.get();
    bytes_ += file->info.size;
    uri_by_fd_[fd] = lake::S3Uri{parsed.bucket, key}.ToString();
    files_.push_back(std::move(*file));
    paths.push_back(std::string(kFdPathPrefix) + std::to_string(fd));
  }
  return paths;
}

std::vector<std::pair<std::string, std::string>> LakeFiles::Opened() const {
  std::vector<std::pair<std::string, std::string>> opened;
  for (const auto& [fd, uri] : uri_by_fd_) {
    opened.emplace_back(std::string(kFdPathPrefix) + std::to_string(fd), uri);
  }
  return opened;
}

std::string LakeFiles::Describe(const std::string& text) const {
  std::string out;
  size_t at = 0;
  while (true) {
    size_t found = text.find(kFdPathPrefix, at);
    if (found == std::string::npos) break;
    size_t digits = found + kFdPathPrefix.size();
    size_t end = digits;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])))
      ++end;
    out.append(text, at, found - at);
    auto it = end > digits ? uri_by_fd_.find(std::stoi(text.substr(digits, end - digits)))
                           : uri_by_fd_.end();
    out += it != uri_by_fd_.end() ? it->second : text.substr(found, end - found);
    at = end;
  }
  out.append(text, at);
  return out;
}

}  // namespace sluice::engine

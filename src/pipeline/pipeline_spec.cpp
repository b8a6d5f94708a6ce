#include "sluice/pipeline/pipeline_spec.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "pipeline/spec_reader.h"
#include "sluice/lake/names.h"
#include "sluice/lake/s3_uri.h"

namespace sluice::pipeline {
namespace {

const std::vector<std::string> kTopKeys = {"name",  "description", "warehouse", "buckets",
                                           "files", "functions",   "clusters",  "rules"};

void ReadName(const MapReader& map, SpecReader& r) {
  map.Require("name");
  if (!map.Has("name")) return;
  auto name = ReadString(map.Get("name"), "name", r.diagnostics);
  if (!name) return;
  static const std::regex kName("[A-Za-z0-9_.-]+");
  if (!std::regex_match(*name, kName)) {
    r.diagnostics.Add(map.Get("name"),
                      "name \"" + *name + "\" may hold only letters, digits, '.', '-' and '_'");
  }
  r.spec.name = *name;
}

void ReadWarehouse(const YAML::Node& node, SpecReader& r) {
  auto url = ReadString(node, "warehouse", r.diagnostics);
  if (!url) return;
  for (const char* scheme : {"duckdb://", "postgresql://", "postgres://", "redshift://"}) {
    if (url->rfind(scheme, 0) == 0) {
      r.spec.warehouse = *url;
      return;
    }
  }
  r.diagnostics.Add(
      node,
      "warehouse must be a duckdb://, postgresql:// or redshift:// URL, not \"" + *url + "\"");
}

void ReadBuckets(const YAML::Node& node, SpecReader& r) {
  r.has_buckets = true;
  if (!node.IsSequence()) {
    r.diagnostics.Add(node, "buckets must be a list of bucket names, not " + DescribeNode(node));
    return;
  }
  for (const YAML::Node& item : node) {
    auto name = ReadString(item, "a bucket", r.diagnostics);
    if (!name) continue;
    if (Status valid = lake::ValidateBucketName(*name); !valid.ok()) {
      r.diagnostics.Add(item, valid);
      continue;
    }
    auto& buckets = r.spec.buckets;
    if (std::find(buckets.begin(), buckets.end(), *name) != buckets.end()) {
      r.diagnostics.Add(item, "bucket \"" + *name + "\" is listed twice");
      continue;
    }
    buckets.push_back(*name);
  }
}

// `files: {s3://lake/bootstrap/setup.sh: bootstrap/setup.sh}`: lake object <- local file.
void ReadFiles(const YAML::Node& node, SpecReader& r) {
  if (!node.IsMap()) {
    r.diagnostics.Add(node, "files must map s3:// URIs to local files, not " + DescribeNode(node));
    return;
  }
  for (const auto& entry : node) {
    auto uri = ReadString(entry.first, "a files key", r.diagnostics);
    auto source = ReadString(entry.second, "a local file", r.diagnostics);
    if (!uri || !source) continue;
    auto parsed = lake::ParseS3Uri(*uri);
    if (!parsed.ok() || parsed->key.empty() || parsed->key.back() == '/') {
      r.diagnostics.Add(entry.first,
                        "files key \"" + *uri + "\" must be an s3://bucket/key URI of one object");
      continue;
    }
    r.lake_uris.push_back({*uri, entry.first});
    std::filesystem::path path(*source);
    if (path.is_relative() && !r.folder.empty()) path = std::filesystem::path(r.folder) / path;
    std::error_code error;
    auto status = std::filesystem::status(path, error);
    if (!std::filesystem::is_regular_file(status)) {
      r.diagnostics.Add(entry.second,
                        "local file " + *source +
                            (std::filesystem::exists(status) ? " is not a regular file"
                             : std::filesystem::path(*source).is_relative()
                                 ? " does not exist (relative to the spec's folder)"
                                 : " does not exist"));
      continue;
    }
    r.spec.files.push_back({*uri, path.string()});
  }
}

void ReadSpec(const YAML::Node& root, SpecReader& r) {
  MapReader map(root, "the pipeline spec", kTopKeys, r.diagnostics);
  if (!map.ok()) return;
  ReadName(map, r);
  if (map.Has("description")) {
    auto text = ReadString(map.Get("description"), "description", r.diagnostics);
    if (text) r.spec.description = *text;
  }
  if (map.Has("warehouse")) ReadWarehouse(map.Get("warehouse"), r);
  if (map.Has("buckets")) ReadBuckets(map.Get("buckets"), r);
  if (map.Has("files")) ReadFiles(map.Get("files"), r);
  // Functions and clusters first: targets refer to them.
  if (map.Has("functions")) ReadFunctions(map.Get("functions"), r);
  if (map.Has("clusters")) ReadClusters(map.Get("clusters"), r);
  if (map.Has("rules")) ReadRules(map.Get("rules"), r);
  CheckWholeSpec(r);
}

}  // namespace

size_t PipelineSpec::StepCount() const {
  size_t count = 0;
  for (const bus::Rule& rule : rules) {
    for (const bus::Target& target : rule.targets) {
      auto steps = target.parameters.find("Steps");
      if (steps != target.parameters.end() && steps->is_array()) count += steps->size();
    }
  }
  return count;
}

PipelineSpec ParsePipelineSpec(std::string_view yaml, std::vector<Diagnostic>& diagnostics,
                               const std::string& folder) {
  Diagnostics found;
  SpecReader reader(found);
  reader.folder = folder;
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    if (!root.IsDefined() || root.IsNull()) {
      found.Add(YAML::Mark(), "the file is empty; a pipeline spec is a map with at least a name");
    } else {
      ReadSpec(root, reader);
    }
  } catch (const YAML::Exception& e) {
    // A syntax error (ParserException) or a node misuse; either way, where yaml-cpp stopped.
    found.Add(e.mark, e.msg);
  }
  diagnostics = found.Sorted();
  return std::move(reader.spec);
}

Result<PipelineSpec> LoadPipelineSpec(const std::string& path,
                                      std::vector<Diagnostic>& diagnostics) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return Status::NotFound(path + ": no such file");
    return ErrnoStatus(path, errno);
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IoError("cannot read pipeline spec " + path);
  return ParsePipelineSpec(text.str(), diagnostics,
                           std::filesystem::path(path).parent_path().string());
}

std::string FormatDiagnostic(std::string_view file, const Diagnostic& diagnostic) {
  return std::string(file) + ":" + std::to_string(diagnostic.line) + ":" +
         std::to_string(diagnostic.column) + ": " + diagnostic.message;
}

}  // namespace sluice::pipeline

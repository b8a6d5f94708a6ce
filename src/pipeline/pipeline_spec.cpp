#include "sluice/pipeline/pipeline_spec.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <fstream>
#include <regex>
#include <sstream>

#include "pipeline/spec_reader.h"
#include "sluice/lake/names.h"

namespace sluice::pipeline {
namespace {

const std::vector<std::string> kTopKeys = {"name",    "description", "warehouse",
                                           "buckets", "clusters",    "rules"};

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
  // Clusters first: targets refer to them.
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

PipelineSpec ParsePipelineSpec(std::string_view yaml, std::vector<Diagnostic>& diagnostics) {
  Diagnostics found;
  SpecReader reader(found);
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
  return ParsePipelineSpec(text.str(), diagnostics);
}

std::string FormatDiagnostic(std::string_view file, const Diagnostic& diagnostic) {
  return std::string(file) + ":" + std::to_string(diagnostic.line) + ":" +
         std::to_string(diagnostic.column) + ": " + diagnostic.message;
}

}  // namespace sluice::pipeline

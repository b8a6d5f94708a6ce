// The pipeline spec reader's shared state: what each section of the YAML file (functions,
// clusters, rules, targets, steps) produced, and what it saw that only the whole file can check
// (references to cluster templates and functions, step names, buckets). Internal to
// sluice_pipeline.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/yaml_reader.h"
#include "sluice/pipeline/pipeline_spec.h"

namespace sluice::pipeline {

// A string in the spec and the node it came from.
struct Located {
  std::string text;
  YAML::Node node;
};

struct TemplateInfo {
  YAML::Node key;  // the template's name in `clusters:`
  int step_concurrency = 1;
  std::optional<bool> reuse;  // the template's default for create_cluster's Reuse
};

// A step a target adds, and the cluster template it goes to when the spec tells (create_cluster's
// `cluster`, add_steps' `cluster`).
struct StepUse {
  Located name;
  std::string action_on_failure = "CONTINUE";
  YAML::Node action_on_failure_node;  // undefined when not given
  std::string cluster;
};

struct SpecReader {
  explicit SpecReader(Diagnostics& d) : diagnostics(d) {}

  Diagnostics& diagnostics;
  std::string folder;  // the spec's folder: `files` sources and function code are relative to it
  PipelineSpec spec;
  bool has_buckets = false;  // the spec has a `buckets` list
  std::map<std::string, TemplateInfo> templates;
  std::vector<Located> cluster_references;  // every target's `cluster`
  // Every function `functions` declares (a bad one too: it is still declared), by name.
  std::map<std::string, YAML::Node> functions;
  std::vector<Located> function_references;  // every target's `function`
  std::vector<StepUse> steps;
  std::vector<Located> lake_uris;  // s3:// URIs the spec reads or writes
};

void ReadFunctions(const YAML::Node& node, SpecReader& reader);
void ReadClusters(const YAML::Node& node, SpecReader& reader);
void ReadRules(const YAML::Node& node, SpecReader& reader);
// One target of a rule: its Parameters in the action's JSON form.
std::optional<bus::Target> ReadTarget(const YAML::Node& node, SpecReader& reader);

// A list of steps (`steps:` of create_cluster or add_steps) as StepConfig JSON, each one checked
// by StepConfigFromJson; `cluster` is the template they go to, if known.
std::optional<nlohmann::json> ReadSteps(const YAML::Node& node, const std::string& cluster,
                                        SpecReader& reader);

// The sql step keys (inputs, query, output, load, on_bad_rows) of `map`: inside its `sql` map, or
// beside `sql` given as the query string. nullopt with no diagnostic when `map` has none of them.
// `where` names the step in messages. The result is checked by SqlStepFromJson.
std::optional<nlohmann::json> ReadSqlKeys(const MapReader& map, const std::string& where,
                                          SpecReader& reader, bool& failed);
inline const std::vector<std::string> kSqlKeys = {"inputs", "query", "output", "load",
                                                  "on_bad_rows"};

// Reports every `${...}` variable in the string scalars under `node` that CheckTemplate refuses,
// at the scalar. Returns how many it reported.
int CheckVariables(const YAML::Node& node, bool cluster_known, Diagnostics& diagnostics);

// What only the whole file can check: template and function references, steps against their
// template, buckets.
void CheckWholeSpec(SpecReader& reader);

}  // namespace sluice::pipeline

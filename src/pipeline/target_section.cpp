// A rule's target: `action:` names a built-in action, the action's own keys become its
// Parameters (in the names builtin_actions.h gives), and the keys every target has become the
// Target's fields (Id, RetryPolicy, Batch, Input...). Parameters are checked by the action's own
// CheckParameters, except create_cluster's, whose template is checked against the spec instead
// of a data dir. `function:` names a function instead, one the spec declares (checked with the
// whole file); a function target has the keys every target has and no Parameters.
#include <yaml-cpp/yaml.h>

#include "actions/cluster_actions.h"
#include "actions/parameter_template.h"
#include "actions/put_events_action.h"
#include "actions/run_sql_action.h"
#include "actions/write_log_action.h"
#include "pipeline/did_you_mean.h"
#include "pipeline/spec_reader.h"

namespace sluice::pipeline {
namespace {

using nlohmann::json;

// Every target's keys, besides `action` or `function`.
const std::vector<std::string> kCommonKeys = {"id",    "retry",      "batch",
                                              "input", "input_path", "input_transformer"};

const std::map<std::string, std::vector<std::string>>& ActionKeys() {
  static const std::map<std::string, std::vector<std::string>> keys = {
      {"create_cluster", {"cluster", "reuse", "tags", "steps"}},
      {"add_steps", {"cluster", "cluster_id", "unique", "steps"}},
      {"terminate_cluster", {"cluster", "cluster_id"}},
      {"run_sql", {"name", "sql", "query", "inputs", "output", "load", "on_bad_rows"}},
      {"put_events", {"source", "detail_type"}},
      {"write_log", {"path"}},
  };
  return keys;
}

// The action's own check of its Parameters, with no data dir (create_cluster's needs one).
Status CheckWithAction(const std::string& action, const json& parameters) {
  actions::ActionContext context;
  if (action == "add_steps") return actions::AddStepsAction(context).CheckParameters(parameters);
  if (action == "terminate_cluster") {
    return actions::TerminateClusterAction(context).CheckParameters(parameters);
  }
  if (action == "run_sql") return actions::RunSqlAction(context).CheckParameters(parameters);
  if (action == "put_events") return actions::PutEventsAction(context).CheckParameters(parameters);
  if (action == "write_log") return actions::WriteLogAction(context).CheckParameters(parameters);
  return Status::Ok();
}

// Reads the action's keys of `map` into Parameters; false when one could not be read.
bool ReadParameters(const std::string& action, const MapReader& map, SpecReader& r, json& p) {
  Diagnostics& d = r.diagnostics;
  bool ok = true;
  auto string_key = [&](const char* key, const char* field) {
    if (!map.Has(key)) return;
    auto value = ReadString(map.Get(key), key, d);
    ok = ok && value;
    if (value) p[field] = *value;
  };
  auto bool_key = [&](const char* key, const char* field) {
    if (!map.Has(key)) return;
    auto value = ReadBool(map.Get(key), key, d);
    ok = ok && value;
    if (value) p[field] = *value;
  };
  const bool on_cluster = action == "add_steps" || action == "terminate_cluster";
  string_key("cluster", action == "create_cluster" ? "Template" : "Cluster");
  if (map.Has("cluster") && p.contains(action == "create_cluster" ? "Template" : "Cluster")) {
    r.cluster_references.push_back({map.Get("cluster").Scalar(), map.Get("cluster")});
  }
  if (on_cluster) string_key("cluster_id", "ClusterId");
  if (on_cluster && map.Has("cluster") && map.Has("cluster_id")) {
    d.Add(map.Key("cluster_id"), action + ": give cluster or cluster_id, not both");
    ok = false;
  }
  if (action == "create_cluster") {
    map.Require("cluster");
    ok = ok && map.Has("cluster");
    bool_key("reuse", "Reuse");
    std::string name = p.value("Template", "");
    if (!p.contains("Reuse") && r.templates.count(name) && r.templates[name].reuse) {
      p["Reuse"] = *r.templates[name].reuse;
    }
    if (map.Has("tags")) {
      auto tags = ReadStringMap(map.Get("tags"), "tags", d);
      ok = ok && tags;
      if (tags) p["Tags"] = *tags;
    }
  }
  bool_key("unique", "Unique");
  if (map.Has("steps")) {
    std::string cluster = map.Has("cluster") && map.Get("cluster").IsScalar()
                              ? map.Get("cluster").Scalar()
                              : std::string();
    auto steps = ReadSteps(map.Get("steps"), cluster, r);
    ok = ok && steps;
    if (steps) p["Steps"] = *steps;
  } else if (action == "add_steps") {
    map.Require("steps");
    ok = false;
  }
  if (action == "run_sql") {
    string_key("name", "Name");
    bool failed = false;
    auto sql = ReadSqlKeys(map, "run_sql " + p.value("Name", "target"), r, failed);
    if (!sql && !failed) {
      d.Add(map.node(), "run_sql needs sql (or query) and its keys");
      failed = true;
    }
    ok = ok && !failed;
    if (sql) p.update(*sql);
  }
  string_key("source", "Source");
  string_key("detail_type", "DetailType");
  string_key("path", "Path");
  return ok;
}

// Variables in the Parameters: the cluster's are known to add_steps' steps only.
int CheckParameterVariables(const std::string& action, const MapReader& map, Diagnostics& d) {
  int problems = 0;
  for (const char* key :
       {"cluster", "cluster_id", "tags", "steps", "sql", "query", "inputs", "output", "load"}) {
    if (!map.Has(key)) continue;
    bool cluster_known = action == "add_steps" && std::string(key) == "steps";
    problems += CheckVariables(map.Get(key), cluster_known, d);
  }
  return problems;
}

// retry: {attempts, max_age}, batch: {size, window}, input, input_path, input_transformer.
bool ReadDelivery(const MapReader& map, Diagnostics& d, json& target) {
  bool ok = true;
  if (map.Has("retry")) {
    MapReader retry(map.Get("retry"), "retry", {"attempts", "max_age"}, d);
    ok = ok && retry.ok();
    json policy = json::object();
    if (retry.Has("attempts")) {
      auto attempts = ReadInt(retry.Get("attempts"), "attempts", d);
      ok = ok && attempts;
      if (attempts) policy["MaximumRetryAttempts"] = *attempts;
    }
    if (retry.Has("max_age")) {
      auto age = ReadDuration(retry.Get("max_age"), "max_age", d);
      ok = ok && age;
      if (age) policy["MaximumEventAgeInSeconds"] = *age;
    }
    target["RetryPolicy"] = policy;
  }
  if (map.Has("batch")) {
    MapReader batch(map.Get("batch"), "batch", {"size", "window"}, d);
    ok = ok && batch.ok();
    json policy = json::object();
    if (batch.Has("size")) {
      auto size = ReadInt(batch.Get("size"), "size", d);
      ok = ok && size;
      if (size) policy["Size"] = *size;
    }
    if (batch.Has("window")) {
      auto window = ReadDuration(batch.Get("window"), "window", d);
      ok = ok && window;
      if (window) policy["WindowSeconds"] = *window;
    }
    target["Batch"] = policy;
  }
  if (map.Has("input")) {
    auto input = ToJson(map.Get("input"), d);
    ok = ok && input;
    if (input) target["Input"] = input->dump();
  }
  if (map.Has("input_path")) {
    auto path = ReadString(map.Get("input_path"), "input_path", d);
    ok = ok && path;
    if (path) target["InputPath"] = *path;
  }
  if (map.Has("input_transformer")) {
    MapReader transformer(map.Get("input_transformer"), "input_transformer", {"paths", "template"},
                          d);
    ok = ok && transformer.ok();
    json t = json::object();
    if (transformer.Has("paths")) {
      auto paths = ReadStringMap(transformer.Get("paths"), "paths", d);
      ok = ok && paths;
      if (paths) t["InputPathsMap"] = *paths;
    }
    if (transformer.Has("template")) {
      auto text = ReadString(transformer.Get("template"), "template", d);
      ok = ok && text;
      if (text) t["InputTemplate"] = *text;
    }
    target["InputTransformer"] = t;
  }
  return ok;
}

// The key node `key` of map `node`, for messages about the key itself.
YAML::Node KeyNode(const YAML::Node& node, std::string_view key) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->first;
  }
  return node;
}

// `function: NAME` and the keys every target has; its id defaults to the function's name.
std::optional<bus::Target> ReadFunctionTarget(const YAML::Node& node, SpecReader& r) {
  Diagnostics& d = r.diagnostics;
  std::vector<std::string> keys = kCommonKeys;
  keys.push_back("function");
  MapReader map(node, "function target", keys, d);
  auto function = ReadString(map.Get("function"), "function", d);
  if (!function) return std::nullopt;
  r.function_references.push_back({*function, map.Get("function")});
  json target = {{"Function", *function}, {"Id", *function}};
  bool ok = map.clean();
  if (map.Has("id")) {
    auto id = ReadString(map.Get("id"), "id", d);
    ok = ok && id;
    if (id) target["Id"] = *id;
  }
  ok = ReadDelivery(map, d, target) && ok;
  if (!ok) return std::nullopt;
  auto parsed = bus::TargetFromJson(target);
  if (!parsed.ok()) {
    d.Add(node, parsed.status());
    return std::nullopt;
  }
  return std::move(*parsed);
}

}  // namespace

int CheckVariables(const YAML::Node& node, bool cluster_known, Diagnostics& d) {
  if (node.IsScalar()) {
    if (node.Scalar().find("${") == std::string::npos) return 0;
    Status status = actions::CheckTemplate(json(node.Scalar()), cluster_known);
    if (status.ok()) return 0;
    d.Add(node, status);
    return 1;
  }
  int problems = 0;
  if (node.IsSequence()) {
    for (const YAML::Node& item : node)
      problems += CheckVariables(item, cluster_known, d);
  } else if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it)
      problems += CheckVariables(it->second, cluster_known, d);
  }
  return problems;
}

std::optional<bus::Target> ReadTarget(const YAML::Node& node, SpecReader& r) {
  Diagnostics& d = r.diagnostics;
  if (!node.IsMap()) {
    d.Add(node, "a target must be a map with an action or a function, not " + DescribeNode(node));
    return std::nullopt;
  }
  YAML::Node action_node = node["action"];
  if (node["function"].IsDefined()) {
    if (action_node.IsDefined()) {
      d.Add(KeyNode(node, "function"), "a target names an action or a function, not both");
      return std::nullopt;
    }
    return ReadFunctionTarget(node, r);
  }
  if (!action_node.IsDefined()) {
    d.Add(node,
          "a target needs an action (create_cluster, add_steps, terminate_cluster, "
          "run_sql, put_events or write_log) or a function");
    return std::nullopt;
  }
  auto action = ReadString(action_node, "action", d);
  if (!action) return std::nullopt;
  auto known = ActionKeys().find(*action);
  if (known == ActionKeys().end()) {
    std::vector<std::string> names;
    for (const auto& [name, keys] : ActionKeys())
      names.push_back(name);
    d.Add(action_node, "unknown action \"" + *action + "\"" + DidYouMean(*action, names));
    return std::nullopt;
  }
  std::vector<std::string> keys = kCommonKeys;
  keys.push_back("action");
  keys.insert(keys.end(), known->second.begin(), known->second.end());
  MapReader map(node, *action + " target", keys, d);
  json target = {{"Action", *action}, {"Id", *action}};
  bool ok = true;
  if (map.Has("id")) {
    auto id = ReadString(map.Get("id"), "id", d);
    ok = ok && id;
    if (id) target["Id"] = *id;
  }
  json parameters = json::object();
  ok = ReadParameters(*action, map, r, parameters) && ok;
  ok = ReadDelivery(map, d, target) && ok;
  ok = CheckParameterVariables(*action, map, d) == 0 && ok;
  if (!ok) return std::nullopt;
  target["Parameters"] = parameters;
  auto parsed = bus::TargetFromJson(target);
  if (!parsed.ok()) {
    d.Add(node, parsed.status());
    return std::nullopt;
  }
  Status checked = CheckWithAction(*action, parameters);
  if (!checked.ok()) {
    d.Add(node, checked);
    return std::nullopt;
  }
  return std::move(*parsed);
}

}  // namespace sluice::pipeline

// Steps (`steps:` of create_cluster and add_steps) and the sql step keys they share with run_sql:
// each step becomes StepConfig JSON in its short form ({"Name", "ActionOnFailure", "Command"} or
// {"Name", "ActionOnFailure", "Sql"}), checked by StepConfigFromJson.
#include <yaml-cpp/yaml.h>

#include "pipeline/spec_reader.h"
#include "sluice/clusters/step_config.h"
#include "sluice/engine/sql_step.h"

namespace sluice::pipeline {
namespace {

using nlohmann::json;

const std::vector<std::string> kStepKeys = {
    "name", "action_on_failure", "command", "sql", "inputs", "query", "output",
    "load", "on_bad_rows"};

// The s3:// URIs a sql step names: every input and its output, as written.
void CollectUris(const YAML::Node& keys_node, SpecReader& r) {
  auto add = [&](const YAML::Node& node) {
    YAML::Node uri = node.IsMap() ? node["uri"] : node;
    if (uri.IsDefined() && uri.IsScalar()) r.lake_uris.push_back({uri.Scalar(), uri});
  };
  if (!keys_node.IsMap()) return;
  if (YAML::Node inputs = keys_node["inputs"]; inputs.IsDefined() && inputs.IsMap()) {
    for (auto it = inputs.begin(); it != inputs.end(); ++it)
      add(it->second);
  }
  if (YAML::Node output = keys_node["output"]; output.IsDefined()) add(output);
}

std::optional<json> ReadStep(const YAML::Node& node, const std::string& cluster, SpecReader& r) {
  Diagnostics& d = r.diagnostics;
  MapReader map(node, "step", kStepKeys, d);
  if (!map.ok()) return std::nullopt;
  map.Require("name");
  if (!map.Has("name")) return std::nullopt;
  auto name = ReadString(map.Get("name"), "name", d);
  if (!name) return std::nullopt;
  StepUse use{{*name, map.Get("name")}, "CONTINUE", YAML::Node(), cluster};
  json step = {{"Name", *name}};
  bool ok = true;
  if (map.Has("action_on_failure")) {
    auto action = ReadString(map.Get("action_on_failure"), "action_on_failure", d);
    if (action && !clusters::ParseActionOnFailure(*action)) {
      d.Add(map.Get("action_on_failure"),
            "action_on_failure must be TERMINATE_CLUSTER, CANCEL_AND_WAIT or CONTINUE, not \"" +
                *action + "\"");
      action.reset();
    }
    ok = ok && action;
    if (action) {
      step["ActionOnFailure"] = *action;
      use.action_on_failure = *action;
      use.action_on_failure_node = map.Get("action_on_failure");
    }
  }
  const std::string where = "step " + *name;
  bool has_sql = map.Has("sql");
  for (const std::string& key : kSqlKeys)
    has_sql = has_sql || map.Has(key);
  if (map.Has("command") && has_sql) {
    d.Add(map.Key("command"), where + ": give command or sql, not both");
    return std::nullopt;
  }
  bool sql_failed = false;
  auto sql = ReadSqlKeys(map, where, r, sql_failed);
  ok = ok && !sql_failed;
  if (map.Has("command")) {
    auto args = ReadStringList(map.Get("command"), "command", d);
    ok = ok && args;
    if (args) step["Command"] = *args;
  } else if (sql) {
    step["Sql"] = *sql;
  } else if (!sql_failed) {
    d.Add(node, where + ": give command (a list of arguments) or sql");
    return std::nullopt;
  }
  r.steps.push_back(use);
  if (!ok) return std::nullopt;
  auto parsed = clusters::StepConfigFromJson(step);
  if (!parsed.ok()) {
    d.Add(node, parsed.status());
    return std::nullopt;
  }
  return step;
}

}  // namespace

std::optional<json> ReadSqlKeys(const MapReader& map, const std::string& where, SpecReader& r,
                                bool& failed) {
  Diagnostics& d = r.diagnostics;
  failed = false;
  bool beside = false;
  for (const std::string& key : kSqlKeys)
    beside = beside || map.Has(key);
  if (!map.Has("sql") && !beside) return std::nullopt;
  json keys = json::object();
  YAML::Node keys_node = map.node();
  YAML::Node at = map.node();  // where the sql step's own checks are reported
  if (map.Has("sql")) {
    YAML::Node sql = map.Get("sql");
    at = sql;
    if (sql.IsMap()) {
      for (const std::string& key : kSqlKeys) {
        if (map.Has(key)) {
          d.Add(map.Key(key),
                where + ": " + key + " belongs inside sql (or give sql as the query)");
          failed = true;
        }
      }
      MapReader inner(sql, "sql", kSqlKeys, d);
      failed = failed || !inner.clean();
      keys_node = sql;
      for (const std::string& key : kSqlKeys) {
        if (!inner.Has(key)) continue;
        auto value = ToJson(inner.Get(key), d);
        if (value) keys[key] = *value;
        failed = failed || !value;
      }
    } else {
      auto query = ReadString(sql, "sql", d);
      if (!query) {
        failed = true;
        return std::nullopt;
      }
      if (map.Has("query")) {
        d.Add(map.Key("query"), where + ": give the query as sql or as query, not both");
        failed = true;
      }
      keys["query"] = *query;
    }
  }
  if (!map.Has("sql") || !map.Get("sql").IsMap()) {
    for (const std::string& key : kSqlKeys) {
      if (!map.Has(key) || keys.contains(key)) continue;
      auto value = ToJson(map.Get(key), d);
      if (value) keys[key] = *value;
      failed = failed || !value;
    }
  }
  CollectUris(keys_node, r);
  if (failed) return std::nullopt;
  auto parsed = engine::SqlStepFromJson(keys, where);
  if (!parsed.ok()) {
    d.Add(at, parsed.status());
    failed = true;
    return std::nullopt;
  }
  return keys;
}

std::optional<json> ReadSteps(const YAML::Node& node, const std::string& cluster, SpecReader& r) {
  Diagnostics& d = r.diagnostics;
  if (!node.IsSequence() || node.size() == 0) {
    d.Add(node, "steps must be a non-empty list of steps, not " + DescribeNode(node));
    return std::nullopt;
  }
  json steps = json::array();
  bool ok = true;
  std::map<std::string, YAML::Node> names;
  for (const YAML::Node& item : node) {
    size_t before = r.steps.size();
    auto step = ReadStep(item, cluster, r);
    if (r.steps.size() > before) {
      const Located& name = r.steps.back().name;
      if (auto [it, fresh] = names.emplace(name.text, name.node); !fresh) {
        d.Add(name.node, "duplicate step name \"" + name.text + "\" (first at line " +
                             std::to_string(it->second.Mark().line + 1) + ")");
        ok = false;
      }
    }
    ok = ok && step;
    if (step) steps.push_back(std::move(*step));
  }
  if (!ok) return std::nullopt;
  return steps;
}

}  // namespace sluice::pipeline

// `clusters:` — each entry becomes the RunJobFlow JSON that `sluice clusters templates put`
// takes, checked by TemplateFromJson.
#include <yaml-cpp/yaml.h>

#include "pipeline/spec_reader.h"

namespace sluice::pipeline {
namespace {

using nlohmann::json;

const std::vector<std::string> kTemplateKeys = {
    "provider",         "release",    "applications", "instances",
    "bootstrap",        "keep_alive", "idle_timeout", "max_lifetime",
    "step_concurrency", "log_uri",    "tags",         "termination_protected",
    "configurations",   "reuse"};

// `master: m5.xlarge` or `core: {type: m5.xlarge, count: 2, market: SPOT, name: Core}`.
std::optional<json> ReadInstanceGroup(const YAML::Node& node, const std::string& role,
                                      Diagnostics& d) {
  json group = {{"InstanceRole", role}, {"InstanceCount", 1}};
  std::string lower = role == "MASTER" ? "master" : role == "CORE" ? "core" : "task";
  group["Name"] = std::string(1, static_cast<char>(role[0])) + lower.substr(1);
  if (node.IsScalar()) {
    auto type = ReadString(node, "instances." + lower, d);
    if (!type) return std::nullopt;
    group["InstanceType"] = *type;
    return group;
  }
  MapReader map(node, "instances." + lower, {"type", "count", "market", "name"}, d);
  if (!map.ok()) return std::nullopt;
  map.Require("type");
  bool ok = map.Has("type");
  if (map.Has("type")) {
    auto type = ReadString(map.Get("type"), "type", d);
    ok = ok && type;
    if (type) group["InstanceType"] = *type;
  }
  if (map.Has("count")) {
    auto count = ReadInt(map.Get("count"), "count", d);
    ok = ok && count;
    if (count) group["InstanceCount"] = *count;
  }
  for (const char* key : {"market", "name"}) {
    if (!map.Has(key)) continue;
    auto text = ReadString(map.Get(key), key, d);
    ok = ok && text;
    if (text) group[key == std::string("market") ? "Market" : "Name"] = *text;
  }
  if (!ok) return std::nullopt;
  return group;
}

std::optional<json> ReadInstances(const YAML::Node& node, Diagnostics& d) {
  MapReader map(node, "instances", {"master", "core", "task"}, d);
  if (!map.ok()) return std::nullopt;
  map.Require("master");
  json groups = json::array();
  bool ok = map.Has("master");
  for (const auto& [key, role] :
       {std::pair{"master", "MASTER"}, {"core", "CORE"}, {"task", "TASK"}}) {
    if (!map.Has(key)) continue;
    auto group = ReadInstanceGroup(map.Get(key), role, d);
    ok = ok && group;
    if (group) groups.push_back(std::move(*group));
  }
  if (!ok) return std::nullopt;
  return groups;
}

// `[{path: s3://lake/bootstrap/setup.sh, args: [--quiet], name: setup}]`; the name defaults to
// the script's file name without its extension.
std::optional<json> ReadBootstrap(const YAML::Node& node, SpecReader& r) {
  Diagnostics& d = r.diagnostics;
  if (!node.IsSequence()) {
    d.Add(node, "bootstrap must be a list of {path, args, name}, not " + DescribeNode(node));
    return std::nullopt;
  }
  json actions = json::array();
  bool ok = true;
  for (const YAML::Node& item : node) {
    MapReader map(item, "bootstrap action", {"path", "args", "name"}, d);
    if (!map.ok()) {
      ok = false;
      continue;
    }
    map.Require("path");
    if (!map.Has("path")) {
      ok = false;
      continue;
    }
    auto path = ReadString(map.Get("path"), "path", d);
    if (!path) {
      ok = false;
      continue;
    }
    r.lake_uris.push_back({*path, map.Get("path")});
    std::string name = path->substr(path->find_last_of('/') + 1);
    name = name.substr(0, name.find('.'));
    if (map.Has("name")) {
      auto given = ReadString(map.Get("name"), "name", d);
      if (given) name = *given;
      ok = ok && given;
    }
    json script = {{"Path", *path}};
    if (map.Has("args")) {
      auto args = ReadStringList(map.Get("args"), "args", d);
      if (args) script["Args"] = *args;
      ok = ok && args;
    }
    actions.push_back(
        {{"Name", name.empty() ? "bootstrap" : name}, {"ScriptBootstrapAction", script}});
  }
  if (!ok) return std::nullopt;
  return actions;
}

// One template: its RunJobFlow JSON, or nullopt when a key could not be read.
std::optional<json> ReadTemplateJson(const std::string& name, const MapReader& map, SpecReader& r,
                                     TemplateInfo& info) {
  Diagnostics& d = r.diagnostics;
  json t = {{"Name", name}};
  json instances = json::object();
  bool ok = true;
  auto string_key = [&](const char* key, json& into, const char* field) {
    if (!map.Has(key)) return;
    auto value = ReadString(map.Get(key), key, d);
    ok = ok && value;
    if (value) into[field] = *value;
  };
  auto bool_key = [&](const char* key, json& into, const char* field) {
    if (!map.Has(key)) return;
    auto value = ReadBool(map.Get(key), key, d);
    ok = ok && value;
    if (value) into[field] = *value;
  };
  string_key("provider", t, "Provider");
  string_key("release", t, "ReleaseLabel");
  string_key("log_uri", t, "LogUri");
  if (map.Has("log_uri") && t.contains("LogUri")) {
    r.lake_uris.push_back({t["LogUri"], map.Get("log_uri")});
  }
  if (map.Has("applications")) {
    auto apps = ReadStringList(map.Get("applications"), "applications", d);
    ok = ok && apps;
    if (apps) {
      t["Applications"] = json::array();
      for (const std::string& app : *apps)
        t["Applications"].push_back({{"Name", app}});
    }
  }
  if (map.Has("instances")) {
    auto groups = ReadInstances(map.Get("instances"), d);
    ok = ok && groups;
    if (groups) instances["InstanceGroups"] = *groups;
  } else {
    map.Require("instances");
    ok = false;
  }
  bool_key("keep_alive", instances, "KeepJobFlowAliveWhenNoSteps");
  bool_key("termination_protected", instances, "TerminationProtected");
  t["Instances"] = instances;
  if (map.Has("bootstrap")) {
    auto actions = ReadBootstrap(map.Get("bootstrap"), r);
    ok = ok && actions;
    if (actions) t["BootstrapActions"] = *actions;
  }
  if (map.Has("idle_timeout")) {
    auto seconds = ReadDuration(map.Get("idle_timeout"), "idle_timeout", d);
    ok = ok && seconds;
    if (seconds) t["AutoTerminationPolicy"] = {{"IdleTimeout", *seconds}};
  }
  if (map.Has("max_lifetime")) {
    auto seconds = ReadDuration(map.Get("max_lifetime"), "max_lifetime", d);
    ok = ok && seconds;
    if (seconds) t["MaximumLifetimeSeconds"] = *seconds;
  }
  if (map.Has("step_concurrency")) {
    auto level = ReadInt(map.Get("step_concurrency"), "step_concurrency", d);
    ok = ok && level;
    if (level) {
      t["StepConcurrencyLevel"] = *level;
      info.step_concurrency = static_cast<int>(*level);
    }
  }
  if (map.Has("tags")) {
    auto tags = ReadStringMap(map.Get("tags"), "tags", d);
    ok = ok && tags;
    if (tags) {
      t["Tags"] = json::array();
      for (const auto& [key, value] : tags->items())
        t["Tags"].push_back({{"Key", key}, {"Value", value}});
    }
  }
  if (map.Has("configurations")) {
    // EMR's own form ([{Classification, Properties, Configurations}]), passed through.
    auto configurations = ToJson(map.Get("configurations"), d);
    ok = ok && configurations;
    if (configurations) t["Configurations"] = *configurations;
  }
  if (map.Has("reuse")) {
    auto reuse = ReadBool(map.Get("reuse"), "reuse", d);
    ok = ok && reuse;
    info.reuse = reuse;
  }
  if (!ok) return std::nullopt;
  return t;
}

}  // namespace

void ReadClusters(const YAML::Node& node, SpecReader& r) {
  Diagnostics& d = r.diagnostics;
  if (!node.IsMap()) {
    d.Add(node, "clusters must be a map of template names to templates, not " + DescribeNode(node));
    return;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    auto name = ReadString(it->first, "a cluster template's name", d);
    if (!name) continue;
    if (r.templates.count(*name) != 0) {
      d.Add(it->first, "cluster template \"" + *name + "\" is defined twice (first at line " +
                           std::to_string(r.templates[*name].key.Mark().line + 1) + ")");
      continue;
    }
    TemplateInfo& info = r.templates[*name];
    info.key = it->first;
    MapReader map(it->second, "cluster template " + *name, kTemplateKeys, d);
    if (!map.ok()) continue;
    auto j = ReadTemplateJson(*name, map, r, info);
    if (!j) continue;
    auto parsed = clusters::TemplateFromJson(*j);
    if (!parsed.ok()) {
      d.Add(it->first, parsed.status());
      continue;
    }
    r.spec.templates.push_back(std::move(*parsed));
  }
}

}  // namespace sluice::pipeline

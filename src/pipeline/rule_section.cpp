// `rules:` — each rule becomes a bus::Rule as `sluice rules put --file` reads it (RuleFromJson)
// and is checked by ValidateRule; its pattern and schedule are checked on their own first, so
// that their errors point at them.
#include <yaml-cpp/yaml.h>

#include "pipeline/spec_reader.h"
#include "sluice/bus/event_pattern.h"
#include "sluice/bus/schedule.h"

namespace sluice::pipeline {
namespace {

using nlohmann::json;

const std::vector<std::string> kRuleKeys = {"name",     "description", "pattern",
                                            "schedule", "enabled",     "targets"};

// The pattern as JSON text: a map, or a string holding JSON.
std::optional<std::string> ReadPattern(const YAML::Node& node, Diagnostics& d) {
  std::string text;
  if (node.IsMap()) {
    auto pattern = ToJson(node, d);
    if (!pattern) return std::nullopt;
    text = pattern->dump();
  } else if (node.IsScalar()) {
    text = node.Scalar();
  } else {
    d.Add(node, "pattern must be a map (an event pattern), not " + DescribeNode(node));
    return std::nullopt;
  }
  auto compiled = bus::CompilePattern(text);
  if (!compiled.ok()) {
    d.Add(node, compiled.status());
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> ReadSchedule(const YAML::Node& node, Diagnostics& d) {
  auto text = ReadString(node, "schedule", d);
  if (!text) return std::nullopt;
  auto schedule = bus::ParseSchedule(*text);
  if (!schedule.ok()) {
    d.Add(node, schedule.status());
    return std::nullopt;
  }
  return text;
}

// The targets, with unique ids: a target without `id` is named after its action, then
// <action>-2, <action>-3 ... when the rule has several.
bool ReadTargets(const YAML::Node& node, bus::Rule& rule, SpecReader& r) {
  Diagnostics& d = r.diagnostics;
  if (!node.IsSequence()) {
    d.Add(node, "targets must be a list of targets, not " + DescribeNode(node));
    return false;
  }
  bool ok = true;
  std::map<std::string, YAML::Node> ids;
  size_t index = 0;
  for (const YAML::Node& item : node) {
    if (++index == bus::kMaxTargetsPerRule + 1) {
      d.Add(item, "rule " + rule.name + " has " + std::to_string(node.size()) +
                      " targets; a rule may have at most " +
                      std::to_string(bus::kMaxTargetsPerRule));
      ok = false;
    }
    auto target = ReadTarget(item, r);
    if (!target) {
      ok = false;
      continue;
    }
    const bool named = item["id"].IsDefined();
    if (!named) {
      std::string id = target->id;
      for (int n = 2; ids.count(id) != 0; ++n)
        id = target->id + "-" + std::to_string(n);
      target->id = id;
    }
    YAML::Node at = named ? item["id"] : item;
    if (auto [it, fresh] = ids.emplace(target->id, at); !fresh) {
      d.Add(at, "rule " + rule.name + ": two targets have the id " + target->id);
      ok = false;
      continue;
    }
    // The target's own limits (retry, batch, input), as PutTargets checks them.
    bus::Rule alone = rule;
    alone.event_pattern = "{\"source\":[\"sluice\"]}";
    alone.schedule_expression.clear();
    alone.targets = {*target};
    if (Status valid = bus::ValidateRule(alone); !valid.ok()) {
      d.Add(item, valid);
      ok = false;
      continue;
    }
    rule.targets.push_back(std::move(*target));
  }
  return ok;
}

void ReadRule(const YAML::Node& node, SpecReader& r, std::map<std::string, YAML::Node>& names) {
  Diagnostics& d = r.diagnostics;
  MapReader map(node, "rule", kRuleKeys, d);
  if (!map.ok()) return;
  map.Require("name");
  if (!map.Has("name")) return;
  auto name = ReadString(map.Get("name"), "name", d);
  if (!name) return;
  bool ok = true;
  if (auto [it, fresh] = names.emplace(*name, map.Get("name")); !fresh) {
    d.Add(map.Get("name"), "duplicate rule name \"" + *name + "\" (first at line " +
                               std::to_string(it->second.Mark().line + 1) + ")");
    ok = false;
  }
  bus::Rule rule;
  rule.name = *name;
  if (map.Has("description")) {
    auto text = ReadString(map.Get("description"), "description", d);
    ok = ok && text;
    if (text) rule.description = *text;
  }
  if (!map.clean()) {
    ok = false;  // a misspelt pattern or schedule: "give one of them" would only repeat it
  } else if (map.Has("pattern") == map.Has("schedule")) {
    d.Add(map.Has("schedule") ? map.Key("schedule") : node,
          "rule " + *name + ": give a pattern or a schedule (exactly one of them)");
    ok = false;
  } else if (map.Has("pattern")) {
    auto pattern = ReadPattern(map.Get("pattern"), d);
    ok = ok && pattern;
    if (pattern) rule.event_pattern = *pattern;
  } else {
    auto schedule = ReadSchedule(map.Get("schedule"), d);
    ok = ok && schedule;
    if (schedule) rule.schedule_expression = *schedule;
  }
  if (map.Has("enabled")) {
    auto enabled = ReadBool(map.Get("enabled"), "enabled", d);
    ok = ok && enabled;
    if (enabled) rule.state = *enabled ? bus::RuleState::kEnabled : bus::RuleState::kDisabled;
  }
  if (ok) {
    // Names and lengths, before the targets are added (they are checked one by one).
    if (Status valid = bus::ValidateRule(rule); !valid.ok()) {
      d.Add(map.Get("name"), valid);
      ok = false;
    }
  }
  if (map.Has("targets")) ok = ReadTargets(map.Get("targets"), rule, r) && ok;
  if (!ok) return;
  // The same round trip as `sluice rules put --file`.
  auto parsed = bus::RuleFromJson(bus::RuleToJson(rule));
  if (!parsed.ok()) {
    d.Add(node, parsed.status());
    return;
  }
  r.spec.rules.push_back(std::move(*parsed));
}

}  // namespace

void ReadRules(const YAML::Node& node, SpecReader& r) {
  if (!node.IsSequence()) {
    r.diagnostics.Add(node, "rules must be a list of rules, not " + DescribeNode(node));
    return;
  }
  std::map<std::string, YAML::Node> names;
  for (const YAML::Node& item : node)
    ReadRule(item, r, names);
}

}  // namespace sluice::pipeline

// Reading a YAML document users write, node by node, into typed values and JSON, recording every
// problem with the position of the node it is about instead of stopping at the first.
//
// yaml-cpp scalars are untyped text; the readers here type them (a quoted scalar is always a
// string) and never throw.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/status.h"
#include "sluice/pipeline/pipeline_spec.h"

namespace sluice::pipeline {

// Collects diagnostics; positions come from yaml-cpp's 0-based marks.
class Diagnostics {
 public:
  void Add(const YAML::Mark& mark, std::string message);
  void Add(const YAML::Node& node, std::string message) { Add(node.Mark(), std::move(message)); }
  // A Status from one of sluice's validators, which carries no position: its message as is.
  void Add(const YAML::Node& node, const Status& status) { Add(node, status.message()); }
  size_t size() const { return list_.size(); }
  // Sorted by line, then column; problems at one position keep the order they were found in.
  std::vector<Diagnostic> Sorted() const;

 private:
  std::vector<Diagnostic> list_;
};

// "a string", "a list", "a map" ... for messages about what a node is.
std::string DescribeNode(const YAML::Node& node);

// One map of the document: checks that it is a map, that it has only `known` keys (an unknown
// one is reported at the key, with a suggestion when one is close) and no key twice.
class MapReader {
 public:
  MapReader(const YAML::Node& node, std::string_view what, std::vector<std::string> known,
            Diagnostics& diagnostics);
  bool ok() const { return ok_; }
  // A map with no unknown or repeated key: checks that depend on which keys are there are
  // trustworthy only then.
  bool clean() const { return ok_ && clean_; }
  bool Has(std::string_view key) const { return Find(key) != nullptr; }
  // The value of `key`; an invalid (undefined) node when absent.
  YAML::Node Get(std::string_view key) const;
  // The key node itself, for messages about the key; `node()` when absent.
  YAML::Node Key(std::string_view key) const;
  const YAML::Node& node() const { return node_; }
  // Reports `key` as missing, at the map.
  void Require(std::string_view key) const;

 private:
  struct Entry {
    std::string name;
    YAML::Node key;
    YAML::Node value;
  };
  const Entry* Find(std::string_view key) const;

  YAML::Node node_;
  Diagnostics& diagnostics_;
  std::vector<Entry> entries_;
  bool ok_ = false;
  bool clean_ = true;
};

// Typed readers: nullopt (and a diagnostic at `node` naming `what`) when the node is of another
// type. `node` must be defined.
std::optional<std::string> ReadString(const YAML::Node& node, std::string_view what,
                                      Diagnostics& diagnostics);
std::optional<bool> ReadBool(const YAML::Node& node, std::string_view what,
                             Diagnostics& diagnostics);
std::optional<int64_t> ReadInt(const YAML::Node& node, std::string_view what,
                               Diagnostics& diagnostics);
// A duration (duration.h), in seconds.
std::optional<int64_t> ReadDuration(const YAML::Node& node, std::string_view what,
                                    Diagnostics& diagnostics);
std::optional<std::vector<std::string>> ReadStringList(const YAML::Node& node,
                                                       std::string_view what,
                                                       Diagnostics& diagnostics);
// A map of string values (tags).
std::optional<nlohmann::json> ReadStringMap(const YAML::Node& node, std::string_view what,
                                            Diagnostics& diagnostics);

// The node as JSON: maps and sequences as objects and arrays; plain scalars typed as YAML's
// core schema does (null, true/false, integers, floats, else strings); quoted scalars as
// strings. Fails (with a diagnostic) on a map key that is not a scalar.
std::optional<nlohmann::json> ToJson(const YAML::Node& node, Diagnostics& diagnostics);

}  // namespace sluice::pipeline

#include "pipeline/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <regex>

#include "pipeline/did_you_mean.h"
#include "pipeline/duration.h"

namespace sluice::pipeline {
namespace {

using nlohmann::json;

bool IsQuoted(const YAML::Node& node) {
  return node.Tag() == "!";
}

// The plain scalar's type under YAML 1.2's core schema.
json TypedScalar(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (IsQuoted(node)) return text;
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  static const std::regex kInt("[-+]?[0-9]+");
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (std::regex_match(text, kInt)) {
    int64_t value = 0;
    const char* begin = text.data() + (text[0] == '+' ? 1 : 0);
    auto [end, error] = std::from_chars(begin, text.data() + text.size(), value);
    if (error == std::errc() && end == text.data() + text.size()) return value;
    return text;
  }
  if (std::regex_match(text, kFloat)) return std::stod(text);
  return text;
}

void WrongType(const YAML::Node& node, std::string_view what, std::string_view expected,
               Diagnostics& diagnostics) {
  diagnostics.Add(node, std::string(what) + " must be " + std::string(expected) + ", not " +
                            DescribeNode(node));
}

}  // namespace

void Diagnostics::Add(const YAML::Mark& mark, std::string message) {
  list_.push_back({mark.line + 1, mark.column + 1, std::move(message)});
}

std::vector<Diagnostic> Diagnostics::Sorted() const {
  std::vector<Diagnostic> sorted = list_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return sorted;
}

std::string DescribeNode(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "empty";
    case YAML::NodeType::Scalar: {
      json value = TypedScalar(node);
      if (value.is_null()) return "empty";
      if (value.is_boolean()) return "a boolean (" + node.Scalar() + ")";
      if (value.is_number()) return "a number (" + node.Scalar() + ")";
      return "a string (\"" + node.Scalar() + "\")";
    }
    default:
      return "undefined";
  }
}

MapReader::MapReader(const YAML::Node& node, std::string_view what, std::vector<std::string> known,
                     Diagnostics& diagnostics)
    : node_(node), diagnostics_(diagnostics) {
  if (!node.IsMap()) {
    WrongType(node, what, "a map", diagnostics);
    return;
  }
  ok_ = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      diagnostics.Add(it->first, std::string(what) + ": keys must be plain names");
      clean_ = false;
      continue;
    }
    std::string name = it->first.Scalar();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      diagnostics.Add(it->first, std::string(what) + ": unknown key \"" + name + "\"" +
                                     DidYouMean(name, known));
      clean_ = false;
      continue;
    }
    if (Find(name) != nullptr) {
      diagnostics.Add(it->first, std::string(what) + ": key \"" + name + "\" given twice");
      clean_ = false;
      continue;
    }
    entries_.push_back({name, it->first, it->second});
  }
}

const MapReader::Entry* MapReader::Find(std::string_view key) const {
  for (const Entry& e : entries_) {
    if (e.name == key) return &e;
  }
  return nullptr;
}

YAML::Node MapReader::Get(std::string_view key) const {
  const Entry* e = Find(key);
  return e != nullptr ? e->value : YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node MapReader::Key(std::string_view key) const {
  const Entry* e = Find(key);
  return e != nullptr ? e->key : node_;
}

void MapReader::Require(std::string_view key) const {
  if (ok_ && !Has(key)) diagnostics_.Add(node_, std::string(key) + " is required");
}

std::optional<std::string> ReadString(const YAML::Node& node, std::string_view what,
                                      Diagnostics& diagnostics) {
  if (!node.IsScalar() || TypedScalar(node).is_null()) {
    WrongType(node, what, "a string", diagnostics);
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<bool> ReadBool(const YAML::Node& node, std::string_view what,
                             Diagnostics& diagnostics) {
  if (node.IsScalar()) {
    json value = TypedScalar(node);
    if (value.is_boolean()) return value.get<bool>();
  }
  WrongType(node, what, "true or false", diagnostics);
  return std::nullopt;
}

std::optional<int64_t> ReadInt(const YAML::Node& node, std::string_view what,
                               Diagnostics& diagnostics) {
  if (node.IsScalar()) {
    json value = TypedScalar(node);
    if (value.is_number_integer()) return value.get<int64_t>();
  }
  WrongType(node, what, "an integer", diagnostics);
  return std::nullopt;
}

std::optional<int64_t> ReadDuration(const YAML::Node& node, std::string_view what,
                                    Diagnostics& diagnostics) {
  if (node.IsScalar()) {
    if (auto seconds = ParseDuration(node.Scalar())) return seconds;
  }
  WrongType(node, what, "a duration (90s, 10m, 1h, 2d, or seconds)", diagnostics);
  return std::nullopt;
}

std::optional<std::vector<std::string>> ReadStringList(const YAML::Node& node,
                                                       std::string_view what,
                                                       Diagnostics& diagnostics) {
  if (!node.IsSequence()) {
    WrongType(node, what, "a list of strings", diagnostics);
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const YAML::Node& item : node) {
    auto text = ReadString(item, std::string(what) + " items", diagnostics);
    if (text) {
      out.push_back(*text);
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<json> ReadStringMap(const YAML::Node& node, std::string_view what,
                                  Diagnostics& diagnostics) {
  if (!node.IsMap()) {
    WrongType(node, what, "a map of strings", diagnostics);
    return std::nullopt;
  }
  json out = json::object();
  bool ok = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    auto key = ReadString(it->first, std::string(what) + " keys", diagnostics);
    auto value = ReadString(it->second, std::string(what) + " values", diagnostics);
    if (key && value) {
      out[*key] = *value;
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<json> ToJson(const YAML::Node& node, Diagnostics& diagnostics) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return TypedScalar(node);
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const YAML::Node& item : node) {
        auto value = ToJson(item, diagnostics);
        if (!value) return std::nullopt;
        out.push_back(std::move(*value));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) {
          diagnostics.Add(it->first, "map keys must be scalars");
          return std::nullopt;
        }
        auto value = ToJson(it->second, diagnostics);
        if (!value) return std::nullopt;
        out[it->first.Scalar()] = std::move(*value);
      }
      return out;
    }
    default:
      return json(nullptr);
  }
}

}  // namespace sluice::pipeline

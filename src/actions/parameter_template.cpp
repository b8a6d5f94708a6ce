#include "actions/parameter_template.h"

#include <array>

namespace sluice::actions {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 9> kEventFields = {
    "version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"};

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

// A piece of a templated string: literal text, or a variable's path.
struct Piece {
  bool variable;
  std::string text;
};

Result<std::vector<Piece>> Parse(const std::string& s) {
  std::vector<Piece> pieces;
  std::string literal;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 3, "$${") == 0) {
      literal += "${";
      i += 2;
    } else if (s.compare(i, 2, "${") == 0) {
      size_t end = s.find('}', i + 2);
      if (end == std::string::npos) return Status::Validation("unclosed ${ in \"" + s + "\"");
      std::string path = s.substr(i + 2, end - i - 2);
      if (path.empty() || path.front() == '.' || path.back() == '.' ||
          path.find("..") != std::string::npos) {
        return Status::Validation("bad variable ${" + path + "} in \"" + s + "\"");
      }
      if (!literal.empty()) pieces.push_back({false, std::move(literal)});
      literal.clear();
      pieces.push_back({true, path});
      i = end;
    } else {
      literal += s[i];
    }
  }
  if (!literal.empty()) pieces.push_back({false, std::move(literal)});
  return pieces;
}

const json* Find(const json& root, const std::vector<std::string>& parts, size_t from) {
  const json* at = &root;
  for (size_t i = from; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    if (at->is_object()) {
      auto it = at->find(part);
      if (it == at->end()) return nullptr;
      at = &*it;
    } else if (at->is_array() && !part.empty() &&
               part.find_first_not_of("0123456789") == std::string::npos) {
      size_t index = std::stoul(part);
      if (index >= at->size()) return nullptr;
      at = &(*at)[index];
    } else {
      return nullptr;
    }
  }
  return at;
}

json ClusterScope(const clusters::Cluster& cluster) {
  return {{"id", cluster.id},
          {"name", cluster.name},
          {"template", cluster.template_name},
          {"state", std::string(clusters::ClusterStateName(cluster.state))},
          {"tags", cluster.spec.tags}};
}

Result<json> Resolve(const std::string& path, const json& event, const json* cluster) {
  std::vector<std::string> parts = Split(path);
  const json* value = nullptr;
  if (parts[0] == "cluster") {
    if (cluster == nullptr) return Status::Validation("${" + path + "}: there is no cluster here");
    value = Find(*cluster, parts, 1);
    if (value == nullptr) return Status::Validation("${" + path + "} is not set on the cluster");
  } else {
    value = Find(event, parts, 0);
    if (value == nullptr) return Status::Validation("${" + path + "} is not in the event");
  }
  return *value;
}

Result<json> ExpandString(const std::string& s, const json& event, const json* cluster) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<Piece> pieces, Parse(s));
  if (pieces.size() == 1 && pieces[0].variable) return Resolve(pieces[0].text, event, cluster);
  std::string out;
  for (const Piece& piece : pieces) {
    if (!piece.variable) {
      out += piece.text;
      continue;
    }
    SLUICE_ASSIGN_OR_RETURN(json value, Resolve(piece.text, event, cluster));
    out += value.is_string() ? value.get<std::string>() : value.dump();
  }
  return json(out);
}

Result<json> Expand(const json& value, const json& event, const json* cluster) {
  if (value.is_string()) return ExpandString(value.get<std::string>(), event, cluster);
  if (!value.is_structured()) return value;
  json out = value.is_object() ? json::object() : json::array();
  for (auto it = value.begin(); it != value.end(); ++it) {
    SLUICE_ASSIGN_OR_RETURN(json expanded, Expand(*it, event, cluster));
    if (value.is_object()) {
      out[it.key()] = std::move(expanded);
    } else {
      out.push_back(std::move(expanded));
    }
  }
  return out;
}

Status Check(const json& value, bool cluster_known) {
  if (value.is_string()) {
    SLUICE_ASSIGN_OR_RETURN(std::vector<Piece> pieces, Parse(value.get<std::string>()));
    for (const Piece& piece : pieces) {
      if (!piece.variable) continue;
      std::string root = Split(piece.text)[0];
      if (root == "cluster") {
        if (!cluster_known) {
          return Status::Validation("${" + piece.text +
                                    "}: this action has no cluster to read it from");
        }
        continue;
      }
      if (std::find(kEventFields.begin(), kEventFields.end(), root) == kEventFields.end()) {
        return Status::Validation("${" + piece.text +
                                  "}: unknown variable; variables start at an event "
                                  "field (detail, id, time, source, ...)" +
                                  std::string(cluster_known ? " or at cluster" : ""));
      }
    }
    return Status::Ok();
  }
  if (value.is_structured()) {
    for (const json& item : value)
      SLUICE_RETURN_IF_ERROR(Check(item, cluster_known));
  }
  return Status::Ok();
}

}  // namespace

Status CheckTemplate(const json& parameters, bool cluster_known) {
  return Check(parameters, cluster_known);
}

Result<json> ExpandTemplate(const json& parameters, const json& event,
                            const clusters::Cluster* cluster) {
  if (cluster == nullptr) return Expand(parameters, event, nullptr);
  json scope = ClusterScope(*cluster);
  return Expand(parameters, event, &scope);
}

}  // namespace sluice::actions

// `functions:` — each entry becomes the FunctionConfig `sluice functions put` takes. Its limits
// are ValidateFunctionConfig's own: that validator stops at the first problem and knows no
// positions, so each key is checked alone, by validating a config that is valid except for that
// key, and what it refuses is reported at the key's node. A local code folder must exist, as
// `files` sources must; it is resolved against the spec's folder here, so that applying the spec
// deploys the folder the spec names wherever sluice runs from.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <limits>

#include "pipeline/spec_reader.h"
#include "sluice/lake/s3_uri.h"

namespace sluice::pipeline {
namespace {

using functions::FunctionConfig;

const std::vector<std::string> kFunctionKeys = {
    "runtime",       "handler",    "code",   "command", "environment",
    "description",   "timeout",    "memory", "retries", "reserved_concurrency",
    "max_event_age", "dead_letter"};

// A config ValidateFunctionConfig accepts: what each single-key check starts from.
FunctionConfig ValidBaseline(const std::string& name) {
  FunctionConfig config;
  config.name = name;
  config.runtime = "python3";
  config.handler = "app.handler";
  config.code = "code";
  return config;
}

// Reads one function's keys, reporting each problem at its key.
class FunctionReader {
 public:
  FunctionReader(const std::string& name, const MapReader& map, SpecReader& r)
      : map_(map), r_(r), d_(r.diagnostics), baseline_(ValidBaseline(name)) {
    config_.name = name;
  }

  // The config, or nullopt when any key was refused.
  std::optional<FunctionConfig> Read() {
    ReadRuntime();
    ReadHandlerAndCommand();
    ReadCode();
    ReadEnvironment();
    Text("description", [](FunctionConfig& c, std::string v) { c.description = std::move(v); });
    Seconds("timeout", [](FunctionConfig& c, int v) { c.timeout_seconds = v; });
    Number("memory", [](FunctionConfig& c, int v) { c.memory_mb = v; });
    Number("reserved_concurrency", [](FunctionConfig& c, int v) { c.reserved_concurrency = v; });
    Number("retries", [](FunctionConfig& c, int v) { c.async.maximum_retry_attempts = v; });
    Seconds("max_event_age",
            [](FunctionConfig& c, int v) { c.async.maximum_event_age_seconds = v; });
    if (map_.Has("dead_letter")) {
      auto dead_letter = ReadBool(map_.Get("dead_letter"), "dead_letter", d_);
      ok_ = ok_ && dead_letter;
      if (dead_letter) config_.async.dead_letter = *dead_letter;
    }
    if (!ok_ || !map_.clean()) return std::nullopt;
    // Every key passed alone; the whole is checked once more for what spans keys.
    if (Status valid = functions::ValidateFunctionConfig(config_); !valid.ok()) {
      d_.Add(map_.node(), valid);
      return std::nullopt;
    }
    return config_;
  }

 private:
  // What ValidateFunctionConfig says of the baseline with `set` applied, reported at `node`.
  template <typename Set>
  bool Check(const YAML::Node& node, Set set) {
    FunctionConfig probe = baseline_;
    set(probe);
    Status valid = functions::ValidateFunctionConfig(probe);
    if (valid.ok()) return true;
    d_.Add(node, valid);
    ok_ = false;
    return false;
  }

  template <typename Set>
  void Text(const char* key, Set set) {
    if (!map_.Has(key)) return;
    auto text = ReadString(map_.Get(key), key, d_);
    if (!text) {
      ok_ = false;
    } else if (Check(map_.Get(key), [&](FunctionConfig& c) { set(c, *text); })) {
      set(config_, *text);
    }
  }

  // A value the validator holds as int; one that does not fit is out of every range.
  template <typename Set>
  void Int(const char* key, std::optional<int64_t> value, Set set) {
    if (!value) {
      ok_ = false;
      return;
    }
    if (*value < std::numeric_limits<int>::min() || *value > std::numeric_limits<int>::max()) {
      d_.Add(map_.Get(key), "function " + config_.name + ": " + key + " " + std::to_string(*value) +
                                " is out of range");
      ok_ = false;
      return;
    }
    int number = static_cast<int>(*value);
    if (Check(map_.Get(key), [&](FunctionConfig& c) { set(c, number); })) set(config_, number);
  }

  template <typename Set>
  void Number(const char* key, Set set) {
    if (map_.Has(key)) Int(key, ReadInt(map_.Get(key), key, d_), set);
  }

  template <typename Set>
  void Seconds(const char* key, Set set) {
    if (map_.Has(key)) Int(key, ReadDuration(map_.Get(key), key, d_), set);
  }

  void ReadRuntime() {
    if (!map_.Has("runtime")) {
      d_.Add(map_.node(),
             "function " + config_.name + ": runtime is required (python3, node or provided)");
      ok_ = false;
      return;
    }
    auto runtime = ReadString(map_.Get("runtime"), "runtime", d_);
    if (!runtime) {
      ok_ = false;
      return;
    }
    if (!Check(map_.Get("runtime"), [&](FunctionConfig& c) { c.runtime = *runtime; })) return;
    config_.runtime = *runtime;
    kind_ = functions::RuntimeKindOf(*runtime);
  }

  // Both depend on the runtime: checked only once it is known.
  void ReadHandlerAndCommand() {
    std::optional<std::string> handler;
    if (map_.Has("handler")) {
      handler = ReadString(map_.Get("handler"), "handler", d_);
      ok_ = ok_ && handler;
    }
    std::optional<std::vector<std::string>> command;
    if (map_.Has("command")) {
      command = ReadStringList(map_.Get("command"), "command", d_);
      ok_ = ok_ && command;
    }
    if (!kind_) return;
    baseline_.runtime = config_.runtime;
    const bool provided = *kind_ == functions::RuntimeKind::kProvided;
    if (!provided) {
      if (!map_.Has("handler")) {
        d_.Add(map_.node(), "function " + config_.name + ": handler is required for " +
                                config_.runtime + " (MODULE.FUNCTION, e.g. app.handler)");
        ok_ = false;
      } else if (handler &&
                 Check(map_.Get("handler"), [&](FunctionConfig& c) { c.handler = *handler; })) {
        config_.handler = *handler;
      }
    } else if (handler) {
      config_.handler = *handler;
    }
    if (!config_.handler.empty()) baseline_.handler = config_.handler;
    if (!command) return;
    if (command->empty()) {
      d_.Add(map_.Get("command"), "function " + config_.name +
                                      ": command is empty; leave it out to run the code's "
                                      "bootstrap");
      ok_ = false;
    } else if (Check(map_.Get("command"), [&](FunctionConfig& c) { c.command = *command; })) {
      config_.command = *command;
    }
  }

  // A local folder (or zip file) that must exist, or s3://bucket/key of a zip in the lake.
  void ReadCode() {
    if (!map_.Has("code")) {
      d_.Add(map_.node(),
             "function " + config_.name + ": code is required (a folder, or s3://bucket/key.zip)");
      ok_ = false;
      return;
    }
    YAML::Node node = map_.Get("code");
    auto code = ReadString(node, "code", d_);
    if (!code) {
      ok_ = false;
      return;
    }
    if (code->empty()) {
      d_.Add(node, "function " + config_.name + ": code must name a folder or s3://bucket/key.zip");
      ok_ = false;
      return;
    }
    if (lake::IsS3Uri(*code)) {
      auto uri = lake::ParseS3Uri(*code);
      if (!uri.ok() || uri->key.empty() || uri->key.back() == '/') {
        d_.Add(node, "function " + config_.name + ": code " + *code +
                         " must be an s3://bucket/key URI of a zip file");
        ok_ = false;
        return;
      }
      r_.lake_uris.push_back({*code, node});
      config_.code = *code;
      return;
    }
    std::filesystem::path path(*code);
    if (path.is_relative() && !r_.folder.empty()) path = std::filesystem::path(r_.folder) / path;
    std::error_code error;
    auto status = std::filesystem::status(path, error);
    if (!std::filesystem::is_directory(status) && !std::filesystem::is_regular_file(status)) {
      std::string why = std::filesystem::exists(status) ? " is not a folder or a zip file"
                        : std::filesystem::path(*code).is_relative()
                            ? " does not exist (relative to the spec's folder)"
                            : " does not exist";
      d_.Add(node, "function " + config_.name + ": code " + *code + why);
      ok_ = false;
      return;
    }
    config_.code = path.lexically_normal().string();
  }

  // Each variable is checked at its name; their total size at `environment`.
  void ReadEnvironment() {
    if (!map_.Has("environment")) return;
    YAML::Node node = map_.Get("environment");
    if (!node.IsMap()) {
      d_.Add(node, "environment must be a map of variables to values, not " + DescribeNode(node));
      ok_ = false;
      return;
    }
    std::map<std::string, std::string> variables;
    bool each_ok = true;
    for (auto it = node.begin(); it != node.end(); ++it) {
      auto name = ReadString(it->first, "an environment variable's name", d_);
      auto value = ReadString(it->second, "an environment variable's value", d_);
      if (!name || !value) {
        each_ok = false;
        continue;
      }
      std::map<std::string, std::string> one = {{*name, *value}};
      if (!Check(it->first, [&](FunctionConfig& c) { c.environment = one; })) {
        each_ok = false;
        continue;
      }
      if (!variables.emplace(*name, *value).second) {
        d_.Add(it->first,
               "function " + config_.name + ": environment variable " + *name + " is given twice");
        each_ok = false;
      }
    }
    ok_ = ok_ && each_ok;
    if (each_ok && Check(node, [&](FunctionConfig& c) { c.environment = variables; })) {
      config_.environment = std::move(variables);
    }
  }

  const MapReader& map_;
  SpecReader& r_;
  Diagnostics& d_;
  FunctionConfig baseline_;  // valid; takes the runtime and handler once they are known
  FunctionConfig config_;
  std::optional<functions::RuntimeKind> kind_;
  bool ok_ = true;
};

}  // namespace

void ReadFunctions(const YAML::Node& node, SpecReader& r) {
  Diagnostics& d = r.diagnostics;
  if (!node.IsMap()) {
    d.Add(node,
          "functions must be a map of function names to functions, not " + DescribeNode(node));
    return;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    auto name = ReadString(it->first, "a function's name", d);
    if (!name) continue;
    if (auto [first, fresh] = r.functions.emplace(*name, it->first); !fresh) {
      d.Add(it->first, "function \"" + *name + "\" is defined twice (first at line " +
                           std::to_string(first->second.Mark().line + 1) + ")");
      continue;
    }
    // The name alone, at the name.
    if (Status valid = functions::ValidateFunctionConfig(ValidBaseline(*name)); !valid.ok()) {
      d.Add(it->first, valid);
      continue;
    }
    MapReader map(it->second, "function " + *name, kFunctionKeys, d);
    if (!map.ok()) continue;
    auto config = FunctionReader(*name, map, r).Read();
    if (config) r.spec.functions.push_back(std::move(*config));
  }
}

}  // namespace sluice::pipeline

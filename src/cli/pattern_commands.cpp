// `sluice events test-pattern` and `sluice events match`: event patterns without a running bus.
#include <chrono>
#include <cstdio>
#include <fstream>

#include "cli/command.h"
#include "cli/json_argument.h"
#include "sluice/bus/event_pattern.h"
#include "sluice/bus/pattern_evaluation.h"
#include "sluice/bus/rule_machine.h"

namespace sluice::cli {
namespace {

using nlohmann::json;

struct PatternArgs {
  std::string pattern, event;
  std::string rules_file, events_file;
  bool count = false;
};

// TestEventPattern requires these envelope fields in the event.
constexpr const char* kRequiredEventFields[] = {"id",   "account", "source",
                                                "time", "region",  "detail-type"};

// Same contract as `aws events test-event-pattern`: prints true or false and exits 0, or
// prints why the pattern (or event) is invalid and exits 2.
Status TestPattern(const PatternArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(std::string pattern_text, ReadArgumentText(args.pattern, "--pattern"));
  SLUICE_ASSIGN_OR_RETURN(std::string event_text, ReadArgumentText(args.event, "--event"));
  auto pattern = bus::CompilePattern(pattern_text);
  if (!pattern.ok()) return BadInput(pattern.status().message());
  auto event = json::parse(event_text, nullptr, false);
  if (!event.is_object()) return BadInput("Parameter Event is not valid: it must be a JSON object");
  for (const char* field : kRequiredEventFields) {
    if (!event.contains(field)) {
      return BadInput(std::string("Parameter Event is not valid: it has no \"") + field +
                      "\" field");
    }
  }
  bus::FlatEvent flat;
  Status parsed = flat.Parse(event_text);
  if (!parsed.ok()) return BadInput("Parameter Event is not valid: " + parsed.message());
  std::puts(bus::MatchesPattern(*pattern, flat) ? "true" : "false");
  return Status::Ok();
}

Status MatchFiles(const PatternArgs& args) {
  std::ifstream rules_in(args.rules_file), events_in(args.events_file);
  if (!rules_in) return Status::InvalidArgument("cannot read rules file " + args.rules_file);
  if (!events_in) return Status::InvalidArgument("cannot read events file " + args.events_file);

  auto compile_start = std::chrono::steady_clock::now();
  bus::RuleMachine machine;
  std::string line;
  for (int number = 1; std::getline(rules_in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = args.rules_file + ":" + std::to_string(number);
    auto rule = json::parse(line, nullptr, false);
    if (!rule.is_object() || !rule.contains("name") || !rule["name"].is_string() ||
        !rule.contains("pattern")) {
      return Status::InvalidArgument(where + ": expected {\"name\": ..., \"pattern\": ...}");
    }
    const json& p = rule["pattern"];
    auto pattern = bus::CompilePattern(p.is_string() ? p.get<std::string>() : p.dump());
    if (!pattern.ok()) return pattern.status().WithContext(where);
    machine.Add(rule["name"].get<std::string>(), *pattern);
  }
  double compile_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - compile_start).count();

  auto match_start = std::chrono::steady_clock::now();
  bus::FlatEvent event;
  int64_t events = 0, matches = 0;
  std::vector<uint32_t> ids;
  for (int number = 1; std::getline(events_in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Status parsed = event.Parse(line);
    if (!parsed.ok()) return parsed.WithContext(args.events_file + ":" + std::to_string(number));
    ++events;
    if (args.count) {  // only totals: skip making names
      machine.Match(event, ids);
      matches += static_cast<int64_t>(ids.size());
      continue;
    }
    std::vector<std::string> names = machine.Match(event);
    matches += static_cast<int64_t>(names.size());
    std::string out;
    for (const std::string& name : names)
      out += (out.empty() ? "" : " ") + name;
    std::puts(out.c_str());
  }
  double match_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - match_start).count();
  if (args.count) {
    std::printf(
        "rules %zu\nevents %lld\nmatches %lld\ncompile_seconds %.6f\nmatch_seconds %.6f\n"
        "events_per_second %.0f\n",
        machine.size(), static_cast<long long>(events), static_cast<long long>(matches),
        compile_seconds, match_seconds, match_seconds > 0 ? events / match_seconds : 0.0);
  }
  return Status::Ok();
}

}  // namespace

void RegisterPatternCommands(CLI::App& events, Command& command) {
  static PatternArgs args;
  auto* test = events.add_subcommand(
      "test-pattern",
      "Print whether an event matches a pattern (as aws events test-event-pattern)");
  test->add_option("--pattern", args.pattern, "The event pattern: JSON, or @file")->required();
  test->add_option("--event", args.event, "The event: JSON, or @file")->required();
  test->callback([&] { command.run = [](DataDir&) { return TestPattern(args); }; });

  auto* match = events.add_subcommand(
      "match", "Match a file of events against a file of rules; print the rules each matches");
  match->add_option("--rules", args.rules_file, "JSON lines: {\"name\": ..., \"pattern\": ...}")
      ->required();
  match->add_option("--events", args.events_file, "JSON lines: one event per line")->required();
  match->add_flag("--count", args.count,
                  "Print only totals: events, matches, compile time, events/s");
  match->callback([&] { command.run = [](DataDir&) { return MatchFiles(args); }; });
}

}  // namespace sluice::cli

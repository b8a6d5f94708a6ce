// `sluice rules put | ls | describe | enable | disable | rm` and `sluice dlq ls | redrive`.
#include <cstdio>

#include "cli/command.h"
#include "cli/json_argument.h"
#include "sluice/bus/deliveries.h"
#include "sluice/bus/rule_store.h"
#include "sluice/common/time_format.h"

namespace sluice::cli {
namespace {

using nlohmann::json;

struct RulesArgs {
  std::string name, pattern, schedule, description, targets, file, prefix;
  bool disabled = false, json = false, all = false;
  int64_t after = 0;
  int limit = 100;
  std::vector<int64_t> ids;
};

Result<bus::Rule> RuleFromArgs(const RulesArgs& args) {
  if (!args.file.empty()) {
    if (!args.name.empty() || !args.pattern.empty() || !args.schedule.empty() ||
        !args.description.empty() || !args.targets.empty() || args.disabled) {
      return UsageError(
          "give the rule as --file or with --name/--pattern/--schedule/--description/--targets/"
          "--disabled, not both");
    }
    SLUICE_ASSIGN_OR_RETURN(json rule, ReadJsonArgument("@" + args.file, "--file"));
    return bus::RuleFromJson(rule).WithContext(args.file);
  }
  if (args.name.empty()) return UsageError("rules put needs --name (or --file)");
  bus::Rule rule;
  rule.name = args.name;
  rule.description = args.description;
  rule.state = args.disabled ? bus::RuleState::kDisabled : bus::RuleState::kEnabled;
  if (!args.pattern.empty()) {
    SLUICE_ASSIGN_OR_RETURN(rule.event_pattern, ReadArgumentText(args.pattern, "--pattern"));
  }
  rule.schedule_expression = args.schedule;
  if (!args.targets.empty()) {
    SLUICE_ASSIGN_OR_RETURN(json targets, ReadJsonArgument(args.targets, "--targets"));
    if (!targets.is_array()) return UsageError("--targets must be a JSON array of targets");
    for (const json& t : targets) {
      SLUICE_ASSIGN_OR_RETURN(bus::Target target,
                              bus::TargetFromJson(t).WithContext("rule " + rule.name));
      rule.targets.push_back(std::move(target));
    }
  }
  return rule;
}

Status PutRuleCommand(DataDir& dir, const RulesArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(bus::Rule rule, RuleFromArgs(args));
  SLUICE_RETURN_IF_ERROR(bus::ValidateRule(rule));
  SLUICE_ASSIGN_OR_RETURN(bus::ActionRegistry * actions, dir.Actions());
  for (const bus::Target& target : rule.targets) {
    SLUICE_RETURN_IF_ERROR(actions->CheckTarget(target).WithContext("rule " + rule.name));
  }
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  SLUICE_RETURN_IF_ERROR(db->Write([&](store::Transaction& tx) {
    return bus::PutRule(tx, rule, SystemClock::Instance().Now());
  }));
  std::printf("%s\n",
              bus::RuleArn(dir.identity().region, dir.identity().account_id, rule.name).c_str());
  return Status::Ok();
}

json RuleJson(const DataDir& dir, const bus::StoredRule& stored) {
  json out = bus::RuleToJson(stored.rule);
  out["Arn"] = bus::RuleArn(dir.identity().region, dir.identity().account_id, stored.rule.name);
  out["CreatedAt"] = FormatIso8601Millis(stored.created);
  if (stored.next_fire) out["NextFireAt"] = FormatIso8601Millis(*stored.next_fire);
  return out;
}

Status ListRulesCommand(DataDir& dir, const RulesArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  std::vector<bus::StoredRule> rules;
  SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(rules, bus::ListRules(tx, args.prefix));
    return Status::Ok();
  }));
  if (args.json) {
    json list = json::array();
    for (const auto& r : rules)
      list.push_back(RuleJson(dir, r));
    std::puts(json{{"Rules", list}}.dump(2).c_str());
    return Status::Ok();
  }
  std::printf("%-32s %-9s %-8s %s\n", "NAME", "STATE", "TARGETS", "PATTERN / SCHEDULE");
  for (const auto& [rule, created, next_fire] : rules) {
    const std::string& what =
        rule.event_pattern.empty() ? rule.schedule_expression : rule.event_pattern;
    std::printf("%-32s %-9s %-8zu %s\n", rule.name.c_str(),
                std::string(bus::RuleStateName(rule.state)).c_str(), rule.targets.size(),
                what.c_str());
  }
  return Status::Ok();
}

Status DescribeRuleCommand(DataDir& dir, const RulesArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  std::optional<bus::StoredRule> rule;
  SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(rule, bus::GetRule(tx, args.name));
    return Status::Ok();
  }));
  if (!rule) {
    return Status::NotFound("rule " + args.name + " does not exist", "ResourceNotFoundException");
  }
  std::puts(RuleJson(dir, *rule).dump(2).c_str());
  return Status::Ok();
}

// Applies `change` and reports it as done (`done` is the past tense: "deleted"). A failure's own
// message names the rule, so it gets no context that could read as success.
Status ChangeRule(DataDir& dir, const std::string& name, const char* done,
                  const std::function<Status(store::Transaction&)>& change) {
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  SLUICE_RETURN_IF_ERROR(db->Write(change));
  std::printf("%s: %s\n", done, name.c_str());
  return Status::Ok();
}

Status ListDeadLettersCommand(DataDir& dir, const RulesArgs& args) {
  if (args.limit < 1 || args.limit > 10000)
    return UsageError("--limit must be between 1 and 10000");
  if (args.after < 0) return UsageError("--after must be a delivery id (0 or more)");
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  std::vector<bus::DeadLetter> letters;
  SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(letters, bus::ListDeadLetters(tx, args.after, args.limit));
    return Status::Ok();
  }));
  if (args.json) {
    json list = json::array();
    for (const auto& l : letters) {
      list.push_back({{"DeliveryId", l.delivery_id},
                      {"Rule", l.rule},
                      {"TargetId", l.target_id},
                      {"ErrorCode", l.error_code},
                      {"ErrorMessage", l.error_message},
                      {"ExhaustedRetryCondition", l.exhausted_condition},
                      {"RetryAttempts", l.retry_attempts},
                      {"Time", FormatIso8601Millis(l.time)},
                      {"EventIds", l.event_ids},
                      {"Input", json::parse(l.input, nullptr, false)}});
    }
    std::puts(
        json{{"DeadLetters", list}}.dump(2, ' ', false, json::error_handler_t::replace).c_str());
    return Status::Ok();
  }
  std::printf("%-8s %-24s %-20s %-16s %-8s %s\n", "ID", "TIME", "RULE/TARGET", "ERROR", "RETRIES",
              "MESSAGE");
  for (const auto& l : letters) {
    std::printf("%-8lld %-24s %-20s %-16s %-8d %s\n", static_cast<long long>(l.delivery_id),
                FormatIso8601Millis(l.time).c_str(), (l.rule + "/" + l.target_id).c_str(),
                l.error_code.c_str(), l.retry_attempts, l.error_message.c_str());
  }
  return Status::Ok();
}

Status RedriveCommand(DataDir& dir, const RulesArgs& args) {
  if (args.all == !args.ids.empty()) return UsageError("dlq redrive takes delivery ids or --all");
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  std::vector<int64_t> ids = args.ids;
  if (args.all) {
    SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
      SLUICE_ASSIGN_OR_RETURN(auto letters, bus::ListDeadLetters(tx, 0, 1'000'000));
      for (const auto& l : letters)
        ids.push_back(l.delivery_id);
      return Status::Ok();
    }));
  }
  for (int64_t id : ids) {
    int64_t again = 0;
    Status redriven = db->Write([&](store::Transaction& tx) -> Status {
      SLUICE_ASSIGN_OR_RETURN(again, bus::RedriveDeadLetter(tx, id, SystemClock::Instance().Now()));
      return Status::Ok();
    });
    // `--all` sends back what can be sent and says what it left; named ids must all go.
    if (!redriven.ok() && args.all && redriven.code() == StatusCode::kFailedPrecondition) {
      std::fprintf(stderr, "sluice: skipped: %s\n", redriven.message().c_str());
      continue;
    }
    SLUICE_RETURN_IF_ERROR(redriven);
    std::printf("redrive: delivery %lld as delivery %lld\n", static_cast<long long>(id),
                static_cast<long long>(again));
  }
  return Status::Ok();
}

}  // namespace

void RegisterRulesCommands(CLI::App& app, Command& command) {
  static RulesArgs args;
  auto* rules = app.add_subcommand("rules", "Bus rules: what events go to which targets");
  rules->require_subcommand(1);

  auto* put = rules->add_subcommand("put", "Create or replace a rule (PutRule + PutTargets)");
  put->add_option("--name", args.name, "Rule name");
  put->add_option("--pattern", args.pattern, "Event pattern: JSON, or @file");
  put->add_option("--schedule", args.schedule, "rate(...) or cron(...)");
  put->add_option("--description", args.description, "What the rule is for");
  put->add_option("--targets", args.targets, "JSON array of targets, or @file");
  put->add_flag("--disabled", args.disabled, "Create the rule disabled");
  put->add_option("--file", args.file, "The whole rule as JSON (AWS field names)");
  put->callback([&] { command.run = [](DataDir& d) { return PutRuleCommand(d, args); }; });

  auto* ls = rules->add_subcommand("ls", "List rules");
  ls->add_option("--prefix", args.prefix, "Only rules whose names start with this");
  ls->add_flag("--json", args.json, "Print one JSON document");
  ls->callback([&] { command.run = [](DataDir& d) { return ListRulesCommand(d, args); }; });

  auto* describe = rules->add_subcommand("describe", "Show one rule as JSON");
  describe->add_option("name", args.name, "Rule name")->required();
  describe->callback(
      [&] { command.run = [](DataDir& d) { return DescribeRuleCommand(d, args); }; });

  for (auto [verb, state] : {std::pair("enable", bus::RuleState::kEnabled),
                             std::pair("disable", bus::RuleState::kDisabled)}) {
    auto* sub = rules->add_subcommand(
        verb, std::string(verb == std::string("enable") ? "Enable" : "Disable") + " a rule");
    sub->add_option("name", args.name, "Rule name")->required();
    sub->callback([&command, verb = verb, state = state] {
      command.run = [verb, state](DataDir& d) {
        return ChangeRule(
            d, args.name, verb == std::string("enable") ? "enabled" : "disabled",
            [state](store::Transaction& tx) { return bus::SetRuleState(tx, args.name, state); });
      };
    });
  }

  auto* rm = rules->add_subcommand("rm", "Delete a rule (its pending deliveries still run)");
  rm->add_option("name", args.name, "Rule name")->required();
  rm->callback([&] {
    command.run = [](DataDir& d) {
      return ChangeRule(d, args.name, "deleted",
                        [](store::Transaction& tx) { return bus::DeleteRule(tx, args.name); });
    };
  });

  auto* dlq = app.add_subcommand("dlq", "The dead-letter store: deliveries that failed for good");
  dlq->require_subcommand(1);
  auto* dlq_ls = dlq->add_subcommand("ls", "List dead letters, oldest first");
  dlq_ls->add_option("--after", args.after, "Only dead letters after this delivery id");
  dlq_ls->add_option("--limit", args.limit, "At most this many (default 100)");
  dlq_ls->add_flag("--json", args.json, "Print one JSON document");
  dlq_ls->callback(
      [&] { command.run = [](DataDir& d) { return ListDeadLettersCommand(d, args); }; });
  auto* redrive = dlq->add_subcommand("redrive", "Send dead letters back for delivery");
  redrive->add_option("ids", args.ids, "Delivery ids (from dlq ls)");
  redrive->add_flag("--all", args.all, "Every dead letter");
  redrive->callback([&] { command.run = [](DataDir& d) { return RedriveCommand(d, args); }; });
}

}  // namespace sluice::cli

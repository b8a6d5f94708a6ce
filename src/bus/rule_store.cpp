#include "sluice/bus/rule_store.h"

#include "sluice/bus/schedule.h"
#include "sluice/store/counters.h"

namespace sluice::bus {
namespace {

constexpr std::string_view kVersionCounter = "bus.rules";

Status NoSuchRule(std::string_view name) {
  return Status::NotFound("rule " + std::string(name) + " does not exist",
                          "ResourceNotFoundException");
}

Status Bump(store::Transaction& tx) {
  return store::NextCounterValue(tx, kVersionCounter).status();
}

Result<StoredRule> Decode(const store::Cursor& row) {
  auto json = nlohmann::json::parse(row.Bytes(0), nullptr, false);
  if (json.is_discarded()) return Status::Corruption("rule definition is not JSON");
  SLUICE_ASSIGN_OR_RETURN(Rule rule, RuleFromJson(json));
  StoredRule stored{std::move(rule), FromUnixMillis(row.Int(1)), std::nullopt};
  if (!row.IsNull(2)) stored.next_fire = FromUnixMillis(row.Int(2));
  return stored;
}

constexpr const char* kSelect = "SELECT definition, created_ms, next_fire_ms FROM rules ";

}  // namespace

std::string RuleArn(std::string_view region, std::string_view account, std::string_view name) {
  return "arn:aws:events:" + std::string(region) + ":" + std::string(account) + ":rule/" +
         std::string(name);
}

Status PutRule(store::Transaction& tx, const Rule& rule, TimePoint now) {
  SLUICE_ASSIGN_OR_RETURN(std::optional<StoredRule> existing, GetRule(tx, rule.name));
  TimePoint created = existing ? existing->created : now;
  std::optional<std::string> schedule;
  std::optional<int64_t> next_fire;
  if (!rule.schedule_expression.empty()) {
    SLUICE_ASSIGN_OR_RETURN(Schedule parsed, ParseSchedule(rule.schedule_expression));
    schedule = rule.schedule_expression;
    next_fire = ToUnixMillis(parsed.NextAfter(now, created));
  }
  SLUICE_RETURN_IF_ERROR(
      tx.Execute("INSERT INTO rules (name, definition, state, schedule, next_fire_ms, created_ms, "
                 "updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                 "definition = excluded.definition, state = excluded.state, "
                 "schedule = excluded.schedule, next_fire_ms = excluded.next_fire_ms, "
                 "updated_ms = excluded.updated_ms",
                 rule.name, RuleToJson(rule).dump(), RuleStateName(rule.state), schedule, next_fire,
                 ToUnixMillis(created), ToUnixMillis(now))
          .status());
  return Bump(tx);
}

Result<std::optional<StoredRule>> GetRule(store::Transaction& tx, std::string_view name) {
  SLUICE_ASSIGN_OR_RETURN(store::Cursor row,
                          tx.Query(std::string(kSelect) + "WHERE name = ?", name));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  if (!found) return std::optional<StoredRule>();
  SLUICE_ASSIGN_OR_RETURN(StoredRule rule, Decode(row));
  return std::optional<StoredRule>(std::move(rule));
}

Result<std::vector<StoredRule>> ListRules(store::Transaction& tx, std::string_view prefix) {
  SLUICE_ASSIGN_OR_RETURN(
      store::Cursor rows,
      tx.Query(std::string(kSelect) + "WHERE substr(name, 1, ?) = ? ORDER BY name",
               static_cast<int64_t>(prefix.size()), prefix));
  std::vector<StoredRule> rules;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(bool more, rows.Next());
    if (!more) return rules;
    SLUICE_ASSIGN_OR_RETURN(StoredRule rule, Decode(rows));
    rules.push_back(std::move(rule));
  }
}

Status SetRuleState(store::Transaction& tx, std::string_view name, RuleState state) {
  SLUICE_ASSIGN_OR_RETURN(std::optional<StoredRule> existing, GetRule(tx, name));
  if (!existing) return NoSuchRule(name);
  existing->rule.state = state;
  SLUICE_RETURN_IF_ERROR(tx.Execute("UPDATE rules SET definition = ?, state = ? WHERE name = ?",
                                    RuleToJson(existing->rule).dump(), RuleStateName(state), name)
                             .status());
  return Bump(tx);
}

Status DeleteRule(store::Transaction& tx, std::string_view name) {
  SLUICE_ASSIGN_OR_RETURN(int changed, tx.Execute("DELETE FROM rules WHERE name = ?", name));
  if (changed == 0) return NoSuchRule(name);
  return Bump(tx);
}

Status SetNextFire(store::Transaction& tx, std::string_view name, TimePoint next) {
  return tx.Execute("UPDATE rules SET next_fire_ms = ? WHERE name = ?", ToUnixMillis(next), name)
      .status();
}

Result<int64_t> RulesVersion(store::Transaction& tx) {
  SLUICE_ASSIGN_OR_RETURN(store::Cursor row,
                          tx.Query("SELECT value FROM counters WHERE name = ?", kVersionCounter));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  return found ? row.Int(0) : int64_t{0};
}

}  // namespace sluice::bus

// The rules table: bus rules stored durably, read and changed inside the caller's transaction.
// Every change bumps the counter "bus.rules", so the dispatcher knows to reload its machine.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "sluice/bus/rule.h"
#include "sluice/common/clock.h"
#include "sluice/store/transaction.h"

namespace sluice::bus {

struct StoredRule {
  Rule rule;
  TimePoint created;
  std::optional<TimePoint> next_fire;  // scheduled rules
};

// Creates or replaces the rule (validate it first with ValidateRule). A scheduled rule's first
// firing is computed from `now`; replacing a rule keeps its creation time.
Status PutRule(store::Transaction& tx, const Rule& rule, TimePoint now);
Result<std::optional<StoredRule>> GetRule(store::Transaction& tx, std::string_view name);
// Rules whose names start with `prefix`, by name.
Result<std::vector<StoredRule>> ListRules(store::Transaction& tx, std::string_view prefix = {});
// Fails with ResourceNotFoundException when there is no such rule.
Status SetRuleState(store::Transaction& tx, std::string_view name, RuleState state);
Status DeleteRule(store::Transaction& tx, std::string_view name);
// Records that a scheduled rule fired and when it fires next.
Status SetNextFire(store::Transaction& tx, std::string_view name, TimePoint next);
// Changes whenever any rule changes.
Result<int64_t> RulesVersion(store::Transaction& tx);

// "arn:aws:events:<region>:<account>:rule/<name>"
std::string RuleArn(std::string_view region, std::string_view account, std::string_view name);

}  // namespace sluice::bus

#include "sluice/bus/rule_machine.h"

#include <algorithm>
#include <optional>

#include "bus/affix_index.h"
#include "bus/case_fold.h"
#include "bus/interval_index.h"
#include "sluice/bus/pattern_evaluation.h"
#include "sluice/bus/wildcard.h"

namespace sluice::bus {
namespace {

using Slot = uint32_t;  // a sub-pattern, indexed under its anchor field

struct WildcardEntry {
  Slot slot;
  Wildcard wildcard;
};

struct GeneralEntry {  // matchers checked value by value (anything-but)
  Slot slot;
  const ValueMatcher* matcher;
};

double Normalised(double x) {
  return x == 0 ? 0.0 : x;
}  // -0 and 0 are one key

Interval<double> ToInterval(const NumericRange& r) {
  return {r.low, r.high, r.has_low, r.has_high, r.low_open, r.high_open};
}

// Everything indexed under one path.
struct PathIndex {
  StringMap<std::vector<Slot>> exact_strings;
  std::unordered_map<double, std::vector<Slot>> exact_numbers;
  std::vector<Slot> trues, falses, nulls, exists;
  AffixIndex<Slot> prefixes{false}, suffixes{true};
  AffixIndex<Slot> folded_prefixes{false}, folded_suffixes{true};
  StringMap<std::vector<Slot>> folded_equals;
  IntervalIndex<double> numeric;
  IntervalIndex<Uint128> ipv4, ipv6;
  std::vector<WildcardEntry> wildcards;  // looked up through the affix indexes below
  AffixIndex<uint32_t> wildcards_by_prefix{false}, wildcards_by_suffix{true};
  std::vector<uint32_t> wildcards_unanchored;
  std::vector<GeneralEntry> general;

  bool needs_folding = false;
  bool needs_ip = false;

  void Add(Slot slot, const ValueMatcher& m) {
    switch (m.kind) {
      case MatchKind::kExactString:
        exact_strings[m.text].push_back(slot);
        break;
      case MatchKind::kExactNumber:
        exact_numbers[Normalised(m.number)].push_back(slot);
        break;
      case MatchKind::kTrue:
        trues.push_back(slot);
        break;
      case MatchKind::kFalse:
        falses.push_back(slot);
        break;
      case MatchKind::kNull:
        nulls.push_back(slot);
        break;
      case MatchKind::kExists:
        exists.push_back(slot);
        break;
      case MatchKind::kAbsent:
        break;  // satisfied by absence, checked per candidate
      case MatchKind::kPrefix:
        prefixes.Add(m.text, slot);
        break;
      case MatchKind::kSuffix:
        suffixes.Add(m.text, slot);
        break;
      case MatchKind::kPrefixIgnoreCase:
        folded_prefixes.Add(m.text, slot);
        needs_folding = true;
        break;
      case MatchKind::kSuffixIgnoreCase:
        folded_suffixes.Add(m.text, slot);
        needs_folding = true;
        break;
      case MatchKind::kEqualsIgnoreCase:
        folded_equals[m.text].push_back(slot);
        needs_folding = true;
        break;
      case MatchKind::kNumericRange:
        numeric.Add(ToInterval(m.range), slot);
        break;
      case MatchKind::kIpRange: {
        Interval<Uint128> in{m.ip_range.low, m.ip_range.high, true, true, false, false};
        (m.ip_range.v6 ? ipv6 : ipv4).Add(in, slot);
        needs_ip = true;
        break;
      }
      case MatchKind::kWildcard: {
        auto parsed = ParseWildcard(m.text);
        if (!parsed.ok()) break;  // refused at compile time; cannot happen
        uint32_t id = static_cast<uint32_t>(wildcards.size());
        wildcards.push_back({slot, std::move(parsed).value()});
        const Wildcard& w = wildcards.back().wildcard;
        if (!w.LiteralPrefix().empty()) {
          wildcards_by_prefix.Add(w.LiteralPrefix(), id);
        } else if (!w.LiteralSuffix().empty()) {
          wildcards_by_suffix.Add(w.LiteralSuffix(), id);
        } else {
          wildcards_unanchored.push_back(id);
        }
        break;
      }
      default:
        general.push_back({slot, &m});
        break;  // anything-but
    }
  }

  // Calls hit(slot) for every slot the value satisfies (a slot may come more than once).
  template <typename Hit>
  void Collect(const EventValue& v, Hit hit) {
    auto all = [&](const std::vector<Slot>& slots) {
      for (Slot s : slots)
        hit(s);
    };
    all(exists);
    for (const GeneralEntry& g : general) {
      if (MatchesValue(*g.matcher, v)) hit(g.slot);
    }
    switch (v.type) {
      case ValueType::kTrue:
        all(trues);
        return;
      case ValueType::kFalse:
        all(falses);
        return;
      case ValueType::kNull:
        all(nulls);
        return;
      case ValueType::kNumber: {
        if (auto it = exact_numbers.find(Normalised(v.number)); it != exact_numbers.end()) {
          all(it->second);
        }
        numeric.ForEachContaining(v.number, hit);
        return;
      }
      case ValueType::kString:
        break;
    }
    const std::string_view text = v.text;
    if (auto it = exact_strings.find(text); it != exact_strings.end()) all(it->second);
    prefixes.ForEachAffixOf(text, hit);
    suffixes.ForEachAffixOf(text, hit);
    if (needs_folding) {
      std::string folded = FoldCase(text);
      if (auto it = folded_equals.find(folded); it != folded_equals.end()) all(it->second);
      folded_prefixes.ForEachAffixOf(folded, hit);
      folded_suffixes.ForEachAffixOf(folded, hit);
    }
    if (needs_ip && LooksLikeIp(text)) {
      if (std::optional<IpAddress> ip = ParseIp(text)) {
        (ip->v6 ? ipv6 : ipv4).ForEachContaining(ip->value, hit);
      }
    }
    auto try_wildcard = [&](uint32_t id) {
      if (wildcards[id].wildcard.Matches(text)) hit(wildcards[id].slot);
    };
    wildcards_by_prefix.ForEachAffixOf(text, try_wildcard);
    wildcards_by_suffix.ForEachAffixOf(text, try_wildcard);
    for (uint32_t id : wildcards_unanchored)
      try_wildcard(id);
  }
};

struct SubEntry {
  uint32_t rule;
  SubPattern pattern;
  bool alive = true;
};

struct RuleEntry {
  std::string name;
  std::vector<uint32_t> subs;
  bool alive = true;
};

// How costly a field is as an anchor: roughly how many sub-patterns an event hitting it would
// bring up for checking. Exact values shared by few rules are cheap; kinds that hit for most values
// (exists, anything-but) are dear.
class AnchorCosts {
 public:
  void Count(const FieldPattern& field) {
    for (const ValueMatcher& m : field.matchers)
      ++counts_[Key(field.path, m)];
  }
  double Cost(const FieldPattern& field) const {
    double cost = 0;
    for (const ValueMatcher& m : field.matchers) {
      auto it = counts_.find(Key(field.path, m));
      cost += (it == counts_.end() ? 1 : it->second) * Weight(m.kind);
    }
    return cost;
  }

 private:
  static double Weight(MatchKind kind) {
    switch (kind) {
      case MatchKind::kExactString:
      case MatchKind::kExactNumber:
      case MatchKind::kTrue:
      case MatchKind::kFalse:
      case MatchKind::kNull:
      case MatchKind::kEqualsIgnoreCase:
        return 1;
      case MatchKind::kPrefix:
      case MatchKind::kSuffix:
      case MatchKind::kPrefixIgnoreCase:
      case MatchKind::kSuffixIgnoreCase:
      case MatchKind::kIpRange:
        return 2;
      case MatchKind::kNumericRange:
      case MatchKind::kWildcard:
        return 3;
      case MatchKind::kExists:
        return 6;
      default:
        return 8;  // anything-but
    }
  }
  // Matchers that select by a value count per value; the others per path and kind.
  static std::string Key(const std::string& path, const ValueMatcher& m) {
    std::string key = path + '\0' + std::to_string(static_cast<int>(m.kind)) + '\0';
    switch (m.kind) {
      case MatchKind::kExactString:
      case MatchKind::kEqualsIgnoreCase:
      case MatchKind::kPrefix:
      case MatchKind::kSuffix:
      case MatchKind::kPrefixIgnoreCase:
      case MatchKind::kSuffixIgnoreCase:
        return key + m.text;
      case MatchKind::kExactNumber:
        return key + std::to_string(m.number);
      default:
        return key;
    }
  }
  StringMap<int> counts_;
};

}  // namespace

struct RuleMachine::Index {
  std::vector<RuleEntry> rules;
  StringMap<uint32_t> rule_by_name;
  std::vector<std::unique_ptr<SubEntry>> subs;  // stable addresses: indexes point into them
  size_t live_rules = 0;
  size_t dead_subs = 0;

  // Built lazily from the live sub-patterns: each is indexed under one anchor field, the one that
  // should bring it up for the fewest events; sub-patterns whose every field accepts absence can
  // match on no hit at all and are checked for every event.
  bool built = false;
  StringMap<PathIndex> paths;
  std::vector<uint32_t> always_check;

  // Per-match scratch, stamped with the match's epoch instead of cleared.
  uint32_t epoch = 0;
  std::vector<uint32_t> sub_epoch, rule_epoch;
  std::vector<uint32_t> candidates;

  void AddRule(const std::string& name, const EventPattern& pattern) {
    uint32_t rule_id = static_cast<uint32_t>(rules.size());
    rules.push_back({name, {}, true});
    rule_by_name[name] = rule_id;
    ++live_rules;
    for (const SubPattern& sub : pattern.alternatives) {
      auto entry = std::make_unique<SubEntry>();
      entry->rule = rule_id;
      entry->pattern = sub;
      rules[rule_id].subs.push_back(static_cast<uint32_t>(subs.size()));
      subs.push_back(std::move(entry));
    }
    built = false;
  }

  void Build() {
    paths.clear();
    always_check.clear();
    AnchorCosts costs;
    for (const auto& sub : subs) {
      if (!sub->alive) continue;
      for (const FieldPattern& field : sub->pattern.fields)
        costs.Count(field);
    }
    for (uint32_t id = 0; id < subs.size(); ++id) {
      const SubEntry& sub = *subs[id];
      if (!sub.alive) continue;
      const FieldPattern* anchor = nullptr;
      double best = 0;
      for (const FieldPattern& field : sub.pattern.fields) {
        if (field.AcceptsAbsence()) continue;  // could match with no hit on it
        double cost = costs.Cost(field);
        if (anchor == nullptr || cost < best) {
          anchor = &field;
          best = cost;
        }
      }
      if (anchor == nullptr) {
        always_check.push_back(id);
        continue;
      }
      PathIndex& index = paths[anchor->path];
      for (const ValueMatcher& m : anchor->matchers)
        index.Add(id, m);
    }
    sub_epoch.assign(subs.size(), 0);
    rule_epoch.assign(rules.size(), 0);
    built = true;
  }

  void Match(const FlatEvent& event, std::vector<uint32_t>& matched) {
    if (!built) Build();
    ++epoch;
    candidates.clear();
    auto hit = [&](uint32_t sub) {
      if (sub_epoch[sub] == epoch) return;
      sub_epoch[sub] = epoch;
      candidates.push_back(sub);
    };
    std::span<const EventField> fields = event.fields();
    PathIndex* index = nullptr;
    std::string_view indexed_path;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i == 0 || fields[i].path != indexed_path) {  // fields come sorted by path
        indexed_path = fields[i].path;
        auto it = paths.find(indexed_path);
        index = it == paths.end() ? nullptr : &it->second;
      }
      if (index != nullptr) index->Collect(fields[i].value, hit);
    }
    matched.clear();
    auto consider = [&](uint32_t sub_id) {
      const SubEntry& sub = *subs[sub_id];
      if (rule_epoch[sub.rule] == epoch || !MatchesSubPattern(sub.pattern, event)) return;
      rule_epoch[sub.rule] = epoch;
      matched.push_back(sub.rule);
    };
    for (uint32_t sub : candidates)
      consider(sub);
    for (uint32_t sub : always_check)
      consider(sub);
  }

  // Drops removed rules for good by building everything again from the live ones.
  void Compact() {
    std::vector<std::pair<std::string, EventPattern>> live;
    for (const RuleEntry& rule : rules) {
      if (!rule.alive) continue;
      EventPattern pattern;
      for (uint32_t sub : rule.subs)
        pattern.alternatives.push_back(subs[sub]->pattern);
      live.emplace_back(rule.name, std::move(pattern));
    }
    *this = Index();
    for (const auto& [name, pattern] : live)
      AddRule(name, pattern);
  }
};

RuleMachine::RuleMachine() : index_(std::make_unique<Index>()) {}
RuleMachine::~RuleMachine() = default;
RuleMachine::RuleMachine(RuleMachine&&) noexcept = default;
RuleMachine& RuleMachine::operator=(RuleMachine&&) noexcept = default;

void RuleMachine::Add(const std::string& name, const EventPattern& pattern) {
  Remove(name);
  index_->AddRule(name, pattern);
}

bool RuleMachine::Remove(std::string_view name) {
  Index& ix = *index_;
  auto it = ix.rule_by_name.find(name);
  if (it == ix.rule_by_name.end()) return false;
  RuleEntry& rule = ix.rules[it->second];
  rule.alive = false;
  for (uint32_t sub : rule.subs)
    ix.subs[sub]->alive = false;
  ix.dead_subs += rule.subs.size();
  ix.rule_by_name.erase(it);
  --ix.live_rules;
  ix.built = false;
  if (ix.dead_subs > 64 && ix.dead_subs > ix.subs.size() / 2) ix.Compact();
  return true;
}

size_t RuleMachine::size() const {
  return index_->live_rules;
}

void RuleMachine::Match(const FlatEvent& event, std::vector<uint32_t>& rule_ids) {
  index_->Match(event, rule_ids);
}

const std::string& RuleMachine::RuleName(uint32_t rule_id) const {
  return index_->rules[rule_id].name;
}

std::vector<std::string> RuleMachine::Match(const FlatEvent& event) {
  std::vector<uint32_t> ids;
  index_->Match(event, ids);
  std::vector<std::string> names;
  names.reserve(ids.size());
  for (uint32_t id : ids)
    names.push_back(index_->rules[id].name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace sluice::bus

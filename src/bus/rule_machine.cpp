#include "sluice/bus/rule_machine.h"

#include <algorithm>
#include <optional>

#include "bus/affix_index.h"
#include "bus/case_fold.h"
#include "bus/interval_index.h"
#include "bus/wildcard.h"
#include "sluice/bus/pattern_evaluation.h"

namespace sluice::bus {
namespace {

using Slot = uint32_t;  // one field of one sub-pattern

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
  Slot first_slot;                       // its fields are slots first_slot .. + fields.size()
  std::vector<uint32_t> absence_fields;  // fields that accept absence
  bool alive = true;
};

struct RuleEntry {
  std::string name;
  std::vector<uint32_t> subs;
  bool alive = true;
};

}  // namespace

struct RuleMachine::Index {
  std::vector<RuleEntry> rules;
  StringMap<uint32_t> rule_by_name;
  std::vector<std::unique_ptr<SubEntry>> subs;  // stable addresses: indexes point into them
  std::vector<uint32_t> slot_sub;
  StringMap<PathIndex> paths;
  std::vector<uint32_t> absence_only_subs;  // match with no hits at all
  size_t live_rules = 0;
  size_t dead_subs = 0;

  // Per-match scratch, stamped with the match's epoch instead of cleared.
  uint32_t epoch = 0;
  std::vector<uint32_t> slot_epoch, sub_epoch, sub_hits, rule_epoch;
  std::vector<uint32_t> touched;

  void AddRule(const std::string& name, const EventPattern& pattern) {
    uint32_t rule_id = static_cast<uint32_t>(rules.size());
    rules.push_back({name, {}, true});
    rule_by_name[name] = rule_id;
    ++live_rules;
    for (const SubPattern& sub : pattern.alternatives) {
      auto entry = std::make_unique<SubEntry>();
      entry->rule = rule_id;
      entry->pattern = sub;
      entry->first_slot = static_cast<Slot>(slot_sub.size());
      uint32_t sub_id = static_cast<uint32_t>(subs.size());
      for (uint32_t f = 0; f < sub.fields.size(); ++f) {
        slot_sub.push_back(sub_id);
        if (entry->pattern.fields[f].AcceptsAbsence()) entry->absence_fields.push_back(f);
      }
      // Index after the copy above: indexes keep pointers into entry->pattern.
      for (uint32_t f = 0; f < sub.fields.size(); ++f) {
        const FieldPattern& field = entry->pattern.fields[f];
        PathIndex& index = paths[field.path];
        for (const ValueMatcher& m : field.matchers)
          index.Add(entry->first_slot + f, m);
      }
      if (entry->absence_fields.size() == sub.fields.size()) absence_only_subs.push_back(sub_id);
      rules[rule_id].subs.push_back(sub_id);
      subs.push_back(std::move(entry));
    }
  }

  std::vector<std::string> Match(const FlatEvent& event) {
    slot_epoch.resize(slot_sub.size(), 0);
    sub_epoch.resize(subs.size(), 0);
    sub_hits.resize(subs.size(), 0);
    rule_epoch.resize(rules.size(), 0);
    ++epoch;
    touched.clear();

    auto hit = [&](Slot slot) {
      if (slot_epoch[slot] == epoch) return;
      slot_epoch[slot] = epoch;
      uint32_t sub = slot_sub[slot];
      if (sub_epoch[sub] != epoch) {
        sub_epoch[sub] = epoch;
        sub_hits[sub] = 0;
        touched.push_back(sub);
      }
      ++sub_hits[sub];
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

    std::vector<std::string> matched;
    auto consider = [&](uint32_t sub_id) {
      const SubEntry& sub = *subs[sub_id];
      if (!sub.alive || rule_epoch[sub.rule] == epoch) return;
      size_t satisfied = sub_epoch[sub_id] == epoch ? sub_hits[sub_id] : 0;
      for (uint32_t f : sub.absence_fields) {
        if (slot_epoch[sub.first_slot + f] != epoch &&
            event.FieldsAt(sub.pattern.fields[f].path).empty()) {
          ++satisfied;
        }
      }
      if (satisfied < sub.pattern.fields.size()) return;
      if (event.has_arrays() && sub.pattern.fields.size() > 1 &&
          !MatchesSubPattern(sub.pattern, event)) {
        return;  // the fields were satisfied by elements of different array entries
      }
      rule_epoch[sub.rule] = epoch;
      matched.push_back(rules[sub.rule].name);
    };
    for (uint32_t sub : touched)
      consider(sub);
    for (uint32_t sub : absence_only_subs)
      consider(sub);
    std::sort(matched.begin(), matched.end());
    return matched;
  }

  // Drops removed rules from every index by building it again from the live ones.
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
  if (ix.dead_subs > 64 && ix.dead_subs > ix.subs.size() / 2) ix.Compact();
  return true;
}

size_t RuleMachine::size() const {
  return index_->live_rules;
}

std::vector<std::string> RuleMachine::Match(const FlatEvent& event) {
  return index_->Match(event);
}

}  // namespace sluice::bus

#include "sluice/bus/pattern_evaluation.h"

#include <algorithm>

#include "bus/case_fold.h"
#include "sluice/bus/wildcard.h"

namespace sluice::bus {
namespace {

bool AnyWildcardMatches(const std::vector<Wildcard>& wildcards, std::string_view text) {
  return std::any_of(wildcards.begin(), wildcards.end(),
                     [&](const Wildcard& w) { return w.Matches(text); });
}

// Chooses one candidate per field so that all chosen fields are array-consistent.
bool Assign(const std::vector<std::vector<const EventField*>>& candidates, size_t field,
            std::vector<const EventField*>& chosen, const FlatEvent& event) {
  if (field == candidates.size()) return true;
  for (const EventField* candidate : candidates[field]) {
    bool fits = true;
    for (const EventField* other : chosen) {
      if (candidate && other && !event.Consistent(*candidate, *other)) {
        fits = false;
        break;
      }
    }
    if (!fits) continue;
    chosen.push_back(candidate);
    if (Assign(candidates, field + 1, chosen, event)) return true;
    chosen.pop_back();
  }
  return false;
}

}  // namespace

bool MatchesValue(const ValueMatcher& m, const EventValue& v) {
  const bool is_string = v.type == ValueType::kString;
  const bool is_number = v.type == ValueType::kNumber;
  switch (m.kind) {
    case MatchKind::kExactString:
      return is_string && v.text == m.text;
    case MatchKind::kExactNumber:
      return is_number && v.number == m.number;
    case MatchKind::kTrue:
      return v.type == ValueType::kTrue;
    case MatchKind::kFalse:
      return v.type == ValueType::kFalse;
    case MatchKind::kNull:
      return v.type == ValueType::kNull;
    case MatchKind::kPrefix:
      return is_string && v.text.starts_with(m.text);
    case MatchKind::kPrefixIgnoreCase:
      return is_string && FoldCase(v.text).starts_with(m.text);
    case MatchKind::kSuffix:
      return is_string && v.text.ends_with(m.text);
    case MatchKind::kSuffixIgnoreCase:
      return is_string && FoldCase(v.text).ends_with(m.text);
    case MatchKind::kEqualsIgnoreCase:
      return is_string && FoldCase(v.text) == m.text;
    case MatchKind::kWildcard:
      return is_string && AnyWildcardMatches(m.wildcards, v.text);
    case MatchKind::kNumericRange:
      return is_number && m.range.Contains(v.number);
    case MatchKind::kIpRange: {
      if (!is_string) return false;
      std::optional<IpAddress> ip = ParseIp(v.text);
      return ip && m.ip_range.Contains(*ip);
    }
    case MatchKind::kExists:
      return true;
    case MatchKind::kAbsent:
      return false;
    case MatchKind::kAnythingButStrings:
      return !(is_string && std::find(m.texts.begin(), m.texts.end(), v.text) != m.texts.end());
    case MatchKind::kAnythingButNumbers:
      return !(is_number &&
               std::find(m.numbers.begin(), m.numbers.end(), v.number) != m.numbers.end());
    case MatchKind::kAnythingButPrefix:
      return !(is_string && std::any_of(m.texts.begin(), m.texts.end(),
                                        [&](const auto& p) { return v.text.starts_with(p); }));
    case MatchKind::kAnythingButSuffix:
      return !(is_string && std::any_of(m.texts.begin(), m.texts.end(),
                                        [&](const auto& s) { return v.text.ends_with(s); }));
    case MatchKind::kAnythingButIgnoreCase: {
      if (!is_string) return true;
      std::string folded = FoldCase(v.text);
      return std::find(m.texts.begin(), m.texts.end(), folded) == m.texts.end();
    }
    case MatchKind::kAnythingButWildcard:
      return !(is_string && AnyWildcardMatches(m.wildcards, v.text));
  }
  return false;
}

namespace {

// The first field at `path` whose value satisfies the pattern field, or null.
const EventField* FirstMatch(const FieldPattern& field, std::span<const EventField> present) {
  for (const EventField& f : present) {
    for (const ValueMatcher& m : field.matchers) {
      if (MatchesValue(m, f.value)) return &f;
    }
  }
  return nullptr;
}

// The slow path: every candidate per field, then a search for an array-consistent choice.
bool MatchesConsistently(const SubPattern& sub, const FlatEvent& event) {
  // Per pattern field, the event fields that satisfy it; a null entry stands for "satisfied by
  // the field's absence".
  std::vector<std::vector<const EventField*>> candidates(sub.fields.size());
  for (size_t i = 0; i < sub.fields.size(); ++i) {
    const FieldPattern& field = sub.fields[i];
    std::span<const EventField> present = event.FieldsAt(field.path);
    for (const EventField& f : present) {
      for (const ValueMatcher& m : field.matchers) {
        if (MatchesValue(m, f.value)) {
          candidates[i].push_back(&f);
          break;
        }
      }
    }
    if (candidates[i].empty()) candidates[i].push_back(nullptr);  // absence, checked before
  }
  std::vector<const EventField*> chosen;
  return Assign(candidates, 0, chosen, event);
}

}  // namespace

bool MatchesSubPattern(const SubPattern& sub, const FlatEvent& event) {
  // Fast path: find one satisfying value per field. Array consistency can only fail when two
  // fields were satisfied from inside arrays; only then take the slow path.
  int from_arrays = 0;
  for (const FieldPattern& field : sub.fields) {
    std::span<const EventField> present = event.FieldsAt(field.path);
    const EventField* match = FirstMatch(field, present);
    if (match == nullptr) {
      if (!present.empty() || !field.AcceptsAbsence()) return false;
      continue;
    }
    if (match->trail_begin != match->trail_end) ++from_arrays;
  }
  return from_arrays < 2 || MatchesConsistently(sub, event);
}

bool MatchesPattern(const EventPattern& pattern, const FlatEvent& event) {
  return std::any_of(pattern.alternatives.begin(), pattern.alternatives.end(),
                     [&](const SubPattern& sub) { return MatchesSubPattern(sub, event); });
}

}  // namespace sluice::bus

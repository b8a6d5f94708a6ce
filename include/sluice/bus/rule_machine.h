// RuleMachine: many rules' patterns compiled into one index, so that matching an event costs
// about the same with 10 rules or 10,000.
//
// Each sub-pattern is indexed under one anchor field: the field expected to bring it up for the
// fewest events, judged by its kind and by how many other rules share its values (a rule's
// `source: ["aws.s3"]` is shared by thousands; its object key is not). Anchors are indexed by
// path and kind: exact values in hash maps; prefixes, suffixes and the literal ends of wildcards
// in affix indexes; numeric and IP ranges in interval trees; `exists` and `anything-but` in
// per-path lists. Matching an event looks up each of its (path, value) fields once, and checks
// each sub-pattern brought up (all its fields, array consistency included). The work is
// proportional to the event's fields and the candidates, not to the number of rules.
//
// Not thread-safe: a machine belongs to one thread (Match prepares indexes lazily).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/bus/event_pattern.h"
#include "sluice/bus/flat_event.h"

namespace sluice::bus {

class RuleMachine {
 public:
  RuleMachine();
  ~RuleMachine();
  RuleMachine(const RuleMachine&) = delete;
  RuleMachine& operator=(const RuleMachine&) = delete;
  RuleMachine(RuleMachine&&) noexcept;
  RuleMachine& operator=(RuleMachine&&) noexcept;

  // Adds the rule, replacing any rule of the same name.
  void Add(const std::string& name, const EventPattern& pattern);
  // Removes the rule; returns whether it was there.
  bool Remove(std::string_view name);
  size_t size() const;

  // The ids of the rules the event matches, each once, in no particular order.
  void Match(const FlatEvent& event, std::vector<uint32_t>& rule_ids);
  const std::string& RuleName(uint32_t rule_id) const;
  // The names of the rules the event matches, each once, sorted.
  std::vector<std::string> Match(const FlatEvent& event);

 private:
  struct Index;
  std::unique_ptr<Index> index_;
};

}  // namespace sluice::bus

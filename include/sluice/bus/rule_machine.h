// RuleMachine: many rules' patterns compiled into one index, so that matching an event costs
// about the same with 10 rules or 10,000.
//
// Every field of every sub-pattern is indexed under its path, by the kind of its matchers: exact
// values in hash maps; prefixes, suffixes and the literal ends of wildcards in affix indexes;
// numeric and IP ranges in interval trees; `exists` and `anything-but` in per-path lists. An
// event is matched by looking up each of its (path, value) fields once; every hit marks one field
// of one sub-pattern satisfied, and a sub-pattern whose fields are all satisfied (fields that
// accept absence count when their path is missing) matches, after a check of array consistency
// when the event has arrays. The work is proportional to the event's fields and the hits, not
// to the number of rules.
//
// Not thread-safe: a machine belongs to one thread (Match prepares indexes lazily).
#pragma once

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

  // The names of the rules the event matches, each once, sorted.
  std::vector<std::string> Match(const FlatEvent& event);

 private:
  struct Index;
  std::unique_ptr<Index> index_;
};

}  // namespace sluice::bus

// Evaluating one pattern against one event, directly: field by field, matcher by matcher. This is
// the meaning of a pattern written down plainly. `sluice events test-pattern` uses it, the
// compiled RuleMachine is tested against it, and the bus benchmark measures the machine against
// it as the naive baseline (evaluate every rule on its own).
#pragma once

#include "sluice/bus/event_pattern.h"
#include "sluice/bus/flat_event.h"

namespace sluice::bus {

// Whether `value` satisfies `matcher`; never true for kAbsent (absence is not a value).
bool MatchesValue(const ValueMatcher& matcher, const EventValue& value);

// Whether the event matches the sub-pattern, including array consistency.
bool MatchesSubPattern(const SubPattern& sub, const FlatEvent& event);

// Whether the event matches any alternative of the pattern.
bool MatchesPattern(const EventPattern& pattern, const FlatEvent& event);

}  // namespace sluice::bus

// EventPattern: an EventBridge event pattern, compiled.
//
// CompilePattern() validates a pattern exactly as EventBridge does (it runs aws/event-ruler) and
// rejects invalid ones with EventBridge's message, "Event pattern is not valid. Reason: …", so
// that errors surface when a rule is created, never when an event is matched.
//
// A compiled pattern is a list of sub-patterns (one per combination of `$or` branches); each is a
// conjunction of fields (dotted paths, sorted), each field a disjunction of value matchers. The
// event matches the pattern when it matches any sub-pattern.
//
// Immutable once compiled; safe to share between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/bus/ip_address.h"
#include "sluice/bus/wildcard.h"
#include "sluice/common/result.h"

namespace sluice::bus {

// What one value matcher tests. Each kind documents the event values it matches; "a string" means
// a JSON string value at the field's path, "a number" a JSON number.
enum class MatchKind {
  kExactString,            // a string equal to text
  kExactNumber,            // a number numerically equal to number (300 matches 300.0 and 3e2)
  kTrue,                   // the JSON literal true
  kFalse,                  // the JSON literal false
  kNull,                   // the JSON literal null (not "", not a missing field)
  kPrefix,                 // a string starting with text ("" matches every string)
  kPrefixIgnoreCase,       // ... comparing case-insensitively
  kSuffix,                 // a string ending with text
  kSuffixIgnoreCase,       // ... comparing case-insensitively
  kEqualsIgnoreCase,       // a string equal to text case-insensitively
  kWildcard,               // a string matching text, where `*` is any run of characters
  kNumericRange,           // a number within range
  kIpRange,                // a string holding an IP address within ip_range (cidr, or a plain IP)
  kExists,                 // any value, even null (not an object, not an empty array)
  kAbsent,                 // no value at all at the path (exists: false); matched by absence
  kAnythingButStrings,     // any value that is not a string in texts (missing fields excluded)
  kAnythingButNumbers,     // any value that is not a number in numbers
  kAnythingButPrefix,      // any value that is not a string starting with one of texts
  kAnythingButSuffix,      // any value that is not a string ending with one of texts
  kAnythingButIgnoreCase,  // any value that is not a string equal, ignoring case, to one of texts
  kAnythingButWildcard,    // any value that is not a string matching one of the wildcards texts
};

struct NumericRange {
  double low = 0;
  double high = 0;
  bool has_low = false;  // false: unbounded below
  bool has_high = false;
  bool low_open = false;  // true: low itself is excluded
  bool high_open = false;

  bool Contains(double x) const {
    if (has_low && (low_open ? x <= low : x < low)) return false;
    if (has_high && (high_open ? x >= high : x > high)) return false;
    return true;
  }
};

struct ValueMatcher {
  ValueMatcher() = default;
  explicit ValueMatcher(MatchKind k, std::string t = {}) : kind(k), text(std::move(t)) {}

  MatchKind kind = MatchKind::kExists;
  std::string text;    // exact, prefix, suffix, equals-ignore-case, wildcard
  double number = 0;   // kExactNumber
  NumericRange range;  // kNumericRange
  IpRange ip_range;    // kIpRange
  std::vector<std::string>
      texts;  // anything-but over strings (case-folded for kAnythingButIgnoreCase)
  std::vector<double> numbers;      // kAnythingButNumbers
  std::vector<Wildcard> wildcards;  // kWildcard (one), kAnythingButWildcard: parsed once
};

struct FieldPattern {
  std::string path;                    // "detail.object.key"
  std::vector<ValueMatcher> matchers;  // any may match

  bool AcceptsAbsence() const;  // has an exists: false matcher
};

struct SubPattern {
  std::vector<FieldPattern> fields;  // all must match; sorted by path
};

struct EventPattern {
  std::vector<SubPattern> alternatives;  // any may match
};

// The AWS error code of an invalid pattern.
inline constexpr std::string_view kInvalidEventPattern = "InvalidEventPatternException";

// Compiles a pattern written in JSON. Fails with InvalidEventPatternException and the message
// EventBridge gives ("Event pattern is not valid. Reason: Empty arrays are not allowed").
Result<EventPattern> CompilePattern(std::string_view json);

}  // namespace sluice::bus

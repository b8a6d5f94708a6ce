// FlatEvent: an event as pattern matching sees it: a list of leaf fields, each a dotted path and
// a scalar value, sorted by path. Arrays are "crushed out" (each element's leaves appear under
// the array's path) but every field remembers which element of which array it came from, so
// that matching can insist two fields of one pattern come from the same array element.
//
// Parse() reuses the object's buffers; a FlatEvent is meant to be kept and reused by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"

namespace sluice::bus {

enum class ValueType { kString, kNumber, kTrue, kFalse, kNull };

struct EventValue {
  EventValue() = default;
  explicit EventValue(ValueType t, std::string_view s = {}, double n = 0)
      : type(t), text(s), number(n) {}

  ValueType type = ValueType::kNull;
  std::string_view text;  // kString: the string's bytes
  double number = 0;      // kNumber
};

struct ArrayPosition {
  uint32_t array_id;  // which array (numbered in document order)
  uint32_t index;     // which element of it
};

struct EventField {
  std::string_view path;
  EventValue value;
  uint32_t trail_begin = 0;  // this field's enclosing array positions, outermost first,
  uint32_t trail_end = 0;    // are trails()[trail_begin, trail_end)
};

class FlatEvent {
 public:
  FlatEvent();
  ~FlatEvent();
  FlatEvent(const FlatEvent&) = delete;
  FlatEvent& operator=(const FlatEvent&) = delete;

  // Parses and flattens `json`, which must be a JSON object. Views into a previous event are
  // invalidated.
  Status Parse(std::string_view json);

  std::span<const EventField> fields() const { return fields_; }
  // The fields at `path`, a contiguous run of fields().
  std::span<const EventField> FieldsAt(std::string_view path) const;
  bool has_arrays() const { return has_arrays_; }
  // Whether a and b may come from one event element: for every array both are inside, they
  // come from the same element of it.
  bool Consistent(const EventField& a, const EventField& b) const;

 private:
  struct Parser;
  void Walk(const void* element, std::string& path, std::vector<ArrayPosition>& trail);

  std::unique_ptr<Parser> parser_;
  std::string paths_;                 // every field's path, back to back
  std::vector<size_t> path_offsets_;  // per field: start in paths_ (then its length)
  std::vector<EventField> fields_;
  std::vector<ArrayPosition> trails_;
  uint32_t next_array_id_ = 0;
  bool has_arrays_ = false;
};

}  // namespace sluice::bus

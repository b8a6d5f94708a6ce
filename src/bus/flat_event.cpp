#include "sluice/bus/flat_event.h"

#include <simdjson.h>

#include <algorithm>

namespace sluice::bus {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

struct FlatEvent::Parser {
  simdjson::dom::parser dom;
};

FlatEvent::FlatEvent() : parser_(std::make_unique<Parser>()) {}
FlatEvent::~FlatEvent() = default;

Status FlatEvent::Parse(std::string_view json) {
  paths_.clear();
  path_offsets_.clear();
  fields_.clear();
  trails_.clear();
  next_array_id_ = 0;
  has_arrays_ = false;

  element root;
  if (auto error = parser_->dom.parse(json.data(), json.size()).get(root); error) {
    return Status::InvalidArgument(std::string("event is not valid JSON: ") +
                                   simdjson::error_message(error));
  }
  if (root.type() != element_type::OBJECT) {
    return Status::InvalidArgument("event is not a JSON object");
  }
  std::string path;
  std::vector<ArrayPosition> trail;
  Walk(&root, path, trail);

  // Paths were appended to one buffer that may have moved while growing: point at it now.
  for (size_t i = 0; i < fields_.size(); ++i) {
    size_t start = path_offsets_[i];
    size_t end = i + 1 < fields_.size() ? path_offsets_[i + 1] : paths_.size();
    fields_[i].path = std::string_view(paths_).substr(start, end - start);
  }
  std::stable_sort(fields_.begin(), fields_.end(),
                   [](const EventField& a, const EventField& b) { return a.path < b.path; });
  return Status::Ok();
}

void FlatEvent::Walk(const void* opaque, std::string& path, std::vector<ArrayPosition>& trail) {
  const element& e = *static_cast<const element*>(opaque);
  auto add_leaf = [&](EventValue value) {
    EventField field;
    field.value = value;
    field.trail_begin = static_cast<uint32_t>(trails_.size());
    trails_.insert(trails_.end(), trail.begin(), trail.end());
    field.trail_end = static_cast<uint32_t>(trails_.size());
    path_offsets_.push_back(paths_.size());
    paths_ += path;
    fields_.push_back(field);
  };
  switch (e.type()) {
    case element_type::OBJECT:
      for (auto [key, value] : object(e)) {
        size_t length = path.size();
        if (!path.empty()) path += '.';
        path += key;
        Walk(&value, path, trail);
        path.resize(length);
      }
      break;
    case element_type::ARRAY: {
      has_arrays_ = true;
      uint32_t id = next_array_id_++;
      uint32_t index = 0;
      for (element item : array(e)) {
        trail.push_back({id, index++});
        Walk(&item, path, trail);
        trail.pop_back();
      }
      break;
    }
    case element_type::STRING:
      add_leaf(EventValue(ValueType::kString, std::string_view(e)));
      break;
    case element_type::INT64:
      add_leaf(EventValue(ValueType::kNumber, {}, static_cast<double>(int64_t(e))));
      break;
    case element_type::UINT64:
      add_leaf(EventValue(ValueType::kNumber, {}, static_cast<double>(uint64_t(e))));
      break;
    case element_type::DOUBLE:
      add_leaf(EventValue(ValueType::kNumber, {}, double(e)));
      break;
    case element_type::BOOL:
      add_leaf(EventValue(bool(e) ? ValueType::kTrue : ValueType::kFalse));
      break;
    case element_type::NULL_VALUE:
      add_leaf(EventValue(ValueType::kNull));
      break;
  }
}

std::span<const EventField> FlatEvent::FieldsAt(std::string_view path) const {
  auto by_path = [](const EventField& f, std::string_view p) { return f.path < p; };
  auto first = std::lower_bound(fields_.begin(), fields_.end(), path, by_path);
  auto last = first;
  while (last != fields_.end() && last->path == path)
    ++last;
  return {first, last};
}

bool FlatEvent::Consistent(const EventField& a, const EventField& b) const {
  uint32_t i = a.trail_begin, j = b.trail_begin;
  for (; i < a.trail_end && j < b.trail_end; ++i, ++j) {
    if (trails_[i].array_id != trails_[j].array_id) return true;  // different arrays from here
    if (trails_[i].index != trails_[j].index) return false;
  }
  return true;
}

}  // namespace sluice::bus

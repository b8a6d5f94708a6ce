// Reading typed members out of JSON documents that users write (rules, cluster templates, step
// configs), with errors that name where the bad member is.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "sluice/common/status.h"

namespace sluice {

// Reads an optional member of the expected JSON type into `out` (left as it is when the member is
// absent or null); a member of another type is an InvalidArgument naming `where` and `key`.
template <typename T>
Status ReadField(const nlohmann::json& object, const char* key, T& out, const std::string& where,
                 const std::string& aws_code = "ValidationException") {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return Status::Ok();
  try {
    out = it->get<T>();
  } catch (const nlohmann::json::exception&) {
    return Status::InvalidArgument(where + ": " + key + " has the wrong type", aws_code);
  }
  return Status::Ok();
}

// Refuses members not in `known`, so a misspelt field is an error rather than silently ignored.
inline Status RejectUnknownKeys(const nlohmann::json& object,
                                std::initializer_list<std::string_view> known,
                                const std::string& where,
                                const std::string& aws_code = "ValidationException") {
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return Status::InvalidArgument(where + ": unknown field " + key, aws_code);
    }
  }
  return Status::Ok();
}

}  // namespace sluice

// The state store's schema, as an ordered list of migrations. Migration N brings a database from
// version N-1 to N (PRAGMA user_version); a shipped migration is never edited, only followed.
#pragma once

#include <span>
#include <string_view>

namespace sluice::store {

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

std::span<const Migration> Migrations();

}  // namespace sluice::store

// A load's target table: `name` or `schema.name`, used exactly as written (always quoted, so
// case matters in PostgreSQL and Redshift).
#pragma once

#include <string>
#include <string_view>

#include "sluice/common/result.h"

namespace sluice::warehouse {

struct TableName {
  std::string schema;  // empty: the warehouse's default schema
  std::string name;

  // "schema"."name" (or "name"), each part quoted.
  std::string Quoted() const;
  // schema.name as the user wrote it, for messages.
  std::string Display() const;
};

// InvalidArgument for an empty name, an empty part or more than one dot.
Result<TableName> ParseTableName(std::string_view text);

}  // namespace sluice::warehouse

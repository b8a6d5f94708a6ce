#include "warehouse/table_name.h"

#include "sluice/duckdb/database.h"

namespace sluice::warehouse {

std::string TableName::Quoted() const {
  std::string quoted_name = duckdb::QuoteIdentifier(name);
  return schema.empty() ? quoted_name : duckdb::QuoteIdentifier(schema) + "." + quoted_name;
}

std::string TableName::Display() const {
  return schema.empty() ? name : schema + "." + name;
}

Result<TableName> ParseTableName(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return Status::InvalidArgument("invalid table name \"" + std::string(text) +
                                   "\": " + std::string(why));
  };
  if (text.empty()) return invalid("it is empty");
  size_t dot = text.find('.');
  if (dot == std::string_view::npos) return TableName{"", std::string(text)};
  if (text.find('.', dot + 1) != std::string_view::npos) {
    return invalid("expected name or schema.name");
  }
  TableName table{std::string(text.substr(0, dot)), std::string(text.substr(dot + 1))};
  if (table.schema.empty() || table.name.empty()) return invalid("expected name or schema.name");
  return table;
}

}  // namespace sluice::warehouse

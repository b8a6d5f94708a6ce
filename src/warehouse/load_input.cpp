#include "warehouse/load_input.h"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "sluice/common/clock.h"

namespace sluice::warehouse {
namespace {

using duckdb::QuoteIdentifier;

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

Result<std::vector<SourceColumn>> DescribeSource(LoadSource& source) {
  SLUICE_ASSIGN_OR_RETURN(duckdb::TextTable described,
                          source.connection->Query("DESCRIBE SELECT * FROM " + source.relation));
  std::vector<SourceColumn> columns;
  std::set<std::string> seen;
  for (const auto& row : described.rows) {
    if (row.size() < 2 || !row[0] || !row[1]) return Status::Internal("unexpected DESCRIBE result");
    if (!seen.insert(Lower(*row[0])).second) {
      return Status::InvalidArgument("the source has two columns named \"" + *row[0] + "\"");
    }
    columns.push_back({*row[0], *row[1]});
  }
  if (columns.empty()) return Status::InvalidArgument("the source has no columns");
  return columns;
}

Status CheckKeys(const LoadRequest& request, LoadSource& source,
                 const std::vector<SourceColumn>& columns) {
  if (request.keys.empty()) return Status::InvalidArgument("a merge needs key columns");
  std::string key_list, null_test, key_text;
  for (const std::string& key : request.keys) {
    bool found = std::any_of(columns.begin(), columns.end(),
                             [&](const SourceColumn& c) { return c.name == key; });
    if (!found) {
      return Status::InvalidArgument("the merge key \"" + key + "\" is not a source column");
    }
    std::string quoted = QuoteIdentifier(key);
    key_list += (key_list.empty() ? "" : ", ") + quoted;
    null_test += (null_test.empty() ? "" : " OR ") + quoted + " IS NULL";
    key_text += (key_text.empty() ? "" : ", ") + ("CAST(" + quoted + " AS VARCHAR)");
  }
  std::string from = " FROM " + SourceSubquery(source) + " AS sluice_source";
  SLUICE_ASSIGN_OR_RETURN(int64_t null_keys, source.connection->QueryInt("SELECT count(*)" + from +
                                                                         " WHERE " + null_test));
  if (null_keys > 0) {
    return Status::InvalidArgument(std::to_string(null_keys) +
                                   " source rows have a NULL merge key (" + key_list + ")");
  }
  SLUICE_ASSIGN_OR_RETURN(duckdb::TextTable repeated,
                          source.connection->Query("SELECT " + key_text + from + " GROUP BY " +
                                                       key_list + " HAVING count(*) > 1 LIMIT 1",
                                                   1));
  if (!repeated.rows.empty()) {
    std::string values;
    for (const auto& value : repeated.rows[0]) {
      values += (values.empty() ? "" : ", ") + value.value_or("NULL");
    }
    return Status::InvalidArgument("the merge key (" + key_list + ") = (" + values +
                                   ") appears more than once in the source");
  }
  return Status::Ok();
}

}  // namespace

Result<LoadInput> PrepareLoadInput(const LoadRequest& request, LoadSource& source) {
  SLUICE_ASSIGN_OR_RETURN(TableName table, ParseTableName(request.table));
  if (source.connection == nullptr || source.relation.empty()) {
    return Status::InvalidArgument("no source rows (connection or relation missing)");
  }
  SLUICE_ASSIGN_OR_RETURN(std::vector<SourceColumn> columns, DescribeSource(source));
  if (request.mode == LoadMode::kMerge) SLUICE_RETURN_IF_ERROR(CheckKeys(request, source, columns));
  return LoadInput{std::move(table), std::move(columns)};
}

std::string SourceSubquery(const LoadSource& source) {
  return "(SELECT * FROM " + source.relation + ")";
}

Status CheckTargetColumns(const TableName& table, const std::vector<std::string>& target_columns,
                          const std::vector<SourceColumn>& source_columns, bool case_sensitive) {
  std::set<std::string> names;
  for (const std::string& name : target_columns)
    names.insert(case_sensitive ? name : Lower(name));
  for (const SourceColumn& column : source_columns) {
    if (names.count(case_sensitive ? column.name : Lower(column.name)) == 0) {
      return Status::InvalidArgument("table " + table.Display() + " has no column \"" +
                                     column.name + "\", which the source has");
    }
  }
  return Status::Ok();
}

std::string ColumnList(const std::vector<SourceColumn>& columns, std::string_view prefix) {
  std::string list;
  for (const SourceColumn& column : columns) {
    if (!list.empty()) list += ", ";
    list += std::string(prefix) + QuoteIdentifier(column.name);
  }
  return list;
}

std::string LoadedAtLiteral() {
  time_t now = std::chrono::system_clock::to_time_t(SystemClock::Instance().Now());
  struct tm utc;
  gmtime_r(&now, &utc);
  char text[32];
  strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc);
  return std::string("TIMESTAMP '") + text + "'";
}

}  // namespace sluice::warehouse

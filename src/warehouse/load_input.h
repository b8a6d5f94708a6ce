// What every warehouse checks and learns before it loads, in the source's DuckDB connection:
// the request is well formed, the source's columns and their DuckDB types, and for a merge that
// every source row has a key of its own (non-NULL, not repeated), so that "replace the row with
// this key" means one row. Also the checks of an existing table against the source.
#pragma once

#include <string>
#include <vector>

#include "sluice/warehouse/warehouse.h"
#include "warehouse/table_name.h"

namespace sluice::warehouse {

struct SourceColumn {
  std::string name;
  std::string type;  // DuckDB's name for it: "BIGINT", "DECIMAL(18,2)", "VARCHAR[]"
};

struct LoadInput {
  TableName table;
  std::vector<SourceColumn> columns;  // in the source's order
};

// Checks the request (a table name; merge: keys, each a source column) and the source (a
// connection and a relation whose column names are unique), and for a merge that no source
// row has a NULL key and no key appears twice (the error names the first repeated key's
// values). InvalidArgument on any failure; the caller adds which load it was.
Result<LoadInput> PrepareLoadInput(const LoadRequest& request, LoadSource& source);

// `SELECT * FROM <relation>`, parenthesised for use as a subquery.
std::string SourceSubquery(const LoadSource& source);

// Every source column must be a column of the existing table: InvalidArgument naming the table
// and the first missing column otherwise. DuckDB matches names case-insensitively, PostgreSQL
// and Redshift exactly.
Status CheckTargetColumns(const TableName& table, const std::vector<std::string>& target_columns,
                          const std::vector<SourceColumn>& source_columns, bool case_sensitive);

// The source columns' names, each quoted, joined by ", " (with `prefix` before each, e.g. "s.").
std::string ColumnList(const std::vector<SourceColumn>& columns, std::string_view prefix = "");

// Now, in UTC, as a SQL timestamp literal: TIMESTAMP '2024-01-31 12:00:00' (sluice_loads).
std::string LoadedAtLiteral();

}  // namespace sluice::warehouse

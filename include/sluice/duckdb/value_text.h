// Rendering DuckDB values as text without the deprecated row/column accessors: a value is read
// from a result chunk's vector and written the way DuckDB's own VARCHAR cast writes it
// (`2024-01-31`, `12.50`, `[1, 2]`, `{'a': 1}`), so `sluice sql` prints what the DuckDB shell
// would.
#pragma once

#include <duckdb.h>

#include <optional>
#include <string>

namespace sluice::duckdb {

// The value at `row` of `vector` (whose type is `type`), or nullopt when it is NULL.
std::optional<std::string> ValueText(duckdb_vector vector, duckdb_logical_type type, idx_t row);

// DuckDB's name for `type`: "INTEGER", "DECIMAL(18,2)", "VARCHAR[]", "STRUCT(a INTEGER)".
std::string TypeName(duckdb_logical_type type);

// Whether values of `type` are numbers (integers, floating point, decimals).
bool IsNumeric(duckdb_logical_type type);

}  // namespace sluice::duckdb

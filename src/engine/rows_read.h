// How many rows a query read from files: the sum of the row counts of its file scans
// (read_csv, read_parquet, read_json, ...), from DuckDB's profiler.
#pragma once

#include <cstdint>

#include "sluice/duckdb/database.h"

namespace sluice::engine {

// Turns the profiler on for `connection`'s next queries (no output is written anywhere).
Status EnableScanCounting(duckdb::Connection& connection);
// The rows the last query's file scans produced. 0 if profiling was off.
int64_t RowsReadByLastQuery(duckdb::Connection& connection);

}  // namespace sluice::engine

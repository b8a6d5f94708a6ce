// The DuckDB SQL that reads a step's inputs and writes its output: read_csv / read_parquet /
// read_json calls with the step's options, and COPY ... TO options.
#pragma once

#include <string>
#include <vector>

#include "sluice/engine/sql_step.h"

namespace sluice::engine {

// The names of the tables where DuckDB stores a CSV input's rejected rows.
struct RejectTables {
  std::string errors;  // one row per bad value or row
  std::string scans;   // which file each error came from
};
RejectTables RejectTablesFor(size_t input_index);

// `read_xxx([paths], options...)` for `input`. CSV inputs always keep their malformed rows in the
// RejectTables (fail mode checks them after the query, so it can name object and line).
std::string ReadFunctionSql(const InputSpec& input, const std::vector<std::string>& paths,
                            size_t input_index, BadRows on_bad_rows);

// The `(FORMAT ..., ...)` clause of `COPY ... TO` for `output`.
std::string CopyOptionsSql(const OutputSpec& output);

// The Content-Type of an output object.
std::string ContentTypeOf(const OutputSpec& output);

}  // namespace sluice::engine

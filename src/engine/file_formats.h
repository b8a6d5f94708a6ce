// The DuckDB SQL that reads a step's inputs and writes its output: read_csv / read_parquet /
// read_json calls with the step's options, and COPY ... TO options.
#pragma once

#include <string>
#include <vector>

#include "sluice/duckdb/database.h"
#include "sluice/engine/sql_step.h"

namespace sluice::engine {

// The names of the tables where DuckDB stores a CSV input's rejected rows.
struct RejectTables {
  std::string errors;  // one row per bad value or row
  std::string scans;   // which file each error came from
};
RejectTables RejectTablesFor(size_t input_index);

// The options of a CSV input's reader as DuckDB's sniffer settles them on `first_path` with the
// input's own options given ("delim=',', quote='\"', ..., columns={...}"), so that the query's
// several binds don't sniff the file again each (a sniff of a large file costs ~0.1 s). Bad rows
// don't sway the sniffer (they are the reader's to reject). Empty when the sniffer's answer has
// an unexpected shape: the reader then sniffs for itself.
Result<std::string> SniffCsvOptions(duckdb::Connection& connection, const InputSpec& input,
                                    const std::string& first_path);

// `read_xxx([paths], options...)` for `input`. CSV inputs always keep their malformed rows in the
// RejectTables (fail mode checks them after the query, so it can name object and line); their
// `sniffed` options, if any, replace the input's own.
std::string ReadFunctionSql(const InputSpec& input, const std::vector<std::string>& paths,
                            size_t input_index, BadRows on_bad_rows,
                            const std::string& sniffed = "");

// The `(FORMAT ..., ...)` clause of `COPY ... TO` for `output`.
std::string CopyOptionsSql(const OutputSpec& output);

// The Content-Type of an output object.
std::string ContentTypeOf(const OutputSpec& output);

}  // namespace sluice::engine

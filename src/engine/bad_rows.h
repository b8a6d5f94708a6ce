// Malformed CSV rows, as DuckDB's reader stored them in its reject tables while a step's query
// ran: counted, reported (fail mode) or written out beside the output (skip mode).
#pragma once

#include <string>
#include <vector>

#include "sluice/duckdb/database.h"
#include "sluice/engine/lake_files.h"
#include "sluice/engine/sql_step.h"

namespace sluice::engine {

class BadRowsReport {
 public:
  // Gathers the rejected rows of the CSV inputs among `inputs` (deduplicated: a view scanned
  // twice rejects its rows twice), with object URIs from `files`.
  static Result<BadRowsReport> Gather(duckdb::Connection& connection,
                                      const std::vector<InputSpec>& inputs, const LakeFiles& files);

  int64_t count() const { return count_; }
  // The first bad row (by object and line) as a step error: input, object, line, reason, row.
  Status FirstAsError() const;
  // Writes every bad row as CSV (object, line, column, error_type, error, row) to `path`.
  Status WriteCsv(const std::string& path) const;

 private:
  explicit BadRowsReport(duckdb::Connection& connection) : connection_(&connection) {}
  duckdb::Connection* connection_;
  int64_t count_ = 0;
};

}  // namespace sluice::engine

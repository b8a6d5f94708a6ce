#include "rows_read.h"

#include <string>

namespace sluice::engine {
namespace {

std::string Metric(duckdb_profiling_info node, const char* key) {
  duckdb_value value = duckdb_profiling_info_get_value(node, key);
  if (value == nullptr) return "";
  char* text = duckdb_get_varchar(value);
  std::string result = text ? text : "";
  duckdb_free(text);
  duckdb_destroy_value(&value);
  return result;
}

int64_t SumFileScans(duckdb_profiling_info node) {
  int64_t rows = 0;
  if (Metric(node, "OPERATOR_TYPE") == "TABLE_SCAN" &&
      Metric(node, "OPERATOR_NAME").rfind("READ_", 0) == 0) {
    rows += std::stoll("0" + Metric(node, "OPERATOR_CARDINALITY"));
  }
  idx_t children = duckdb_profiling_info_get_child_count(node);
  for (idx_t i = 0; i < children; ++i)
    rows += SumFileScans(duckdb_profiling_info_get_child(node, i));
  return rows;
}

}  // namespace

Status EnableScanCounting(duckdb::Connection& connection) {
  return connection.Execute("PRAGMA enable_profiling = 'no_output'");
}

int64_t RowsReadByLastQuery(duckdb::Connection& connection) {
  duckdb_profiling_info root = duckdb_get_profiling_info(connection.handle());
  return root == nullptr ? 0 : SumFileScans(root);
}

}  // namespace sluice::engine

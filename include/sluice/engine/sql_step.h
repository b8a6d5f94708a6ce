// SqlStep: what a `sql` step (or a `run_sql` action) declares — named inputs read from the lake,
// one SELECT over them, where the result goes in the lake, and how it is loaded into the
// warehouse. Parsed from JSON whose keys are the pipeline spec's (snake_case):
//
//   {"inputs": {"orders": "s3://lake/raw/orders/*.csv",
//               "customers": {"uri": "s3://lake/dim/customers.parquet"}},
//    "query": "SELECT country, sum(quantity * unit_price) AS revenue FROM orders GROUP BY ALL",
//    "output": {"uri": "s3://lake/results/revenue/", "format": "parquet",
//               "partition_by": ["country"]},
//    "load": {"table": "revenue", "mode": "merge", "keys": ["country"]},
//    "on_bad_rows": "skip"}
//
// An input or output given as a plain string is a URI whose format is told by its extension.
// Everything that can be checked without reading data is checked here; the engine's own checks
// (SQL, types) happen when the step runs.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/warehouse/warehouse.h"

namespace sluice::engine {

enum class FileFormat { kCsv, kParquet, kJson };
std::string_view FileFormatName(FileFormat format);
// The format a URI's extension tells (.csv, .tsv, .txt, .parquet, .pq, .json, .jsonl, .ndjson,
// each optionally followed by .gz or .zst), if any.
std::optional<FileFormat> FileFormatOfUri(std::string_view uri);

// How a CSV input is parsed. Unset options are detected by DuckDB's sniffer.
struct CsvOptions {
  std::optional<bool> header;
  std::optional<std::string> delimiter;
  std::optional<std::string> quote;
  std::optional<std::string> escape;
  std::optional<std::string> null_string;
};

struct ColumnType {
  std::string name;
  std::string type;  // a DuckDB type: BIGINT, DECIMAL(12,2), DATE, VARCHAR, ...
};

struct InputSpec {
  std::string name;  // how the query refers to it
  std::string uri;   // s3://bucket/key, s3://bucket/prefix/ (every object under it) or a glob
  FileFormat format = FileFormat::kCsv;
  CsvOptions csv;
  // Every column in file order with its type (the file's header, if any, is then only skipped).
  std::vector<ColumnType> columns;
  // Types for some columns by name; the others are inferred.
  std::vector<ColumnType> types;
  std::string compression;  // auto (default), none, gzip, zstd
};

struct OutputSpec {
  // s3://bucket/key of the result; with partition_by, a prefix (ending in '/') under which
  // objects go at <column>=<value>/data_<n>.<ext>.
  std::string uri;
  FileFormat format = FileFormat::kCsv;
  std::string compression;  // none (default for CSV and JSON), gzip, zstd, snappy (Parquet default)
  std::vector<std::string> partition_by;
  bool header = true;           // CSV
  std::string delimiter = ",";  // CSV
};

struct LoadSpec {
  std::string table;
  warehouse::LoadMode mode = warehouse::LoadMode::kAppend;
  std::vector<std::string> keys;  // merge
};

enum class BadRows {
  kFail,  // a malformed row fails the step, naming the object, the line and the reason
  kSkip,  // malformed rows are left out, counted, and written to a rejects object
};

struct SqlStep {
  std::vector<InputSpec> inputs;  // by name
  std::string query;
  std::optional<OutputSpec> output;
  std::optional<LoadSpec> load;
  BadRows on_bad_rows = BadRows::kFail;
};

// `where` names the step in messages ("step daily-revenue").
Result<SqlStep> SqlStepFromJson(const nlohmann::json& j, const std::string& where);
nlohmann::json SqlStepToJson(const SqlStep& step);

// Where the rows a `skip` step left out go: beside the output (<key>.rejects.csv, or
// <prefix>_rejects.csv for partitioned output).
std::string RejectsUri(const OutputSpec& output);

}  // namespace sluice::engine

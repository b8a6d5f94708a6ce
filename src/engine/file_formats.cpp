#include "file_formats.h"

#include "sluice/duckdb/database.h"

namespace sluice::engine {
namespace {

using duckdb::QuoteLiteral;

std::string PathList(const std::vector<std::string>& paths) {
  std::string list = "[";
  for (size_t i = 0; i < paths.size(); ++i)
    list += (i ? ", " : "") + QuoteLiteral(paths[i]);
  return list + "]";
}

// {'name': 'TYPE', ...}: DuckDB's struct literal for columns= and types=.
std::string ColumnStruct(const std::vector<ColumnType>& columns) {
  std::string text = "{";
  for (size_t i = 0; i < columns.size(); ++i) {
    text += (i ? ", " : "") + QuoteLiteral(columns[i].name) + ": " + QuoteLiteral(columns[i].type);
  }
  return text + "}";
}

std::string CsvOptionsSql(const InputSpec& input) {
  std::string options;
  const CsvOptions& csv = input.csv;
  if (csv.header) options += std::string(", header = ") + (*csv.header ? "true" : "false");
  if (csv.delimiter) options += ", delim = " + QuoteLiteral(*csv.delimiter);
  if (csv.quote) options += ", quote = " + QuoteLiteral(*csv.quote);
  if (csv.escape) options += ", escape = " + QuoteLiteral(*csv.escape);
  if (csv.null_string) options += ", nullstr = " + QuoteLiteral(*csv.null_string);
  if (!input.columns.empty()) options += ", columns = " + ColumnStruct(input.columns);
  if (!input.types.empty()) options += ", types = " + ColumnStruct(input.types);
  return options;
}

std::string CompressionSql(const std::string& compression) {
  if (compression.empty()) return "";
  return ", compression = " + QuoteLiteral(compression == "none" ? "uncompressed" : compression);
}

}  // namespace

RejectTables RejectTablesFor(size_t input_index) {
  std::string n = std::to_string(input_index);
  return {"sluice_reject_errors_" + n, "sluice_reject_scans_" + n};
}

Result<std::string> SniffCsvOptions(duckdb::Connection& connection, const InputSpec& input,
                                    const std::string& first_path) {
  SLUICE_ASSIGN_OR_RETURN(
      std::optional<std::string> prompt,
      connection.QueryValue("SELECT Prompt FROM sniff_csv(" + QuoteLiteral(first_path) +
                            CsvOptionsSql(input) + CompressionSql(input.compression) +
                            ", ignore_errors = true)"));
  // "FROM read_csv('<path>', <options>);"
  const std::string head = "FROM read_csv(" + QuoteLiteral(first_path) + ", ";
  if (!prompt || prompt->rfind(head, 0) != 0 || prompt->size() < head.size() + 2 ||
      prompt->compare(prompt->size() - 2, 2, ");") != 0) {
    return std::string();
  }
  std::string options = prompt->substr(head.size(), prompt->size() - head.size() - 2);
  // An ISO date or timestamp format, given explicitly, sends every value through the slow
  // strptime-style parser (~8% of a large scan); left out, the same values take DuckDB's fast
  // ISO parser.
  for (std::string_view iso :
       {", dateformat='%Y-%m-%d'", ", timestampformat='%Y-%m-%d %H:%M:%S'"}) {
    if (size_t at = options.find(iso); at != std::string::npos) options.erase(at, iso.size());
  }
  return options;
}

std::string ReadFunctionSql(const InputSpec& input, const std::vector<std::string>& paths,
                            size_t input_index, BadRows on_bad_rows, const std::string& sniffed) {
  switch (input.format) {
    case FileFormat::kCsv: {
      RejectTables rejects = RejectTablesFor(input_index);
      std::string options = sniffed.empty() ? CsvOptionsSql(input) : ", " + sniffed;
      return "read_csv(" + PathList(paths) + options + CompressionSql(input.compression) +
             ", store_rejects = true, rejects_table = " + QuoteLiteral(rejects.errors) +
             ", rejects_scan = " + QuoteLiteral(rejects.scans) + ")";
    }
    case FileFormat::kParquet:
      return "read_parquet(" + PathList(paths) + ")";
    case FileFormat::kJson: {
      std::string options = CompressionSql(input.compression);
      if (!input.columns.empty()) options += ", columns = " + ColumnStruct(input.columns);
      if (on_bad_rows == BadRows::kSkip) options += ", ignore_errors = true";
      return "read_json(" + PathList(paths) + options + ")";
    }
  }
  return "";
}

std::string CopyOptionsSql(const OutputSpec& output) {
  std::string options;
  switch (output.format) {
    case FileFormat::kCsv:
      options = std::string("FORMAT csv, HEADER ") + (output.header ? "true" : "false") +
                ", DELIMITER " + QuoteLiteral(output.delimiter);
      break;
    case FileFormat::kParquet:
      options = "FORMAT parquet";
      break;
    case FileFormat::kJson:
      options = "FORMAT json";
      break;
  }
  if (!output.compression.empty()) {
    options += ", COMPRESSION " +
               QuoteLiteral(output.compression == "none" ? "uncompressed" : output.compression);
  }
  if (!output.partition_by.empty()) {
    options += ", PARTITION_BY (";
    for (size_t i = 0; i < output.partition_by.size(); ++i) {
      options += (i ? ", " : "") + duckdb::QuoteIdentifier(output.partition_by[i]);
    }
    options += ")";
  }
  return "(" + options + ")";
}

std::string ContentTypeOf(const OutputSpec& output) {
  switch (output.format) {
    case FileFormat::kCsv:
      return "text/csv";
    case FileFormat::kParquet:
      return "application/vnd.apache.parquet";
    case FileFormat::kJson:
      return "application/x-ndjson";
  }
  return "binary/octet-stream";
}

}  // namespace sluice::engine

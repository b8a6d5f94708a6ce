#include "bad_rows.h"

#include "file_formats.h"

namespace sluice::engine {
namespace {

using duckdb::QuoteLiteral;

constexpr const char* kBadRowsTable = "sluice_bad_rows";

Result<bool> TableExists(duckdb::Connection& connection, const std::string& name) {
  SLUICE_ASSIGN_OR_RETURN(
      int64_t found,
      connection.QueryInt("SELECT count(*) FROM duckdb_tables() WHERE table_name = " +
                          QuoteLiteral(name)));
  return found > 0;
}

}  // namespace

Result<BadRowsReport> BadRowsReport::Gather(duckdb::Connection& connection,
                                            const std::vector<InputSpec>& inputs,
                                            const LakeFiles& files) {
  BadRowsReport report(connection);
  std::string files_values;
  for (const auto& [path, uri] : files.Opened()) {
    files_values += (files_values.empty() ? "" : ", ") + std::string("(") + QuoteLiteral(path) +
                    ", " + QuoteLiteral(uri) + ")";
  }
  std::string rejects;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].format != FileFormat::kCsv) continue;
    RejectTables tables = RejectTablesFor(i);
    SLUICE_ASSIGN_OR_RETURN(bool scanned, TableExists(connection, tables.errors));
    if (!scanned) continue;
    rejects += std::string(rejects.empty() ? "" : " UNION ") + "SELECT DISTINCT " +
               QuoteLiteral(inputs[i].name) +
               " AS input, s.file_path, e.line, e.column_name, e.error_type::VARCHAR AS "
               "error_type, e.error_message, e.csv_line FROM " +
               tables.errors + " e JOIN " + tables.scans +
               " s ON e.scan_id = s.scan_id AND e.file_id = s.file_id";
  }
  if (rejects.empty() || files_values.empty()) return report;
  SLUICE_RETURN_IF_ERROR(connection.Execute(
      std::string("CREATE OR REPLACE TEMP TABLE ") + kBadRowsTable +
      " AS SELECT r.input, f.uri AS object, r.line, r.column_name, r.error_type, "
      "r.error_message, r.csv_line FROM (" +
      rejects + ") r JOIN (VALUES " + files_values + ") f(path, uri) ON f.path = r.file_path"));
  SLUICE_ASSIGN_OR_RETURN(
      report.count_, connection.QueryInt(std::string("SELECT count(*) FROM ") + kBadRowsTable));
  return report;
}

Status BadRowsReport::FirstAsError() const {
  SLUICE_ASSIGN_OR_RETURN(
      duckdb::TextTable first,
      connection_->Query(std::string("SELECT input, object, line, error_message, csv_line FROM ") +
                             kBadRowsTable + " ORDER BY object, line LIMIT 1",
                         1));
  if (first.rows.empty()) return Status::Ok();
  auto text = [&](size_t column) { return first.rows[0][column].value_or(""); };
  std::string message = "input " + text(0) + ": " + text(1) + " line " + text(2) + ": " + text(3) +
                        " (row: " + text(4) + ")";
  if (count_ > 1) {
    message += "; " + std::to_string(count_) + " bad rows in all";
  }
  return Status::InvalidArgument(message +
                                 " (with on_bad_rows: skip, bad rows are set aside instead)");
}

Status BadRowsReport::WriteCsv(const std::string& path) const {
  return connection_->Execute(
      std::string("COPY (SELECT object, line, column_name AS \"column\", error_type, "
                  "error_message AS error, csv_line AS \"row\" FROM ") +
      kBadRowsTable + " ORDER BY object, line) TO " + QuoteLiteral(path) +
      " (FORMAT csv, HEADER true)");
}

}  // namespace sluice::engine

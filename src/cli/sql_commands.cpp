// `sluice sql QUERY` and `sluice warehouse tables`: querying the warehouse, or (with --lake) the
// lake's objects directly on the embedded engine.
#include <cstdio>

#include "cli/command.h"
#include "cli/text_table.h"
#include "sluice/engine/lake_files.h"
#include "sluice/engine/lake_sql.h"
#include "sluice/engine/sql_step.h"
#include "sluice/lake/s3_uri.h"

namespace sluice::cli {
namespace {

struct SqlArgs {
  std::string query;
  bool lake = false;
  std::string format = "table";
  size_t max_rows = 10000;
  bool json = false;  // warehouse tables
};

// Runs `query` on an in-memory engine where s3:// URIs name lake objects.
Result<duckdb::TextTable> QueryLake(DataDir& dir, const std::string& query, size_t max_rows) {
  SLUICE_ASSIGN_OR_RETURN(lake::LocalObjectStore * lake, dir.Lake());
  engine::LakeFiles files(*lake);
  auto replace = [&](std::string_view value,
                     engine::LiteralPlace place) -> Result<std::optional<std::string>> {
    if (!lake::IsS3Uri(value)) return std::optional<std::string>();
    std::string uri(value);
    SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> paths, files.Open(uri));
    std::string list = "[";
    for (size_t i = 0; i < paths.size(); ++i) {
      list += (i ? ", " : "") + duckdb::QuoteLiteral(paths[i]);
    }
    list += "]";
    if (place == engine::LiteralPlace::kReaderArgument) return std::optional<std::string>(list);
    // FROM 's3://…': DuckDB would pick the reader from the file name, which the lake's files
    // don't carry, so the reader is named here from the URI's extension.
    std::optional<engine::FileFormat> format = engine::FileFormatOfUri(uri);
    if (!format) {
      return Status::InvalidArgument("can't tell the format of " + uri +
                                     " from its name; read it with read_csv, read_parquet or "
                                     "read_json");
    }
    return std::optional<std::string>("read_" + std::string(engine::FileFormatName(*format)) + "(" +
                                      list + ")");
  };
  SLUICE_ASSIGN_OR_RETURN(std::string rewritten, engine::ReplaceFileLiterals(query, replace));
  SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<duckdb::Database> db, duckdb::Database::Open(""));
  SLUICE_ASSIGN_OR_RETURN(duckdb::Connection connection, duckdb::Connection::Open(db));
  auto table = connection.Query(rewritten, max_rows);
  if (!table.ok()) {
    const Status& s = table.status();
    return Status(s.code(), files.Describe(s.message()), s.aws_code());
  }
  return table;
}

Status RunSql(DataDir& dir, const SqlArgs& args) {
  auto format = ParseTableFormat(args.format);
  if (!format.ok()) return UsageError(format.status().message());
  duckdb::TextTable table;
  if (args.lake) {
    SLUICE_ASSIGN_OR_RETURN(table, QueryLake(dir, args.query, args.max_rows));
  } else {
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<warehouse::Warehouse> warehouse, dir.Warehouse());
    auto result = warehouse->Query(args.query, args.max_rows);
    if (!result.ok()) return result.status().WithContext(warehouse->DisplayUrl());
    table = std::move(*result);
  }
  PrintTextTable(table, *format);
  if (table.rows.size() == args.max_rows && *format == TableFormat::kTable) {
    std::fprintf(stderr, "sluice: showing the first %zu rows (--max-rows)\n", args.max_rows);
  }
  return Status::Ok();
}

Status ListTables(DataDir& dir, const SqlArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<warehouse::Warehouse> warehouse, dir.Warehouse());
  SLUICE_ASSIGN_OR_RETURN(std::vector<warehouse::TableInfo> tables, warehouse->ListTables());
  duckdb::TextTable table;
  table.columns = {
      {"schema", "VARCHAR", false}, {"table", "VARCHAR", false}, {"rows", "BIGINT", true}};
  for (const warehouse::TableInfo& t : tables) {
    table.rows.push_back({t.schema, t.name, std::to_string(t.rows)});
  }
  PrintTextTable(table, args.json ? TableFormat::kJson : TableFormat::kTable);
  return Status::Ok();
}

}  // namespace

void RegisterSqlCommands(CLI::App& app, Command& command) {
  static SqlArgs args;
  auto* sql = app.add_subcommand("sql", "Query the warehouse (or, with --lake, lake objects)");
  sql->add_option("query", args.query, "The SQL to run; the last statement's rows are printed")
      ->required();
  sql->add_flag("--lake", args.lake,
                "Run on the embedded engine, where s3:// URIs in read_csv, read_parquet, "
                "read_json and FROM name lake objects (globs and prefixes too)");
  sql->add_option("--format", args.format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  sql->add_option("--max-rows", args.max_rows, "Print at most this many rows")
      ->check(CLI::PositiveNumber);
  OnChosen(sql, command, args, RunSql);

  auto* warehouse = app.add_subcommand("warehouse", "The warehouse's tables");
  warehouse->require_subcommand(1);
  auto* tables = warehouse->add_subcommand("tables", "List tables with their row counts");
  tables->add_flag("--json", args.json, "Print JSON");
  OnChosen(tables, command, args, ListTables);
}

}  // namespace sluice::cli

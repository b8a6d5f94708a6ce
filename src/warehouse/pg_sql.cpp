#include "warehouse/pg_sql.h"

namespace sluice::warehouse {
namespace {

using duckdb::QuoteIdentifier;
using duckdb::QuoteLiteral;

}  // namespace

std::string CreateLoadsTableSql() {
  return "CREATE TABLE IF NOT EXISTS sluice_loads (load_id VARCHAR(512) PRIMARY KEY, "
         "table_name VARCHAR(512) NOT NULL, mode VARCHAR(16) NOT NULL, \"rows\" BIGINT NOT NULL, "
         "loaded_at TIMESTAMP NOT NULL)";
}

std::string ClaimLoadSql(const LoadRequest& request, int64_t rows, bool on_conflict) {
  std::string sql =
      "INSERT INTO sluice_loads (load_id, table_name, mode, \"rows\", loaded_at) "
      "VALUES (" +
      QuoteLiteral(request.load_id) + ", " + QuoteLiteral(request.table) + ", " +
      QuoteLiteral(LoadModeName(request.mode)) + ", " + std::to_string(rows) + ", " +
      LoadedAtLiteral() + ")";
  if (on_conflict) sql += " ON CONFLICT (load_id) DO NOTHING";
  return sql;
}

std::string LoadRecordedSql(const std::string& load_id) {
  return "SELECT count(*) FROM sluice_loads WHERE load_id = " + QuoteLiteral(load_id);
}

std::string TableColumnsSql(const TableName& table) {
  std::string schema = table.schema.empty() ? "current_schema()" : QuoteLiteral(table.schema);
  return "SELECT column_name FROM information_schema.columns WHERE table_schema = " + schema +
         " AND table_name = " + QuoteLiteral(table.name) + " ORDER BY ordinal_position";
}

std::string CreateTableSql(const TableName& table,
                           const std::vector<std::pair<std::string, std::string>>& columns) {
  std::string sql = "CREATE TABLE " + table.Quoted() + " (";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += QuoteIdentifier(columns[i].first) + " " + columns[i].second;
  }
  return sql + ")";
}

std::string CreateStageSql(const TableName& table, const std::vector<SourceColumn>& columns) {
  return "CREATE TEMP TABLE " + std::string(kStageTable) + " AS SELECT " + ColumnList(columns) +
         " FROM " + table.Quoted() + " WHERE 1 = 0";
}

std::string MergeDeleteSql(const TableName& table, const std::vector<std::string>& keys) {
  // Redshift's DELETE takes no alias: the target's columns are named through the table.
  std::string sql =
      "DELETE FROM " + table.Quoted() + " USING " + std::string(kStageTable) + " WHERE ";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) sql += " AND ";
    std::string key = QuoteIdentifier(keys[i]);
    sql += table.Quoted() + "." + key + " = " + std::string(kStageTable) + "." + key;
  }
  return sql;
}

std::string MergeInsertSql(const TableName& table, const std::vector<SourceColumn>& columns) {
  std::string list = ColumnList(columns);
  return "INSERT INTO " + table.Quoted() + " (" + list + ") SELECT " + list + " FROM " +
         std::string(kStageTable);
}

std::string DropStageSql() {
  return "DROP TABLE " + std::string(kStageTable);
}

std::string ListTablesSql() {
  return "SELECT table_schema, table_name FROM information_schema.tables "
         "WHERE table_type = 'BASE TABLE' AND table_schema <> 'information_schema' "
         "AND left(table_schema, 3) <> 'pg_' AND table_name <> 'sluice_loads' "
         "ORDER BY table_schema, table_name";
}

}  // namespace sluice::warehouse

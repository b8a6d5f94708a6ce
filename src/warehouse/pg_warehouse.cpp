#include "warehouse/pg_warehouse.h"

#include <cstdlib>

#include "warehouse/pg_sql.h"

namespace sluice::warehouse {
namespace {

// One load, inside its transaction.
class PgLoad {
 public:
  PgLoad(PgConnection& pg, PgDialect& dialect, const LoadRequest& request, const LoadInput& input,
         PreparedRows& rows)
      : pg_(pg), dialect_(dialect), request_(request), input_(input), rows_(rows) {}

  Result<LoadResult> Run() {
    const TableName& table = input_.table;
    SLUICE_RETURN_IF_ERROR(pg_.Execute(dialect_.SerializeLoadsSql(table)));
    if (!request_.load_id.empty()) {
      SLUICE_ASSIGN_OR_RETURN(bool claimed, ClaimLoadId());
      if (!claimed) return LoadResult{0, true};
    }
    SLUICE_ASSIGN_OR_RETURN(std::vector<PgRow> existing, pg_.QueryRows(TableColumnsSql(table)));
    if (request_.mode == LoadMode::kReplace) {
      if (!existing.empty()) SLUICE_RETURN_IF_ERROR(pg_.Execute("DROP TABLE " + table.Quoted()));
      SLUICE_RETURN_IF_ERROR(CreateTable());
      SLUICE_RETURN_IF_ERROR(rows_.CopyInto(pg_, table.Quoted(), input_.columns));
      return LoadResult{rows_.count(), false};
    }
    if (existing.empty()) {
      SLUICE_RETURN_IF_ERROR(CreateTable());
    } else {
      std::vector<std::string> names;
      for (const PgRow& row : existing)
        names.push_back(row[0].value_or(""));
      SLUICE_RETURN_IF_ERROR(CheckTargetColumns(table, names, input_.columns, true));
    }
    if (request_.mode == LoadMode::kAppend) {
      SLUICE_RETURN_IF_ERROR(rows_.CopyInto(pg_, table.Quoted(), input_.columns));
    } else {
      SLUICE_RETURN_IF_ERROR(pg_.Execute(CreateStageSql(table, input_.columns)));
      SLUICE_RETURN_IF_ERROR(rows_.CopyInto(pg_, std::string(kStageTable), input_.columns));
      SLUICE_RETURN_IF_ERROR(pg_.Execute(MergeDeleteSql(table, request_.keys)));
      SLUICE_RETURN_IF_ERROR(pg_.Execute(MergeInsertSql(table, input_.columns)));
      SLUICE_RETURN_IF_ERROR(pg_.Execute(DropStageSql()));
    }
    return LoadResult{rows_.count(), false};
  }

 private:
  // Records the load id; false when it was recorded before (the load is skipped).
  Result<bool> ClaimLoadId() {
    if (dialect_.HasOnConflict()) {
      SLUICE_ASSIGN_OR_RETURN(int64_t inserted,
                              pg_.ExecuteCount(ClaimLoadSql(request_, rows_.count(), true)));
      return inserted > 0;
    }
    SLUICE_ASSIGN_OR_RETURN(std::vector<PgRow> recorded,
                            pg_.QueryRows(LoadRecordedSql(request_.load_id)));
    if (!recorded.empty() && recorded[0][0].value_or("0") != "0") return false;
    SLUICE_RETURN_IF_ERROR(pg_.Execute(ClaimLoadSql(request_, rows_.count(), false)));
    return true;
  }

  Status CreateTable() {
    std::vector<std::pair<std::string, std::string>> columns;
    for (const SourceColumn& column : input_.columns) {
      SLUICE_ASSIGN_OR_RETURN(std::string type, dialect_.ColumnType(column));
      columns.emplace_back(column.name, std::move(type));
    }
    return pg_.Execute(CreateTableSql(input_.table, columns));
  }

  PgConnection& pg_;
  PgDialect& dialect_;
  const LoadRequest& request_;
  const LoadInput& input_;
  PreparedRows& rows_;
};

class PgWarehouse final : public Warehouse {
 public:
  PgWarehouse(std::string conninfo, std::string display, std::unique_ptr<PgDialect> dialect)
      : conninfo_(std::move(conninfo)),
        display_(std::move(display)),
        dialect_(std::move(dialect)) {}

  Result<LoadResult> Load(const LoadRequest& request, LoadSource& source) override {
    return LoadPrepared(request, source)
        .WithContext("load into " + request.table + " in " + display_);
  }

  Result<duckdb::TextTable> Query(const std::string& sql, size_t max_rows) override {
    SLUICE_ASSIGN_OR_RETURN(PgConnection * pg, Connection());
    Result<duckdb::TextTable> table = pg->QueryTable(sql, max_rows);
    // A transaction the query began and left open ends here, as when psql -c exits.
    if (pg->in_transaction()) (void)pg->Execute("ROLLBACK");
    return table;
  }

  Result<std::vector<TableInfo>> ListTables() override {
    SLUICE_ASSIGN_OR_RETURN(PgConnection * pg, Connection());
    SLUICE_ASSIGN_OR_RETURN(std::vector<PgRow> found, pg->QueryRows(ListTablesSql()));
    std::vector<TableInfo> tables;
    for (const PgRow& row : found) {
      TableInfo table{row[0].value_or(""), row[1].value_or(""), 0};
      TableName name{table.schema, table.name};
      SLUICE_ASSIGN_OR_RETURN(std::vector<PgRow> count,
                              pg->QueryRows("SELECT count(*) FROM " + name.Quoted()));
      table.rows = std::strtoll(count.at(0).at(0).value_or("0").c_str(), nullptr, 10);
      tables.push_back(std::move(table));
    }
    return tables;
  }

  bool LoadsFromLake() const override { return dialect_->LoadsFromLake(); }

  std::string DisplayUrl() const override { return display_; }

 private:
  Result<LoadResult> LoadPrepared(const LoadRequest& request, LoadSource& source) {
    SLUICE_ASSIGN_OR_RETURN(LoadInput input, PrepareLoadInput(request, source));
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<PreparedRows> rows,
                            dialect_->PrepareRows(source, input));
    SLUICE_ASSIGN_OR_RETURN(PgConnection * pg, Connection());
    SLUICE_RETURN_IF_ERROR(EnsureLoadsTable(*pg));
    SLUICE_RETURN_IF_ERROR(pg->Execute("BEGIN"));
    Result<LoadResult> result = PgLoad(*pg, *dialect_, request, input, *rows).Run();
    if (result.ok() && !result->skipped) {
      Status committed = pg->Execute("COMMIT");
      if (committed.ok()) return result;
      result = committed;
    }
    (void)pg->Execute("ROLLBACK");  // the failure being reported matters more than this one's
    return result;
  }

  // sluice_loads, created in its own transaction: two first loads racing to create it make one
  // fail (a duplicate catalog entry); the retry finds the table.
  static Status EnsureLoadsTable(PgConnection& pg) {
    Status created = pg.Execute(CreateLoadsTableSql());
    if (created.ok() || pg.broken()) return created;
    return pg.Execute(CreateLoadsTableSql());
  }

  // The connection, made (again) when there is none or the server dropped it.
  Result<PgConnection*> Connection() {
    if (connection_ == nullptr || connection_->broken()) {
      connection_.reset();
      SLUICE_ASSIGN_OR_RETURN(connection_, PgConnection::Connect(conninfo_, display_));
    }
    return connection_.get();
  }

  const std::string conninfo_;
  const std::string display_;
  const std::unique_ptr<PgDialect> dialect_;
  std::unique_ptr<PgConnection> connection_;
};

}  // namespace

std::unique_ptr<Warehouse> MakePgWarehouse(std::string conninfo, std::string display,
                                           std::unique_ptr<PgDialect> dialect) {
  return std::make_unique<PgWarehouse>(std::move(conninfo), std::move(display), std::move(dialect));
}

}  // namespace sluice::warehouse

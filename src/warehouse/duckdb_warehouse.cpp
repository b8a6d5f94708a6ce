#include "warehouse/duckdb_warehouse.h"

#include <atomic>
#include <filesystem>

#include "sluice/common/posix_file.h"
#include "warehouse/duckdb_file_lock.h"
#include "warehouse/load_input.h"

namespace sluice::warehouse {
namespace {

using duckdb::QuoteIdentifier;
using duckdb::QuoteLiteral;

constexpr std::string_view kLoadsColumns =
    "(load_id VARCHAR PRIMARY KEY, table_name VARCHAR, mode VARCHAR, \"rows\" BIGINT, "
    "loaded_at TIMESTAMP)";

duckdb::DatabaseOptions ReadOnly() {
  duckdb::DatabaseOptions options;
  options.read_only = true;
  return options;
}

// Attachment names are unique in the process: several connections of one DuckDB database may
// load at once (into different warehouses), and attachments belong to the database.
std::string NextAlias() {
  static std::atomic<uint64_t> counter{0};
  return "sluice_warehouse_" + std::to_string(counter.fetch_add(1));
}

// One load, with the warehouse attached as `alias` to the source's connection and a
// transaction open on it.
class AttachedLoad {
 public:
  AttachedLoad(duckdb::Connection& connection, const std::string& alias, const LoadRequest& request,
               const LoadInput& input, const LoadSource& source)
      : db_(connection),
        alias_(alias),
        request_(request),
        input_(input),
        source_(SourceSubquery(source)),
        schema_(input.table.schema.empty() ? "main" : input.table.schema),
        target_(QuoteIdentifier(alias) + "." + QuoteIdentifier(schema_) + "." +
                QuoteIdentifier(input.table.name)),
        loads_(QuoteIdentifier(alias) + ".main.sluice_loads") {}

  Result<LoadResult> Run() {
    SLUICE_RETURN_IF_ERROR(
        db_.Execute("CREATE TABLE IF NOT EXISTS " + loads_ + " " + std::string(kLoadsColumns)));
    if (!request_.load_id.empty()) {
      SLUICE_ASSIGN_OR_RETURN(int64_t recorded,
                              db_.QueryInt("SELECT count(*) FROM " + loads_ +
                                           " WHERE load_id = " + QuoteLiteral(request_.load_id)));
      if (recorded > 0) return LoadResult{0, true};
    }
    if (!input_.table.schema.empty()) {
      SLUICE_RETURN_IF_ERROR(db_.Execute("CREATE SCHEMA IF NOT EXISTS " + QuoteIdentifier(alias_) +
                                         "." + QuoteIdentifier(schema_)));
    }
    SLUICE_ASSIGN_OR_RETURN(int64_t rows, WriteRows());
    if (!request_.load_id.empty()) {
      SLUICE_RETURN_IF_ERROR(db_.Execute(
          "INSERT INTO " + loads_ + " VALUES (" + QuoteLiteral(request_.load_id) + ", " +
          QuoteLiteral(request_.table) + ", " + QuoteLiteral(LoadModeName(request_.mode)) + ", " +
          std::to_string(rows) + ", " + LoadedAtLiteral() + ")"));
    }
    return LoadResult{rows, false};
  }

 private:
  Result<int64_t> WriteRows() {
    if (request_.mode == LoadMode::kReplace) {
      SLUICE_RETURN_IF_ERROR(db_.Execute("DROP TABLE IF EXISTS " + target_));
      return db_.QueryInt("CREATE TABLE " + target_ + " AS SELECT * FROM " + source_);
    }
    SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> existing, TableColumns());
    if (existing.empty()) {
      SLUICE_RETURN_IF_ERROR(
          db_.Execute("CREATE TABLE " + target_ + " AS SELECT * FROM " + source_ + " LIMIT 0"));
    } else {
      SLUICE_RETURN_IF_ERROR(CheckTargetColumns(input_.table, existing, input_.columns, false));
    }
    if (request_.mode == LoadMode::kMerge) SLUICE_RETURN_IF_ERROR(DeleteMatchingRows());
    return db_.QueryInt("INSERT INTO " + target_ + " BY NAME SELECT * FROM " + source_);
  }

  // The existing table's columns; none when there is no such table.
  Result<std::vector<std::string>> TableColumns() {
    SLUICE_ASSIGN_OR_RETURN(
        duckdb::TextTable found,
        db_.Query("SELECT column_name FROM duckdb_columns() WHERE database_name = " +
                  QuoteLiteral(alias_) + " AND lower(schema_name) = lower(" +
                  QuoteLiteral(schema_) + ") AND lower(table_name) = lower(" +
                  QuoteLiteral(input_.table.name) + ") ORDER BY column_index"));
    std::vector<std::string> columns;
    for (const auto& row : found.rows)
      columns.push_back(row[0].value_or(""));
    return columns;
  }

  Status DeleteMatchingRows() {
    std::string keys, match;
    for (const std::string& key : request_.keys) {
      std::string quoted = QuoteIdentifier(key);
      keys += (keys.empty() ? "" : ", ") + quoted;
      match += (match.empty() ? "" : " AND ") + ("sluice_target." + quoted) + " = " +
               ("sluice_source." + quoted);
    }
    return db_.Execute("DELETE FROM " + target_ + " AS sluice_target USING (SELECT " + keys +
                       " FROM " + source_ + ") AS sluice_source WHERE " + match);
  }

  duckdb::Connection& db_;
  const std::string& alias_;
  const LoadRequest& request_;
  const LoadInput& input_;
  const std::string source_;
  const std::string schema_;
  const std::string target_;
  const std::string loads_;
};

class DuckDbWarehouse final : public Warehouse {
 public:
  DuckDbWarehouse(std::string path, std::string display, int lock_wait_ms)
      : path_(std::move(path)), display_(std::move(display)), lock_wait_(lock_wait_ms) {}

  Result<LoadResult> Load(const LoadRequest& request, LoadSource& source) override {
    std::string context = "load into " + request.table + " in " + display_;
    Result<LoadInput> prepared = PrepareLoadInput(request, source);
    if (!prepared.ok()) return prepared.status().WithContext(context);
    const LoadInput& input = *prepared;
    Deadline deadline = std::chrono::steady_clock::now() + lock_wait_;
    SLUICE_ASSIGN_OR_RETURN(FileTurn turn, WaitForFileTurn(path_, deadline));
    std::filesystem::path parent = std::filesystem::path(path_).parent_path();
    if (!parent.empty()) SLUICE_RETURN_IF_ERROR(CreateDirectories(parent).WithContext(context));
    duckdb::Connection& db = *source.connection;
    std::string alias = NextAlias();
    Status attached = RetryWhileLocked(
        [&] {
          return db.Execute("ATTACH " + QuoteLiteral(path_) + " AS " + QuoteIdentifier(alias));
        },
        path_, deadline);
    if (!attached.ok()) return attached.WithContext(context);
    Result<LoadResult> result = LoadInTransaction(db, alias, request, input, source);
    Status detached = db.Execute("DETACH " + QuoteIdentifier(alias));
    if (!result.ok()) return result.status().WithContext(context);
    if (!detached.ok()) return detached.WithContext(context);
    return result;
  }

  Result<duckdb::TextTable> Query(const std::string& sql, size_t max_rows) override {
    Deadline deadline = std::chrono::steady_clock::now() + lock_wait_;
    SLUICE_ASSIGN_OR_RETURN(FileTurn turn, WaitForFileTurn(path_, deadline));
    SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<duckdb::Database> database,
                            OpenFile(deadline, /*writable=*/true));
    SLUICE_ASSIGN_OR_RETURN(duckdb::Connection connection, duckdb::Connection::Open(database));
    return connection.Query(sql, max_rows);
  }

  Result<std::vector<TableInfo>> ListTables() override {
    Deadline deadline = std::chrono::steady_clock::now() + lock_wait_;
    SLUICE_ASSIGN_OR_RETURN(FileTurn turn, WaitForFileTurn(path_, deadline));
    std::vector<TableInfo> tables;
    if (!std::filesystem::exists(path_)) return tables;
    SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<duckdb::Database> database, OpenFile(deadline));
    SLUICE_ASSIGN_OR_RETURN(duckdb::Connection db, duckdb::Connection::Open(database));
    SLUICE_ASSIGN_OR_RETURN(
        duckdb::TextTable found,
        db.Query("SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = "
                 "current_database() AND NOT temporary AND NOT (schema_name = 'main' AND "
                 "table_name = 'sluice_loads') ORDER BY schema_name, table_name"));
    for (const auto& row : found.rows) {
      TableInfo table{row[0].value_or(""), row[1].value_or(""), 0};
      SLUICE_ASSIGN_OR_RETURN(
          table.rows, db.QueryInt("SELECT count(*) FROM " + QuoteIdentifier(table.schema) + "." +
                                  QuoteIdentifier(table.name)));
      tables.push_back(std::move(table));
    }
    return tables;
  }

  std::string DisplayUrl() const override { return display_; }

 private:
  static Result<LoadResult> LoadInTransaction(duckdb::Connection& db, const std::string& alias,
                                              const LoadRequest& request, const LoadInput& input,
                                              const LoadSource& source) {
    SLUICE_RETURN_IF_ERROR(db.Execute("BEGIN TRANSACTION"));
    Result<LoadResult> result = AttachedLoad(db, alias, request, input, source).Run();
    if (result.ok() && !result->skipped) {
      Status committed = db.Execute("COMMIT");
      if (committed.ok()) return result;
      result = committed;
    }
    (void)db.Execute("ROLLBACK");  // after a failed statement DuckDB needs it; nothing to report
    return result;
  }

  // The warehouse file. Read-only, it is an empty in-memory database while there is no file
  // yet; writable (a user's own statements through `sluice sql`), the file is created.
  Result<std::shared_ptr<duckdb::Database>> OpenFile(Deadline deadline, bool writable = false) {
    if (!writable && !std::filesystem::exists(path_)) return duckdb::Database::Open("");
    if (writable) {
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
    }
    std::shared_ptr<duckdb::Database> database;
    Status opened = RetryWhileLocked(
        [&]() -> Status {
          Result<std::shared_ptr<duckdb::Database>> open =
              duckdb::Database::Open(path_, writable ? duckdb::DatabaseOptions{} : ReadOnly());
          if (!open.ok()) return open.status();
          database = std::move(*open);
          return Status::Ok();
        },
        path_, deadline);
    if (!opened.ok()) return opened;
    return database;
  }

  const std::string path_;
  const std::string display_;
  const std::chrono::milliseconds lock_wait_;
};

}  // namespace

std::unique_ptr<Warehouse> MakeDuckDbWarehouse(std::string path, std::string display,
                                               int lock_wait_ms) {
  return std::make_unique<DuckDbWarehouse>(std::move(path), std::move(display), lock_wait_ms);
}

}  // namespace sluice::warehouse

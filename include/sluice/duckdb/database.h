// Database and Connection: DuckDB, embedded through its C API, as sluice uses it for SQL steps,
// `sluice sql` and the embedded warehouse.
//
// A Database is one DuckDB instance (a file, or in memory) with its resource caps; a Connection
// runs SQL on it. Errors come back as Status carrying DuckDB's own message. A Database may be
// shared by threads (each with its own Connection); a Connection is used by one thread at a time,
// except Interrupt(), which any thread may call to stop the query running on it.
#pragma once

#include <duckdb.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"

namespace sluice::duckdb {

struct DatabaseOptions {
  int threads = 0;             // worker threads; 0: DuckDB's default (one per core)
  std::string memory_limit;    // e.g. "4GiB"; empty: DuckDB's default (80% of RAM)
  std::string temp_directory;  // where operators spill; empty: DuckDB's default
  bool read_only = false;
};

class Database {
 public:
  // `path` empty: an in-memory database. A file another process holds open for writing is
  // refused with DuckDB's lock message (StatusCode::kConflict).
  static Result<std::shared_ptr<Database>> Open(const std::string& path,
                                                const DatabaseOptions& options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  duckdb_database handle() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  Database(duckdb_database db, std::string path) : db_(db), path_(std::move(path)) {}
  duckdb_database db_;
  std::string path_;
};

// One column of a query's result: its name and DuckDB's name for its type ("BIGINT",
// "DECIMAL(18,2)", "VARCHAR[]").
struct Column {
  std::string name;
  std::string type;
  bool numeric = false;  // an integer, floating-point or decimal type (right-aligned in tables)
};

// A query's result with every value rendered as text the way DuckDB prints it; NULL is nullopt.
struct TextTable {
  std::vector<Column> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

class Connection {
 public:
  static Result<Connection> Open(std::shared_ptr<Database> database);
  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;

  // Runs every statement in `sql`, in order, discarding results.
  Status Execute(std::string_view sql);
  // Runs every statement in `sql`; returns the last one's rows (at most `max_rows`; the rest
  // are read and dropped) as text.
  Result<TextTable> Query(std::string_view sql, size_t max_rows = SIZE_MAX);
  // The first column of the first row of the last statement's result, as text; nullopt when
  // NULL or when there are no rows.
  Result<std::optional<std::string>> QueryValue(std::string_view sql);
  // The first column of the first row as an integer (a count, a sum).
  Result<int64_t> QueryInt(std::string_view sql);

  // Stops the running query, which then fails with an "Interrupted" error. Any thread.
  void Interrupt();

  duckdb_connection handle() const { return connection_; }
  Database& database() const { return *database_; }

 private:
  Connection(std::shared_ptr<Database> database, duckdb_connection connection)
      : database_(std::move(database)), connection_(connection) {}
  // Runs every statement; `last` receives the last statement's result (not destroyed).
  Status Run(std::string_view sql, duckdb_result* last);

  std::shared_ptr<Database> database_;
  duckdb_connection connection_ = nullptr;
};

// A DuckDB error message on one line: its first paragraph with the lines joined, without the
// caret display and the list of possible fixes.
std::string OneLine(std::string_view message);

// SQL quoting: "identifier" and 'literal', with embedded quotes doubled.
std::string QuoteIdentifier(std::string_view name);
std::string QuoteLiteral(std::string_view text);

}  // namespace sluice::duckdb

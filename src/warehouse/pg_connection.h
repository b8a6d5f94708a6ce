// A connection to a PostgreSQL server, or to Redshift, which speaks the same protocol, through
// libpq: statements, small catalog queries, user queries as text tables, and the COPY ... FROM
// STDIN that bulk loads use. Errors carry the server's message, its detail and context on one
// line; serialization failures and deadlocks are Conflict, a lost connection IoError, anything
// else the server refuses InvalidArgument. Notices (CREATE TABLE IF NOT EXISTS "skipping") are
// dropped. One thread at a time.
#pragma once

#include <libpq-fe.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/duckdb/database.h"

namespace sluice::warehouse {

using PgRow = std::vector<std::optional<std::string>>;

class PgConnection {
 public:
  // `conninfo`: a libpq URI or key=value string; `display` names the server in messages (no
  // password). Defaults the URI may override: connect_timeout=10, client_encoding=UTF8.
  static Result<std::unique_ptr<PgConnection>> Connect(const std::string& conninfo,
                                                       const std::string& display);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // The server connection was lost: connect again.
  bool broken() const;
  // Inside a transaction block (one a query began and did not end, or a failed one).
  bool in_transaction() const;

  // Runs `sql` (one or more statements), discarding any rows.
  Status Execute(const std::string& sql);
  // Runs one statement; the rows it affected (INSERT, DELETE, COPY).
  Result<int64_t> ExecuteCount(const std::string& sql);
  // All rows of a small result, as text (NULL: nullopt).
  Result<std::vector<PgRow>> QueryRows(const std::string& sql);
  // The last statement's rows (at most max_rows; the rest are read and dropped) for `sluice sql`.
  Result<duckdb::TextTable> QueryTable(const std::string& sql, size_t max_rows);

  // Runs `copy_sql`, a COPY ... FROM STDIN, sending what `next_chunk` yields until it yields an
  // empty chunk; returns the rows copied. An error from `next_chunk` aborts the COPY.
  using ChunkSource = std::function<Result<std::string_view>()>;
  Result<int64_t> CopyIn(const std::string& copy_sql, const ChunkSource& next_chunk);
  // CopyIn with the contents of a file, read in 1 MiB chunks.
  Result<int64_t> CopyInFile(const std::string& copy_sql, const std::filesystem::path& file);

 private:
  explicit PgConnection(PGconn* connection) : connection_(connection) {}
  // PostgreSQL's name for a result column's type.
  Result<std::string> TypeName(Oid type);

  PGconn* connection_;
};

}  // namespace sluice::warehouse

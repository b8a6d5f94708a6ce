// Transaction: the handle a Database::Write or Database::Read body uses to run SQL.
//
// Statements are prepared once per connection and cached, so a hot path pays for parsing only
// once. A Transaction and the Cursors it returns belong to the thread running the body and must
// not outlive it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/common/result.h"

namespace sluice::store {

class Connection;

// A value to bind as a BLOB rather than TEXT. Object keys are stored as BLOBs so that they compare
// bytewise (UTF-8 byte order) and may hold any byte.
struct Blob {
  std::string_view bytes;
};

// Iterates the rows of one query. Columns are numbered from 0.
class Cursor {
 public:
  explicit Cursor(sqlite3_stmt* statement) : statement_(statement) {}
  ~Cursor();
  Cursor(Cursor&& other) noexcept : statement_(other.statement_) { other.statement_ = nullptr; }
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  Cursor& operator=(Cursor&&) = delete;

  // Advances to the next row: true when there is one, false at the end.
  Result<bool> Next();

  bool IsNull(int column) const;
  int64_t Int(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;
  std::string_view Bytes(int column) const;  // valid until the next call to Next()

 private:
  sqlite3_stmt* statement_;
};

class Transaction {
 public:
  explicit Transaction(Connection& connection) : connection_(connection) {}

  // Runs a statement that returns no rows; returns how many rows it changed.
  template <typename... Args>
  Result<int> Execute(std::string_view sql, const Args&... args) {
    SLUICE_ASSIGN_OR_RETURN(sqlite3_stmt * statement, Prepare(sql));
    SLUICE_RETURN_IF_ERROR(BindAll(statement, 1, args...));
    return Run(statement, sql);
  }

  // Runs a query; read its rows through the returned Cursor.
  template <typename... Args>
  Result<Cursor> Query(std::string_view sql, const Args&... args) {
    SLUICE_ASSIGN_OR_RETURN(sqlite3_stmt * statement, Prepare(sql));
    SLUICE_RETURN_IF_ERROR(BindAll(statement, 1, args...));
    return Cursor(statement);
  }

  // The rowid of the last row this connection inserted.
  int64_t LastInsertRowId() const;

 private:
  Result<sqlite3_stmt*> Prepare(std::string_view sql);
  Result<int> Run(sqlite3_stmt* statement, std::string_view sql);

  Status Bind(sqlite3_stmt* s, int i, int64_t v);
  Status Bind(sqlite3_stmt* s, int i, int v) { return Bind(s, i, static_cast<int64_t>(v)); }
  Status Bind(sqlite3_stmt* s, int i, double v);
  Status Bind(sqlite3_stmt* s, int i, std::string_view v);
  Status Bind(sqlite3_stmt* s, int i, const std::string& v) {
    return Bind(s, i, std::string_view(v));
  }
  Status Bind(sqlite3_stmt* s, int i, const char* v) { return Bind(s, i, std::string_view(v)); }
  Status Bind(sqlite3_stmt* s, int i, Blob v);
  Status Bind(sqlite3_stmt* s, int i, std::nullopt_t);
  template <typename T>
  Status Bind(sqlite3_stmt* s, int i, const std::optional<T>& v) {
    return v ? Bind(s, i, *v) : Bind(s, i, std::nullopt);
  }

  Status BindAll(sqlite3_stmt*, int) { return Status::Ok(); }
  template <typename First, typename... Rest>
  Status BindAll(sqlite3_stmt* s, int i, const First& first, const Rest&... rest) {
    SLUICE_RETURN_IF_ERROR(Bind(s, i, first));
    return BindAll(s, i + 1, rest...);
  }

  Connection& connection_;
};

}  // namespace sluice::store

#include "sluice/store/transaction.h"

#include "store/connection.h"

namespace sluice::store {

Cursor::~Cursor() {
  if (statement_ != nullptr) sqlite3_reset(statement_);
}

Result<bool> Cursor::Next() {
  int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(statement_);
  return Status::IoError(std::string("state store ") + sqlite3_db_filename(db, "main") +
                         ": query failed: " + sqlite3_errmsg(db));
}

bool Cursor::IsNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

int64_t Cursor::Int(int column) const {
  return sqlite3_column_int64(statement_, column);
}

double Cursor::Double(int column) const {
  return sqlite3_column_double(statement_, column);
}

std::string Cursor::Text(int column) const {
  return std::string(Bytes(column));
}

std::string_view Cursor::Bytes(int column) const {
  const void* data = sqlite3_column_blob(statement_, column);
  int size = sqlite3_column_bytes(statement_, column);
  if (data == nullptr) return {};
  return {static_cast<const char*>(data), static_cast<size_t>(size)};
}

int64_t Transaction::LastInsertRowId() const {
  return sqlite3_last_insert_rowid(connection_.handle());
}

Result<sqlite3_stmt*> Transaction::Prepare(std::string_view sql) {
  return connection_.Prepare(sql);
}

Result<int> Transaction::Run(sqlite3_stmt* statement, std::string_view sql) {
  int rc = sqlite3_step(statement);
  while (rc == SQLITE_ROW)
    rc = sqlite3_step(statement);
  if (rc != SQLITE_DONE) {
    Status error = connection_.Error("`" + std::string(sql) + "` failed");
    sqlite3_reset(statement);
    return error;
  }
  sqlite3_reset(statement);
  return sqlite3_changes(connection_.handle());
}

Status Transaction::Bind(sqlite3_stmt* s, int i, double v) {
  if (sqlite3_bind_double(s, i, v) != SQLITE_OK) return connection_.Error("cannot bind");
  return Status::Ok();
}

Status Transaction::Bind(sqlite3_stmt* s, int i, int64_t v) {
  if (sqlite3_bind_int64(s, i, v) != SQLITE_OK) return connection_.Error("cannot bind");
  return Status::Ok();
}

Status Transaction::Bind(sqlite3_stmt* s, int i, std::string_view v) {
  // An empty view may have a null data pointer, which SQLite would bind as NULL, not ''.
  const char* data = v.empty() ? "" : v.data();
  if (sqlite3_bind_text(s, i, data, static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK) {
    return connection_.Error("cannot bind");
  }
  return Status::Ok();
}

Status Transaction::Bind(sqlite3_stmt* s, int i, Blob v) {
  // A zero-length blob must still be a BLOB (not NULL): pass a non-null pointer.
  const char* data = v.bytes.empty() ? "" : v.bytes.data();
  if (sqlite3_bind_blob(s, i, data, static_cast<int>(v.bytes.size()), SQLITE_TRANSIENT) !=
      SQLITE_OK) {
    return connection_.Error("cannot bind");
  }
  return Status::Ok();
}

Status Transaction::Bind(sqlite3_stmt* s, int i, std::nullopt_t) {
  if (sqlite3_bind_null(s, i) != SQLITE_OK) return connection_.Error("cannot bind");
  return Status::Ok();
}

}  // namespace sluice::store

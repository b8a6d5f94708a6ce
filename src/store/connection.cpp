#include "store/connection.h"

#include <mutex>
#include <string>

namespace sluice::store {

Result<std::unique_ptr<Connection>> Connection::Open(const std::filesystem::path& path,
                                                     int busy_timeout_ms) {
  // SQLite's memory statistics take one process-wide mutex on every allocation, which threads
  // reading the store side by side (the S3 server's) contend on. sluice never reads them. This
  // only takes effect before SQLite initializes, so it goes before the first open.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::IoError("cannot open state store " + path.string() + ": " + message);
  }
  std::unique_ptr<Connection> connection(new Connection(db, path));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  // WAL lets readers run beside the writer; FULL syncs the WAL on every commit, so an
  // acknowledged write survives power loss, not just a process crash.
  SLUICE_RETURN_IF_ERROR(connection->ExecScript(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"));
  return connection;
}

Connection::~Connection() {
  for (auto& [sql, statement] : statements_)
    sqlite3_finalize(statement);
  sqlite3_close_v2(db_);
}

Result<sqlite3_stmt*> Connection::Prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    sqlite3_reset(it->second);
    sqlite3_clear_bindings(it->second);
    return it->second;
  }
  sqlite3_stmt* statement = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
  if (rc != SQLITE_OK) return Error("cannot prepare `" + std::string(sql) + "`");
  statements_.emplace(std::string(sql), statement);
  return statement;
}

Status Connection::Execute(std::string_view sql) {
  SLUICE_ASSIGN_OR_RETURN(sqlite3_stmt * statement, Prepare(sql));
  int rc = sqlite3_step(statement);
  sqlite3_reset(statement);
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  return Error("`" + std::string(sql) + "` failed");
}

Status Connection::ExecScript(const std::string& sql) {
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK) return Status::Ok();
  return Error("`" + sql.substr(0, 60) + "` failed");
}

Status Connection::Error(std::string_view what) const {
  int code = sqlite3_extended_errcode(db_);
  std::string message =
      "state store " + path_.string() + ": " + std::string(what) + ": " + sqlite3_errmsg(db_);
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Conflict(message);
    case SQLITE_CONSTRAINT:
      return Status::AlreadyExists(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(message);
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return Status::IoError(message);
    default:
      return Status::Internal(message);
  }
}

}  // namespace sluice::store

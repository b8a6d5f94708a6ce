// Connection: one sqlite3 handle and its cache of prepared statements. Internal to the store;
// used by one thread at a time (the Database hands it out under a lock).
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sluice/common/result.h"

namespace sluice::store {

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::filesystem::path& path,
                                                  int busy_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* handle() const { return db_; }
  // A prepared statement for `sql`, reset and with its bindings cleared.
  Result<sqlite3_stmt*> Prepare(std::string_view sql);
  // Runs one or more statements that return no rows (pragmas, BEGIN, DDL).
  Status ExecScript(const std::string& sql);
  // Runs one statement without parameters, prepared once and kept (BEGIN, COMMIT, ...).
  Status Execute(std::string_view sql);
  // The error SQLite reports for this connection, naming the database file and `what` failed.
  Status Error(std::string_view what) const;

 private:
  Connection(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::filesystem::path path_;  // for error messages
  // Looked up by string_view without building a string: this runs for every statement.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> statements_;
};

}  // namespace sluice::store

// Database: the state store, one SQLite file in WAL mode. It is the only code in sluice that opens
// the database; every durable record (objects, events, deliveries, clusters, ...) lives here.
//
// Writes run in Write(): one transaction (BEGIN IMMEDIATE ... COMMIT) that commits if the body
// returns OK and rolls back otherwise, with synchronous=FULL so a commit that returned is on disk.
// Writers are serialised, within this process by a mutex and across processes sharing a data dir
// by SQLite's lock. Reads run in Read() on a pooled connection and see a consistent snapshot,
// concurrently with writers.
//
// Thread-safe: any thread may call Write() and Read(). A body must not call back into the same
// Database (it would deadlock on the writer or exhaust nothing useful on readers).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/store/transaction.h"

namespace sluice::store {

struct DatabaseOptions {
  // How long a writer waits for another process's write lock before failing.
  std::chrono::milliseconds busy_timeout{10'000};
};

class Database {
 public:
  // Opens (creating if needed) the database at `path`, switches it to WAL and brings its schema
  // to the current version. Fails on a database written by a newer sluice.
  static Result<std::unique_ptr<Database>> Open(const std::filesystem::path& path,
                                                DatabaseOptions options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  using Body = std::function<Status(Transaction&)>;
  Status Write(const Body& body);
  Status Read(const Body& body);

  const std::filesystem::path& path() const { return path_; }
  int schema_version() const { return schema_version_; }

 private:
  Database(std::filesystem::path path, DatabaseOptions options);
  Result<std::unique_ptr<Connection>> Connect();
  Status Migrate();

  std::filesystem::path path_;
  DatabaseOptions options_;
  int schema_version_ = 0;

  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;  // guarded by writer_mutex_

  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;  // guarded by readers_mutex_
};

}  // namespace sluice::store

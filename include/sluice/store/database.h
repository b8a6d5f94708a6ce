// Database: the state store, one SQLite file in WAL mode. It is the only code in sluice that opens
// the database; every durable record (objects, events, deliveries, clusters, ...) lives here.
//
// Writes run in Write(): the body's changes commit if it returns OK and roll back otherwise, with
// synchronous=FULL so a Write that returned OK is on disk. Writers are serialised, within this
// process by a queue and across processes sharing a data dir by SQLite's lock. Concurrent writers
// share commits (group commit): the writer at the head of the queue runs every queued body in one
// transaction, each inside its own savepoint, so a failing body rolls back only its own changes,
// and one sync makes the whole group durable. Reads run in Read() on a pooled connection and see
// a consistent snapshot, concurrently with writers.
//
// Thread-safe: any thread may call Write() and Read(). A body must not call back into the same
// Database (it would deadlock on the writer or exhaust nothing useful on readers).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
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

  // How many write groups this handle has committed that changed rows. With WaitForCommit, lets
  // a consumer sleep until something new is in the store instead of polling.
  uint64_t commit_count() const;
  // Returns once commit_count() exceeds `seen`, or after `timeout`.
  void WaitForCommit(uint64_t seen, std::chrono::milliseconds timeout);

  const std::filesystem::path& path() const { return path_; }
  int schema_version() const { return schema_version_; }

 private:
  Database(std::filesystem::path path, DatabaseOptions options);
  struct QueuedWrite;

  Result<std::unique_ptr<Connection>> Connect();
  Status Migrate();
  // Runs the bodies of `group` in one transaction; sets each one's status.
  void CommitGroup(const std::vector<QueuedWrite*>& group);

  std::filesystem::path path_;
  DatabaseOptions options_;
  int schema_version_ = 0;

  // Only the write at the head of the queue uses writer_.
  mutable std::mutex queue_mutex_;
  std::deque<QueuedWrite*> queue_;  // guarded by queue_mutex_
  std::unique_ptr<Connection> writer_;
  uint64_t commits_ = 0;  // guarded by queue_mutex_
  std::condition_variable committed_;

  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;  // guarded by readers_mutex_
};

}  // namespace sluice::store

#include "sluice/store/database.h"

#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <string>

#include "store/connection.h"
#include "store/schema.h"

namespace sluice::store {
namespace {

// How many queued writes one commit may carry; bounds the latency of the first of them.
constexpr size_t kMaxGroupSize = 64;

// Runs `body`, turning an exception into a Status: exceptions stop at the store's edge.
Status RunBody(Connection& connection, const Database::Body& body) {
  try {
    Transaction transaction(connection);
    return body(transaction);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("transaction aborted by exception: ") + e.what());
  }
}

// Runs `body` between `begin` and COMMIT on `connection`, rolling back on any failure. Exceptions
// from the body stop here and become a Status.
Status RunTransaction(Connection& connection, const char* begin, const Database::Body& body) {
  SLUICE_RETURN_IF_ERROR(connection.Execute(begin));
  Status status = RunBody(connection, body);
  if (status.ok()) {
    status = connection.Execute("COMMIT");
    if (status.ok()) return status;
  }
  // ROLLBACK fails only when SQLite already rolled back on its own (e.g. after SQLITE_FULL).
  (void)connection.Execute("ROLLBACK");
  return status;
}

Result<int> ReadUserVersion(Connection& connection) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(connection.handle(), "PRAGMA user_version", -1, &statement, nullptr) !=
      SQLITE_OK) {
    return connection.Error("cannot read schema version");
  }
  int version = sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int(statement, 0) : 0;
  sqlite3_finalize(statement);
  return version;
}

}  // namespace

struct Database::QueuedWrite {
  explicit QueuedWrite(const Body& b) : body(&b) {}
  const Body* body;
  Status status;
  bool done = false;
  std::condition_variable wake;
};

Database::Database(std::filesystem::path path, DatabaseOptions options)
    : path_(std::move(path)), options_(options) {}

Database::~Database() = default;

Result<std::unique_ptr<Database>> Database::Open(const std::filesystem::path& path,
                                                 DatabaseOptions options) {
  std::unique_ptr<Database> db(new Database(path, options));
  SLUICE_ASSIGN_OR_RETURN(db->writer_, db->Connect());
  SLUICE_RETURN_IF_ERROR(db->Migrate());
  return db;
}

Result<std::unique_ptr<Connection>> Database::Connect() {
  return Connection::Open(path_, static_cast<int>(options_.busy_timeout.count()));
}

// Runs before Open() returns, so nothing else can be writing yet.
Status Database::Migrate() {
  auto migrations = Migrations();
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  return RunTransaction(*writer_, "BEGIN IMMEDIATE", [&](Transaction&) -> Status {
    SLUICE_ASSIGN_OR_RETURN(int version, ReadUserVersion(*writer_));
    if (version > latest) {
      return Status::FailedPrecondition("state store " + path_.string() + " has schema version " +
                                        std::to_string(version) +
                                        ", newer than this sluice understands (" +
                                        std::to_string(latest) + "); use a newer sluice");
    }
    for (const Migration& migration : migrations) {
      if (migration.version <= version) continue;
      Status applied = writer_->ExecScript(std::string(migration.sql));
      if (!applied.ok()) {
        return applied.WithContext("migration " + std::to_string(migration.version) + " (" +
                                   std::string(migration.description) + ")");
      }
      SLUICE_RETURN_IF_ERROR(
          writer_->ExecScript("PRAGMA user_version=" + std::to_string(migration.version)));
    }
    schema_version_ = std::max(version, latest);
    return Status::Ok();
  });
}

Status Database::Write(const Body& body) {
  QueuedWrite write(body);
  std::unique_lock lock(queue_mutex_);
  queue_.push_back(&write);
  write.wake.wait(lock, [&] { return write.done || queue_.front() == &write; });
  if (write.done) return write.status;  // a leader committed it with its group

  // This write leads: it stays at the head (so no one else leads) until its group is done.
  std::vector<QueuedWrite*> group(queue_.begin(),
                                  queue_.begin() + std::min(queue_.size(), kMaxGroupSize));
  lock.unlock();
  // Only a group that changed rows counts as a commit: consumers that poll with an empty write
  // (a router finding no new events) must not wake each other, or themselves, forever.
  const sqlite3_int64 changes_before = sqlite3_total_changes64(writer_->handle());
  CommitGroup(group);
  const bool changed = sqlite3_total_changes64(writer_->handle()) != changes_before;
  lock.lock();
  for (QueuedWrite* member : group) {
    queue_.pop_front();
    member->done = true;
    if (member != &write) member->wake.notify_one();
  }
  if (!queue_.empty()) queue_.front()->wake.notify_one();
  if (changed) {
    ++commits_;
    committed_.notify_all();
  }
  return write.status;
}

uint64_t Database::commit_count() const {
  std::lock_guard lock(queue_mutex_);
  return commits_;
}

void Database::WaitForCommit(uint64_t seen, std::chrono::milliseconds timeout) {
  std::unique_lock lock(queue_mutex_);
  committed_.wait_for(lock, timeout, [&] { return commits_ > seen; });
}

void Database::CommitGroup(const std::vector<QueuedWrite*>& group) {
  if (group.size() == 1) {
    group[0]->status = RunTransaction(*writer_, "BEGIN IMMEDIATE", *group[0]->body);
    return;
  }
  Status begin = writer_->Execute("BEGIN IMMEDIATE");
  if (!begin.ok()) {
    for (QueuedWrite* member : group)
      member->status = begin;
    return;
  }
  for (QueuedWrite* member : group) {
    Status status = writer_->Execute("SAVEPOINT queued_write");
    if (status.ok()) status = RunBody(*writer_, *member->body);
    if (!status.ok()) (void)writer_->Execute("ROLLBACK TO queued_write");
    Status released = writer_->Execute("RELEASE queued_write");
    member->status = status.ok() ? released : status;
  }
  Status commit = writer_->Execute("COMMIT");
  if (commit.ok()) return;
  (void)writer_->Execute("ROLLBACK");
  for (QueuedWrite* member : group) {
    if (member->status.ok()) member->status = commit;
  }
}

Status Database::Read(const Body& body) {
  std::unique_ptr<Connection> connection;
  {
    std::lock_guard lock(readers_mutex_);
    if (!idle_readers_.empty()) {
      connection = std::move(idle_readers_.back());
      idle_readers_.pop_back();
    }
  }
  if (!connection) {
    SLUICE_ASSIGN_OR_RETURN(connection, Connect());
  }
  Status status = RunTransaction(*connection, "BEGIN DEFERRED", body);
  std::lock_guard lock(readers_mutex_);
  idle_readers_.push_back(std::move(connection));
  return status;
}

}  // namespace sluice::store

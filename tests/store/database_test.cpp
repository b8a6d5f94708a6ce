#include "sluice/store/database.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "sluice/store/counters.h"
#include "store/schema.h"
#include "support/temp_dir.h"

namespace sluice::store {
namespace {

using sluice::testing::TempDir;

int CountRows(Database& db, const std::string& table) {
  int count = -1;
  EXPECT_TRUE(db.Read([&](Transaction& tx) -> Status {
                  SLUICE_ASSIGN_OR_RETURN(Cursor row, tx.Query("SELECT count(*) FROM " + table));
                  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
                  if (found) count = static_cast<int>(row.Int(0));
                  return Status::Ok();
                }).ok());
  return count;
}

TEST(DatabaseTest, OpensInWalModeAtTheLatestSchemaVersion) {
  TempDir dir;
  auto db = Database::Open(dir / "state.db");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ((*db)->schema_version(), Migrations().back().version);
  std::string mode;
  ASSERT_TRUE((*db)
                  ->Read([&](Transaction& tx) -> Status {
                    SLUICE_ASSIGN_OR_RETURN(Cursor row, tx.Query("PRAGMA journal_mode"));
                    SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
                    if (found) mode = row.Text(0);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(mode, "wal");
}

TEST(DatabaseTest, ReopeningKeepsDataAndDoesNotRerunMigrations) {
  TempDir dir;
  {
    auto db = Database::Open(dir / "state.db");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Write([](Transaction& tx) {
                      return tx.Execute("INSERT INTO buckets VALUES ('b', 1)").status();
                    })
                    .ok());
  }
  auto db = Database::Open(dir / "state.db");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(CountRows(**db, "buckets"), 1);
}

TEST(DatabaseTest, EachMigrationUpgradesADatabaseOfThePreviousVersion) {
  // Builds the database as every older sluice left it (migrations 1..v), with data in it, and
  // checks that opening it applies the rest and keeps the data.
  for (const Migration& stop : Migrations()) {
    if (stop.version == Migrations().back().version) break;
    SCOPED_TRACE("from version " + std::to_string(stop.version));
    TempDir dir;
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((dir / "state.db").c_str(), &raw), SQLITE_OK);
    for (const Migration& m : Migrations()) {
      if (m.version > stop.version) break;
      ASSERT_EQ(sqlite3_exec(raw, std::string(m.sql).c_str(), nullptr, nullptr, nullptr),
                SQLITE_OK);
    }
    std::string set_version = "PRAGMA user_version=" + std::to_string(stop.version) +
                              "; INSERT INTO buckets VALUES ('kept', 1);"
                              "INSERT INTO events (event_id, time_ms, source, detail_type, body) "
                              "VALUES ('e1', 1, 's', 'd', '{}');";
    ASSERT_EQ(sqlite3_exec(raw, set_version.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);

    auto db = Database::Open(dir / "state.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ((*db)->schema_version(), Migrations().back().version);
    EXPECT_EQ(CountRows(**db, "buckets"), 1);
    EXPECT_EQ(CountRows(**db, "events"), 1);
  }
}

TEST(DatabaseTest, RefusesADatabaseFromANewerSluice) {
  TempDir dir;
  {
    auto db = Database::Open(dir / "state.db");
    ASSERT_TRUE(db.ok());
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "state.db").c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "PRAGMA user_version=999", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);

  auto db = Database::Open(dir / "state.db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(db.status().message().find("schema version 999"), std::string::npos);
}

TEST(DatabaseTest, RejectsAFileThatIsNotADatabase) {
  TempDir dir;
  {
    FILE* f = std::fopen((dir / "state.db").c_str(), "w");
    std::fputs("this is not a database, just some text that is long enough to matter\n", f);
    std::fclose(f);
  }
  auto db = Database::Open(dir / "state.db");
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("state.db"), std::string::npos) << db.status().message();
}

TEST(DatabaseTest, FailedBodyRollsBackEverything) {
  TempDir dir;
  auto db = std::move(Database::Open(dir / "state.db")).value();
  Status s = db->Write([](Transaction& tx) -> Status {
    SLUICE_RETURN_IF_ERROR(tx.Execute("INSERT INTO buckets VALUES ('a', 1)").status());
    return Status::Conflict("changed my mind");
  });
  EXPECT_EQ(s.code(), StatusCode::kConflict);
  EXPECT_EQ(CountRows(*db, "buckets"), 0);
}

TEST(DatabaseTest, ExceptionInBodyRollsBackAndBecomesAStatus) {
  TempDir dir;
  auto db = std::move(Database::Open(dir / "state.db")).value();
  Status s = db->Write([](Transaction& tx) -> Status {
    (void)tx.Execute("INSERT INTO buckets VALUES ('a', 1)");
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("boom"), std::string::npos);
  EXPECT_EQ(CountRows(*db, "buckets"), 0);
  // The connection is usable afterwards.
  EXPECT_TRUE(db->Write([](Transaction& tx) {
                  return tx.Execute("INSERT INTO buckets VALUES ('a', 1)").status();
                }).ok());
  EXPECT_EQ(CountRows(*db, "buckets"), 1);
}

TEST(DatabaseTest, ConstraintViolationIsReportedNotThrown) {
  TempDir dir;
  auto db = std::move(Database::Open(dir / "state.db")).value();
  ASSERT_TRUE(db->Write([](Transaction& tx) {
                  return tx.Execute("INSERT INTO buckets VALUES ('a', 1)").status();
                }).ok());
  Status s = db->Write(
      [](Transaction& tx) { return tx.Execute("INSERT INTO buckets VALUES ('a', 2)").status(); });
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find("UNIQUE"), std::string::npos) << s.message();
}

TEST(DatabaseTest, BadSqlIsAnErrorNamingTheStatement) {
  TempDir dir;
  auto db = std::move(Database::Open(dir / "state.db")).value();
  Status s = db->Read([](Transaction& tx) { return tx.Query("SELEKT 1").status(); });
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("SELEKT 1"), std::string::npos);
}

TEST(DatabaseTest, ReadersSeeASnapshotWhileAWriterCommits) {
  TempDir dir;
  auto db = std::move(Database::Open(dir / "state.db")).value();
  std::atomic<bool> reader_inside{false}, writer_done{false};
  int before = -1, after = -1;
  std::thread reader([&] {
    EXPECT_TRUE(db->Read([&](Transaction& tx) -> Status {
                    SLUICE_ASSIGN_OR_RETURN(Cursor first, tx.Query("SELECT count(*) FROM buckets"));
                    SLUICE_ASSIGN_OR_RETURN(bool found, first.Next());
                    if (found) before = static_cast<int>(first.Int(0));
                    reader_inside = true;
                    while (!writer_done)
                      std::this_thread::yield();
                    SLUICE_ASSIGN_OR_RETURN(Cursor second,
                                            tx.Query("SELECT count(*) FROM buckets"));
                    SLUICE_ASSIGN_OR_RETURN(found, second.Next());
                    if (found) after = static_cast<int>(second.Int(0));
                    return Status::Ok();
                  }).ok());
  });
  while (!reader_inside)
    std::this_thread::yield();
  ASSERT_TRUE(db->Write([](Transaction& tx) {
                  return tx.Execute("INSERT INTO buckets VALUES ('a', 1)").status();
                }).ok());
  writer_done = true;
  reader.join();
  EXPECT_EQ(before, 0);
  EXPECT_EQ(after, 0);  // same snapshot for the whole read transaction
  EXPECT_EQ(CountRows(*db, "buckets"), 1);
}

TEST(DatabaseTest, ConcurrentWritersAreSerialised) {
  TempDir dir;
  auto db = std::move(Database::Open(dir / "state.db")).value();
  constexpr int kThreads = 4, kPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Status s = db->Write([&](Transaction& tx) {
          return tx
              .Execute("INSERT INTO buckets VALUES (?, ?)",
                       "b" + std::to_string(t) + "-" + std::to_string(i), i)
              .status();
        });
        EXPECT_TRUE(s.ok()) << s.ToString();
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(CountRows(*db, "buckets"), kThreads * kPerThread);
}

TEST(DatabaseTest, GroupedWritesFailAloneAndSeeEachOthersChanges) {
  // Many threads at once make the queue form groups; in a group each body must behave as if it
  // ran alone: its failure undoes only its own changes, and it sees every earlier body's.
  TempDir dir;
  auto db = std::move(Database::Open(dir / "state.db")).value();
  constexpr int kThreads = 8, kPerThread = 40;
  std::atomic<int> committed{0};
  std::vector<std::thread> threads;
  std::mutex values_mutex;
  std::vector<int64_t> values;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        int64_t value = 0;
        const bool fail = (t + i) % 3 == 0, throws = (t + i) % 7 == 0;
        Status s = db->Write([&](Transaction& tx) -> Status {
          SLUICE_ASSIGN_OR_RETURN(value, NextCounterValue(tx, "n"));
          SLUICE_RETURN_IF_ERROR(
              tx.Execute("INSERT INTO buckets VALUES (?, ?)", "b" + std::to_string(value), value)
                  .status());
          if (throws) throw std::runtime_error("thrown");
          if (fail) return Status::Conflict("refused");
          return Status::Ok();
        });
        if (fail || throws) {
          EXPECT_FALSE(s.ok());
        } else {
          EXPECT_TRUE(s.ok()) << s.ToString();
          ++committed;
          std::lock_guard lock(values_mutex);
          values.push_back(value);
        }
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(CountRows(*db, "buckets"), committed.load());
  // Failed bodies rolled their counter increments back, so committed values are exactly 1..N.
  std::sort(values.begin(), values.end());
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(values[i], static_cast<int64_t>(i + 1));
}

TEST(DatabaseTest, TwoHandlesOnOneFileShareCommittedState) {
  // Two processes on one data dir look like this: separate connections, one file.
  TempDir dir;
  auto a = std::move(Database::Open(dir / "state.db")).value();
  auto b = std::move(Database::Open(dir / "state.db")).value();
  ASSERT_TRUE(a->Write([](Transaction& tx) {
                 return tx.Execute("INSERT INTO buckets VALUES ('x', 1)").status();
               }).ok());
  EXPECT_EQ(CountRows(*b, "buckets"), 1);
}

}  // namespace
}  // namespace sluice::store

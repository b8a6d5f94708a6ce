// The DuckDB warehouse on real files: append, replace and merge; exactly-once load ids; loads
// that fail (a mismatched schema, a repeated merge key, a value that does not convert) leaving
// the table as it was; listing and querying; and the wait for a file another process holds (a
// real second process) or another thread of this one loads into.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "sluice/common/subprocess.h"
#include "sluice/warehouse/warehouse.h"
#include "support/temp_dir.h"
#include "warehouse/source_db.h"

namespace sluice::warehouse {
namespace {

namespace fs = std::filesystem;
using testing::Request;
using testing::SourceDb;

class DuckDbWarehouseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_.Sql(
        "CREATE TABLE orders AS SELECT i AS id, 'item ' || i AS item, i * 10 AS amount "
        "FROM range(1, 4) t(i)");
    warehouse_ = Open();
  }

  std::unique_ptr<Warehouse> Open(int lock_wait_ms = 60000) {
    WarehouseOptions options;
    options.base_dir = dir_.path().string();
    options.lock_wait_ms = lock_wait_ms;
    Result<std::unique_ptr<Warehouse>> opened = OpenWarehouse(kDefaultWarehouseUrl, options);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    return opened.ok() ? std::move(*opened) : nullptr;
  }

  LoadResult MustLoad(const LoadRequest& request, const std::string& relation = "orders") {
    return testing::MustLoad(*warehouse_, request, source_.Source(relation));
  }

  Status LoadError(const LoadRequest& request, const std::string& relation = "orders") {
    return testing::LoadError(*warehouse_, request, source_.Source(relation));
  }

  // The warehouse table's rows as one line: "1:item 1:10|2:item 2:20".
  std::string Contents(const std::string& table = "orders") {
    return Cell("SELECT string_agg(id || ':' || item || ':' || amount, '|' ORDER BY id) FROM " +
                table);
  }

  std::string Cell(const std::string& sql) {
    Result<duckdb::TextTable> result = warehouse_->Query(sql, 10);
    EXPECT_TRUE(result.ok()) << sql << ": " << result.status().message();
    if (!result.ok() || result->rows.empty()) return "<none>";
    return result->rows[0][0].value_or("NULL");
  }

  sluice::testing::TempDir dir_;
  SourceDb source_;
  std::unique_ptr<Warehouse> warehouse_;
};

TEST_F(DuckDbWarehouseTest, AppendCreatesTheTableThenAddsRows) {
  EXPECT_EQ(MustLoad(Request("orders", LoadMode::kAppend)).rows, 3);
  EXPECT_TRUE(fs::exists(dir_ / "warehouse.duckdb"));
  EXPECT_EQ(Contents(), "1:item 1:10|2:item 2:20|3:item 3:30");
  EXPECT_EQ(MustLoad(Request("orders", LoadMode::kAppend)).rows, 3);
  EXPECT_EQ(Cell("SELECT count(*) FROM orders"), "6");
}

TEST_F(DuckDbWarehouseTest, TheTableKeepsTheSourcesTypes) {
  source_.Sql(
      "CREATE TEMP TABLE revenue AS SELECT 'DE' AS country, sum(2 * 13.00) AS revenue, "
      "[1, 2] AS tags, DATE '2024-01-31' AS day");
  MustLoad(Request("revenue", LoadMode::kAppend), "revenue");
  EXPECT_EQ(Cell("SELECT typeof(revenue) || ' ' || typeof(tags) || ' ' || typeof(day) || ' ' || "
                 "CAST(revenue AS VARCHAR) FROM revenue"),
            "DECIMAL(38,2) INTEGER[] DATE 26.00");
}

TEST_F(DuckDbWarehouseTest, AppendMatchesColumnsByName) {
  MustLoad(Request("orders", LoadMode::kAppend));
  source_.Sql("CREATE VIEW reordered AS SELECT amount, id, item FROM orders WHERE id = 1");
  EXPECT_EQ(MustLoad(Request("orders", LoadMode::kAppend), "reordered").rows, 1);
  EXPECT_EQ(Contents(), "1:item 1:10|1:item 1:10|2:item 2:20|3:item 3:30");
}

TEST_F(DuckDbWarehouseTest, ReplaceLeavesExactlyTheNewRows) {
  MustLoad(Request("orders", LoadMode::kAppend));
  source_.Sql("CREATE VIEW one AS SELECT 9 AS id, 'new' AS item, 1.5 AS price");
  EXPECT_EQ(MustLoad(Request("orders", LoadMode::kReplace), "one").rows, 1);
  EXPECT_EQ(Cell("SELECT id || ':' || item || ':' || price FROM orders"), "9:new:1.5");
}

TEST_F(DuckDbWarehouseTest, MergeReplacesRowsWithMatchingKeysAndAddsTheRest) {
  MustLoad(Request("orders", LoadMode::kAppend));
  source_.Sql(
      "CREATE VIEW changes AS SELECT * FROM (VALUES (2, 'item 2 changed', 21), (4, 'item 4', 40)) "
      "t(id, item, amount)");
  EXPECT_EQ(MustLoad(Request("orders", LoadMode::kMerge, {"id"}), "changes").rows, 2);
  EXPECT_EQ(Contents(), "1:item 1:10|2:item 2 changed:21|3:item 3:30|4:item 4:40");
}

TEST_F(DuckDbWarehouseTest, MergeOnSeveralKeysIntoAMissingTableCreatesIt) {
  EXPECT_EQ(MustLoad(Request("orders", LoadMode::kMerge, {"id", "item"})).rows, 3);
  EXPECT_EQ(MustLoad(Request("orders", LoadMode::kMerge, {"id", "item"})).rows, 3);
  EXPECT_EQ(Contents(), "1:item 1:10|2:item 2:20|3:item 3:30");
}

TEST_F(DuckDbWarehouseTest, MergeRefusesRepeatedOrNullSourceKeysAndChangesNothing) {
  MustLoad(Request("orders", LoadMode::kAppend));
  source_.Sql("CREATE VIEW twice AS SELECT * FROM orders UNION ALL SELECT 2, 'again', 0");
  Status repeated = LoadError(Request("orders", LoadMode::kMerge, {"id"}), "twice");
  EXPECT_EQ(repeated.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(repeated.message().find("the merge key (\"id\") = (2) appears more than once"),
            std::string::npos)
      << repeated.message();
  source_.Sql("CREATE VIEW nulls AS SELECT NULL::BIGINT AS id, 'x' AS item, 1 AS amount");
  Status null_key = LoadError(Request("orders", LoadMode::kMerge, {"id"}), "nulls");
  EXPECT_NE(null_key.message().find("NULL merge key"), std::string::npos) << null_key.message();
  Status no_keys = LoadError(Request("orders", LoadMode::kMerge));
  EXPECT_NE(no_keys.message().find("needs key columns"), std::string::npos);
  Status unknown_key = LoadError(Request("orders", LoadMode::kMerge, {"sku"}));
  EXPECT_NE(unknown_key.message().find("\"sku\" is not a source column"), std::string::npos);
  EXPECT_EQ(Contents(), "1:item 1:10|2:item 2:20|3:item 3:30");
}

TEST_F(DuckDbWarehouseTest, ALoadIdIsLoadedOnce) {
  LoadResult first = MustLoad(Request("orders", LoadMode::kAppend, {}, "step-1"));
  EXPECT_FALSE(first.skipped);
  LoadResult again = MustLoad(Request("orders", LoadMode::kAppend, {}, "step-1"));
  EXPECT_TRUE(again.skipped);
  EXPECT_EQ(again.rows, 0);
  EXPECT_EQ(Cell("SELECT count(*) FROM orders"), "3");
  EXPECT_EQ(Cell("SELECT table_name || ',' || mode || ',' || \"rows\" FROM sluice_loads"),
            "orders,append,3");
  EXPECT_FALSE(MustLoad(Request("orders", LoadMode::kAppend, {}, "step-2")).skipped);
  EXPECT_EQ(Cell("SELECT count(*) FROM orders"), "6");
}

TEST_F(DuckDbWarehouseTest, ASourceColumnTheTableLacksIsAnErrorNamingBoth) {
  MustLoad(Request("orders", LoadMode::kAppend));
  source_.Sql("CREATE VIEW wider AS SELECT *, 'eur' AS currency FROM orders");
  Status status = LoadError(Request("orders", LoadMode::kAppend, {}, "wide-1"), "wider");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("table orders has no column \"currency\""), std::string::npos)
      << status.message();
  EXPECT_EQ(Contents(), "1:item 1:10|2:item 2:20|3:item 3:30");
  // The failed load's id was not recorded: a retry after fixing the table can succeed.
  EXPECT_EQ(Cell("SELECT count(*) FROM sluice_loads"), "0");
}

TEST_F(DuckDbWarehouseTest, ALoadThatFailsHalfWayLeavesTheTableAsItWas) {
  MustLoad(Request("orders", LoadMode::kAppend));
  // The third row does not convert: the error comes while rows are being written.
  source_.Sql(
      "CREATE VIEW bad AS SELECT i AS id, 'x' AS item, CAST(CASE WHEN i < 13 THEN i::VARCHAR ELSE "
      "'oops' END AS INTEGER) AS amount FROM range(10, 14) t(i)");
  for (LoadMode mode : {LoadMode::kAppend, LoadMode::kReplace, LoadMode::kMerge}) {
    SCOPED_TRACE(LoadModeName(mode));
    Status status = LoadError(Request("orders", mode, {"id"}, "bad"), "bad");
    EXPECT_NE(status.message().find("load into orders in duckdb://warehouse.duckdb"),
              std::string::npos)
        << status.message();
    EXPECT_NE(status.message().find("oops"), std::string::npos) << status.message();
    EXPECT_EQ(Contents(), "1:item 1:10|2:item 2:20|3:item 3:30");
  }
}

TEST_F(DuckDbWarehouseTest, ListTablesCountsRowsBySchemaAndLeavesOutBookkeeping) {
  Result<std::vector<TableInfo>> none = warehouse_->ListTables();
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(fs::exists(dir_ / "warehouse.duckdb")) << "listing must not create the file";
  MustLoad(Request("orders", LoadMode::kAppend, {}, "a"));
  MustLoad(Request("orders", LoadMode::kAppend, {}, "b"));
  MustLoad(Request("sales.Orders", LoadMode::kReplace));
  Result<std::vector<TableInfo>> tables = warehouse_->ListTables();
  ASSERT_TRUE(tables.ok()) << tables.status().message();
  ASSERT_EQ(tables->size(), 2u);
  EXPECT_EQ((*tables)[0].schema, "main");
  EXPECT_EQ((*tables)[0].name, "orders");
  EXPECT_EQ((*tables)[0].rows, 6);
  EXPECT_EQ((*tables)[1].schema, "sales");
  EXPECT_EQ((*tables)[1].name, "Orders");
  EXPECT_EQ((*tables)[1].rows, 3);
}

TEST_F(DuckDbWarehouseTest, QueryRunsOnTheFileAndMayChangeIt) {
  EXPECT_TRUE(warehouse_->ListTables().ok());
  EXPECT_FALSE(fs::exists(dir_ / "warehouse.duckdb"));  // listing creates nothing
  Result<duckdb::TextTable> made = warehouse_->Query("CREATE TABLE notes AS SELECT 42 AS n", 10);
  ASSERT_TRUE(made.ok()) << made.status().message();
  Result<duckdb::TextTable> answer = warehouse_->Query("SELECT n FROM notes", 10);
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(answer->rows[0][0], "42");
  MustLoad(Request("orders", LoadMode::kAppend));
  Result<duckdb::TextTable> rows = warehouse_->Query("SELECT id FROM orders ORDER BY id", 2);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  EXPECT_EQ(rows->rows.size(), 2u);
  Result<duckdb::TextTable> bad = warehouse_->Query("SELECT * FROM missing", 10);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("missing"), std::string::npos);
}

TEST_F(DuckDbWarehouseTest, PathsAreRelativeToTheDataDirUnlessAbsolute) {
  WarehouseOptions options;
  options.base_dir = dir_.path().string();
  auto relative = OpenWarehouse("duckdb://nested/dir/w.duckdb", options);
  ASSERT_TRUE(relative.ok()) << relative.status().message();
  LoadSource source = source_.Source("orders");
  ASSERT_TRUE((*relative)->Load(Request("t", LoadMode::kAppend), source).ok());
  EXPECT_TRUE(fs::exists(dir_ / "nested/dir/w.duckdb"));
  auto absolute = OpenWarehouse("duckdb://" + (dir_ / "abs.duckdb").string(), {});
  ASSERT_TRUE(absolute.ok()) << absolute.status().message();
  ASSERT_TRUE((*absolute)->Load(Request("t", LoadMode::kAppend), source).ok());
  EXPECT_TRUE(fs::exists(dir_ / "abs.duckdb"));
}

// Starts warehouse_lock_holder on the warehouse file and waits until it holds it.
pid_t HoldFile(const fs::path& file, const fs::path& ready, int hold_ms) {
  SpawnOptions options;
  options.argv = {SLUICE_LOCK_HOLDER, file.string(), ready.string(), std::to_string(hold_ms)};
  Result<pid_t> pid = Spawn(options);
  EXPECT_TRUE(pid.ok()) << pid.status().message();
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!fs::exists(ready) && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(fs::exists(ready)) << "the lock holder did not start";
  return pid.ok() ? *pid : -1;
}

TEST_F(DuckDbWarehouseTest, AFileAnotherProcessHoldsIsWaitedForThenAConflict) {
  MustLoad(Request("orders", LoadMode::kAppend));
  pid_t holder = HoldFile(dir_ / "warehouse.duckdb", dir_ / "ready", 60000);
  warehouse_ = Open(/*lock_wait_ms=*/300);
  auto start = std::chrono::steady_clock::now();
  LoadSource source = source_.Source("orders");
  Result<LoadResult> loaded = warehouse_->Load(Request("orders", LoadMode::kAppend), source);
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kConflict);
  EXPECT_NE(loaded.status().message().find("in use by another process (waited"), std::string::npos)
      << loaded.status().message();
  EXPECT_GE(waited, std::chrono::milliseconds(300));
  Result<duckdb::TextTable> queried = warehouse_->Query("SELECT 1", 1);
  ASSERT_FALSE(queried.ok());
  EXPECT_EQ(queried.status().code(), StatusCode::kConflict);
  SignalGroup(holder, SIGKILL);
  WaitForExit(holder);
  warehouse_ = Open();
  EXPECT_EQ(Cell("SELECT count(*) FROM orders"), "3");
}

TEST_F(DuckDbWarehouseTest, ALoadWaitsForAnotherProcessToLetGo) {
  MustLoad(Request("orders", LoadMode::kAppend));
  pid_t holder = HoldFile(dir_ / "warehouse.duckdb", dir_ / "ready", 500);
  EXPECT_EQ(MustLoad(Request("orders", LoadMode::kAppend)).rows, 3);  // waits up to 60 s
  WaitForExit(holder);
  EXPECT_EQ(Cell("SELECT count(*) FROM orders"), "6");
}

// Two DuckDB databases in one process could both open the file (DuckDB's lock is per process);
// the warehouse takes turns instead, so concurrent loads all land.
TEST_F(DuckDbWarehouseTest, LoadsFromSeveralThreadsOfOneProcessTakeTurns) {
  constexpr int kThreads = 4, kLoadsEach = 5;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      SourceDb source;
      source.Sql("CREATE TABLE rows AS SELECT " + std::to_string(t) +
                 " AS thread, range AS n "
                 "FROM range(100)");
      std::unique_ptr<Warehouse> warehouse = Open();
      for (int i = 0; i < kLoadsEach; ++i) {
        LoadSource rows = source.Source("rows");
        Result<LoadResult> loaded = warehouse->Load(
            Request("shared", LoadMode::kAppend, {}, std::to_string(t) + "/" + std::to_string(i)),
            rows);
        if (!loaded.ok()) {
          ADD_FAILURE() << loaded.status().message();
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(Cell("SELECT count(*) FROM shared"), std::to_string(kThreads * kLoadsEach * 100));
  EXPECT_EQ(Cell("SELECT count(*) FROM sluice_loads"), std::to_string(kThreads * kLoadsEach));
}

}  // namespace
}  // namespace sluice::warehouse

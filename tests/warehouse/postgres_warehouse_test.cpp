// The PostgreSQL warehouse against a real server (postgres_server.h): 100,000 rows of mixed types
// read back exactly; append, replace and merge; loads that fail half-way (in COPY, or after a
// merge's DELETE) leaving the table as it was; exactly-once load ids, also under concurrent
// loads; listing and querying.
#include <gtest/gtest.h>

#include <thread>

#include "sluice/warehouse/warehouse.h"
#include "warehouse/postgres_server.h"
#include "warehouse/source_db.h"

namespace sluice::warehouse {
namespace {

using testing::Request;
using testing::SourceDb;

class PostgresWarehouseTest : public testing::PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (HasFatalFailure()) return;
    source_.Sql(
        "CREATE TABLE orders AS SELECT i AS id, 'item ' || i AS item, i * 10 AS amount "
        "FROM range(1, 4) t(i)");
    warehouse_ = Open();
  }

  std::unique_ptr<Warehouse> Open() {
    Result<std::unique_ptr<Warehouse>> opened = OpenWarehouse(url_, {});
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    return opened.ok() ? std::move(*opened) : nullptr;
  }

  LoadResult MustLoad(const LoadRequest& request, const std::string& relation = "orders") {
    return testing::MustLoad(*warehouse_, request, source_.Source(relation));
  }

  Status LoadError(const LoadRequest& request, const std::string& relation = "orders") {
    return testing::LoadError(*warehouse_, request, source_.Source(relation));
  }

  std::string Contents(const std::string& table = "orders") {
    return Value("SELECT string_agg(id || ':' || item || ':' || amount, '|' ORDER BY id) FROM " +
                 table);
  }

  SourceDb source_;
  std::unique_ptr<Warehouse> warehouse_;
};

// One comparison of the loaded table with its source: an aggregate computed on each side.
struct Check {
  std::string name;
  std::string duckdb;
  std::string postgres;
};

TEST_F(PostgresWarehouseTest, HundredThousandRowsOfMixedTypesArriveExactly) {
  source_.Sql(R"(
    CREATE TABLE mixed AS SELECT
      i AS id,
      (i % 30000 - 15000)::SMALLINT AS small,
      (i % 200)::UTINYINT AS tiny,
      i::UBIGINT * 184467440737 AS ubig,
      i::HUGEINT * 100000000000000000000::HUGEINT AS huge,
      (i * 1.25 - 333.33)::DECIMAL(18, 2) AS amount,
      CASE i WHEN 5 THEN 'inf'::DOUBLE WHEN 6 THEN '-inf'::DOUBLE WHEN 7 THEN 'nan'::DOUBLE
             ELSE i / 7 END AS ratio,
      (i / 3)::FLOAT AS third,
      CASE WHEN i = 8 THEN DATE '0044-03-15 (BC)' ELSE DATE '2024-01-01' + (i % 1000)::INTEGER END
        AS day,
      TIMESTAMP '2024-01-01 00:00:00' + to_microseconds(i * 1234567) AS ts,
      TIMESTAMPTZ '2024-06-01 12:00:00+00' + to_seconds(i) AS tstz,
      TIME '00:00:00' + to_seconds(i % 86400) AS tod,
      CASE i % 4 WHEN 0 THEN 'plain ' || i WHEN 1 THEN 'comma, "quote" and' || chr(10) || 'newline'
                 WHEN 2 THEN '' ELSE NULL END AS note,
      CASE WHEN i % 5 = 0 THEN NULL ELSE i % 2 = 0 END AS flag,
      from_hex(printf('%08x00ff5c', i)) AS payload,
      [i, i + 1, NULL] AS tags,
      {'k': i, 's': 'v' || i} AS rec,
      to_months(i % 30) + to_days(i % 7) + to_seconds(i % 100) AS span,
      gen_random_uuid() AS uid
    FROM range(100000) t(i))");
  LoadResult loaded = MustLoad(Request("mixed", LoadMode::kAppend), "mixed");
  EXPECT_EQ(loaded.rows, 100000);
  Sql("SET TimeZone = 'UTC'");

  EXPECT_EQ(Value("SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY "
                  "ordinal_position) FROM information_schema.columns WHERE table_name = 'mixed'"),
            "id bigint, small smallint, tiny smallint, ubig numeric, huge numeric, amount numeric, "
            "ratio double precision, third real, day date, ts timestamp without time zone, "
            "tstz timestamp with time zone, tod time without time zone, note text, flag boolean, "
            "payload bytea, tags jsonb, rec jsonb, span interval, uid uuid");

  const Check checks[] = {
      {"rows", "count(*)", "count(*)"},
      {"id", "sum(id)", "sum(id)"},
      {"small", "sum(small)", "sum(small)"},
      {"tiny", "sum(tiny)", "sum(tiny)"},
      {"ubig", "sum(ubig)", "sum(ubig)"},
      {"huge", "sum(huge)", "sum(huge)"},
      {"amount", "sum(amount)", "sum(amount)"},
      {"day", "sum(day - DATE '2000-01-01')", "sum(day - DATE '2000-01-01')"},
      {"ts", "sum(epoch_us(ts))", "sum((extract(epoch FROM ts) * 1000000)::bigint)"},
      {"tstz", "sum(epoch(tstz))::BIGINT", "sum(extract(epoch FROM tstz))::bigint"},
      {"tod", "sum(hour(tod) * 3600 + minute(tod) * 60 + second(tod))",
       "sum(extract(epoch FROM tod))::bigint"},
      {"note", "md5(string_agg(coalesce(note, '<null>'), '|' ORDER BY id))",
       "md5(string_agg(coalesce(note, '<null>'), '|' ORDER BY id))"},
      {"empty notes", "count(*) FILTER (WHERE note = '')", "count(*) FILTER (WHERE note = '')"},
      {"null notes", "count(*) FILTER (WHERE note IS NULL)",
       "count(*) FILTER (WHERE note IS NULL)"},
      {"flag", "count(*) FILTER (WHERE flag) || '/' || count(flag)",
       "count(*) FILTER (WHERE flag) || '/' || count(flag)"},
      {"payload", "md5(string_agg(lower(hex(payload)), ',' ORDER BY id))",
       "md5(string_agg(encode(payload, 'hex'), ',' ORDER BY id))"},
      {"tags", "sum(len(tags)) || '/' || sum(tags[2])",
       "sum(jsonb_array_length(tags)) || '/' || sum((tags->>1)::bigint)"},
      {"rec", "sum(rec.k) || '/' || sum(length(rec.s))",
       "sum((rec->>'k')::bigint) || '/' || sum(length(rec->>'s'))"},
      {"span",
       "sum(year(span) * 12 + month(span)) || '/' || sum(day(span)) || '/' || "
       "sum(minute(span) * 60 + second(span))",
       "sum(extract(year FROM span) * 12 + extract(month FROM span)) || '/' || "
       "sum(extract(day FROM span)) || '/' || "
       "sum(extract(minute FROM span) * 60 + extract(second FROM span))::bigint"},
      {"uid", "md5(string_agg(uid::VARCHAR, ',' ORDER BY id))",
       "md5(string_agg(uid::text, ',' ORDER BY id))"},
  };
  for (const Check& check : checks) {
    SCOPED_TRACE(check.name);
    Result<std::optional<std::string>> expected =
        source_.connection().QueryValue("SELECT (" + check.duckdb + ")::VARCHAR FROM mixed");
    ASSERT_TRUE(expected.ok()) << expected.status().message();
    EXPECT_EQ(Value("SELECT (" + check.postgres + ")::text FROM mixed"), expected->value_or(""));
  }
  // Floating point, bit for bit: PostgreSQL computes the same IEEE quotients.
  EXPECT_EQ(Value("SELECT count(*) FILTER (WHERE ratio = id::float8 / 7) || '/' || "
                  "count(*) FILTER (WHERE third = (id::float8 / 3)::real) FROM mixed"),
            "99997/100000");
  EXPECT_EQ(Value("SELECT string_agg(ratio::text, ',' ORDER BY id) FROM mixed WHERE id IN "
                  "(5, 6, 7)"),
            "Infinity,-Infinity,NaN");

  // A few rows value by value, as PostgreSQL prints them.
  Result<std::optional<std::string>> uid =
      source_.connection().QueryValue("SELECT uid::VARCHAR FROM mixed WHERE id = 1");
  ASSERT_TRUE(uid.ok() && uid->has_value());
  EXPECT_EQ(
      Value("SELECT concat_ws(' | ', id, small, tiny, ubig, huge, amount, ratio, third, day, "
            "ts, tstz, tod, quote_nullable(note), flag, payload, tags, rec, span, uid) "
            "FROM mixed WHERE id = 1"),
      "1 | -14999 | 1 | 184467440737 | 100000000000000000000 | -332.08 | "
      "0.14285714285714285 | 0.33333334 | 2024-01-02 | 2024-01-01 00:00:01.234567 | "
      "2024-06-01 12:00:01+00 | 00:00:01 | 'comma, \"quote\" and\nnewline' | f | "
      "\\x0000000100ff5c | [1, 2, null] | {\"k\": 1, \"s\": \"v1\"} | 1 mon 1 day 00:00:01 | " +
          **uid);
  EXPECT_EQ(Value("SELECT quote_nullable(note) || ',' || coalesce(flag::text, 'NULL') FROM mixed "
                  "WHERE id = 2"),
            "'',true");
  EXPECT_EQ(Value("SELECT quote_nullable(note) || ',' || coalesce(flag::text, 'NULL') FROM mixed "
                  "WHERE id = 3"),
            "NULL,false");
  EXPECT_EQ(Value("SELECT day FROM mixed WHERE id = 8"), "0044-03-15 BC");
}

TEST_F(PostgresWarehouseTest, EveryOtherMappedTypeArrivesExactly) {
  source_.Sql(R"(
    CREATE TYPE mood AS ENUM ('sad', 'happy');
    CREATE TABLE others AS SELECT
      (-128)::TINYINT AS tiny, 2147483647::INTEGER AS i32, 65535::USMALLINT AS usmall,
      4294967295::UINTEGER AS uint, 340282366920938463463374607431768211455::UHUGEINT AS uhuge,
      'happy'::mood AS feeling, '{"a": [1, 2.5, null]}'::JSON AS doc, MAP {'x': 1, 'y': 2} AS m,
      [1, 2, 3]::INTEGER[3] AS arr, union_value(s := 'text') AS u,
      TIMESTAMP_S '2024-02-29 23:59:59' AS ts_s, TIMESTAMP_MS '2024-02-29 23:59:59.123' AS ts_ms,
      TIMESTAMP_NS '2024-02-29 23:59:59.123456789' AS ts_ns, TIMETZ '12:34:56+05:30' AS ttz,
      '12:00:00.123456789'::TIME_NS AS t_ns)");
  EXPECT_EQ(MustLoad(Request("others", LoadMode::kAppend), "others").rows, 1);
  EXPECT_EQ(Value("SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY "
                  "ordinal_position) FROM information_schema.columns WHERE table_name = 'others'"),
            "tiny smallint, i32 integer, usmall integer, uint bigint, uhuge numeric, feeling text, "
            "doc jsonb, m jsonb, arr jsonb, u jsonb, ts_s timestamp without time zone, "
            "ts_ms timestamp without time zone, ts_ns timestamp without time zone, "
            "ttz time with time zone, t_ns time without time zone");
  EXPECT_EQ(
      Value("SELECT concat_ws(' | ', tiny, i32, usmall, uint, uhuge, feeling, doc, m, arr, u, "
            "ts_s, ts_ms, ts_ns, ttz, t_ns) FROM others"),
      "-128 | 2147483647 | 65535 | 4294967295 | 340282366920938463463374607431768211455 | "
      "happy | {\"a\": [1, 2.5, null]} | {\"x\": 1, \"y\": 2} | [1, 2, 3] | {\"s\": \"text\"} | "
      "2024-02-29 23:59:59 | 2024-02-29 23:59:59.123 | 2024-02-29 23:59:59.123457 | "
      "12:34:56+05:30 | 12:00:00.123457");
}

TEST_F(PostgresWarehouseTest, EmptyStringsAndNullsStayApart) {
  source_.Sql(
      "CREATE TABLE texts AS SELECT * FROM (VALUES (1, ''), (2, NULL), (3, '\"\"'), "
      "(4, ' '), (5, '\\N'), (6, '\\.')) t(id, s)");
  EXPECT_EQ(MustLoad(Request("texts", LoadMode::kAppend), "texts").rows, 6);
  EXPECT_EQ(Value("SELECT string_agg(id || '=' || coalesce('[' || s || ']', 'NULL'), ' ' ORDER BY "
                  "id) FROM texts"),
            "1=[] 2=NULL 3=[\"\"] 4=[ ] 5=[\\N] 6=[\\.]");
  // One column: a value of \. alone on its line would be PostgreSQL's end-of-data marker.
  source_.Sql("CREATE TABLE marker AS SELECT * FROM (VALUES ('\\.'), ('after')) t(s)");
  EXPECT_EQ(MustLoad(Request("marker", LoadMode::kAppend), "marker").rows, 2);
  EXPECT_EQ(Value("SELECT string_agg(s, ',' ORDER BY s) FROM marker"), "\\.,after");
}

TEST_F(PostgresWarehouseTest, AppendReplaceAndMerge) {
  EXPECT_EQ(MustLoad(Request("orders", LoadMode::kAppend)).rows, 3);
  EXPECT_EQ(MustLoad(Request("orders", LoadMode::kAppend)).rows, 3);
  EXPECT_EQ(Value("SELECT count(*) FROM orders"), "6");

  EXPECT_EQ(MustLoad(Request("orders", LoadMode::kReplace)).rows, 3);
  EXPECT_EQ(Contents(), "1:item 1:10|2:item 2:20|3:item 3:30");

  source_.Sql(
      "CREATE VIEW changes AS SELECT * FROM (VALUES (2, 'item 2 changed', 21), (4, 'item 4', 40)) "
      "t(id, item, amount)");
  EXPECT_EQ(MustLoad(Request("orders", LoadMode::kMerge, {"id"}), "changes").rows, 2);
  EXPECT_EQ(Contents(), "1:item 1:10|2:item 2 changed:21|3:item 3:30|4:item 4:40");

  // Columns are matched by name; table columns the source lacks get their defaults.
  Sql("ALTER TABLE orders ADD COLUMN note text DEFAULT 'n/a'");
  source_.Sql("CREATE VIEW reordered AS SELECT 30 AS amount, 'item 3 again' AS item, 3 AS id");
  EXPECT_EQ(MustLoad(Request("orders", LoadMode::kMerge, {"id"}), "reordered").rows, 1);
  EXPECT_EQ(Value("SELECT item || ',' || note FROM orders WHERE id = 3"), "item 3 again,n/a");
}

TEST_F(PostgresWarehouseTest, SchemaQualifiedTablesAndExactNames) {
  Sql("CREATE SCHEMA sales");
  EXPECT_EQ(MustLoad(Request("sales.Orders", LoadMode::kMerge, {"id"})).rows, 3);
  EXPECT_EQ(Value("SELECT count(*) FROM sales.\"Orders\""), "3");
  Status missing_schema = LoadError(Request("nosuch.orders", LoadMode::kAppend));
  EXPECT_NE(missing_schema.message().find("schema \"nosuch\" does not exist"), std::string::npos)
      << missing_schema.message();
}

TEST_F(PostgresWarehouseTest, AFailureInCopyLeavesTheTableAsItWas) {
  Sql("CREATE TABLE narrow (id bigint, item text, amount numeric(5, 2))");
  Sql("INSERT INTO narrow VALUES (1, 'kept', 1.5)");
  // Row 50,000 of 100,000 overflows numeric(5, 2).
  source_.Sql(
      "CREATE TABLE many AS SELECT i AS id, 'x' AS item, CASE WHEN i = 50000 THEN 1000 "
      "ELSE 1 END AS amount FROM range(100000) t(i)");
  for (LoadMode mode : {LoadMode::kAppend, LoadMode::kMerge}) {
    SCOPED_TRACE(LoadModeName(mode));
    Status status = LoadError(Request("narrow", mode, {"id"}, "overflow"), "many");
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find("load into narrow in postgresql://sluice@127.0.0.1:"),
              std::string::npos)
        << status.message();
    EXPECT_NE(status.message().find("numeric field overflow"), std::string::npos)
        << status.message();
    EXPECT_NE(status.message().find("line 50001"), std::string::npos) << status.message();
    EXPECT_EQ(Value("SELECT string_agg(id || ':' || item || ':' || amount, '|') FROM narrow"),
              "1:kept:1.50");
  }
  EXPECT_EQ(Value("SELECT count(*) FROM sluice_loads"), "0");
  EXPECT_EQ(Value("SELECT count(*) FROM pg_tables WHERE tablename = 'sluice_stage'"), "0");
}

TEST_F(PostgresWarehouseTest, AFailureAfterAMergesDeleteLeavesTheTableAsItWas) {
  Sql("CREATE TABLE orders (id bigint PRIMARY KEY, item text NOT NULL, amount bigint)");
  Sql("INSERT INTO orders VALUES (1, 'item 1', 10), (2, 'item 2', 20)");
  // The staging table has no NOT NULL: the rows stage, the DELETE runs, the INSERT fails.
  source_.Sql(
      "CREATE VIEW late_null AS SELECT * FROM (VALUES (1, 'new 1', 11), (2, NULL, 21)) "
      "t(id, item, amount)");
  Status status = LoadError(Request("orders", LoadMode::kMerge, {"id"}), "late_null");
  EXPECT_NE(status.message().find("null value in column \"item\""), std::string::npos)
      << status.message();
  EXPECT_EQ(Contents(), "1:item 1:10|2:item 2:20");
  // The warehouse's connection is fine after the rollback.
  source_.Sql("CREATE VIEW fine AS SELECT 3 AS id, 'item 3' AS item, 30 AS amount");
  EXPECT_EQ(MustLoad(Request("orders", LoadMode::kMerge, {"id"}), "fine").rows, 1);
  EXPECT_EQ(Contents(), "1:item 1:10|2:item 2:20|3:item 3:30");
}

TEST_F(PostgresWarehouseTest, SourceColumnsTheTableLacksAndUnmappableTypesAreRefused) {
  MustLoad(Request("orders", LoadMode::kAppend));
  source_.Sql("CREATE VIEW wider AS SELECT *, 'eur' AS currency FROM orders");
  Status status = LoadError(Request("orders", LoadMode::kAppend), "wider");
  EXPECT_NE(status.message().find("table orders has no column \"currency\""), std::string::npos)
      << status.message();
  EXPECT_EQ(Contents(), "1:item 1:10|2:item 2:20|3:item 3:30");

  source_.Sql("CREATE VIEW bits AS SELECT 1 AS id, '0101'::BIT AS flags");
  status = LoadError(Request("bits", LoadMode::kAppend), "bits");
  EXPECT_NE(status.message().find("column \"flags\" has DuckDB type BIT"), std::string::npos)
      << status.message();
  EXPECT_EQ(Value("SELECT count(*) FROM information_schema.tables WHERE table_name = 'bits'"), "0");
}

TEST_F(PostgresWarehouseTest, ALoadIdIsLoadedOnceEvenWhenLoadsRace) {
  LoadResult first = MustLoad(Request("orders", LoadMode::kAppend, {}, "step-1"));
  EXPECT_FALSE(first.skipped);
  LoadResult again = MustLoad(Request("orders", LoadMode::kAppend, {}, "step-1"));
  EXPECT_TRUE(again.skipped);
  EXPECT_EQ(Value("SELECT count(*) FROM orders"), "3");
  EXPECT_EQ(Value("SELECT table_name || ',' || mode || ',' || rows FROM sluice_loads"),
            "orders,append,3");

  constexpr int kRacers = 4;
  std::atomic<int> loaded{0}, skipped{0};
  std::vector<std::thread> racers;
  for (int r = 0; r < kRacers; ++r) {
    racers.emplace_back([&] {
      SourceDb source;
      source.Sql("CREATE TABLE rows AS SELECT range AS id FROM range(1000)");
      Result<std::unique_ptr<Warehouse>> warehouse = OpenWarehouse(url_, {});
      ASSERT_TRUE(warehouse.ok());
      LoadSource rows = source.Source("rows");
      Result<LoadResult> result =
          (*warehouse)->Load(Request("raced", LoadMode::kAppend, {}, "race-1"), rows);
      ASSERT_TRUE(result.ok()) << result.status().message();
      (result->skipped ? skipped : loaded)++;
    });
  }
  for (std::thread& racer : racers)
    racer.join();
  EXPECT_EQ(loaded, 1);
  EXPECT_EQ(skipped, kRacers - 1);
  EXPECT_EQ(Value("SELECT count(*) FROM raced"), "1000");
}

TEST_F(PostgresWarehouseTest, ListTablesCountsRowsAndLeavesOutBookkeeping) {
  Sql("CREATE SCHEMA sales");
  Sql("CREATE VIEW not_a_table AS SELECT 1");
  MustLoad(Request("orders", LoadMode::kAppend, {}, "a"));
  MustLoad(Request("orders", LoadMode::kAppend, {}, "b"));
  MustLoad(Request("sales.orders", LoadMode::kReplace));
  Result<std::vector<TableInfo>> tables = warehouse_->ListTables();
  ASSERT_TRUE(tables.ok()) << tables.status().message();
  ASSERT_EQ(tables->size(), 2u);
  EXPECT_EQ((*tables)[0].schema, "public");
  EXPECT_EQ((*tables)[0].name, "orders");
  EXPECT_EQ((*tables)[0].rows, 6);
  EXPECT_EQ((*tables)[1].schema, "sales");
  EXPECT_EQ((*tables)[1].rows, 3);
}

TEST_F(PostgresWarehouseTest, QueryReturnsTheLastStatementsRowsAsText) {
  MustLoad(Request("orders", LoadMode::kAppend));
  Result<duckdb::TextTable> result = warehouse_->Query(
      "SET search_path = public; SELECT id, item, amount::numeric / 4 AS quarter, NULL::text AS "
      "nothing, true AS yes FROM orders ORDER BY id",
      2);
  ASSERT_TRUE(result.ok()) << result.status().message();
  ASSERT_EQ(result->columns.size(), 5u);
  EXPECT_EQ(result->columns[0].name, "id");
  EXPECT_EQ(result->columns[0].type, "bigint");
  EXPECT_TRUE(result->columns[0].numeric);
  EXPECT_FALSE(result->columns[1].numeric);
  EXPECT_TRUE(result->columns[2].numeric);
  EXPECT_EQ(result->columns[4].type, "boolean");
  ASSERT_EQ(result->rows.size(), 2u);
  EXPECT_EQ(result->rows[1][1], "item 2");
  EXPECT_EQ(result->rows[1][2], "5.0000000000000000");
  EXPECT_EQ(result->rows[1][3], std::nullopt);
  EXPECT_EQ(result->rows[1][4], "t");

  Result<duckdb::TextTable> bad = warehouse_->Query("SELECT * FROM missing", 10);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("relation \"missing\" does not exist"), std::string::npos)
      << bad.status().message();
  // A transaction a query leaves open is rolled back, not left to the next load.
  ASSERT_TRUE(warehouse_->Query("BEGIN; CREATE TABLE half_done (a int)", 1).ok());
  EXPECT_EQ(MustLoad(Request("orders", LoadMode::kAppend)).rows, 3);
  EXPECT_EQ(Value("SELECT count(*) FROM information_schema.tables WHERE table_name = 'half_done'"),
            "0");
}

}  // namespace
}  // namespace sluice::warehouse

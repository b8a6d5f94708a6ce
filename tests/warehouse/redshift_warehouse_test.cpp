// The Redshift warehouse's protocol path against PostgreSQL: connection, the load transaction,
// Redshift's column types in CREATE TABLE, staging, DELETE ... USING, INSERT, sluice_loads
// without ON CONFLICT, and rollback. Only the bulk copy differs from production: instead of
// Redshift's COPY ... FROM 's3://…' (see load_sql_test.cpp for its text), the seam copies the same
// CSV objects from local files with COPY ... FROM STDIN (FORMAT csv, HEADER true).
#include "warehouse/redshift_warehouse.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "support/temp_dir.h"
#include "warehouse/postgres_server.h"
#include "warehouse/source_db.h"
#include "warehouse/warehouse_url.h"

namespace sluice::warehouse {
namespace {

namespace fs = std::filesystem;
using testing::Request;
using testing::SourceDb;

constexpr char kRole[] = "arn:aws:iam::123456789012:role/Load";

// Serves s3:// URIs from local files; remembers every copy it was asked for.
class LocalLakeCopy final : public RedshiftBulkCopy {
 public:
  LocalLakeCopy(std::map<std::string, fs::path> objects, std::vector<RedshiftCopy>* copies)
      : objects_(std::move(objects)), copies_(copies) {}

  Status Copy(PgConnection& connection, const RedshiftCopy& copy) override {
    copies_->push_back(copy);
    std::string columns;
    for (const std::string& column : copy.columns) {
      columns += (columns.empty() ? "" : ", ") + duckdb::QuoteIdentifier(column);
    }
    for (const std::string& uri : copy.uris) {
      auto object = objects_.find(uri);
      if (object == objects_.end()) return Status::NotFound("no lake object " + uri);
      SLUICE_ASSIGN_OR_RETURN(int64_t rows,
                              connection.CopyInFile("COPY " + copy.table + " (" + columns +
                                                        ") FROM STDIN (FORMAT csv, HEADER true)",
                                                    object->second));
      (void)rows;
    }
    return Status::Ok();
  }

 private:
  std::map<std::string, fs::path> objects_;
  std::vector<RedshiftCopy>* copies_;
};

class RedshiftWarehouseTest : public testing::PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (HasFatalFailure()) return;
    source_.Sql(
        "CREATE TABLE orders AS SELECT i AS id, 'item ' || i AS item, (i * 10)::DECIMAL(18, 2) AS "
        "amount, i % 2 = 0 AS even, DATE '2024-01-01' + i::INTEGER AS day, TIMESTAMPTZ "
        "'2024-01-01 00:00:00+00' + to_hours(i) AS at FROM range(1, 5) t(i)");
  }

  // Writes `relation` to the lake as two CSV objects (with header lines), as a SQL step would.
  LoadSource Lake(const std::string& relation) {
    LoadSource source = source_.Source(relation);
    for (int part = 0; part < 2; ++part) {
      std::string uri = "s3://lake/" + relation + "/part-" + std::to_string(part) + ".csv";
      fs::path file = dir_ / (relation + "-" + std::to_string(part) + ".csv");
      source_.Sql("COPY (SELECT * FROM " + relation + " WHERE id % 2 = " + std::to_string(part) +
                  ") TO '" + file.string() + "' (FORMAT csv, HEADER true)");
      objects_[uri] = file;
      source.lake_csv_uris.push_back(uri);
    }
    return source;
  }

  std::unique_ptr<Warehouse> Open() {
    // Port and database from the test server; the rest as a user would write it.
    std::string postgres = url_.substr(std::string("postgresql://").size());
    Result<WarehouseUrl> url =
        ParseWarehouseUrl("redshift://" + postgres + "?iam_role=" + kRole + "&region=eu-west-1");
    EXPECT_TRUE(url.ok()) << url.status().message();
    return MakeRedshiftWarehouse({url->conninfo, url->display, url->iam_role, url->region},
                                 std::make_unique<LocalLakeCopy>(objects_, &copies_));
  }

  LoadResult MustLoad(const LoadRequest& request, const std::string& relation = "orders") {
    return testing::MustLoad(*Open(), request, Lake(relation));
  }

  std::string Contents() {
    return Value(
        "SELECT string_agg(id || ':' || item || ':' || amount, '|' ORDER BY id) FROM "
        "orders");
  }

  sluice::testing::TempDir dir_;
  SourceDb source_;
  std::map<std::string, fs::path> objects_;
  std::vector<RedshiftCopy> copies_;
};

TEST_F(RedshiftWarehouseTest, AppendCreatesTheTableWithRedshiftTypesAndCopiesEachObject) {
  EXPECT_EQ(MustLoad(Request("orders", LoadMode::kAppend)).rows, 4);
  EXPECT_EQ(Contents(), "1:item 1:10.00|2:item 2:20.00|3:item 3:30.00|4:item 4:40.00");
  EXPECT_EQ(Value("SELECT string_agg(column_name || ' ' || format_type(atttypid, atttypmod), ', ' "
                  "ORDER BY ordinal_position) FROM information_schema.columns c JOIN pg_attribute "
                  "a ON a.attrelid = 'orders'::regclass AND a.attname = c.column_name "
                  "WHERE table_name = 'orders'"),
            "id bigint, item character varying(65535), amount numeric(18,2), even boolean, "
            "day date, at timestamp with time zone");
  ASSERT_EQ(copies_.size(), 1u);
  EXPECT_EQ(copies_[0].table, "\"orders\"");
  EXPECT_EQ(copies_[0].uris.size(), 2u);
  // What production would have run for this copy.
  EXPECT_EQ(RedshiftCopyStatements(copies_[0])[1],
            "COPY \"orders\" (\"id\", \"item\", \"amount\", \"even\", \"day\", \"at\") FROM "
            "'s3://lake/orders/part-1.csv' IAM_ROLE 'arn:aws:iam::123456789012:role/Load' FORMAT "
            "AS CSV IGNOREHEADER 1 DATEFORMAT 'auto' TIMEFORMAT 'auto' REGION 'eu-west-1'");
  EXPECT_EQ(MustLoad(Request("orders", LoadMode::kAppend)).rows, 4);
  EXPECT_EQ(Value("SELECT count(*) FROM orders"), "8");
}

TEST_F(RedshiftWarehouseTest, MergeGoesThroughTheStagingTable) {
  MustLoad(Request("orders", LoadMode::kAppend));
  source_.Sql(
      "CREATE TABLE changes AS SELECT * REPLACE ('changed ' || id AS item) FROM orders "
      "WHERE id >= 3 UNION ALL SELECT 5, 'item 5', 50, false, DATE '2024-02-01', "
      "TIMESTAMPTZ '2024-02-01 00:00:00+00'");
  EXPECT_EQ(MustLoad(Request("orders", LoadMode::kMerge, {"id"}), "changes").rows, 3);
  ASSERT_EQ(copies_.size(), 2u);
  EXPECT_EQ(copies_[1].table, "sluice_stage");
  EXPECT_EQ(Contents(),
            "1:item 1:10.00|2:item 2:20.00|3:changed 3:30.00|4:changed 4:40.00|5:item 5:50.00");
  EXPECT_EQ(Value("SELECT count(*) FROM pg_tables WHERE tablename = 'sluice_stage'"), "0");
}

TEST_F(RedshiftWarehouseTest, ReplaceAndExactlyOnceWithoutOnConflict) {
  MustLoad(Request("orders", LoadMode::kAppend));
  EXPECT_FALSE(MustLoad(Request("orders", LoadMode::kReplace, {}, "r-1")).skipped);
  EXPECT_EQ(Value("SELECT count(*) FROM orders"), "4");
  EXPECT_TRUE(MustLoad(Request("orders", LoadMode::kReplace, {}, "r-1")).skipped);
  EXPECT_TRUE(MustLoad(Request("orders", LoadMode::kAppend, {}, "r-1")).skipped);
  EXPECT_EQ(Value("SELECT count(*) FROM orders"), "4");
  EXPECT_EQ(Value("SELECT load_id || ',' || mode || ',' || rows FROM sluice_loads"),
            "r-1,replace,4");
}

TEST_F(RedshiftWarehouseTest, AFailedCopyRollsEverythingBack) {
  MustLoad(Request("orders", LoadMode::kAppend));
  LoadSource source = Lake("orders");
  // The second object is not valid for the table: the first object's rows are rolled back too.
  std::ofstream(objects_[source.lake_csv_uris[1]])
      << "id,item,amount,even,day,at\nnot a number,x,1,true,2024-01-01,2024-01-01 00:00:00+00\n";
  for (LoadMode mode : {LoadMode::kAppend, LoadMode::kReplace, LoadMode::kMerge}) {
    SCOPED_TRACE(LoadModeName(mode));
    Result<LoadResult> loaded = Open()->Load(Request("orders", mode, {"id"}, "bad-1"), source);
    ASSERT_FALSE(loaded.ok());
    EXPECT_NE(loaded.status().message().find("load into orders in redshift://sluice@127.0.0.1:"),
              std::string::npos)
        << loaded.status().message();
    EXPECT_NE(loaded.status().message().find("invalid input syntax for type bigint"),
              std::string::npos)
        << loaded.status().message();
    EXPECT_EQ(Contents(), "1:item 1:10.00|2:item 2:20.00|3:item 3:30.00|4:item 4:40.00");
  }
  EXPECT_EQ(Value("SELECT count(*) FROM sluice_loads"), "0");
}

TEST_F(RedshiftWarehouseTest, LoadsNeedLakeObjectsAndTypesRedshiftHas) {
  LoadSource no_lake = source_.Source("orders");
  Result<LoadResult> loaded = Open()->Load(Request("orders", LoadMode::kAppend), no_lake);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("names no lake CSV objects"), std::string::npos);
  source_.Sql("CREATE TABLE spans AS SELECT 1 AS id, INTERVAL 1 DAY AS span");
  LoadSource spans = Lake("spans");
  loaded = Open()->Load(Request("spans", LoadMode::kAppend), spans);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("column \"span\" has DuckDB type INTERVAL, which has "
                                           "no Redshift equivalent"),
            std::string::npos)
      << loaded.status().message();
}

}  // namespace
}  // namespace sluice::warehouse

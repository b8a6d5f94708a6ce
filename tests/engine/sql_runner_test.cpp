// SQL steps end to end on a real lake and a real DuckDB warehouse: inputs read in place, results
// committed to the lake and loaded, bad rows failing or set aside, and nothing partial left when
// a step fails.
#include "sluice/engine/sql_runner.h"

#include <gtest/gtest.h>

#include "sluice/engine/lake_files.h"
#include "sluice/lake/byte_sources.h"
#include "sluice/store/event_log.h"
#include "support/temp_dir.h"

namespace sluice::engine {
namespace {

using nlohmann::json;

constexpr const char* kOrders =
    "order_id,country,quantity,unit_price\n"
    "1,DE,2,10.50\n"
    "2,FR,1,3.25\n"
    "3,DE,5,1.00\n"
    "4,US,3,7.00\n";

class SqlRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::Database::Open(dir_ / "state.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto lake = lake::LocalObjectStore::Open(*db_, dir_ / "lake");
    ASSERT_TRUE(lake.ok()) << lake.status().ToString();
    lake_ = std::move(lake).value();
    ASSERT_TRUE(lake_->CreateBucket("lake").ok());
  }

  void Put(const std::string& key, std::string bytes) {
    lake::StringByteSource source(std::move(bytes));
    ASSERT_TRUE(lake_->PutObject("lake", key, source, {}).ok());
  }

  // The object's bytes, or "!<code>" when it can't be read.
  std::string Get(const std::string& key) {
    auto reader = lake_->GetObject("lake", key);
    if (!reader.ok()) return "!" + reader.status().aws_code();
    std::string out(4096, '\0');
    std::string all;
    while (true) {
      auto n = (*reader)->Read(out.data(), out.size());
      if (!n.ok() || *n == 0) return all;
      all.append(out.data(), *n);
    }
  }

  std::vector<std::string> Keys(const std::string& prefix) {
    lake::ListRequest request;
    request.prefix = prefix;
    std::vector<std::string> keys;
    auto page = lake_->ListObjects("lake", request);
    EXPECT_TRUE(page.ok());
    for (const auto& object : page->objects)
      keys.push_back(object.key);
    return keys;
  }

  int64_t EventCount() {
    int64_t count = 0;
    EXPECT_TRUE(db_->Read([&](store::Transaction& tx) -> Status {
                     SLUICE_ASSIGN_OR_RETURN(auto events, store::ReadEvents(tx, 0, 100000));
                     count = static_cast<int64_t>(events.size());
                     return Status::Ok();
                   })
                    .ok());
    return count;
  }

  Result<SqlRunResult> Run(const json& spec, const std::string& load_id = "load-1",
                           QueryInterrupter* interrupter = nullptr) {
    SLUICE_ASSIGN_OR_RETURN(SqlStep step, SqlStepFromJson(spec, "step s"));
    SqlRunContext context;
    context.step_name = "s";
    context.lake = lake_.get();
    context.work_dir = dir_ / "work";
    context.threads = 2;
    context.memory_limit = "1GiB";
    context.warehouse_url = "duckdb://warehouse.duckdb";
    context.warehouse_options.base_dir = dir_.path().string();
    context.load_id = load_id;
    context.interrupter = interrupter;
    return RunSqlStep(step, context);
  }

  // The warehouse's answer to `sql`, one "a|b|c" line per row.
  std::vector<std::string> Warehouse(const std::string& sql) {
    warehouse::WarehouseOptions options;
    options.base_dir = dir_.path().string();
    auto warehouse = warehouse::OpenWarehouse("duckdb://warehouse.duckdb", options);
    EXPECT_TRUE(warehouse.ok()) << warehouse.status().ToString();
    auto table = (*warehouse)->Query(sql, 1000);
    if (!table.ok()) return {"!" + table.status().message()};
    std::vector<std::string> rows;
    for (const auto& row : table->rows) {
      std::string line;
      for (size_t c = 0; c < row.size(); ++c)
        line += (c ? "|" : "") + row[c].value_or("NULL");
      rows.push_back(line);
    }
    return rows;
  }

  sluice::testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<lake::LocalObjectStore> lake_;
};

json RevenueStep() {
  return json::parse(R"({
    "inputs": {"orders": "s3://lake/raw/orders.csv"},
    "query": "SELECT country, sum(quantity * unit_price) AS revenue FROM orders GROUP BY ALL ORDER BY country",
    "output": "s3://lake/results/revenue.csv",
    "load": {"table": "revenue", "mode": "append"}})");
}

TEST_F(SqlRunnerTest, CsvStepWritesTheLakeAndLoadsTheWarehouse) {
  Put("raw/orders.csv", kOrders);
  int64_t events_before = EventCount();
  auto result = Run(RevenueStep());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Get("results/revenue.csv"), "country,revenue\nDE,26.0\nFR,3.25\nUS,21.0\n");
  EXPECT_EQ(Warehouse("SELECT country, revenue FROM revenue ORDER BY 1"),
            (std::vector<std::string>{"DE|26.0", "FR|3.25", "US|21.0"}));
  EXPECT_EQ(result->rows_in, 4);
  EXPECT_EQ(result->rows_out, 3);
  EXPECT_EQ(result->bytes_in, std::string(kOrders).size());
  EXPECT_EQ(result->bytes_out, Get("results/revenue.csv").size());
  EXPECT_EQ(result->outputs, std::vector<std::string>{"s3://lake/results/revenue.csv"});
  EXPECT_EQ(result->rows_loaded, 3);
  EXPECT_EQ(EventCount(), events_before + 1);  // the output's Object Created
  // The work folder is gone.
  EXPECT_FALSE(std::filesystem::exists(dir_ / "work"));
}

TEST_F(SqlRunnerTest, ALoadIdLoadsOnce) {
  Put("raw/orders.csv", kOrders);
  ASSERT_TRUE(Run(RevenueStep(), "step-1").ok());
  auto again = Run(RevenueStep(), "step-1");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->load_skipped);
  EXPECT_EQ(Warehouse("SELECT count(*) FROM revenue"), std::vector<std::string>{"3"});
  ASSERT_TRUE(Run(RevenueStep(), "step-2").ok());
  EXPECT_EQ(Warehouse("SELECT count(*) FROM revenue"), std::vector<std::string>{"6"});
}

TEST_F(SqlRunnerTest, ReplaceAndMergeModes) {
  Put("raw/orders.csv", kOrders);
  json step = RevenueStep();
  ASSERT_TRUE(Run(step, "a").ok());
  step["load"] = {{"table", "revenue"}, {"mode", "replace"}};
  ASSERT_TRUE(Run(step, "b").ok());
  EXPECT_EQ(Warehouse("SELECT count(*) FROM revenue"), std::vector<std::string>{"3"});
  // New orders for DE and a new country: merge on country updates DE, adds NL, keeps FR, US.
  Put("raw/orders.csv", "order_id,country,quantity,unit_price\n5,DE,1,1.00\n6,NL,2,2.00\n");
  step["load"] = {{"table", "revenue"}, {"mode", "merge"}, {"keys", {"country"}}};
  ASSERT_TRUE(Run(step, "c").ok());
  EXPECT_EQ(Warehouse("SELECT country, revenue FROM revenue ORDER BY 1"),
            (std::vector<std::string>{"DE|1.0", "FR|3.25", "NL|4.0", "US|21.0"}));
}

TEST_F(SqlRunnerTest, GlobsAndPrefixesReadManyObjects) {
  for (int i = 0; i < 20; ++i) {
    Put("raw/part-" + std::to_string(100 + i) + ".csv",
        "n\n" + std::to_string(i) + "\n" + std::to_string(i) + "\n");
  }
  Put("raw/notes.txt", "n\n1000\n");
  Put("raw/_SUCCESS", "");
  Put("raw/sub/part-999.csv", "n\n5000\n");
  json step = {{"inputs", {{"p", "s3://lake/raw/part-*.csv"}}},
               {"query", "SELECT count(*) AS rows, sum(n) AS total FROM p"},
               {"output", "s3://lake/out/glob.csv"}};
  auto result = Run(step);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Get("out/glob.csv"), "rows,total\n40,380\n");  // * stays in raw/
  step["inputs"] = {{"p", "s3://lake/raw/**.csv"}};
  ASSERT_TRUE(Run(step).ok());
  EXPECT_EQ(Get("out/glob.csv"), "rows,total\n41,5380\n");
  // A prefix: every object under it but _SUCCESS (hidden), as csv by the format given.
  step["inputs"] = {{"p", {{"uri", "s3://lake/raw/"}, {"format", "csv"}}}};
  ASSERT_TRUE(Run(step).ok());
  EXPECT_EQ(Get("out/glob.csv"), "rows,total\n42,6380\n");
  step["inputs"] = {{"p", "s3://lake/nothing/*.csv"}};
  auto missing = Run(step);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("step s: input p: no objects match "
                                            "s3://lake/nothing/*.csv"),
            std::string::npos)
      << missing.status().message();
}

TEST_F(SqlRunnerTest, ParquetAndJsonRoundTrip) {
  Put("raw/orders.csv", kOrders);
  json to_parquet = {{"inputs", {{"orders", "s3://lake/raw/orders.csv"}}},
                     {"query", "SELECT * FROM orders"},
                     {"output", "s3://lake/pq/orders.parquet"}};
  ASSERT_TRUE(Run(to_parquet).ok());
  json to_json = {{"inputs", {{"orders", "s3://lake/pq/orders.parquet"}}},
                  {"query", "SELECT order_id, country FROM orders WHERE quantity > 1"},
                  {"output", "s3://lake/js/big.json"}};
  ASSERT_TRUE(Run(to_json).ok());
  EXPECT_EQ(Get("js/big.json"),
            "{\"order_id\":1,\"country\":\"DE\"}\n{\"order_id\":3,\"country\":\"DE\"}\n"
            "{\"order_id\":4,\"country\":\"US\"}\n");
  json from_json = {{"inputs", {{"big", "s3://lake/js/big.json"}}},
                    {"query", "SELECT string_agg(country, '' ORDER BY order_id) AS c FROM big"},
                    {"output", "s3://lake/js/summary.csv"}};
  ASSERT_TRUE(Run(from_json).ok());
  EXPECT_EQ(Get("js/summary.csv"), "c\nDEDEUS\n");
}

TEST_F(SqlRunnerTest, SniffedDatesAndTimestampsKeepTheirTypes) {
  Put("raw/times.csv",
      "d,t,n\n2024-01-31,2024-01-31 10:00:00,x\n2024-02-29,2024-03-01 23:59:59,\n");
  json step = {{"inputs", {{"x", "s3://lake/raw/times.csv"}}},
               {"query",
                "SELECT typeof(d) AS td, typeof(t) AS tt, max(d) + 1 AS next, "
                "max(t) AS last, count(n) AS n FROM x GROUP BY ALL"},
               {"output", "s3://lake/out/times.csv"}};
  auto result = Run(step);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Get("out/times.csv"),
            "td,tt,next,last,n\nDATE,TIMESTAMP,2024-03-01,2024-03-01 23:59:59,1\n");
}

TEST_F(SqlRunnerTest, PartitionedOutputAppearsAllAtOnce) {
  Put("raw/orders.csv", kOrders);
  json step = {
      {"inputs", {{"orders", "s3://lake/raw/orders.csv"}}},
      {"query", "SELECT country, order_id FROM orders"},
      {"output",
       {{"uri", "s3://lake/by-country/"}, {"format", "csv"}, {"partition_by", {"country"}}}}};
  auto result = Run(step);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Keys("by-country/"), (std::vector<std::string>{"by-country/country=DE/data_0.csv",
                                                           "by-country/country=FR/data_0.csv",
                                                           "by-country/country=US/data_0.csv"}));
  EXPECT_EQ(Get("by-country/country=DE/data_0.csv"), "order_id\n1\n3\n");
  EXPECT_EQ(result->outputs.size(), 3u);
}

TEST_F(SqlRunnerTest, AMalformedRowFailsTheStepNamingObjectAndLine) {
  Put("raw/orders.csv", kOrders);
  Put("raw/bad.csv", "order_id,country,quantity,unit_price\n7,DE,1,1.00\n8,FR,many,2.00\n");
  json step = RevenueStep();
  step["inputs"] = {{"orders",
                     {{"uri", "s3://lake/raw/*.csv"},
                      {"types", {{"quantity", "INTEGER"}, {"unit_price", "DOUBLE"}}}}}};
  auto result = Run(step);
  ASSERT_FALSE(result.ok());
  const std::string& message = result.status().message();
  EXPECT_NE(message.find("step s: input orders: s3://lake/raw/bad.csv line 3: "), std::string::npos)
      << message;
  EXPECT_NE(message.find("\"many\""), std::string::npos) << message;
  // Nothing left behind: no output, no table.
  EXPECT_EQ(Get("results/revenue.csv"), "!NoSuchKey");
  EXPECT_NE(Warehouse("SELECT count(*) FROM revenue")[0].find("revenue"), std::string::npos);
}

TEST_F(SqlRunnerTest, SkippedBadRowsAreCountedAndSetAside) {
  Put("raw/orders.csv",
      "order_id,country,quantity,unit_price\n1,DE,2,10.50\n2,FR,x,3.25\n3,DE,5\n4,US,3,7.00\n");
  json step = RevenueStep();
  step["inputs"] = {
      {"orders", {{"uri", "s3://lake/raw/orders.csv"}, {"types", {{"quantity", "INTEGER"}}}}}};
  step["on_bad_rows"] = "skip";
  auto result = Run(step);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->bad_rows, 2);
  EXPECT_EQ(result->rejects, "s3://lake/results/revenue.csv.rejects.csv");
  EXPECT_EQ(Get("results/revenue.csv"), "country,revenue\nDE,21.0\nUS,21.0\n");
  std::string rejects = Get("results/revenue.csv.rejects.csv");
  EXPECT_EQ(rejects.rfind("object,line,column,error_type,error,row\n", 0), 0u) << rejects;
  EXPECT_NE(rejects.find("s3://lake/raw/orders.csv,3,quantity,"), std::string::npos) << rejects;
  EXPECT_NE(rejects.find("s3://lake/raw/orders.csv,4,"), std::string::npos) << rejects;
}

TEST_F(SqlRunnerTest, SqlAndTypeErrorsNameTheStep) {
  Put("raw/orders.csv", kOrders);
  struct Case {
    const char* query;
    const char* message;
  };
  for (const Case& c :
       {Case{"SELEC 1", "step s: Parser Error"}, Case{"SELECT * FROM order_lines", "order_lines"},
        Case{"SELECT nope FROM orders", "nope"}, Case{"SELECT country + 1 FROM orders", "step s: "},
        Case{"SELECT CAST(country AS INTEGER) FROM orders", "Could not convert"},
        Case{"SELECT 1; SELECT 2", "one SELECT statement"},
        Case{"CREATE TABLE t AS SELECT 1", "must be a SELECT"}}) {
    json step = RevenueStep();
    step["query"] = c.query;
    auto result = Run(step);
    ASSERT_FALSE(result.ok()) << c.query;
    EXPECT_NE(result.status().message().find(c.message), std::string::npos)
        << c.query << ": " << result.status().message();
    EXPECT_EQ(Get("results/revenue.csv"), "!NoSuchKey") << c.query;
  }
}

TEST_F(SqlRunnerTest, AFailedLoadCommitsNothingToTheLake) {
  Put("raw/orders.csv", kOrders);
  json step = RevenueStep();
  step["query"] = "SELECT country, quantity FROM orders";
  step["load"] = {{"table", "revenue"}, {"mode", "merge"}, {"keys", {"country"}}};
  auto result = Run(step);
  ASSERT_FALSE(result.ok());  // DE twice: a merge key must be unique
  EXPECT_NE(result.status().message().find("DE"), std::string::npos) << result.status().message();
  EXPECT_EQ(Get("results/revenue.csv"), "!NoSuchKey");
}

TEST_F(SqlRunnerTest, AnInterruptedStepStopsAndCommitsNothing) {
  Put("raw/orders.csv", kOrders);
  QueryInterrupter interrupter;
  interrupter.Interrupt();
  json step = RevenueStep();
  step["query"] = "SELECT count(*) AS n FROM range(1000000000000) a, orders";
  auto result = Run(step, "x", &interrupter);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("interrupted"), std::string::npos)
      << result.status().message();
  EXPECT_EQ(Get("results/revenue.csv"), "!NoSuchKey");
}

TEST_F(SqlRunnerTest, InputsAreReadAsTheyWereWhenTheStepOpenedThem) {
  Put("raw/orders.csv", kOrders);
  auto files = LakeFiles(*lake_);
  auto paths = files.Open("s3://lake/raw/orders.csv");
  ASSERT_TRUE(paths.ok());
  Put("raw/orders.csv", "replaced\n");
  EXPECT_EQ(files.Describe("error in " + (*paths)[0] + ": bad"),
            "error in s3://lake/raw/orders.csv: bad");
  auto db = duckdb::Database::Open("");
  auto connection = duckdb::Connection::Open(*db);
  auto count = connection->QueryInt("SELECT count(*) FROM read_csv('" + (*paths)[0] + "')");
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(*count, 4);
}

}  // namespace
}  // namespace sluice::engine

// How fast rows reach PostgreSQL: a narrow 9-column table, timed end to end (DuckDB's CSV export,
// the COPY, the commit). Disabled: it measures rather than checks. Run it with
//   warehouse_test --gtest_also_run_disabled_tests --gtest_filter='*LoadRate*'
// (SLUICE_LOAD_RATE_ROWS sets the row count; default 2,000,000).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "sluice/warehouse/warehouse.h"
#include "warehouse/postgres_server.h"
#include "warehouse/source_db.h"

namespace sluice::warehouse {
namespace {

class PostgresLoadRateTest : public testing::PostgresTest {};

TEST_F(PostgresLoadRateTest, DISABLED_NarrowTable) {
  const char* configured = std::getenv("SLUICE_LOAD_RATE_ROWS");
  int64_t rows = configured ? std::atoll(configured) : 2000000;
  testing::SourceDb source;
  source.Sql(
      "CREATE TABLE narrow AS SELECT i AS id, (i % 1000)::INTEGER AS a, (i % 7)::INTEGER "
      "AS b, i * 3 AS c, i / 3 AS d, (i % 100000 / 100)::DECIMAL(12, 2) AS e, DATE "
      "'2024-01-01' + (i % 365)::INTEGER AS f, TIMESTAMP '2024-01-01' + to_seconds(i) AS g, "
      "'name-' || (i % 5000) AS h FROM range(" +
      std::to_string(rows) + ") t(i)");
  Result<std::unique_ptr<Warehouse>> warehouse = OpenWarehouse(url_, {});
  ASSERT_TRUE(warehouse.ok()) << warehouse.status().message();
  for (LoadMode mode : {LoadMode::kReplace, LoadMode::kAppend}) {
    LoadSource narrow = source.Source("narrow");
    auto start = std::chrono::steady_clock::now();
    Result<LoadResult> loaded = (*warehouse)->Load({"narrow", mode, {}, ""}, narrow);
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    ASSERT_EQ(loaded->rows, rows);
    std::printf("%s %lld rows in %.2f s: %.0f rows/s\n", std::string(LoadModeName(mode)).c_str(),
                static_cast<long long>(rows), took.count(), rows / took.count());
  }
}

}  // namespace
}  // namespace sluice::warehouse

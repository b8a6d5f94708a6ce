// The DuckDB side of a load in tests: an in-memory database holding the rows to load.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "sluice/duckdb/database.h"
#include "sluice/warehouse/warehouse.h"

namespace sluice::warehouse::testing {

class SourceDb {
 public:
  SourceDb() {
    auto database = duckdb::Database::Open("");
    EXPECT_TRUE(database.ok()) << database.status().message();
    auto connection = duckdb::Connection::Open(*database);
    EXPECT_TRUE(connection.ok()) << connection.status().message();
    connection_ = std::make_unique<duckdb::Connection>(std::move(*connection));
  }

  // Runs SQL on the source database; fails the test on error.
  void Sql(const std::string& sql) {
    Status status = connection_->Execute(sql);
    ASSERT_TRUE(status.ok()) << sql << ": " << status.message();
  }
  // A source that loads `relation` (a table or view here).
  LoadSource Source(const std::string& relation) { return {connection_.get(), relation, {}}; }
  duckdb::Connection& connection() { return *connection_; }

 private:
  std::unique_ptr<duckdb::Connection> connection_;
};

inline LoadRequest Request(std::string table, LoadMode mode, std::vector<std::string> keys = {},
                           std::string load_id = {}) {
  return {std::move(table), mode, std::move(keys), std::move(load_id)};
}

// Loads `source` into `warehouse`, failing the test on an error.
inline LoadResult MustLoad(Warehouse& warehouse, const LoadRequest& request, LoadSource source) {
  Result<LoadResult> loaded = warehouse.Load(request, source);
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  return loaded.ok() ? *loaded : LoadResult{};
}

// The error of a load that must fail (the test fails if it succeeds).
inline Status LoadError(Warehouse& warehouse, const LoadRequest& request, LoadSource source) {
  Result<LoadResult> loaded = warehouse.Load(request, source);
  EXPECT_FALSE(loaded.ok());
  return loaded.ok() ? Status::Ok() : loaded.status();
}

}  // namespace sluice::warehouse::testing

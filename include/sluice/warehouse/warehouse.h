// Warehouse: where SQL steps load their results, and what `sluice sql` queries. Chosen by URL:
//
//   duckdb://PATH                          an embedded DuckDB database file (the default:
//                                          <data-dir>/warehouse.duckdb); a relative PATH is
//                                          relative to the data dir
//   postgresql://USER:PASS@HOST:PORT/DB    a PostgreSQL server through libpq (also postgres://;
//                                          any libpq URI parameter is passed through)
//   redshift://USER:PASS@HOST:PORT/DB?iam_role=ARN[&region=R]
//                                          Amazon Redshift: the PostgreSQL protocol, bulk-loading
//                                          with COPY ... FROM 's3://...' IAM_ROLE ...
//
// A load is one transaction: it creates the table from the result's schema when missing, then
// appends, replaces or merges (on key columns), and records its load id in the same
// transaction, so a retried load with the same id changes nothing and a failed one leaves the
// table as it was. One Warehouse object is used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/duckdb/database.h"

namespace sluice::warehouse {

enum class LoadMode {
  kAppend,   // add the rows
  kReplace,  // the table holds exactly the rows afterwards (dropped and re-created)
  kMerge,    // rows whose key columns match an existing row replace it; others are added
};
Result<LoadMode> ParseLoadMode(std::string_view text);  // append | replace | merge
std::string_view LoadModeName(LoadMode mode);

struct LoadRequest {
  std::string table;  // `name` or `schema.name`
  LoadMode mode = LoadMode::kAppend;
  std::vector<std::string> keys;  // kMerge: the key columns (required, non-empty)
  // Non-empty: a load whose id the warehouse already recorded is skipped (exactly-once loads
  // for retried steps and deliveries). Recorded in the table `sluice_loads`.
  std::string load_id;
};

// The rows to load: a table or view in a DuckDB connection (the step's result). Warehouses that
// bulk-load from the lake (Redshift) also get the lake objects holding the same rows.
struct LoadSource {
  duckdb::Connection* connection = nullptr;
  std::string relation;  // `SELECT * FROM <relation>` gives the rows, in column order
  // Redshift: s3:// URIs of the same rows, written as CSV with a header line.
  std::vector<std::string> lake_csv_uris;
};

struct LoadResult {
  int64_t rows = 0;      // rows inserted (replace: rows now in the table)
  bool skipped = false;  // the load id was already recorded; nothing was changed
};

struct TableInfo {
  std::string schema;
  std::string name;
  int64_t rows = 0;
};

class Warehouse {
 public:
  virtual ~Warehouse() = default;

  virtual Result<LoadResult> Load(const LoadRequest& request, LoadSource& source) = 0;
  // Runs `sql` on the warehouse (statements that change it included); the last statement's rows
  // (at most max_rows) as text.
  virtual Result<duckdb::TextTable> Query(const std::string& sql, size_t max_rows) = 0;
  // User tables with their row counts, by schema then name (sluice_loads left out).
  virtual Result<std::vector<TableInfo>> ListTables() = 0;
  // Whether loads read the rows from the lake (LoadSource::lake_csv_uris), so the lake objects
  // must be committed before the load (Redshift's COPY ... FROM 's3://...').
  virtual bool LoadsFromLake() const { return false; }
  // The URL with any password replaced by "***", for messages and logs.
  virtual std::string DisplayUrl() const = 0;
};

struct WarehouseOptions {
  std::string base_dir;  // what a relative duckdb:// path is relative to (the data dir)
  // How long to wait for a DuckDB warehouse file another process holds (a concurrent load).
  int lock_wait_ms = 60000;
};

// Opens the warehouse `url` names. A malformed URL or unknown scheme is InvalidArgument naming it.
Result<std::unique_ptr<Warehouse>> OpenWarehouse(std::string_view url,
                                                 const WarehouseOptions& options);

// The default warehouse URL for a data dir: duckdb://warehouse.duckdb (relative to it).
inline constexpr std::string_view kDefaultWarehouseUrl = "duckdb://warehouse.duckdb";

}  // namespace sluice::warehouse

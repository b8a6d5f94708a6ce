// RunSqlStep: runs one SqlStep on an embedded DuckDB, in this process.
//
//   1. the inputs' lake objects are opened and read in place (LakeFiles);
//   2. the query runs on an in-memory DuckDB capped to the given threads and memory, spilling to
//      the work folder;
//   3. malformed CSV rows fail the step (naming object, line and reason) or, with
//      on_bad_rows: skip, are counted and written to a rejects object beside the output;
//   4. the result is written to files in the work folder, then committed to the lake in one
//      transaction (each object with its Object Created event), and loaded into the warehouse
//      in one warehouse transaction, exactly once per load id.
//
// A step that fails leaves nothing in the lake or the warehouse. (The one window: the lake commit
// failing after the warehouse committed; a retry with the same load id then commits the output
// and skips the load.) Any thread may call RunSqlStep; runs are independent.
#pragma once

#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sluice/duckdb/database.h"
#include "sluice/engine/sql_step.h"
#include "sluice/lake/local_object_store.h"
#include "sluice/warehouse/warehouse.h"

namespace sluice::engine {

// Lets another thread (a signal handler's, a canceller's) stop a running step.
class QueryInterrupter {
 public:
  void Interrupt();
  bool interrupted() const;
  // The connection whose query Interrupt() stops; nullptr when none runs.
  void Attach(duckdb::Connection* connection);

 private:
  mutable std::mutex mutex_;
  duckdb::Connection* connection_ = nullptr;
  bool interrupted_ = false;
};

struct SqlRunContext {
  std::string step_name;  // for messages: "step <name>: ..."
  lake::LocalObjectStore* lake = nullptr;
  std::filesystem::path work_dir;  // temp files and spills; created, and emptied afterwards
  int threads = 0;                 // 0: one per core
  std::string memory_limit;        // "4GiB"; empty: DuckDB's default
  std::string warehouse_url;       // where `load` goes
  warehouse::WarehouseOptions warehouse_options;
  std::string load_id;           // the step id or delivery key: loads happen once per id
  lake::RequestContext request;  // recorded in the output objects' events
  QueryInterrupter* interrupter = nullptr;
};

struct SqlRunResult {
  int64_t rows_in = 0;               // rows read from the inputs
  int64_t rows_out = 0;              // rows in the result
  int64_t bad_rows = 0;              // malformed rows left out (on_bad_rows: skip)
  uint64_t bytes_in = 0;             // size of the input objects
  uint64_t bytes_out = 0;            // size of the output objects
  std::vector<std::string> outputs;  // s3:// URIs written
  std::string rejects;               // s3:// URI of the rejected rows, when there were any
  std::string table;                 // the warehouse table loaded, if any
  int64_t rows_loaded = 0;
  bool load_skipped = false;  // the load id was loaded before
  double seconds = 0;

  nlohmann::json ToJson() const;
};

Result<SqlRunResult> RunSqlStep(const SqlStep& step, const SqlRunContext& context);

}  // namespace sluice::engine

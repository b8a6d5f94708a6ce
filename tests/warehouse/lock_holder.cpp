// Holds a DuckDB database file open for writing, as a concurrent sluice process would:
//   warehouse_lock_holder FILE READY_FILE HOLD_MS
// opens FILE, creates READY_FILE, waits HOLD_MS milliseconds, exits.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "sluice/duckdb/database.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s FILE READY_FILE HOLD_MS\n", argv[0]);
    return 2;
  }
  auto database = sluice::duckdb::Database::Open(argv[1]);
  if (!database.ok()) {
    std::fprintf(stderr, "%s\n", database.status().message().c_str());
    return 1;
  }
  std::ofstream(argv[2]) << "ready\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(std::atol(argv[3])));
  return 0;
}

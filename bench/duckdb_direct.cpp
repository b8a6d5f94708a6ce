// duckdb_direct: runs SQL statements directly on DuckDB (the embedded engine sluice links, no
// sluice in between) and prints how long each took — the baseline of bench/e2e.
//
//   duckdb_direct DATABASE_FILE SQL [SQL...]
//
// Prints one line per statement: "<seconds> <first 60 characters of the statement>".
#include <chrono>
#include <cstdio>
#include <string>

#include "sluice/duckdb/database.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: duckdb_direct DATABASE_FILE SQL [SQL...]\n");
    return 2;
  }
  auto database = sluice::duckdb::Database::Open(argv[1]);
  if (!database.ok()) {
    std::fprintf(stderr, "duckdb_direct: %s\n", database.status().ToString().c_str());
    return 1;
  }
  auto connection = sluice::duckdb::Connection::Open(*database);
  if (!connection.ok()) {
    std::fprintf(stderr, "duckdb_direct: %s\n", connection.status().ToString().c_str());
    return 1;
  }
  for (int i = 2; i < argc; ++i) {
    auto start = std::chrono::steady_clock::now();
    sluice::Status ran = connection->Execute(argv[i]);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!ran.ok()) {
      std::fprintf(stderr, "duckdb_direct: %s\n", ran.ToString().c_str());
      return 1;
    }
    std::printf("%.6f %.60s\n", seconds, argv[i]);
  }
  return 0;
}

// A throwaway PostgreSQL server for the warehouse tests, one per test process: started on first
// use (initdb into a fresh folder under /tmp, a free port on 127.0.0.1, trust authentication for
// the user `sluice`, fsync off) and stopped when the process's tests end. Its binaries come from
// the highest version in /usr/lib/postgresql/*/bin. PostgreSQL refuses to run as root, so under
// root the server runs as `nobody`, in a folder `nobody` owns.
//
// ctest runs every test case as its own process, several at once: each starts its own server,
// on its own port and folder. A folder left by a process that died (a crash, a kill) is found by
// the next start and its server stopped.
//
// PostgresTest gives each test a database of its own on the process's server; it fails (does not
// skip) when no server can start, saying what is missing.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "sluice/common/result.h"
#include "warehouse/pg_connection.h"

namespace sluice::warehouse::testing {

class PostgresServer {
 public:
  // The process's server, started on the first call; an error (with the server's log) when it
  // cannot start, e.g. "PostgreSQL server binaries not found ...: run `make deps`".
  static Result<PostgresServer*> Get();

  // The postgresql:// URL of `database` on this server.
  std::string Url(const std::string& database) const;
  // A new empty database with a name unique in this process; returns its name.
  Result<std::string> CreateDatabase();

  // Stops the server (if started) and removes its folder.
  static void StopIfStarted();

 private:
  PostgresServer() = default;
  Status Start();
  Status Stop();

  std::filesystem::path bin_dir_;
  std::filesystem::path root_;  // holds data/, sock/ and the logs
  int port_ = 0;
  int databases_ = 0;
};

class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // Runs SQL on this test's database (a fresh connection each time: no state between calls).
  void Sql(const std::string& sql);
  std::vector<PgRow> Rows(const std::string& sql);
  // The first column of the first row, "" for NULL or no rows.
  std::string Value(const std::string& sql);

  std::string url_;  // this test's database
  std::unique_ptr<PgConnection> pg_;
};

}  // namespace sluice::warehouse::testing

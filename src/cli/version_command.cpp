// `sluice version`: sluice's version and those of the engines it embeds.
#include <duckdb.h>
#include <sqlite3.h>

#include <cstdio>

#include "cli/command.h"

namespace sluice::cli {

void RegisterVersionCommand(CLI::App& app, Command& command) {
  auto* version = app.add_subcommand("version", "Print the versions of sluice, SQLite and DuckDB");
  version->callback([&command] {
    command.run = [](DataDir&) {
      std::printf("sluice %s\nsqlite %s\nduckdb %s\n", SLUICE_VERSION, sqlite3_libversion(),
                  duckdb_library_version());
      return Status::Ok();
    };
  });
}

}  // namespace sluice::cli

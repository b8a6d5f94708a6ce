// The `sluice` binary.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/command.h"
#include "cli/data_dir.h"

namespace sluice::cli {

namespace {
constexpr std::string_view kUsageCode = "sluice.Usage";
constexpr std::string_view kBadInputCode = "sluice.BadInput";
}  // namespace

Status UsageError(std::string message) {
  return Status::InvalidArgument(std::move(message), std::string(kUsageCode));
}

bool IsUsageError(const Status& status) {
  return status.aws_code() == kUsageCode || status.aws_code() == kBadInputCode;
}

Status BadInput(std::string message) {
  return Status::InvalidArgument(std::move(message), std::string(kBadInputCode));
}

CLI::Validator S3UriCheck() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        if (value.rfind("s3://", 0) != 0) return "expected an s3://BUCKET[/KEY] URI, got " + value;
        if (value.size() == 5 || value[5] == '/') return value + " names no bucket";
        return {};
      },
      "S3URI");
}

int Main(int argc, char** argv) {
  CLI::App app{"sluice: an event-driven data pipeline engine", "sluice"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "sluice " SLUICE_VERSION);
  Command command;
  app.add_option("--data-dir", command.data_dir_flag,
                 "Where sluice keeps its state and lake (default: $SLUICE_HOME, else ./.sluice)");
  app.add_option("--warehouse", command.warehouse_flag,
                 "The warehouse URL: duckdb://PATH, postgresql://..., redshift://... (default: "
                 "$SLUICE_WAREHOUSE, else duckdb://warehouse.duckdb in the data dir)");
  RegisterLakeCommands(app, command);
  RegisterTransferCommands(app, command);
  RegisterEventsCommands(app, command);
  RegisterRulesCommands(app, command);
  RegisterFunctionsCommands(app, command);
  RegisterInvokeCommand(app, command);
  RegisterServeCommand(app, command);
  RegisterClustersCommands(app, command);
  RegisterStepsCommands(app, command);
  RegisterCostCommand(app, command);
  RegisterSqlCommands(app, command);
  RegisterRunSqlStepCommand(app, command);
  RegisterValidateCommand(app, command);
  RegisterRunCommand(app, command);
  RegisterUpCommand(app, command);
  RegisterCredentialsCommand(app, command);
  RegisterVersionCommand(app, command);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help or the parse error
    return code == 0 ? 0 : 2;
  }
  if (!command.run) return 2;

  spdlog::set_level(spdlog::level::warn);
  DataDir data_dir(ResolveDataDir(command.data_dir_flag), command.warehouse_flag);
  Status status;
  try {
    status = command.run(data_dir);
  } catch (const std::exception& e) {
    status = Status::Internal(e.what());
  }
  if (status.ok()) return 0;
  if (IsUsageError(status)) {
    const bool hint = status.aws_code() == kUsageCode;
    std::fprintf(stderr, "sluice: %s\n%s", status.message().c_str(),
                 hint ? "Run with --help for more information.\n" : "");
    return 2;
  }
  // One line: what failed and why, then S3's error code when there is one.
  std::string code = status.aws_code().empty() ? "" : " (" + status.aws_code() + ")";
  std::fprintf(stderr, "sluice: error: %s%s\n", status.message().c_str(), code.c_str());
  return 1;
}

}  // namespace sluice::cli

int main(int argc, char** argv) {
  return sluice::cli::Main(argc, argv);
}

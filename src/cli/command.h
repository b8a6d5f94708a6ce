// How the `sluice` commands plug into the binary: each command file registers its subcommands on
// the CLI11 app, and the callback of the chosen one stores the work to run after parsing. The
// work returns a Status; main() turns it into the exit code (0 success, 1 failed operation,
// 2 bad usage) and a one-line error.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "cli/data_dir.h"
#include "sluice/common/status.h"

namespace sluice::cli {

struct Command {
  std::string data_dir_flag;
  std::string warehouse_flag;
  std::function<Status(DataDir&)> run;  // set by the chosen subcommand
};

// Makes `run(dir, args)` the work to do when `sub` is the chosen subcommand. `args` must outlive
// the parse (command files keep their arguments in a static).
template <typename Args>
void OnChosen(CLI::App* sub, Command& command, const Args& args,
              Status (*run)(DataDir&, const Args&)) {
  sub->callback([&command, &args, run] {
    command.run = [&args, run](DataDir& dir) { return run(dir, args); };
  });
}

// Marks a Status as bad usage (exit 2) rather than a failed operation (exit 1).
Status UsageError(std::string message);
bool IsUsageError(const Status& status);
// Marks a Status as input that a command refuses by contract with exit code 2 (an invalid
// pattern for test-pattern), reported without the --help hint.
Status BadInput(std::string message);

// A CLI11 check that an argument is an s3://BUCKET[/KEY] URI.
CLI::Validator S3UriCheck();

void RegisterLakeCommands(CLI::App& app, Command& command);
void RegisterTransferCommands(CLI::App& app, Command& command);
void RegisterEventsCommands(CLI::App& app, Command& command);
void RegisterPatternCommands(CLI::App& events, Command& command);
void RegisterRulesCommands(CLI::App& app, Command& command);
void RegisterFunctionsCommands(CLI::App& app, Command& command);
void RegisterInvokeCommand(CLI::App& app, Command& command);
void RegisterServeCommand(CLI::App& app, Command& command);
void RegisterClustersCommands(CLI::App& app, Command& command);
void RegisterStepsCommands(CLI::App& app, Command& command);
void RegisterCostCommand(CLI::App& app, Command& command);
void RegisterSqlCommands(CLI::App& app, Command& command);
void RegisterRunSqlStepCommand(CLI::App& app, Command& command);
void RegisterValidateCommand(CLI::App& app, Command& command);
void RegisterRunCommand(CLI::App& app, Command& command);
void RegisterUpCommand(CLI::App& app, Command& command);
void RegisterCredentialsCommand(CLI::App& app, Command& command);
void RegisterVersionCommand(CLI::App& app, Command& command);

}  // namespace sluice::cli

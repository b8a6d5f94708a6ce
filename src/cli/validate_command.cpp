// `sluice validate FILE`: reads a pipeline spec and reports every problem in it, one
// `FILE:LINE:COLUMN: message` line each on stderr (exit 2), or `FILE: ok (...)` on stdout.
// Needs no data dir: it checks the file alone.
#include <cstdio>

#include "cli/command.h"
#include "sluice/pipeline/pipeline_spec.h"

namespace sluice::cli {
namespace {

struct ValidateArgs {
  std::string file;
};

std::string Plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

Status ValidateCommand(DataDir&, const ValidateArgs& args) {
  std::vector<pipeline::Diagnostic> diagnostics;
  auto spec = pipeline::LoadPipelineSpec(args.file, diagnostics);
  if (!spec.ok()) return BadInput(spec.status().message());
  if (!diagnostics.empty()) {
    for (const pipeline::Diagnostic& diagnostic : diagnostics) {
      std::fprintf(stderr, "%s\n", pipeline::FormatDiagnostic(args.file, diagnostic).c_str());
    }
    return BadInput(args.file + ": " + Plural(diagnostics.size(), "problem", "problems"));
  }
  std::printf("%s: ok (%s, %s, %s)\n", args.file.c_str(),
              Plural(spec->rules.size(), "rule", "rules").c_str(),
              Plural(spec->templates.size(), "cluster template", "cluster templates").c_str(),
              Plural(spec->StepCount(), "step", "steps").c_str());
  return Status::Ok();
}

}  // namespace

void RegisterValidateCommand(CLI::App& app, Command& command) {
  static ValidateArgs args;
  auto* validate = app.add_subcommand(
      "validate", "Check a pipeline spec (YAML) and report every problem with its line and column");
  validate->add_option("file", args.file, "The pipeline spec")->required();
  OnChosen(validate, command, args, &ValidateCommand);
}

}  // namespace sluice::cli

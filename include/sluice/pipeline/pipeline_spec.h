// PipelineSpec: a whole pipeline declared in one YAML file (docs/pipeline-spec.md) — the lake
// buckets, the warehouse, functions, cluster templates and the rules whose targets drive them —
// read into the objects sluice already has, so that applying a spec is exactly `sluice lake mb`,
// `sluice functions put`, `sluice clusters templates put` and `sluice rules put` with these
// values.
//
// Reading never stops at the first problem: every problem found is a Diagnostic with the
// 1-based line and column of the YAML node it is about (the bad key or value, else the nearest
// enclosing node). A spec is valid exactly when there are none. Values; no threads involved.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sluice/bus/rule.h"
#include "sluice/clusters/cluster_template.h"
#include "sluice/common/result.h"
#include "sluice/functions/function_config.h"

namespace sluice::pipeline {

struct Diagnostic {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  std::string message;
};

// A local file the pipeline needs in the lake (a bootstrap script, a lookup table), uploaded
// when the spec is applied.
struct LakeFile {
  std::string uri;     // s3://bucket/key
  std::string source;  // local path; a relative one is resolved against the spec's folder
};

struct PipelineSpec {
  std::string name;
  std::string description;
  std::string warehouse;             // a warehouse URL; empty: the data dir's default
  std::vector<std::string> buckets;  // created when the spec is applied
  std::vector<LakeFile> files;       // uploaded when the spec is applied, after the buckets
  // Deployed when the spec is applied, before the rules whose targets name them. A local `code`
  // folder is already resolved against the spec's folder.
  std::vector<functions::FunctionConfig> functions;
  std::vector<clusters::ClusterTemplate> templates;
  // Rules with their targets' Parameters in the JSON form the built-in actions take.
  std::vector<bus::Rule> rules;

  // Every step the rules' targets add (create_cluster's and add_steps' Steps).
  size_t StepCount() const;
};

// Reads a spec from YAML text; every problem goes to `diagnostics` (sorted by position). The
// returned spec is meaningful only when `diagnostics` is empty. `folder` is where the spec lives:
// `files` sources and local function code are resolved against it and must exist; empty: the
// current directory.
PipelineSpec ParsePipelineSpec(std::string_view yaml, std::vector<Diagnostic>& diagnostics,
                               const std::string& folder = "");

// Reads the spec at `path`. A file that cannot be read is an error Status (NotFound, IoError);
// a file that can is parsed as ParsePipelineSpec does.
Result<PipelineSpec> LoadPipelineSpec(const std::string& path,
                                      std::vector<Diagnostic>& diagnostics);

// "FILE:LINE:COLUMN: message".
std::string FormatDiagnostic(std::string_view file, const Diagnostic& diagnostic);

}  // namespace sluice::pipeline

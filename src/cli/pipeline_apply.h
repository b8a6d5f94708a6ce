// Applying a pipeline spec to a data dir, as `sluice run` and `sluice up` do: its buckets, the
// files it puts in the lake, its functions, its cluster templates and its rules, exactly as
// `mb`, `put`, `functions put`, `clusters templates put` and `rules put` would make them.
// Applying the same spec again updates functions, templates and rules in place, and removes the
// rules, templates and functions an earlier application of the spec (by its name) declared and
// this one does not. The store records what the spec declared and its warehouse
// (sluice/pipeline/applied_pipeline.h).
#pragma once

#include <string>

#include "cli/data_dir.h"
#include "sluice/pipeline/pipeline_spec.h"

namespace sluice::cli {

// Reads and checks the spec at `file`. Its problems are printed to stderr as `sluice validate`
// prints them, and make a BadInput status (exit 2).
Result<pipeline::PipelineSpec> ReadPipelineSpec(const std::string& file);

// Applies `spec`. A file whose lake object already holds the same bytes is not uploaded again,
// so re-applying does not announce it anew. Prints one line saying what was applied.
Status ApplyPipeline(DataDir& dir, pipeline::PipelineSpec spec);

// Uploads local `file` to `destination` (s3://bucket/key; a key ending in '/' gets the file's
// name), with its Object Created event, and says so on stdout. A folder uploads each file in it
// (not its subfolders), in name order, under a destination ending in '/'.
Status UploadFile(DataDir& dir, const std::string& file, const std::string& destination);

}  // namespace sluice::cli

// The report `sluice run` prints once the pipeline is quiet: the timeline of the run, the
// clusters and steps it made, where the results are (lake objects, warehouse tables with their
// first rows), and what it cost here beside what the same work costs on EMR.
#pragma once

#include <vector>

#include "cli/data_dir.h"
#include "cli/pipeline_watch.h"

namespace sluice::cli {

struct RunRecord {
  TimePoint start;                       // when the run began (before its uploads)
  std::vector<Happening> timeline;       // everything the watch saw, oldest first
  std::vector<std::string> cluster_ids;  // the clusters the run drove
};

// Prints the report. Returns an error naming the first step that did not complete, with its
// reason and where its log is; OK when every step completed.
Status PrintRunReport(DataDir& dir, const RunRecord& run);

// One happening as a line: "  +0.012s  cluster  j-... (orders-etl) STARTING".
void PrintHappening(TimePoint start, const Happening& happening);

}  // namespace sluice::cli

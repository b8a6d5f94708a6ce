// PipelineWatch: what a pipeline run does, as it happens — the events the lake and the clusters
// log, each delivery of a rule to its target as it settles, and each finished step's rows,
// bytes and load — as one line per happening, stamped with its time. The logs clusters archive
// in the lake are left out. `sluice run` and `sluice up` print these lines live; `run` prints
// them again as the timeline of its report.
//
// It only reads the state store (events after a log position, deliveries from an id on), so it
// runs beside the engine without slowing it. Not thread-safe; one thread polls it.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "sluice/clusters/cluster_store.h"
#include "sluice/common/clock.h"
#include "sluice/store/database.h"

namespace sluice::cli {

struct Happening {
  TimePoint time;
  std::string subject;  // "s3", "rule", "cluster", "step", "event"
  std::string text;
};

class PipelineWatch {
 public:
  // Watches everything logged or delivered after this moment.
  static Result<PipelineWatch> Start(store::Database& db, const AwsIdentity& identity);

  // What happened since the last call, oldest first.
  Result<std::vector<Happening>> Poll();

  // The clusters whose events it has seen, in order of first sight.
  const std::vector<std::string>& clusters() const { return clusters_; }

 private:
  PipelineWatch(store::Database& db, const AwsIdentity& identity, int64_t after_seq,
                int64_t first_delivery)
      : db_(&db), store_(identity), after_seq_(after_seq), first_delivery_(first_delivery) {}

  Status ReadEvents(store::Transaction& tx, std::vector<Happening>& out);
  Status ReadDeliveries(store::Transaction& tx, std::vector<Happening>& out);
  // Whether `uri` is a log the clusters archive (not worth a line of its own).
  bool IsClusterLog(const std::string& uri) const;

  store::Database* db_;
  clusters::ClusterStore store_;
  int64_t after_seq_;
  // Deliveries before this id have all settled and been reported.
  int64_t first_delivery_;
  // Past first_delivery_: the settled deliveries already reported, and the failed attempts
  // reported of the others.
  std::set<int64_t> settled_reported_;
  std::map<int64_t, int> retries_reported_;
  std::vector<std::string> clusters_;
  std::vector<std::string> log_prefixes_;  // s3://.../<log_uri>/<cluster id>/
};

// "+1.234s" from `start` to `t`.
std::string Elapsed(TimePoint start, TimePoint t);

}  // namespace sluice::cli

// What an applied pipeline spec declared, kept in the state store: the rules, cluster
// templates and functions it owns (so applying it again can drop those it no longer declares)
// and its warehouse (so commands given no warehouse use the one the pipeline loads).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sluice/common/clock.h"
#include "sluice/common/result.h"
#include "sluice/store/transaction.h"

namespace sluice::pipeline {

struct AppliedPipeline {
  std::string name;
  std::string warehouse;  // empty: the spec names none
  std::vector<std::string> rules;
  std::vector<std::string> templates;
  std::vector<std::string> functions;
  TimePoint applied;
};

Result<std::optional<AppliedPipeline>> GetAppliedPipeline(store::Transaction& tx,
                                                          const std::string& name);
// Inserts or replaces the record of `pipeline.name`.
Status RecordAppliedPipeline(store::Transaction& tx, const AppliedPipeline& pipeline);
// The warehouse of the pipeline applied last among those that name one; empty if none does.
Result<std::string> LastAppliedWarehouse(store::Transaction& tx);

}  // namespace sluice::pipeline

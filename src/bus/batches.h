// Batches: targets with a batch policy collect events into one open batch per (rule, target);
// a batch becomes one delivery, whose input is the JSON array of the events' inputs, when it is
// full or its window has passed. Internal to the bus; works inside the caller's transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sluice/bus/rule.h"
#include "sluice/common/clock.h"
#include "sluice/store/transaction.h"

namespace sluice::bus {

struct BatchItem {
  std::string event_id;
  TimePoint event_time;
  std::string input;
};

// Adds the item to the target's open batch (opening one if needed); closes it when full.
// Returns whether a batch was closed.
Result<bool> AddToBatch(store::Transaction& tx, const std::string& rule, const Target& target,
                        const BatchItem& item, TimePoint now);
// Closes every batch whose window has passed; returns how many.
Result<int> CloseDueBatches(store::Transaction& tx, TimePoint now);
Result<std::optional<TimePoint>> NextBatchClose(store::Transaction& tx);
Result<int64_t> CountOpenBatches(store::Transaction& tx);

}  // namespace sluice::bus

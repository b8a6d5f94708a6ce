// The event log: an append-only table of EventBridge events, in commit order. Producers (the
// lake, the cluster manager, ...) append inside the transaction that makes the change the event
// describes (transactional outbox); the bus reads it in `seq` order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sluice/common/clock.h"
#include "sluice/common/result.h"
#include "sluice/store/transaction.h"

namespace sluice::store {

struct LoggedEvent {
  int64_t seq = 0;          // position in the log, strictly increasing
  std::string id;           // the envelope's `id`
  TimePoint time;           // the envelope's `time`
  std::string source;       // the envelope's `source`
  std::string detail_type;  // the envelope's `detail-type`
  std::string body;         // the whole envelope, JSON
};

// Appends `event` (its `seq` is ignored) and returns the seq it was given.
Result<int64_t> AppendEvent(Transaction& tx, const LoggedEvent& event);

// Up to `limit` events with seq > `after_seq`, in log order.
Result<std::vector<LoggedEvent>> ReadEvents(Transaction& tx, int64_t after_seq, int limit);

}  // namespace sluice::store

// The event log: an append-only table of EventBridge events, in commit order. Producers (the
// lake, the cluster manager, ...) append inside the transaction that makes the change the event
// describes (transactional outbox); the bus reads it in `seq` order.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sluice/common/clock.h"
#include "sluice/common/result.h"
#include "sluice/store/transaction.h"

namespace sluice::store {

// What a producer supplies to make an event; the envelope's other fields are filled in.
struct EventSpec {
  std::string id;  // empty: a new v4 UUID
  std::string source;
  std::string detail_type;
  nlohmann::json detail = nlohmann::json::object();
  std::vector<std::string> resources;
  TimePoint time;
  // When the bus received the event; MaximumEventAgeInSeconds counts from here, not from `time`,
  // which a producer may set in the past. Unset: the same as `time`.
  std::optional<TimePoint> received;
  std::string account = "000000000000";
  std::string region = "us-east-1";
};

struct LoggedEvent {
  int64_t seq = 0;          // position in the log, strictly increasing
  std::string id;           // the envelope's `id`
  TimePoint time;           // the envelope's `time`
  TimePoint received;       // when it entered the log, for event age
  std::string source;       // the envelope's `source`
  std::string detail_type;  // the envelope's `detail-type`
  std::string body;         // the whole envelope, JSON
  std::string only_rule;    // when set, the event goes to this rule only (scheduled events)
};

// An event with EventBridge's envelope (version "0", `time` in RFC 3339).
LoggedEvent BuildEvent(const EventSpec& spec);

// Appends `event` (its `seq` is ignored) and returns the seq it was given.
Result<int64_t> AppendEvent(Transaction& tx, const LoggedEvent& event);

// Up to `limit` events with seq > `after_seq`, in log order.
Result<std::vector<LoggedEvent>> ReadEvents(Transaction& tx, int64_t after_seq, int limit);

// Narrows a listing of the log; empty or absent fields don't narrow it.
struct EventFilter {
  std::string source;
  std::string detail_type;
  std::optional<TimePoint> since;  // events with time >= since
  std::optional<TimePoint> until;  // events with time < until
};

// As ReadEvents, keeping only the events the filter lets through.
Result<std::vector<LoggedEvent>> ReadEvents(Transaction& tx, int64_t after_seq, int limit,
                                            const EventFilter& filter);

// The seq of the last event `consumer` has processed (0 before the first).
Result<int64_t> ReadLogCursor(Transaction& tx, std::string_view consumer);
Status WriteLogCursor(Transaction& tx, std::string_view consumer, int64_t seq);
// The seq of the newest event (0 when the log is empty).
Result<int64_t> LastEventSeq(Transaction& tx);

}  // namespace sluice::store

// Deliveries: the durable record of each (event or batch, rule, target), driven through
//   PENDING → RUNNING → SUCCEEDED, or back to PENDING for a retry, or DEAD_LETTERED,
// and the dead-letter store that keeps the ones that failed for good. Every function works inside
// the caller's transaction, so a state change commits together with whatever caused it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/bus/rule.h"
#include "sluice/common/clock.h"
#include "sluice/store/transaction.h"

namespace sluice::bus {

enum class DeliveryState { kPending, kRunning, kSucceeded, kDeadLettered };
std::string_view DeliveryStateName(DeliveryState state);

// The dead-letter code of a delivery whose input its target's InputTransformer could not make.
inline constexpr std::string_view kInvalidInput = "INVALID_INPUT";

struct Delivery {
  int64_t id = 0;
  std::string key;  // the idempotency key targets see
  std::string rule;
  Target target;
  std::vector<std::string> event_ids;
  std::string input;
  DeliveryState state = DeliveryState::kPending;
  int attempts = 0;
  TimePoint event_time;  // the oldest event's, for MaximumEventAgeInSeconds
  TimePoint next_attempt;
  TimePoint created;
  TimePoint updated;  // its last change of state or attempt
  std::string last_error;
};

struct NewDelivery {
  std::string key;
  std::string rule;
  Target target;
  std::vector<std::string> event_ids;
  std::string input;
  TimePoint event_time;
};

// Inserts a PENDING delivery due now, unless one with the same key exists (then returns false).
Result<bool> InsertDelivery(store::Transaction& tx, const NewDelivery& delivery, TimePoint now);
Result<std::optional<Delivery>> GetDelivery(store::Transaction& tx, int64_t id);
// Up to `limit` deliveries with id >= `first_id`, in id order (what a run has delivered so far).
Result<std::vector<Delivery>> DeliveriesFrom(store::Transaction& tx, int64_t first_id, int limit);
// The id the next delivery will get at the earliest.
Result<int64_t> NextDeliveryId(store::Transaction& tx);
// PENDING deliveries due by `now`, soonest first.
Result<std::vector<Delivery>> DueDeliveries(store::Transaction& tx, TimePoint now, int limit);
// When the next PENDING delivery falls due, if any.
Result<std::optional<TimePoint>> NextDueTime(store::Transaction& tx);
// PENDING → RUNNING with one more attempt; false if the delivery was not PENDING.
Result<bool> ClaimDelivery(store::Transaction& tx, int64_t id, TimePoint now);
Status MarkSucceeded(store::Transaction& tx, int64_t id, TimePoint now);
Status ScheduleRetry(store::Transaction& tx, int64_t id, TimePoint next_attempt,
                     std::string_view error, TimePoint now);

struct DeadLetter {
  int64_t delivery_id = 0;
  std::string rule;
  std::string target_id;
  std::string error_code;
  std::string error_message;
  std::string exhausted_condition;  // MaximumRetryAttempts | MaximumEventAgeInSeconds | ""
  int retry_attempts = 0;
  TimePoint time;
  std::vector<std::string> event_ids;
  std::string input;
};

Status MarkDeadLettered(store::Transaction& tx, const Delivery& delivery,
                        std::string_view error_code, std::string_view error_message,
                        std::string_view exhausted_condition, TimePoint now);
// RUNNING deliveries (a dispatcher died while running them) go back to PENDING, due now; returns
// how many. They run again with the same key: delivery is at least once.
Result<int> ResetRunningDeliveries(store::Transaction& tx, TimePoint now);
// Dead letters after `after_id`, oldest first.
Result<std::vector<DeadLetter>> ListDeadLetters(store::Transaction& tx, int64_t after_id,
                                                int limit);
// Sends a dead letter back for delivery: a new PENDING delivery with the same events, input and
// target, and a fresh retry budget. The dead letter is removed. Returns the new delivery's id.
// An INVALID_INPUT dead letter cannot be redriven (FailedPrecondition): no attempt could succeed.
Result<int64_t> RedriveDeadLetter(store::Transaction& tx, int64_t delivery_id, TimePoint now);

struct DeliveryCounts {
  int64_t pending = 0, running = 0, succeeded = 0, dead_lettered = 0;
};
Result<DeliveryCounts> CountDeliveries(store::Transaction& tx);

}  // namespace sluice::bus

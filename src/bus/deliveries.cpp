#include "sluice/bus/deliveries.h"

#include <nlohmann/json.hpp>

namespace sluice::bus {
namespace {

using nlohmann::json;

constexpr const char* kColumns =
    "SELECT id, delivery_key, rule, target, event_ids, input, state, attempts, event_time_ms, "
    "next_attempt_ms, created_ms, coalesce(last_error, ''), updated_ms FROM deliveries ";

DeliveryState ParseState(std::string_view s) {
  if (s == "RUNNING") return DeliveryState::kRunning;
  if (s == "SUCCEEDED") return DeliveryState::kSucceeded;
  if (s == "DEAD_LETTERED") return DeliveryState::kDeadLettered;
  return DeliveryState::kPending;
}

std::vector<std::string> ParseIds(std::string_view text) {
  auto ids = json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (ids.is_array()) {
    for (const auto& id : ids) {
      if (id.is_string()) out.push_back(id.get<std::string>());
    }
  }
  return out;
}

Result<Delivery> Decode(const store::Cursor& row) {
  Delivery d;
  d.id = row.Int(0);
  d.key = row.Text(1);
  d.rule = row.Text(2);
  auto target = json::parse(row.Bytes(3), nullptr, false);
  SLUICE_ASSIGN_OR_RETURN(d.target, TargetFromJson(target));
  d.event_ids = ParseIds(row.Bytes(4));
  d.input = row.Text(5);
  d.state = ParseState(row.Bytes(6));
  d.attempts = static_cast<int>(row.Int(7));
  d.event_time = FromUnixMillis(row.Int(8));
  d.next_attempt = FromUnixMillis(row.Int(9));
  d.created = FromUnixMillis(row.Int(10));
  d.last_error = row.Text(11);
  d.updated = FromUnixMillis(row.Int(12));
  return d;
}

Result<std::vector<Delivery>> DecodeAll(store::Cursor& rows) {
  std::vector<Delivery> out;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(bool more, rows.Next());
    if (!more) return out;
    SLUICE_ASSIGN_OR_RETURN(Delivery d, Decode(rows));
    out.push_back(std::move(d));
  }
}

Status SetState(store::Transaction& tx, int64_t id, std::string_view state, TimePoint now) {
  return tx
      .Execute("UPDATE deliveries SET state = ?, updated_ms = ? WHERE id = ?", state,
               ToUnixMillis(now), id)
      .status();
}

}  // namespace

std::string_view DeliveryStateName(DeliveryState state) {
  switch (state) {
    case DeliveryState::kPending:
      return "PENDING";
    case DeliveryState::kRunning:
      return "RUNNING";
    case DeliveryState::kSucceeded:
      return "SUCCEEDED";
    case DeliveryState::kDeadLettered:
      return "DEAD_LETTERED";
  }
  return "PENDING";
}

Result<bool> InsertDelivery(store::Transaction& tx, const NewDelivery& d, TimePoint now) {
  SLUICE_ASSIGN_OR_RETURN(
      int inserted,
      tx.Execute("INSERT INTO deliveries (delivery_key, rule, target, event_ids, input, state, "
                 "attempts, event_time_ms, next_attempt_ms, created_ms, updated_ms) "
                 "VALUES (?, ?, ?, ?, ?, 'PENDING', 0, ?, ?, ?, ?) "
                 "ON CONFLICT (delivery_key) DO NOTHING",
                 d.key, d.rule, TargetToJson(d.target).dump(), json(d.event_ids).dump(), d.input,
                 ToUnixMillis(d.event_time), ToUnixMillis(now), ToUnixMillis(now),
                 ToUnixMillis(now)));
  return inserted > 0;
}

Result<std::optional<Delivery>> GetDelivery(store::Transaction& tx, int64_t id) {
  SLUICE_ASSIGN_OR_RETURN(store::Cursor row, tx.Query(std::string(kColumns) + "WHERE id = ?", id));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  if (!found) return std::optional<Delivery>();
  SLUICE_ASSIGN_OR_RETURN(Delivery d, Decode(row));
  return std::optional<Delivery>(std::move(d));
}

Result<std::vector<Delivery>> DeliveriesFrom(store::Transaction& tx, int64_t first_id, int limit) {
  SLUICE_ASSIGN_OR_RETURN(
      store::Cursor rows,
      tx.Query(std::string(kColumns) + "WHERE id >= ? ORDER BY id LIMIT ?", first_id, limit));
  return DecodeAll(rows);
}

Result<int64_t> NextDeliveryId(store::Transaction& tx) {
  SLUICE_ASSIGN_OR_RETURN(store::Cursor row,
                          tx.Query("SELECT coalesce(max(id), 0) + 1 FROM deliveries"));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  return found ? row.Int(0) : 1;
}

Result<std::vector<Delivery>> DueDeliveries(store::Transaction& tx, TimePoint now, int limit) {
  SLUICE_ASSIGN_OR_RETURN(
      store::Cursor rows,
      tx.Query(std::string(kColumns) +
                   "WHERE state = 'PENDING' AND next_attempt_ms <= ? ORDER BY next_attempt_ms, id "
                   "LIMIT ?",
               ToUnixMillis(now), limit));
  return DecodeAll(rows);
}

Result<std::optional<TimePoint>> NextDueTime(store::Transaction& tx) {
  SLUICE_ASSIGN_OR_RETURN(
      store::Cursor row,
      tx.Query("SELECT min(next_attempt_ms) FROM deliveries WHERE state = 'PENDING'"));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  if (!found || row.IsNull(0)) return std::optional<TimePoint>();
  return std::optional<TimePoint>(FromUnixMillis(row.Int(0)));
}

Result<bool> ClaimDelivery(store::Transaction& tx, int64_t id, TimePoint now) {
  SLUICE_ASSIGN_OR_RETURN(
      int changed, tx.Execute("UPDATE deliveries SET state = 'RUNNING', attempts = attempts + 1, "
                              "updated_ms = ? WHERE id = ? AND state = 'PENDING'",
                              ToUnixMillis(now), id));
  return changed > 0;
}

Status MarkSucceeded(store::Transaction& tx, int64_t id, TimePoint now) {
  return SetState(tx, id, "SUCCEEDED", now);
}

Status ScheduleRetry(store::Transaction& tx, int64_t id, TimePoint next_attempt,
                     std::string_view error, TimePoint now) {
  return tx
      .Execute(
          "UPDATE deliveries SET state = 'PENDING', next_attempt_ms = ?, last_error = ?, "
          "updated_ms = ? WHERE id = ?",
          ToUnixMillis(next_attempt), error, ToUnixMillis(now), id)
      .status();
}

Status MarkDeadLettered(store::Transaction& tx, const Delivery& d, std::string_view error_code,
                        std::string_view error_message, std::string_view exhausted_condition,
                        TimePoint now) {
  SLUICE_RETURN_IF_ERROR(
      tx.Execute("UPDATE deliveries SET state = 'DEAD_LETTERED', last_error = ?, updated_ms = ? "
                 "WHERE id = ?",
                 error_message, ToUnixMillis(now), d.id)
          .status());
  std::optional<std::string_view> exhausted;
  if (!exhausted_condition.empty()) exhausted = exhausted_condition;
  return tx
      .Execute(
          "INSERT OR REPLACE INTO dead_letters (delivery_id, rule, target_id, error_code, "
          "error_message, exhausted_condition, retry_attempts, created_ms) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          d.id, d.rule, d.target.id, error_code, error_message, exhausted,
          std::max(d.attempts - 1, 0), ToUnixMillis(now))
      .status();
}

Result<int> ResetRunningDeliveries(store::Transaction& tx, TimePoint now) {
  return tx.Execute(
      "UPDATE deliveries SET state = 'PENDING', next_attempt_ms = ?, updated_ms = ? "
      "WHERE state = 'RUNNING'",
      ToUnixMillis(now), ToUnixMillis(now));
}

Result<std::vector<DeadLetter>> ListDeadLetters(store::Transaction& tx, int64_t after_id,
                                                int limit) {
  SLUICE_ASSIGN_OR_RETURN(
      store::Cursor rows,
      tx.Query("SELECT l.delivery_id, l.rule, l.target_id, l.error_code, l.error_message, "
               "coalesce(l.exhausted_condition, ''), l.retry_attempts, l.created_ms, d.event_ids, "
               "d.input FROM dead_letters l JOIN deliveries d ON d.id = l.delivery_id "
               "WHERE l.delivery_id > ? ORDER BY l.delivery_id LIMIT ?",
               after_id, limit));
  std::vector<DeadLetter> out;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(bool more, rows.Next());
    if (!more) return out;
    out.push_back({rows.Int(0), rows.Text(1), rows.Text(2), rows.Text(3), rows.Text(4),
                   rows.Text(5), static_cast<int>(rows.Int(6)), FromUnixMillis(rows.Int(7)),
                   ParseIds(rows.Bytes(8)), rows.Text(9)});
  }
}

Result<int64_t> RedriveDeadLetter(store::Transaction& tx, int64_t delivery_id, TimePoint now) {
  SLUICE_ASSIGN_OR_RETURN(std::optional<Delivery> d, GetDelivery(tx, delivery_id));
  SLUICE_ASSIGN_OR_RETURN(
      store::Cursor letter,
      tx.Query("SELECT error_code, error_message FROM dead_letters WHERE delivery_id = ?",
               delivery_id));
  SLUICE_ASSIGN_OR_RETURN(bool found, letter.Next());
  if (!d || !found) {
    return Status::NotFound("no dead letter for delivery " + std::to_string(delivery_id),
                            "ResourceNotFoundException");
  }
  // Such a delivery never had the input its target asked for (it holds the raw event): sending
  // it would bypass the target's InputPath or InputTransformer, and shaping again would fail
  // again.
  if (letter.Text(0) == kInvalidInput) {
    return Status::FailedPrecondition(
        "delivery " + std::to_string(delivery_id) + " failed with INVALID_INPUT (" +
            letter.Text(1) +
            "): its target's input cannot be made from the event, so no attempt can succeed; "
            "fix the rule's target and put the event again",
        "InvalidInput");
  }
  SLUICE_RETURN_IF_ERROR(
      tx.Execute("DELETE FROM dead_letters WHERE delivery_id = ?", delivery_id).status());
  // A new key: the redriven delivery is a new attempt at the work, with its own retry budget.
  NewDelivery again{d->key + "#redrive-" + std::to_string(ToUnixMillis(now)),
                    d->rule,
                    d->target,
                    d->event_ids,
                    d->input,
                    now};
  SLUICE_ASSIGN_OR_RETURN(bool inserted, InsertDelivery(tx, again, now));
  if (!inserted) return Status::Conflict("delivery " + again.key + " already exists");
  return tx.LastInsertRowId();
}

Result<DeliveryCounts> CountDeliveries(store::Transaction& tx) {
  SLUICE_ASSIGN_OR_RETURN(store::Cursor rows,
                          tx.Query("SELECT state, count(*) FROM deliveries GROUP BY state"));
  DeliveryCounts counts;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(bool more, rows.Next());
    if (!more) return counts;
    switch (ParseState(rows.Bytes(0))) {
      case DeliveryState::kPending:
        counts.pending = rows.Int(1);
        break;
      case DeliveryState::kRunning:
        counts.running = rows.Int(1);
        break;
      case DeliveryState::kSucceeded:
        counts.succeeded = rows.Int(1);
        break;
      case DeliveryState::kDeadLettered:
        counts.dead_lettered = rows.Int(1);
        break;
    }
  }
}

}  // namespace sluice::bus

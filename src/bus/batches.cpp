#include "bus/batches.h"

#include <algorithm>

#include "sluice/bus/deliveries.h"

namespace sluice::bus {
namespace {

Status CloseBatch(store::Transaction& tx, int64_t batch_id, TimePoint now) {
  std::string rule, target_json;
  {
    SLUICE_ASSIGN_OR_RETURN(store::Cursor row,
                            tx.Query("SELECT rule, target FROM batches WHERE id = ?", batch_id));
    SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
    if (!found) return Status::Internal("batch " + std::to_string(batch_id) + " vanished");
    rule = row.Text(0);
    target_json = row.Text(1);
  }
  NewDelivery delivery;
  delivery.key = "batch-" + std::to_string(batch_id);
  delivery.rule = rule;
  SLUICE_ASSIGN_OR_RETURN(delivery.target,
                          TargetFromJson(nlohmann::json::parse(target_json, nullptr, false)));
  delivery.input = "[";
  delivery.event_time = TimePoint::max();
  {
    SLUICE_ASSIGN_OR_RETURN(store::Cursor items,
                            tx.Query("SELECT event_id, event_time_ms, input FROM batch_items "
                                     "WHERE batch_id = ? ORDER BY position",
                                     batch_id));
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(bool more, items.Next());
      if (!more) break;
      delivery.event_ids.push_back(items.Text(0));
      delivery.event_time = std::min(delivery.event_time, FromUnixMillis(items.Int(1)));
      if (delivery.input.size() > 1) delivery.input += ",";
      delivery.input += items.Bytes(2);
    }
  }
  delivery.input += "]";
  SLUICE_RETURN_IF_ERROR(InsertDelivery(tx, delivery, now).status());
  SLUICE_RETURN_IF_ERROR(
      tx.Execute("DELETE FROM batch_items WHERE batch_id = ?", batch_id).status());
  return tx.Execute("DELETE FROM batches WHERE id = ?", batch_id).status();
}

}  // namespace

Result<bool> AddToBatch(store::Transaction& tx, const std::string& rule, const Target& target,
                        const BatchItem& item, TimePoint now) {
  int64_t batch_id = 0, count = 0, limit = 0;
  {
    SLUICE_ASSIGN_OR_RETURN(
        store::Cursor row,
        tx.Query("SELECT id, count, size_limit FROM batches WHERE rule = ? AND target_id = ?", rule,
                 target.id));
    SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
    if (found) {
      batch_id = row.Int(0);
      count = row.Int(1);
      limit = row.Int(2);
    }
  }
  if (batch_id == 0) {
    const BatchPolicy policy = target.batch.value_or(BatchPolicy{});
    TimePoint closes = now + std::chrono::seconds(policy.window_seconds);
    SLUICE_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO batches (rule, target_id, target, opened_ms, closes_ms, "
                   "size_limit, count) VALUES (?, ?, ?, ?, ?, ?, 0)",
                   rule, target.id, TargetToJson(target).dump(), ToUnixMillis(now),
                   ToUnixMillis(closes), policy.size)
            .status());
    batch_id = tx.LastInsertRowId();
    limit = policy.size;
  }
  SLUICE_RETURN_IF_ERROR(
      tx.Execute("INSERT INTO batch_items (batch_id, position, event_id, event_time_ms, input) "
                 "VALUES (?, ?, ?, ?, ?)",
                 batch_id, count, item.event_id, ToUnixMillis(item.event_time), item.input)
          .status());
  SLUICE_RETURN_IF_ERROR(
      tx.Execute("UPDATE batches SET count = count + 1 WHERE id = ?", batch_id).status());
  if (count + 1 < limit) return false;
  SLUICE_RETURN_IF_ERROR(CloseBatch(tx, batch_id, now));
  return true;
}

Result<int> CloseDueBatches(store::Transaction& tx, TimePoint now) {
  std::vector<int64_t> due;
  {
    SLUICE_ASSIGN_OR_RETURN(
        store::Cursor rows,
        tx.Query("SELECT id FROM batches WHERE closes_ms <= ? ORDER BY id", ToUnixMillis(now)));
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(bool more, rows.Next());
      if (!more) break;
      due.push_back(rows.Int(0));
    }
  }
  for (int64_t id : due)
    SLUICE_RETURN_IF_ERROR(CloseBatch(tx, id, now));
  return static_cast<int>(due.size());
}

Result<std::optional<TimePoint>> NextBatchClose(store::Transaction& tx) {
  SLUICE_ASSIGN_OR_RETURN(store::Cursor row, tx.Query("SELECT min(closes_ms) FROM batches"));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  if (!found || row.IsNull(0)) return std::optional<TimePoint>();
  return std::optional<TimePoint>(FromUnixMillis(row.Int(0)));
}

Result<int64_t> CountOpenBatches(store::Transaction& tx) {
  SLUICE_ASSIGN_OR_RETURN(store::Cursor row, tx.Query("SELECT count(*) FROM batches"));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  return found ? row.Int(0) : int64_t{0};
}

}  // namespace sluice::bus

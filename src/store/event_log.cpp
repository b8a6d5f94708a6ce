#include "sluice/store/event_log.h"

namespace sluice::store {

Result<int64_t> AppendEvent(Transaction& tx, const LoggedEvent& event) {
  SLUICE_RETURN_IF_ERROR(
      tx.Execute("INSERT INTO events (event_id, time_ms, source, detail_type, body) "
                 "VALUES (?, ?, ?, ?, ?)",
                 event.id, ToUnixMillis(event.time), event.source, event.detail_type, event.body)
          .status());
  return tx.LastInsertRowId();
}

Result<std::vector<LoggedEvent>> ReadEvents(Transaction& tx, int64_t after_seq, int limit) {
  SLUICE_ASSIGN_OR_RETURN(
      Cursor rows, tx.Query("SELECT seq, event_id, time_ms, source, detail_type, body FROM events "
                            "WHERE seq > ? ORDER BY seq LIMIT ?",
                            after_seq, limit));
  std::vector<LoggedEvent> events;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(bool more, rows.Next());
    if (!more) break;
    events.push_back({rows.Int(0), rows.Text(1), FromUnixMillis(rows.Int(2)), rows.Text(3),
                      rows.Text(4), rows.Text(5)});
  }
  return events;
}

}  // namespace sluice::store

#include "sluice/store/event_log.h"

#include <cstdint>
#include <nlohmann/json.hpp>

#include "sluice/common/ids.h"
#include "sluice/common/time_format.h"

namespace sluice::store {

LoggedEvent BuildEvent(const EventSpec& spec) {
  using nlohmann::json;
  LoggedEvent event;
  event.id = spec.id.empty() ? NewUuid() : spec.id;
  event.time = spec.time;
  event.received = spec.received.value_or(spec.time);
  event.source = spec.source;
  event.detail_type = spec.detail_type;
  json envelope = {{"version", "0"},
                   {"id", event.id},
                   {"detail-type", spec.detail_type},
                   {"source", spec.source},
                   {"account", spec.account},
                   {"time", FormatRfc3339Seconds(spec.time)},
                   {"region", spec.region},
                   {"resources", spec.resources},
                   {"detail", spec.detail}};
  // Event text is arbitrary UTF-8 checked on the way in; replace rather than throw on anything
  // else.
  event.body = envelope.dump(-1, ' ', false, json::error_handler_t::replace);
  return event;
}

Result<int64_t> AppendEvent(Transaction& tx, const LoggedEvent& event) {
  std::optional<std::string> only_rule;
  if (!event.only_rule.empty()) only_rule = event.only_rule;
  SLUICE_RETURN_IF_ERROR(
      tx.Execute("INSERT INTO events (event_id, time_ms, source, detail_type, body, only_rule, "
                 "received_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 event.id, ToUnixMillis(event.time), event.source, event.detail_type, event.body,
                 only_rule, ToUnixMillis(event.received))
          .status());
  return tx.LastInsertRowId();
}

Result<std::vector<LoggedEvent>> ReadEvents(Transaction& tx, int64_t after_seq, int limit) {
  return ReadEvents(tx, after_seq, limit, EventFilter{});
}

Result<std::vector<LoggedEvent>> ReadEvents(Transaction& tx, int64_t after_seq, int limit,
                                            const EventFilter& filter) {
  // One statement for every filter: an unused condition is switched off by its flag.
  SLUICE_ASSIGN_OR_RETURN(
      Cursor rows,
      tx.Query(
          "SELECT seq, event_id, time_ms, source, detail_type, body, coalesce(only_rule, ''), "
          "coalesce(received_ms, time_ms) FROM events WHERE seq > ? AND (? = '' OR source = ?) "
          "AND (? = '' OR detail_type = ?) AND time_ms >= ? AND time_ms < ? "
          "ORDER BY seq LIMIT ?",
          after_seq, filter.source, filter.source, filter.detail_type, filter.detail_type,
          filter.since ? ToUnixMillis(*filter.since) : INT64_MIN,
          filter.until ? ToUnixMillis(*filter.until) : INT64_MAX, limit));
  std::vector<LoggedEvent> events;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(bool more, rows.Next());
    if (!more) break;
    events.push_back({rows.Int(0), rows.Text(1), FromUnixMillis(rows.Int(2)),
                      FromUnixMillis(rows.Int(7)), rows.Text(3), rows.Text(4), rows.Text(5),
                      rows.Text(6)});
  }
  return events;
}

namespace {

// The first column of the query's first row as an integer; 0 when there is none or it is NULL.
template <typename... Args>
Result<int64_t> SingleInt(Transaction& tx, std::string_view sql, const Args&... args) {
  SLUICE_ASSIGN_OR_RETURN(Cursor row, tx.Query(sql, args...));
  SLUICE_ASSIGN_OR_RETURN(bool found, row.Next());
  return found && !row.IsNull(0) ? row.Int(0) : int64_t{0};
}

}  // namespace

Result<int64_t> ReadLogCursor(Transaction& tx, std::string_view consumer) {
  return SingleInt(tx, "SELECT seq FROM log_cursors WHERE consumer = ?", consumer);
}

Status WriteLogCursor(Transaction& tx, std::string_view consumer, int64_t seq) {
  return tx
      .Execute(
          "INSERT INTO log_cursors (consumer, seq) VALUES (?, ?) "
          "ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq",
          consumer, seq)
      .status();
}

Result<int64_t> LastEventSeq(Transaction& tx) {
  return SingleInt(tx, "SELECT max(seq) FROM events");
}

}  // namespace sluice::store

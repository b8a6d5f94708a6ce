// `sluice events put | ls | tail`: custom events into the log, and the log out.
#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/command.h"
#include "cli/json_argument.h"
#include "sluice/bus/put_events.h"
#include "sluice/common/time_format.h"
#include "sluice/store/event_log.h"

namespace sluice::cli {
namespace {

using nlohmann::json;

// `--after` left out: `ls` starts at the beginning, `tail` at the end.
constexpr int64_t kNotGiven = -1;

struct EventsArgs {
  // put
  std::string source, detail_type, detail = "{}", time;
  std::vector<std::string> resources;
  // ls, tail
  int64_t after = kNotGiven;
  int limit = 100;     // ls
  int tail_limit = 0;  // tail: 0 is no limit
  std::string filter_source, filter_detail_type, since, until;
  bool json = false;
};

// "lake/raw/orders.csv" for S3 events; the resources otherwise.
std::string Subject(const json& event) {
  const json& detail = event.value("detail", json::object());
  if (detail.contains("bucket") && detail.contains("object")) {
    return detail["bucket"].value("name", "") + "/" + detail["object"].value("key", "");
  }
  std::string resources;
  for (const auto& r : event.value("resources", json::array())) {
    if (r.is_string()) resources += (resources.empty() ? "" : " ") + r.get<std::string>();
  }
  return resources;
}

void PrintEventLine(const store::LoggedEvent& e) {
  json body = json::parse(e.body, nullptr, false);
  std::printf("%6lld  %s  %-12s %-26s %s\n", static_cast<long long>(e.seq),
              FormatRfc3339Seconds(e.time).c_str(), e.source.c_str(), e.detail_type.c_str(),
              Subject(body).c_str());
}

json EventJson(const store::LoggedEvent& e) {
  return {{"Seq", e.seq}, {"Event", json::parse(e.body, nullptr, false)}};
}

Result<store::EventFilter> Filter(const EventsArgs& args) {
  store::EventFilter filter{args.filter_source, args.filter_detail_type, std::nullopt,
                            std::nullopt};
  for (auto [text, slot, name] : {std::tuple(&args.since, &filter.since, "--since"),
                                  std::tuple(&args.until, &filter.until, "--until")}) {
    if (text->empty()) continue;
    *slot = ParseRfc3339(*text);
    if (!*slot) {
      return UsageError(std::string(name) + " expects a time like 2026-11-24T10:00:00Z, not " +
                        *text);
    }
  }
  return filter;
}

Status PutEvent(DataDir& dir, const EventsArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(std::string detail, ReadArgumentText(args.detail, "--detail"));
  bus::PutEventsEntry entry{args.source, args.detail_type, detail, args.resources, std::nullopt};
  if (!args.time.empty()) {
    entry.time = ParseRfc3339(args.time);
    if (!entry.time) return UsageError("--time expects a time like 2026-11-24T10:00:00Z");
  }
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  SLUICE_ASSIGN_OR_RETURN(
      std::vector<std::string> ids,
      bus::PutEvents(*db, {entry}, {}, SystemClock::Instance()).WithContext("events put"));
  if (args.json) {
    std::puts(json{{"Entries", {{{"EventId", ids[0]}}}}, {"FailedEntryCount", 0}}.dump(2).c_str());
  } else {
    std::printf("%s\n", ids[0].c_str());
  }
  return Status::Ok();
}

Status ListEvents(DataDir& dir, const EventsArgs& args) {
  if (args.limit < 1 || args.limit > 10000)
    return UsageError("--limit must be between 1 and 10000");
  SLUICE_ASSIGN_OR_RETURN(store::EventFilter filter, Filter(args));
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  std::vector<store::LoggedEvent> events;
  SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(
        events, store::ReadEvents(tx, std::max<int64_t>(args.after, 0), args.limit, filter));
    return Status::Ok();
  }));
  if (args.json) {
    json list = json::array();
    for (const auto& e : events)
      list.push_back(EventJson(e));
    json document = {{"Events", list}};
    if (static_cast<int>(events.size()) == args.limit) document["NextAfter"] = events.back().seq;
    std::puts(document.dump(2, ' ', false, json::error_handler_t::replace).c_str());
    return Status::Ok();
  }
  for (const auto& e : events)
    PrintEventLine(e);
  return Status::Ok();
}

volatile std::sig_atomic_t interrupted = 0;

// Follows the log until interrupted (or `--limit` events): new events only, unless --after.
Status TailEvents(DataDir& dir, const EventsArgs& args) {
  SLUICE_ASSIGN_OR_RETURN(store::EventFilter filter, Filter(args));
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  int64_t cursor = args.after;
  if (cursor == kNotGiven) {
    SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
      SLUICE_ASSIGN_OR_RETURN(cursor, store::LastEventSeq(tx));
      return Status::Ok();
    }));
  }
  std::signal(SIGINT, [](int) { interrupted = 1; });
  std::signal(SIGTERM, [](int) { interrupted = 1; });
  int shown = 0;
  while (!interrupted) {
    std::vector<store::LoggedEvent> events;
    SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
      SLUICE_ASSIGN_OR_RETURN(int64_t last, store::LastEventSeq(tx));
      SLUICE_ASSIGN_OR_RETURN(events, store::ReadEvents(tx, cursor, 1000, filter));
      if (events.empty()) cursor = last;  // skip past events the filter dropped
      return Status::Ok();
    }));
    for (const auto& e : events) {
      if (args.json) {
        std::puts(EventJson(e).dump(-1, ' ', false, json::error_handler_t::replace).c_str());
      } else {
        PrintEventLine(e);
      }
      cursor = e.seq;
      if (++shown == args.tail_limit) return Status::Ok();
    }
    std::fflush(stdout);
    // Other processes write the log too, so poll; 100 ms keeps a tail feeling live.
    if (events.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Status::Ok();
}

}  // namespace

void RegisterEventsCommands(CLI::App& app, Command& command) {
  static EventsArgs args;
  auto* events = app.add_subcommand("events", "The event log: put, list, follow, match");
  events->require_subcommand(1);

  auto* put = events->add_subcommand("put", "Put a custom event (as EventBridge's PutEvents)");
  put->add_option("--source", args.source, "Source; must not start with aws.")->required();
  put->add_option("--detail-type", args.detail_type, "Detail type")->required();
  put->add_option("--detail", args.detail, "Detail: a JSON object, or @file (default {})");
  put->add_option("--resources", args.resources, "Resource ARNs");
  put->add_option("--time", args.time, "Event time (RFC 3339; default now)");
  put->add_flag("--json", args.json, "Print PutEvents' JSON response");
  put->callback([&] { command.run = [](DataDir& d) { return PutEvent(d, args); }; });

  auto add_filters = [](CLI::App* sub) {
    sub->add_option("--source", args.filter_source, "Only events from this source");
    sub->add_option("--detail-type", args.filter_detail_type, "Only events of this detail type");
    sub->add_option("--since", args.since, "Only events at or after this time (RFC 3339)");
    sub->add_option("--until", args.until, "Only events before this time (RFC 3339)");
    sub->add_option("--after", args.after, "Only events after this sequence number")
        ->check(CLI::Validator(
            [](std::string& v) {
              return v.find_first_not_of("0123456789") == std::string::npos && !v.empty()
                         ? std::string()
                         : "must be a sequence number (0 or more)";
            },
            "SEQ"));
  };
  auto* ls = events->add_subcommand("ls", "List logged events, oldest first");
  add_filters(ls);
  ls->add_option("--limit", args.limit, "At most this many events (default 100)");
  ls->add_flag("--json", args.json, "Print one JSON document with the whole events");
  ls->callback([&] { command.run = [](DataDir& d) { return ListEvents(d, args); }; });

  auto* tail = events->add_subcommand("tail", "Follow the log, printing events as they arrive");
  add_filters(tail);
  tail->add_option("--limit", args.tail_limit, "Stop after this many events");
  tail->add_flag("--json", args.json, "Print one JSON line per event");
  tail->callback([&] { command.run = [](DataDir& d) { return TailEvents(d, args); }; });

  RegisterPatternCommands(*events, command);
}

}  // namespace sluice::cli

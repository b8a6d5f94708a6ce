// `sluice events ls`: pages through the event log, oldest first.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "sluice/common/time_format.h"
#include "sluice/store/event_log.h"

namespace sluice::cli {
namespace {

using nlohmann::json;

struct EventsArgs {
  int64_t after = 0;
  int limit = 100;
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

Status ListEvents(DataDir& dir, const EventsArgs& args) {
  if (args.limit < 1 || args.limit > 10000)
    return UsageError("--limit must be between 1 and 10000");
  SLUICE_ASSIGN_OR_RETURN(store::Database * db, dir.Database());
  std::vector<store::LoggedEvent> events;
  SLUICE_RETURN_IF_ERROR(db->Read([&](store::Transaction& tx) -> Status {
    SLUICE_ASSIGN_OR_RETURN(events, store::ReadEvents(tx, args.after, args.limit));
    return Status::Ok();
  }));
  if (args.json) {
    json list = json::array();
    for (const auto& e : events) {
      list.push_back({{"Seq", e.seq}, {"Event", json::parse(e.body, nullptr, false)}});
    }
    json document = {{"Events", list}};
    if (static_cast<int>(events.size()) == args.limit) document["NextAfter"] = events.back().seq;
    std::puts(document.dump(2, ' ', false, json::error_handler_t::replace).c_str());
    return Status::Ok();
  }
  for (const auto& e : events) {
    json body = json::parse(e.body, nullptr, false);
    std::printf("%6lld  %s  %-8s %-26s %s\n", static_cast<long long>(e.seq),
                FormatRfc3339Seconds(e.time).c_str(), e.source.c_str(), e.detail_type.c_str(),
                Subject(body).c_str());
  }
  return Status::Ok();
}

}  // namespace

void RegisterEventsCommands(CLI::App& app, Command& command) {
  static EventsArgs args;
  auto* events = app.add_subcommand("events", "The event log");
  events->require_subcommand(1);
  auto* ls = events->add_subcommand("ls", "List logged events, oldest first");
  ls->add_option("--after", args.after, "Only events after this sequence number")
      ->check(CLI::NonNegativeNumber);
  ls->add_option("--limit", args.limit, "At most this many events (default 100)");
  ls->add_flag("--json", args.json, "Print one JSON document with the whole events");
  ls->callback([&] { command.run = [](DataDir& d) { return ListEvents(d, args); }; });
}

}  // namespace sluice::cli

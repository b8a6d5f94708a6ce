// bench/bus: the event bus's speed.
//
//   bus_bench --workload DIR   (DIR from bench/generate_bus_workload.py)
//
// 1. Matching throughput (events/s, one thread, parsing included) of the RuleMachine on S3 events
//    against 10, 100, 1,000 and 10,000 rules of two workloads, broad and selective, each beside a
//    naive baseline run in the same process: parse the event once, then evaluate every rule on
//    its own. Targets: >= 300,000 events/s with 100 rules of either workload; selective at
//    10,000 rules at most 1.5x slower than at 10.
// 2. Durable publish throughput (PutEvents, each acknowledged after its commit is synced), one
//    client and eight, beside raw SQLite inserts with the same durability.
// 3. Publish-to-action latency (p50, p99): from calling PutEvents to the target action running,
//    with the dispatcher running as `sluice serve` runs it. Target: p99 under 10 ms.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sluice/bus/action_registry.h"
#include "sluice/bus/dispatcher.h"
#include "sluice/bus/event_pattern.h"
#include "sluice/bus/pattern_evaluation.h"
#include "sluice/bus/put_events.h"
#include "sluice/bus/rule_machine.h"
#include "sluice/bus/rule_store.h"
#include "sluice/store/database.h"

namespace {

namespace fs = std::filesystem;
using namespace sluice;
using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "bus_bench: %s\n", what.c_str());
  std::exit(1);
}

std::vector<std::string> ReadLines(const fs::path& path) {
  std::ifstream in(path);
  if (!in) Die("cannot read " + path.string() + " (run bench/generate_bus_workload.py first)");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(std::move(line));
  }
  return lines;
}

struct NamedPattern {
  std::string name;
  bus::EventPattern pattern;
};

std::vector<NamedPattern> ReadRules(const fs::path& path) {
  std::vector<NamedPattern> rules;
  for (const std::string& line : ReadLines(path)) {
    auto rule = nlohmann::json::parse(line);
    auto pattern = bus::CompilePattern(rule["pattern"].dump());
    if (!pattern.ok()) Die(path.string() + ": " + pattern.status().message());
    rules.push_back({rule["name"], std::move(pattern).value()});
  }
  return rules;
}

struct Rate {
  double events_per_second;
  double matches_per_event;
};

Rate MatchWithMachine(const std::vector<NamedPattern>& rules,
                      const std::vector<std::string>& events) {
  bus::RuleMachine machine;
  for (const auto& r : rules)
    machine.Add(r.name, r.pattern);
  bus::FlatEvent event;
  std::vector<uint32_t> ids;
  int64_t matches = 0;
  if (!event.Parse(events[0]).ok()) Die("bad event");
  machine.Match(event, ids);  // builds the index outside the timing
  auto start = Clock::now();
  for (const std::string& text : events) {
    if (!event.Parse(text).ok()) Die("bad event");
    machine.Match(event, ids);
    matches += static_cast<int64_t>(ids.size());
  }
  double seconds = SecondsSince(start);
  return {events.size() / seconds, static_cast<double>(matches) / events.size()};
}

// Every rule on its own, for as many events as fit in about a second.
Rate MatchNaively(const std::vector<NamedPattern>& rules, const std::vector<std::string>& events) {
  bus::FlatEvent event;
  int64_t matches = 0;
  size_t done = 0;
  auto start = Clock::now();
  while (done < events.size() && (done % 64 != 0 || SecondsSince(start) < 1.0)) {
    if (!event.Parse(events[done]).ok()) Die("bad event");
    for (const auto& r : rules)
      matches += bus::MatchesPattern(r.pattern, event) ? 1 : 0;
    ++done;
  }
  double seconds = SecondsSince(start);
  return {done / seconds, static_cast<double>(matches) / done};
}

void BenchMatching(const fs::path& dir) {
  std::vector<std::string> events = ReadLines(dir / "events.jsonl");
  std::printf("matching %zu S3 events, one thread, parsing included\n", events.size());
  std::printf("%-10s %6s %16s %16s %8s %14s\n", "workload", "rules", "machine ev/s", "naive ev/s",
              "ratio", "matches/event");
  for (const char* workload : {"broad", "selective"}) {
    double at_10 = 0, at_10000 = 0, at_100 = 0;
    for (int count : {10, 100, 1000, 10000}) {
      auto rules =
          ReadRules(dir / (std::string(workload) + "-" + std::to_string(count) + ".jsonl"));
      Rate machine = MatchWithMachine(rules, events);
      Rate naive = MatchNaively(rules, events);
      std::printf("%-10s %6d %16.0f %16.0f %7.1fx %14.2f\n", workload, count,
                  machine.events_per_second, naive.events_per_second,
                  machine.events_per_second / naive.events_per_second, machine.matches_per_event);
      if (count == 10) at_10 = machine.events_per_second;
      if (count == 100) at_100 = machine.events_per_second;
      if (count == 10000) at_10000 = machine.events_per_second;
    }
    std::printf(
        "  %s: 100 rules %.0f ev/s (target >= 300000: %s); 10 -> 10,000 rules %.2fx "
        "slower%s\n",
        workload, at_100, at_100 >= 300000 ? "met" : "NOT met", at_10 / at_10000,
        std::string(workload) == "selective"
            ? (at_10 / at_10000 <= 1.5 ? " (target <= 1.5x: met)" : " (target <= 1.5x: NOT met)")
            : "");
  }
  std::printf("\n");
}

bus::PutEventsEntry Entry(const std::string& detail) {
  return {"bench", "Tick", detail, {}, std::nullopt};
}

void BenchPublish(const fs::path& dir) {
  constexpr int kEvents = 2000;
  auto run = [&](int clients) {
    fs::remove_all(dir / "publish");
    fs::create_directories(dir / "publish");
    auto db = std::move(store::Database::Open(dir / "publish" / "state.db")).value();
    std::atomic<int> next{0};
    auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&] {
        while (next++ < kEvents) {
          if (!bus::PutEvents(*db, {Entry(R"({"n":1})")}, {}, SystemClock::Instance()).ok()) {
            Die("publish failed");
          }
        }
      });
    }
    for (auto& t : threads)
      t.join();
    return kEvents / SecondsSince(start);
  };
  // The floor: one synced SQLite insert per event, nothing else.
  fs::remove_all(dir / "raw");
  fs::create_directories(dir / "raw");
  double raw_rate = 0;
  {
    auto db = std::move(store::Database::Open(dir / "raw" / "state.db")).value();
    auto start = Clock::now();
    for (int i = 0; i < kEvents; ++i) {
      Status s = db->Write([&](store::Transaction& tx) {
        return tx.Execute("INSERT INTO counters (name, value) VALUES (?, 1)", std::to_string(i))
            .status();
      });
      if (!s.ok()) Die(s.ToString());
    }
    raw_rate = kEvents / SecondsSince(start);
  }
  std::printf("durable publish (PutEvents, synced before it returns), %d events\n", kEvents);
  std::printf("  1 client   %10.0f events/s   (raw synced SQLite insert, 1 client: %.0f/s)\n",
              run(1), raw_rate);
  std::printf("  8 clients  %10.0f events/s\n\n", run(8));
}

// Records when each event reached it; the event's detail carries when it was published.
class RecordingAction final : public bus::Action {
 public:
  Status CheckParameters(const nlohmann::json&) const override { return Status::Ok(); }
  bus::InvokeResult Run(const bus::Invocation& invocation) override {
    auto now = Clock::now().time_since_epoch().count();
    auto event = nlohmann::json::parse(invocation.input);
    int64_t sent = event["detail"]["sent"];
    std::lock_guard lock(mutex);
    latencies_ms.push_back((now - sent) / 1e6);
    return bus::InvokeResult::Ok();
  }
  std::mutex mutex;
  std::vector<double> latencies_ms;
};

void BenchLatency(const fs::path& dir) {
  constexpr int kEvents = 500;
  fs::remove_all(dir / "latency");
  fs::create_directories(dir / "latency");
  auto db = std::move(store::Database::Open(dir / "latency" / "state.db")).value();
  auto rule = bus::RuleFromJson(nlohmann::json::parse(
      R"({"Name": "tick", "EventPattern": {"source": ["bench"]},
          "Targets": [{"Id": "record", "Action": "record"}]})"));
  if (!db->Write([&](store::Transaction& tx) {
           return bus::PutRule(tx, *rule, SystemClock::Instance().Now());
         }).ok()) {
    Die("put rule");
  }
  bus::ActionRegistry actions;
  auto recorder = std::make_unique<RecordingAction>();
  RecordingAction* record = recorder.get();
  actions.Register("record", std::move(recorder));
  bus::Dispatcher dispatcher(*db, actions);
  std::atomic<bool> stop{false};
  std::thread engine([&] { (void)dispatcher.Run([&] { return stop.load(); }); });

  for (int i = 0; i < kEvents; ++i) {
    auto sent = Clock::now().time_since_epoch().count();
    if (!bus::PutEvents(*db, {Entry(R"({"sent":)" + std::to_string(sent) + "}")}, {},
                        SystemClock::Instance())
             .ok()) {
      Die("publish failed");
    }
    // One event at a time: wait until it arrived, then a short pause.
    for (auto deadline = Clock::now() + std::chrono::seconds(5); Clock::now() < deadline;) {
      {
        std::lock_guard lock(record->mutex);
        if (static_cast<int>(record->latencies_ms.size()) > i) break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  stop = true;
  engine.join();
  std::vector<double> l = record->latencies_ms;
  if (l.size() < kEvents) Die("only " + std::to_string(l.size()) + " events arrived");
  std::sort(l.begin(), l.end());
  double p50 = l[l.size() / 2], p99 = l[l.size() * 99 / 100];
  std::printf("publish-to-action latency, %d events one at a time through the dispatcher\n",
              kEvents);
  std::printf("  p50 %.2f ms   p99 %.2f ms   max %.2f ms   (target p99 < 10 ms: %s)\n", p50, p99,
              l.back(), p99 < 10 ? "met" : "NOT met");
}

}  // namespace

int main(int argc, char** argv) {
  fs::path workload;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--workload") workload = argv[i + 1];
  }
  if (workload.empty()) Die("usage: bus_bench --workload DIR");
  BenchMatching(workload);
  fs::path scratch = workload / "scratch";
  BenchPublish(scratch);
  BenchLatency(scratch);
  fs::remove_all(scratch);
  return 0;
}

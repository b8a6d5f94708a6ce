// bench/functions: what a Python function costs to run, measured at the pool (what the Invoke API,
// `sluice invoke` and the asynchronous queue all call), with the built-in python3 runtime speaking
// the Runtime API over loopback to its sandbox.
//
//   functions_bench [--dir DIR] [--invocations N] [--cold-starts K]
//
// 1. Warm round trip: N (default 5,000) invocations of an echo function one after another on one
//    warm sandbox; p50, p99 and invocations/s. Target: p50 under 1 ms.
// 2. Throughput with 4 callers at once (4 warm sandboxes): invocations/s.
// 3. Cold start: K (default 20) first invocations, each on a new sandbox (a new revision), from
//    spawning the runtime to its answer; beside K spawns of `python3 -c pass` (the same
//    interpreter) run to exit in the same run. Target: within 30 ms of the bare interpreter.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "sluice/common/ids.h"
#include "sluice/common/subprocess.h"
#include "sluice/functions/function_pool.h"

namespace {

namespace fs = std::filesystem;
using namespace sluice;
using namespace sluice::functions;
using SteadyClock = std::chrono::steady_clock;

double MillisSince(SteadyClock::time_point start) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "functions_bench: %s\n", what.c_str());
  std::exit(1);
}

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  size_t at = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(at, values.size() - 1)];
}

StoredFunction EchoFunction(const fs::path& root) {
  StoredFunction function;
  function.config.name = "echo";
  function.config.runtime = "python3";
  function.config.handler = "app.handler";
  function.config.timeout_seconds = 30;
  function.revision_id = NewUuid();
  function.code.folder = "echo/code";
  fs::create_directories(root / function.code.folder);
  std::ofstream(root / function.code.folder / "app.py") << "def handler(event, context):\n"
                                                           "    return event\n";
  return function;
}

InvokeResponse MustInvoke(FunctionPool& pool, const StoredFunction& function) {
  InvokeRequest request;
  request.payload = R"({"hello":"world","n":42})";
  auto response = pool.Invoke(function, request);
  if (!response.ok()) Die(response.status().ToString());
  if (response->outcome != InvokeOutcome::kSucceeded) Die("echo failed: " + response->payload);
  return *response;
}

void WarmRoundTrip(FunctionPool& pool, const StoredFunction& function, int invocations) {
  MustInvoke(pool, function);  // the cold start
  for (int i = 0; i < 200; ++i)
    MustInvoke(pool, function);  // warm up caches and the interpreter
  std::vector<double> latencies;
  latencies.reserve(static_cast<size_t>(invocations));
  auto start = SteadyClock::now();
  for (int i = 0; i < invocations; ++i) {
    auto one = SteadyClock::now();
    MustInvoke(pool, function);
    latencies.push_back(MillisSince(one));
  }
  double seconds = MillisSince(start) / 1000;
  double p50 = Percentile(latencies, 0.5);
  std::printf("warm round trip, %d invocations one after another:\n", invocations);
  std::printf("  p50 %.3f ms   p99 %.3f ms   %.0f invocations/s   target p50 < 1 ms: %s\n", p50,
              Percentile(latencies, 0.99), invocations / seconds, p50 < 1.0 ? "met" : "MISSED");
}

void Throughput(FunctionPool& pool, const StoredFunction& function, int invocations) {
  constexpr int kCallers = 4;
  std::vector<std::thread> callers;
  auto start = SteadyClock::now();
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&] {
      for (int i = 0; i < invocations / kCallers; ++i)
        MustInvoke(pool, function);
    });
  }
  for (auto& caller : callers)
    caller.join();
  double seconds = MillisSince(start) / 1000;
  std::printf("throughput, %d callers at once: %.0f invocations/s\n", kCallers,
              (invocations / kCallers * kCallers) / seconds);
}

void ColdStart(FunctionPool& pool, StoredFunction function, int cold_starts) {
  std::string python = FindProgram("python3");
  if (python.empty()) Die("no python3 on the PATH");
  std::vector<double> bare, cold, init;
  for (int i = 0; i < cold_starts; ++i) {
    // Taking turns, so that a noisy moment hits both alike.
    auto spawned = SteadyClock::now();
    SpawnOptions bare_python;
    bare_python.argv = {python, "-c", "pass"};
    auto pid = Spawn(bare_python);
    if (!pid.ok()) Die(pid.status().ToString());
    if (!WaitForExit(*pid).ok()) Die("python3 -c pass failed");
    bare.push_back(MillisSince(spawned));

    function.revision_id = NewUuid();  // a new revision never runs in an old sandbox
    auto invoked = SteadyClock::now();
    InvokeResponse response = MustInvoke(pool, function);
    cold.push_back(MillisSince(invoked));
    init.push_back(response.init_duration_ms);
  }
  double bare_p50 = Percentile(bare, 0.5), cold_p50 = Percentile(cold, 0.5);
  std::printf("cold start, %d each (%s):\n", cold_starts, python.c_str());
  std::printf("  python3 -c pass, spawn to exit:        p50 %.1f ms   p99 %.1f ms\n", bare_p50,
              Percentile(bare, 0.99));
  std::printf(
      "  first invocation, spawn to answer:     p50 %.1f ms   p99 %.1f ms"
      "   (runtime init p50 %.1f ms)\n",
      cold_p50, Percentile(cold, 0.99), Percentile(init, 0.5));
  std::printf("  difference p50 %.1f ms   target within 30 ms: %s\n", cold_p50 - bare_p50,
              cold_p50 - bare_p50 <= 30.0 ? "met" : "MISSED");
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = fs::temp_directory_path() / ("functions-bench-" + RandomHex(4));
  int invocations = 5000, cold_starts = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--dir")
      dir = argv[i + 1];
    else if (flag == "--invocations")
      invocations = std::atoi(argv[i + 1]);
    else if (flag == "--cold-starts")
      cold_starts = std::atoi(argv[i + 1]);
    else
      Die("unknown option " + flag);
  }
  if (invocations < 4 || cold_starts < 1) Die("--invocations must be >= 4, --cold-starts >= 1");
  fs::remove_all(dir);
  PoolOptions options;
  options.functions_root = dir / "functions";
  auto pool = FunctionPool::Create(options);
  if (!pool.ok()) Die(pool.status().ToString());
  StoredFunction echo = EchoFunction(options.functions_root);
  WarmRoundTrip(**pool, echo, invocations);
  Throughput(**pool, echo, invocations);
  ColdStart(**pool, echo, cold_starts);
  pool->reset();
  fs::remove_all(dir);
  return 0;
}

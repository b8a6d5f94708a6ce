// bench/lake: put and get throughput of the local lake, each beside `cp` of the same bytes on
// the same disk in the same run (machines are noisy; the ratios are what to read).
//
//   lake_bench [--dir DIR] [--small-count N] [--large-mib N]
//
// Small objects: N puts of 4 KiB (each durable: data, name and mapping synced before it
// returns) from one client, then from 8 at once (as S3 clients upload), then N gets written out
// to files; baselines `cp -r` of a folder of the same N files, with and without `sync` of them.
// Large object: one put of N MiB from a file and one get back to a file; baselines `cp` of the
// same file, and `cp` followed by `sync FILE` (the same durability a put gives).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "sluice/common/md5.h"
#include "sluice/common/posix_file.h"
#include "sluice/lake/byte_sources.h"
#include "sluice/lake/local_object_store.h"
#include "sluice/store/database.h"

namespace {

namespace fs = std::filesystem;
using sluice::lake::LocalObjectStore;
using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "lake_bench: %s\n", what.c_str());
  std::exit(1);
}

void Check(const sluice::Status& status, const std::string& what) {
  if (!status.ok()) Die(what + ": " + status.ToString());
}

double TimeShell(const std::string& command) {
  auto start = Clock::now();
  if (std::system(command.c_str()) != 0) Die("command failed: " + command);
  return SecondsSince(start);
}

std::string RandomBytes(std::mt19937_64& rng, size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i + 8 <= size; i += 8) {
    uint64_t v = rng();
    std::memcpy(&bytes[i], &v, 8);
  }
  return bytes;
}

void WriteFile(const fs::path& path, const std::string& bytes) {
  auto fd = sluice::OpenFile(path, O_WRONLY | O_CREAT | O_TRUNC);
  if (!fd.ok()) Die(fd.status().ToString());
  Check(sluice::WriteAll(fd->get(), bytes.data(), bytes.size(), path.string()), "write");
}

void CopyToFile(sluice::lake::ObjectReader& reader, const fs::path& path) {
  auto out = sluice::OpenFile(path, O_WRONLY | O_CREAT | O_TRUNC);
  if (!out.ok()) Die(out.status().ToString());
  std::vector<char> buffer(1 << 20);
  while (true) {
    auto n = reader.Read(buffer.data(), buffer.size());
    Check(n.status(), "read");
    if (*n == 0) return;
    Check(sluice::WriteAll(out->get(), buffer.data(), *n, path.string()), "write");
  }
}

void PrintRow(const char* what, double ours, double baseline, const char* unit,
              const char* baseline_name) {
  std::printf("%-28s %10.1f %-5s   %-16s %10.1f %-5s   ratio %.2f\n", what, ours, unit,
              baseline_name, baseline, unit, baseline / ours);
}

// Puts `payloads` as small/<prefix><i> from `threads` threads at once; returns seconds.
double PutSmall(LocalObjectStore& lake, const std::vector<std::string>& payloads,
                const std::string& prefix, int threads) {
  std::atomic<size_t> next{0};
  auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < payloads.size(); i = next++) {
        sluice::lake::StringByteSource body(payloads[i]);
        Check(lake.PutObject("bench", "small/" + prefix + std::to_string(i), body, {}).status(),
              "put");
      }
    });
  }
  for (auto& w : workers)
    w.join();
  return SecondsSince(start);
}

void BenchSmall(LocalObjectStore& lake, const fs::path& work, int count) {
  std::mt19937_64 rng(1);
  std::vector<std::string> payloads;
  for (int i = 0; i < count; ++i)
    payloads.push_back(RandomBytes(rng, 4096));
  fs::create_directories(work / "small-src");
  for (int i = 0; i < count; ++i)
    WriteFile(work / "small-src" / std::to_string(i), payloads[i]);
  const std::string src = (work / "small-src").string();
  double cp_seconds = TimeShell("cp -r '" + src + "' '" + (work / "small-cp").string() + "'");
  double cp_sync_seconds = TimeShell("cp -r '" + src + "' '" + (work / "small-cp-sync").string() +
                                     "' && sync '" + (work / "small-cp-sync").string() + "'/*");

  double put_seconds = PutSmall(lake, payloads, "serial-", 1);
  double put8_seconds = PutSmall(lake, payloads, "parallel-", 8);

  fs::create_directories(work / "small-get");
  auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    auto reader = lake.GetObject("bench", "small/serial-" + std::to_string(i));
    Check(reader.status(), "get");
    CopyToFile(**reader, work / "small-get" / std::to_string(i));
  }
  double get_seconds = SecondsSince(start);

  std::printf("4 KiB objects, %d of them\n", count);
  PrintRow("put, 1 client (durable)", count / put_seconds, count / cp_sync_seconds, "ops/s",
           "cp -r + sync");
  PrintRow("put, 8 clients (durable)", count / put8_seconds, count / cp_sync_seconds, "ops/s",
           "cp -r + sync");
  PrintRow("put, 8 clients (durable)", count / put8_seconds, count / cp_seconds, "ops/s", "cp -r");
  PrintRow("get to files", count / get_seconds, count / cp_seconds, "ops/s", "cp -r");
  std::printf("target: put >= 2000 ops/s -> 1 client %s, 8 clients %s\n\n",
              count / put_seconds >= 2000 ? "met" : "NOT met",
              count / put8_seconds >= 2000 ? "met" : "NOT met");
}

void BenchLarge(LocalObjectStore& lake, const fs::path& work, int mib) {
  const fs::path source = work / "large.bin";
  {
    std::mt19937_64 rng(2);
    auto fd = sluice::OpenFile(source, O_WRONLY | O_CREAT | O_TRUNC);
    if (!fd.ok()) Die(fd.status().ToString());
    for (int i = 0; i < mib; ++i) {
      std::string chunk = RandomBytes(rng, 1 << 20);
      Check(sluice::WriteAll(fd->get(), chunk.data(), chunk.size(), "large.bin"), "write");
    }
  }
  const double megabytes = mib * 1.048576;
  // Large transfers swing with the page cache and the disk's writeback: each figure is the best
  // of three runs, for sluice and for cp alike.
  constexpr int kRuns = 3;
  double cp_seconds = 1e9, cp_sync_seconds = 1e9, put_seconds = 1e9, get_seconds = 1e9;
  for (int run = 0; run < kRuns; ++run) {
    fs::remove(work / "large-cp");
    fs::remove(work / "large-cp-sync");
    fs::remove(work / "large-get");
    cp_seconds = std::min(cp_seconds, TimeShell("cp '" + source.string() + "' '" +
                                                (work / "large-cp").string() + "'"));
    cp_sync_seconds =
        std::min(cp_sync_seconds,
                 TimeShell("cp '" + source.string() + "' '" + (work / "large-cp-sync").string() +
                           "' && sync '" + (work / "large-cp-sync").string() + "'"));

    auto fd = sluice::OpenFile(source, O_RDONLY);
    if (!fd.ok()) Die(fd.status().ToString());
    sluice::lake::FdByteSource body(fd->get(), source.string());
    auto start = Clock::now();
    Check(lake.PutObject("bench", "large", body, {}).status(), "put");
    put_seconds = std::min(put_seconds, SecondsSince(start));

    start = Clock::now();
    auto reader = lake.GetObject("bench", "large");
    Check(reader.status(), "get");
    CopyToFile(**reader, work / "large-get");
    get_seconds = std::min(get_seconds, SecondsSince(start));
  }

  // The floor for any put that returns S3's ETag: MD5 over the bytes, one core, nothing else.
  double md5_seconds = 1e9;
  {
    std::mt19937_64 rng(3);
    std::string chunk = RandomBytes(rng, 1 << 20);
    for (int run = 0; run < kRuns; ++run) {
      auto start = Clock::now();
      sluice::Md5 md5;
      for (int i = 0; i < mib; ++i)
        md5.Update(chunk);
      (void)md5.FinishHex();
      md5_seconds = std::min(md5_seconds, SecondsSince(start));
    }
  }

  std::printf("one %d MiB object\n", mib);
  PrintRow("put (durable)", megabytes / put_seconds, megabytes / cp_sync_seconds, "MB/s",
           "cp + sync");
  PrintRow("put (durable)", megabytes / put_seconds, megabytes / cp_seconds, "MB/s", "cp");
  PrintRow("put (durable)", megabytes / put_seconds, megabytes / md5_seconds, "MB/s", "MD5 alone");
  PrintRow("get to a file", megabytes / get_seconds, megabytes / cp_seconds, "MB/s", "cp");
  std::printf("target: within 1.5x of cp -> put %s, get %s\n",
              put_seconds <= 1.5 * cp_seconds ? "met" : "NOT met",
              get_seconds <= 1.5 * cp_seconds ? "met" : "NOT met");
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = "bench-data";
  int small_count = 2000, large_mib = 1024;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--dir")
      dir = argv[i + 1];
    else if (flag == "--small-count")
      small_count = std::atoi(argv[i + 1]);
    else if (flag == "--large-mib")
      large_mib = std::atoi(argv[i + 1]);
    else
      Die("unknown flag " + flag);
  }
  fs::remove_all(dir);
  fs::create_directories(dir / "work");
  auto db = sluice::store::Database::Open(dir / "state.db");
  Check(db.status(), "open state store");
  auto lake = LocalObjectStore::Open(**db, dir / "lake");
  Check(lake.status(), "open lake");
  Check((*lake)->CreateBucket("bench"), "create bucket");

  std::printf("lake benchmark in %s (same disk for sluice and cp)\n\n", fs::absolute(dir).c_str());
  BenchSmall(**lake, dir / "work", small_count);
  BenchLarge(**lake, dir / "work", large_mib);
  fs::remove_all(dir);
  return 0;
}

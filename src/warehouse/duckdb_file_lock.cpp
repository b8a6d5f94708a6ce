#include "warehouse/duckdb_file_lock.h"

#include <filesystem>
#include <map>
#include <memory>
#include <thread>

namespace sluice::warehouse {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kFirstSleep{10};
constexpr milliseconds kLongestSleep{200};

// One mutex per file, by absolute path; entries live as long as the process (a handful of files).
std::timed_mutex& MutexFor(const std::string& path) {
  static std::mutex registry_mutex;
  static std::map<std::string, std::unique_ptr<std::timed_mutex>> registry;
  std::error_code ignored;
  std::string key = std::filesystem::weakly_canonical(std::filesystem::absolute(path), ignored);
  if (key.empty()) key = path;
  std::lock_guard lock(registry_mutex);
  auto& mutex = registry[key];
  if (!mutex) mutex = std::make_unique<std::timed_mutex>();
  return *mutex;
}

}  // namespace

Result<FileTurn> WaitForFileTurn(const std::string& path, Deadline deadline) {
  FileTurn turn(MutexFor(path), std::defer_lock);
  if (!turn.try_lock_until(deadline)) {
    return Status::Conflict("DuckDB warehouse " + path +
                            " is in use by another load or query in this process");
  }
  return turn;
}

bool IsFileLockConflict(const Status& status) {
  if (status.ok()) return false;
  if (status.code() == StatusCode::kConflict) return true;
  const std::string& message = status.message();
  return message.find("Could not set lock on file") != std::string::npos ||
         message.find("Conflicting lock") != std::string::npos;
}

Status RetryWhileLocked(const std::function<Status()>& attempt, const std::string& path,
                        Deadline deadline) {
  auto start = std::chrono::steady_clock::now();
  milliseconds sleep = kFirstSleep;
  while (true) {
    Status status = attempt();
    if (!IsFileLockConflict(status)) return status;
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      auto waited = std::chrono::duration_cast<milliseconds>(now - start).count();
      return Status::Conflict("DuckDB warehouse " + path +
                              " is in use by another process (waited " + std::to_string(waited) +
                              " ms): " + status.message());
    }
    std::this_thread::sleep_for(
        std::min<Deadline::duration>(sleep, deadline - std::chrono::steady_clock::now()));
    sleep = std::min(sleep * 2, kLongestSleep);
  }
}

}  // namespace sluice::warehouse

#include "cli/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace sluice::cli {
namespace {

// Transfers smaller than this finish before a bar would be readable.
constexpr uint64_t kMinBytesForBar = 8ull << 20;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

}  // namespace

std::string FormatBytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, kUnits[unit]);
}

Progress::Progress(std::string label, std::optional<uint64_t> total)
    : label_(std::move(label)),
      total_(total),
      enabled_(::isatty(STDERR_FILENO) == 1 && (!total || *total >= kMinBytesForBar)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  if (enabled_) std::fprintf(stderr, "\r\033[K");
}

void Progress::Advance(uint64_t bytes) {
  done_ += bytes;
  Draw(false);
}

void Progress::Draw(bool force) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  double seconds = std::chrono::duration<double>(now - start_).count();
  std::string rate = seconds > 0 ? FormatBytes(done_ / seconds) + "/s" : "";
  if (total_ && *total_ > 0) {
    constexpr int kWidth = 30;
    int filled = static_cast<int>(kWidth * done_ / *total_);
    std::fprintf(stderr, "\r\033[K%s [%s%s] %s / %s  %s", label_.c_str(),
                 std::string(filled, '#').c_str(), std::string(kWidth - filled, '.').c_str(),
                 FormatBytes(done_).c_str(), FormatBytes(*total_).c_str(), rate.c_str());
  } else {
    std::fprintf(stderr, "\r\033[K%s %s  %s", label_.c_str(), FormatBytes(done_).c_str(),
                 rate.c_str());
  }
  std::fflush(stderr);
}

}  // namespace sluice::cli

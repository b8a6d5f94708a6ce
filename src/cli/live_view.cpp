#include "cli/live_view.h"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "cli/run_report.h"

namespace sluice::cli {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(100);

}  // namespace

LiveView::LiveView(PipelineWatch watch, TimePoint start)
    : watch_(std::move(watch)), start_(start), thread_([this] {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
          lock.unlock();
          PollAndPrint();
          lock.lock();
          wake_.wait_for(lock, kPollInterval, [this] { return stopping_; });
        }
      }) {}

LiveView::~LiveView() {
  Stop();
}

void LiveView::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  PollAndPrint();
}

void LiveView::PollAndPrint() {
  auto fresh = watch_.Poll();
  if (!fresh.ok()) {
    spdlog::warn("live view: {}", fresh.status().ToString());
    return;
  }
  for (Happening& h : *fresh) {
    PrintHappening(start_, h);
    happenings_.push_back(std::move(h));
  }
  std::fflush(stdout);
}

}  // namespace sluice::cli

// LiveView: prints a pipeline's happenings as they come (a PipelineWatch polled on its own
// thread every 100 ms), and keeps them for the report at the end.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "cli/pipeline_watch.h"

namespace sluice::cli {

class LiveView {
 public:
  // Times print relative to `start`.
  LiveView(PipelineWatch watch, TimePoint start);
  ~LiveView();
  LiveView(const LiveView&) = delete;
  LiveView& operator=(const LiveView&) = delete;

  // Stops polling after one last read, so nothing that happened before the call is missed.
  void Stop();

  // Valid after Stop().
  const std::vector<Happening>& happenings() const { return happenings_; }
  const PipelineWatch& watch() const { return watch_; }

 private:
  void PollAndPrint();

  PipelineWatch watch_;
  TimePoint start_;
  std::vector<Happening> happenings_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sluice::cli

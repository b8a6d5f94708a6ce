// A one-line progress bar on stderr for long transfers. It draws only when stderr is a terminal
// and the transfer is large enough to be worth watching; otherwise every call is a no-op.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "sluice/lake/object_store.h"

namespace sluice::cli {

class Progress {
 public:
  // `total` is unknown for streams such as stdin.
  Progress(std::string label, std::optional<uint64_t> total);
  ~Progress();  // clears the line

  void Advance(uint64_t bytes);

 private:
  void Draw(bool force);

  std::string label_;
  std::optional<uint64_t> total_;
  uint64_t done_ = 0;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

// Counts the bytes that pass through into a Progress.
class ProgressSource final : public lake::ByteSource {
 public:
  ProgressSource(lake::ByteSource& inner, Progress& progress)
      : inner_(inner), progress_(progress) {}
  Result<size_t> Read(char* buffer, size_t size) override {
    auto n = inner_.Read(buffer, size);
    if (n.ok()) progress_.Advance(*n);
    return n;
  }

 private:
  lake::ByteSource& inner_;
  Progress& progress_;
};

// "1.5 MiB"
std::string FormatBytes(double bytes);

}  // namespace sluice::cli

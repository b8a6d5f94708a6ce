#include "sluice/common/ids.h"

#include <fmt/format.h>
#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "sluice/common/hex.h"

namespace sluice {
namespace {

void FillRandom(uint8_t* out, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t got = getrandom(out + done, n - done, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      // getrandom cannot fail on Linux >= 3.17 once the pool is initialised: if it does, ids
      // could collide, and nothing sensible can continue.
      std::perror("sluice: getrandom");
      std::abort();
    }
    done += static_cast<size_t>(got);
  }
}

}  // namespace

std::string NewUuid() {
  std::array<uint8_t, 16> b;
  FillRandom(b.data(), b.size());
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  std::string h = ToHex({reinterpret_cast<const char*>(b.data()), b.size()});
  return fmt::format("{}-{}-{}-{}-{}", h.substr(0, 8), h.substr(8, 4), h.substr(12, 4),
                     h.substr(16, 4), h.substr(20));
}

std::string RandomHex(size_t bytes) {
  std::vector<uint8_t> b(bytes);
  FillRandom(b.data(), b.size());
  return ToHex({reinterpret_cast<const char*>(b.data()), b.size()});
}

std::string RandomString(size_t length, std::string_view alphabet) {
  // Rejection sampling: bytes at or past the largest multiple of the alphabet's size are drawn
  // again, so every character is equally likely.
  const size_t limit = 256 - 256 % alphabet.size();
  std::string out;
  out.reserve(length);
  uint8_t buffer[64];
  while (out.size() < length) {
    FillRandom(buffer, sizeof buffer);
    for (uint8_t byte : buffer) {
      if (byte >= limit || out.size() == length) continue;
      out += alphabet[byte % alphabet.size()];
    }
  }
  return out;
}

}  // namespace sluice

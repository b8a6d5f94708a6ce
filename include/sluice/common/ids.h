// Random identifiers. Safe to call from any thread; draws from the kernel's CSPRNG so ids made by
// separate processes sharing a data dir never collide.
#pragma once

#include <string>
#include <string_view>

namespace sluice {

// A version 4 UUID, lower-case: "17793124-05d4-4198-8fde-7ededc63b103".
std::string NewUuid();
// `bytes` random bytes as lower-case hex (2 * bytes characters).
std::string RandomHex(size_t bytes);
// `length` characters drawn uniformly from `alphabet` (at most 256 characters).
std::string RandomString(size_t length, std::string_view alphabet);

}  // namespace sluice

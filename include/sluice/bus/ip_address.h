// IP addresses and ranges as event patterns see them (`cidr`, and plain IP strings, which a
// pattern treats as a one-address range). Parsing follows aws/event-ruler: a dotted quad of
// decimal numbers, or hex digits and colons for IPv6.
#pragma once

#include <optional>
#include <string_view>

#include "sluice/common/result.h"

namespace sluice::bus {

__extension__ typedef unsigned __int128 Uint128;  // GCC/Clang built-in

struct IpAddress {
  bool v6 = false;
  Uint128 value = 0;  // IPv4 addresses use the low 32 bits
};

// Inclusive on both ends; matches only addresses of the same family.
struct IpRange {
  bool v6 = false;
  Uint128 low = 0;
  Uint128 high = 0;

  bool Contains(const IpAddress& a) const {
    return a.v6 == v6 && a.value >= low && a.value <= high;
  }
};

// Whether `text` has the shape of an IP address (Ruler's regular expressions), before checking it
// further. Strings without this shape are never addresses, so never range-matched.
bool LooksLikeIp(std::string_view text);

// The address `text` spells, or nullopt when it does not spell one.
std::optional<IpAddress> ParseIp(std::string_view text);

// A `cidr` pattern: "10.0.0.0/24", "2001:db8::/32". As in Ruler, the range runs from the address
// given (not masked) to the last address of its block. Fails with Ruler's reason text.
Result<IpRange> ParseCidr(std::string_view text);

}  // namespace sluice::bus

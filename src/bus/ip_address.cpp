#include "sluice/bus/ip_address.h"

#include <charconv>
#include <string>
#include <vector>

namespace sluice::bus {
namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsHex(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+
bool LooksLikeIpv4(std::string_view text) {
  int parts = 0;
  size_t i = 0;
  while (true) {
    size_t start = i;
    while (i < text.size() && IsDigit(text[i]))
      ++i;
    if (i == start) return false;
    ++parts;
    if (i == text.size()) return parts == 4;
    if (text[i] != '.' || parts == 4) return false;
    ++i;
  }
}

// [0-9a-fA-F:]*:[0-9a-fA-F:]*
bool LooksLikeIpv6(std::string_view text) {
  bool colon = false;
  for (char c : text) {
    if (c == ':') {
      colon = true;
    } else if (!IsHex(c)) {
      return false;
    }
  }
  return colon;
}

std::optional<IpAddress> ParseIpv4(std::string_view text) {
  uint32_t value = 0;
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    size_t end = text.find('.', i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view digits = text.substr(i, end - i);
    unsigned octet = 0;
    auto [p, error] = std::from_chars(digits.data(), digits.data() + digits.size(), octet);
    if (error != std::errc() || p != digits.data() + digits.size() || octet > 255) {
      return std::nullopt;
    }
    value = (value << 8) | octet;
    i = end + 1;
  }
  return IpAddress{false, value};
}

// Up to eight groups of 1-4 hex digits, with at most one "::" standing for the missing zeros.
std::optional<IpAddress> ParseIpv6(std::string_view text) {
  auto parse_groups = [](std::string_view part, std::vector<uint16_t>& groups) {
    if (part.empty()) return true;
    size_t i = 0;
    while (true) {
      size_t end = part.find(':', i);
      if (end == std::string_view::npos) end = part.size();
      std::string_view digits = part.substr(i, end - i);
      if (digits.empty() || digits.size() > 4) return false;
      unsigned group = 0;
      std::from_chars(digits.data(), digits.data() + digits.size(), group, 16);
      groups.push_back(static_cast<uint16_t>(group));
      if (end == part.size()) return true;
      i = end + 1;
    }
  };
  std::vector<uint16_t> head, tail;
  size_t gap = text.find("::");
  if (gap == std::string_view::npos) {
    if (!parse_groups(text, head) || head.size() != 8) return std::nullopt;
  } else {
    if (text.find("::", gap + 1) != std::string_view::npos) return std::nullopt;
    if (!parse_groups(text.substr(0, gap), head) || !parse_groups(text.substr(gap + 2), tail) ||
        head.size() + tail.size() > 7) {
      return std::nullopt;
    }
    head.resize(8 - tail.size(), 0);
    head.insert(head.end(), tail.begin(), tail.end());
  }
  Uint128 value = 0;
  for (uint16_t group : head)
    value = (value << 16) | group;
  // Java's InetAddress, which Ruler uses, turns IPv4-mapped IPv6 addresses into IPv4 ones.
  const Uint128 kMappedPrefix = Uint128{0xffff} << 32;
  if ((value >> 32) == (kMappedPrefix >> 32)) return IpAddress{false, value & 0xffffffffu};
  return IpAddress{true, value};
}

Status Invalid(std::string reason) {
  return Status::InvalidArgument(std::move(reason));
}

}  // namespace

bool LooksLikeIp(std::string_view text) {
  return LooksLikeIpv4(text) || LooksLikeIpv6(text);
}

std::optional<IpAddress> ParseIp(std::string_view text) {
  if (LooksLikeIpv4(text)) return ParseIpv4(text);
  if (LooksLikeIpv6(text)) return ParseIpv6(text);
  return std::nullopt;
}

Result<IpRange> ParseCidr(std::string_view text) {
  // Java's String.split("/") drops trailing empty parts: "a/" has one part, "/24" two.
  size_t slash = text.find('/');
  std::string_view address = text.substr(0, slash);
  std::string_view mask =
      slash == std::string_view::npos ? std::string_view() : text.substr(slash + 1);
  if (slash == std::string_view::npos || mask.empty() || mask.find('/') != std::string_view::npos) {
    // "a/b/" splits into two parts in Java, so it reaches the mask check below.
    bool two_parts_in_java = slash != std::string_view::npos && !mask.empty() &&
                             mask.find_first_not_of('/', mask.find('/')) == std::string_view::npos;
    if (!two_parts_in_java) return Invalid("Malformed CIDR, one '/' required");
    mask = mask.substr(0, mask.find('/'));
  }
  int bits = 0;
  {
    std::string_view digits = mask;
    if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
    auto [p, error] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
    if (digits.empty() || error != std::errc() || p != digits.data() + digits.size()) {
      return Invalid("Malformed CIDR, mask bits must be an integer");
    }
  }
  if (bits < 0) return Invalid("Malformed CIDR, mask bits must not be negative");
  if (!LooksLikeIp(address)) return Invalid("Nonstandard IP address: " + std::string(address));
  std::optional<IpAddress> ip = ParseIp(address);
  if (!ip) return Invalid("Invalid IP address: " + std::string(address));
  if (!ip->v6 && bits > 31) return Invalid("IPv4 mask bits must be < 32");
  if (ip->v6 && bits > 127) return Invalid("IPv6 mask bits must be < 128");
  const int width = ip->v6 ? 128 : 32;
  const int host_bits = width - bits;
  Uint128 host_mask = host_bits >= 128 ? ~Uint128{0} : (Uint128{1} << host_bits) - 1;
  return IpRange{ip->v6, ip->value, ip->value | host_mask};
}

}  // namespace sluice::bus

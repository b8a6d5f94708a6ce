// Base64 (RFC 4648, with padding), as AWS carries digests and binary headers. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice {

std::string Base64Encode(std::string_view bytes);
// Strict: padding required, no whitespace; nullopt for anything else.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace sluice

// Lower-case hexadecimal encoding of bytes.
#pragma once

#include <string>
#include <string_view>

namespace sluice {

std::string ToHex(std::string_view bytes);

}  // namespace sluice

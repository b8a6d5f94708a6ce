// Case-insensitive comparison for equals-ignore-case and its kin: strings are folded to lower
// case code point by code point. Covers ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic and
// Armenian; other scripts compare as they are.
#pragma once

#include <string>
#include <string_view>

namespace sluice::bus {

std::string FoldCase(std::string_view utf8);

}  // namespace sluice::bus

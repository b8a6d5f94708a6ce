// ASCII case helpers for HTTP's case-insensitive parts (header names, host names). Byte-wise
// and locale-free: anything outside A-Z is left as it is. Internal to sluice_s3.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace sluice::s3 {

inline char LowerAscii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string ToLowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = LowerAscii(c);
  return out;
}

inline bool EqualsIgnoreCaseAscii(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return LowerAscii(x) == LowerAscii(y); });
}

}  // namespace sluice::s3

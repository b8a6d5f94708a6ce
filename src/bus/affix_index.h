// AffixIndex: which of many prefixes (or suffixes) a string has, by hashing. It keeps the
// distinct lengths of the stored affixes and, for a string, looks up its leading (trailing)
// substring of each such length: O(distinct lengths) lookups, however many affixes are stored.
// A small Bloom filter (8 KiB, stays in cache) answers most misses without touching the table.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sluice::bus {

// Hashes std::string and std::string_view alike, so lookups by view allocate nothing.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <typename T>
using StringMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;

template <typename T>
class AffixIndex {
 public:
  explicit AffixIndex(bool suffixes) : suffixes_(suffixes) {}

  void Add(const std::string& affix, T value) {
    size_t h = StringHash{}(affix);
    bloom_[(h >> 6) % kBloomWords] |= uint64_t{1} << (h & 63);
    auto& bucket = by_affix_[affix];
    if (bucket.empty() &&
        std::find(lengths_.begin(), lengths_.end(), affix.size()) == lengths_.end()) {
      lengths_.insert(std::upper_bound(lengths_.begin(), lengths_.end(), affix.size()),
                      affix.size());
    }
    bucket.push_back(std::move(value));
  }
  bool empty() const { return by_affix_.empty(); }

  // Calls visit(value) for every stored affix of `s`.
  template <typename Visit>
  void ForEachAffixOf(std::string_view s, Visit visit) const {
    for (size_t length : lengths_) {
      if (length > s.size()) return;
      std::string_view piece = suffixes_ ? s.substr(s.size() - length) : s.substr(0, length);
      size_t h = StringHash{}(piece);
      if ((bloom_[(h >> 6) % kBloomWords] & (uint64_t{1} << (h & 63))) == 0) continue;
      auto it = by_affix_.find(piece);
      if (it == by_affix_.end()) continue;
      for (const T& value : it->second)
        visit(value);
    }
  }

 private:
  static constexpr size_t kBloomWords = 1024;

  bool suffixes_;
  std::vector<uint64_t> bloom_ = std::vector<uint64_t>(kBloomWords, 0);
  StringMap<std::vector<T>> by_affix_;
  std::vector<size_t> lengths_;  // sorted, distinct
};

}  // namespace sluice::bus

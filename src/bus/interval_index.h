// IntervalIndex<K>: which of many intervals contain a point, in O(log n + answers).
//
// Intervals may be open or closed at either end, or unbounded. The index is a segment tree over
// the elementary pieces that the endpoints cut the key line into (each endpoint, and each gap
// between neighbouring endpoints); it is rebuilt, lazily, on the first query after a change.
// Not thread-safe: one writer, or readers after the last change (the first query builds).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace sluice::bus {

template <typename K>
struct Interval {
  K low{};
  K high{};
  bool has_low = false;
  bool has_high = false;
  bool low_open = false;
  bool high_open = false;
};

template <typename K>
class IntervalIndex {
 public:
  void Add(const Interval<K>& interval, uint32_t value) {
    entries_.push_back({interval, value});
    built_ = false;
  }
  bool empty() const { return entries_.empty(); }

  // Calls visit(value) for every interval containing x.
  template <typename Visit>
  void ForEachContaining(const K& x, Visit visit) {
    if (entries_.empty()) return;
    if (!built_) Build();
    size_t leaf = PieceOf(x);
    size_t node = 1, lo = 0, hi = pieces_ - 1;
    while (true) {
      for (uint32_t v : tree_[node])
        visit(v);
      if (lo == hi) return;
      size_t mid = (lo + hi) / 2;
      if (leaf <= mid) {
        node = 2 * node;
        hi = mid;
      } else {
        node = 2 * node + 1;
        lo = mid + 1;
      }
    }
  }

 private:
  struct Entry {
    Interval<K> interval;
    uint32_t value;
  };

  // Pieces: 0 is below the first point, 2i+1 is point i, 2i+2 the gap after it.
  size_t PieceOf(const K& x) const {
    size_t i = std::lower_bound(points_.begin(), points_.end(), x) - points_.begin();
    return i < points_.size() && !(x < points_[i]) ? 2 * i + 1 : 2 * i;
  }
  size_t PointPiece(const K& x) const {
    return 2 * (std::lower_bound(points_.begin(), points_.end(), x) - points_.begin()) + 1;
  }

  void Build() {
    points_.clear();
    for (const Entry& e : entries_) {
      if (e.interval.has_low) points_.push_back(e.interval.low);
      if (e.interval.has_high) points_.push_back(e.interval.high);
    }
    std::sort(points_.begin(), points_.end());
    points_.erase(std::unique(points_.begin(), points_.end(),
                              [](const K& a, const K& b) { return !(a < b) && !(b < a); }),
                  points_.end());
    pieces_ = 2 * points_.size() + 1;
    tree_.assign(4 * pieces_, {});
    for (const Entry& e : entries_) {
      const Interval<K>& in = e.interval;
      size_t first = in.has_low ? PointPiece(in.low) + (in.low_open ? 1 : 0) : 0;
      size_t last = in.has_high ? PointPiece(in.high) - (in.high_open ? 1 : 0) : pieces_ - 1;
      if (first <= last) Insert(1, 0, pieces_ - 1, first, last, e.value);
    }
    built_ = true;
  }

  void Insert(size_t node, size_t lo, size_t hi, size_t first, size_t last, uint32_t value) {
    if (last < lo || hi < first) return;
    if (first <= lo && hi <= last) {
      tree_[node].push_back(value);
      return;
    }
    size_t mid = (lo + hi) / 2;
    Insert(2 * node, lo, mid, first, last, value);
    Insert(2 * node + 1, mid + 1, hi, first, last, value);
  }

  std::vector<Entry> entries_;
  std::vector<K> points_;
  std::vector<std::vector<uint32_t>> tree_;
  size_t pieces_ = 0;
  bool built_ = false;
};

}  // namespace sluice::bus

#include "sluice/bus/wildcard.h"

#include <algorithm>
#include <set>

namespace sluice::bus {
namespace {

// Ruler parses the value with its opening quote in front, so its positions count from 1.
constexpr size_t kRulerPositionOffset = 1;

}  // namespace

Result<Wildcard> ParseWildcard(std::string_view text) {
  Wildcard wildcard;
  wildcard.segments.emplace_back();
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '*') {
      if (i + 1 < text.size() && text[i + 1] == '*') {
        return Status::InvalidArgument("Consecutive wildcard characters at pos " +
                                       std::to_string(i + kRulerPositionOffset));
      }
      wildcard.segments.emplace_back();
    } else if (c == '\\') {
      if (i + 1 < text.size() && (text[i + 1] == '*' || text[i + 1] == '\\')) {
        wildcard.segments.back().push_back(text[++i]);
      } else {
        return Status::InvalidArgument("Invalid escape character at pos " +
                                       std::to_string(i + kRulerPositionOffset));
      }
    } else {
      wildcard.segments.back().push_back(c);
    }
  }
  return wildcard;
}

bool Wildcard::Matches(std::string_view value) const {
  const std::string& first = segments.front();
  if (!HasStar()) return value == first;
  const std::string& last = segments.back();
  if (value.size() < first.size() + last.size()) return false;
  if (!value.starts_with(first) || !value.ends_with(last)) return false;
  // The middle segments, in order, each at its leftmost place: greedy is exact for `*` globs.
  std::string_view rest = value.substr(first.size(), value.size() - first.size() - last.size());
  for (size_t i = 1; i + 1 < segments.size(); ++i) {
    size_t at = rest.find(segments[i]);
    if (at == std::string_view::npos) return false;
    rest.remove_prefix(at + segments[i].size());
  }
  return true;
}

int WildcardComplexity(const std::vector<Wildcard>& wildcards, int cap) {
  // One automaton per wildcard over its tokens (a literal byte, or a star); a state is the
  // number of tokens consumed. A star's state loops on every byte, and the state just after a
  // star is the same node as the star's (so it is not counted twice).
  struct Token {
    bool star;
    unsigned char byte;
  };
  std::vector<std::vector<Token>> tokens;
  std::vector<bool> alphabet(256, false);
  for (const Wildcard& w : wildcards) {
    std::vector<Token> t;
    for (size_t i = 0; i < w.segments.size(); ++i) {
      if (i > 0) t.push_back({true, 0});
      for (unsigned char c : w.segments[i]) {
        t.push_back({false, c});
        alphabet[c] = true;
      }
    }
    tokens.push_back(std::move(t));
  }
  // Bytes that appear in no pattern behave alike; one of them stands for all.
  std::vector<int> letters;
  for (int c = 0; c < 256; ++c) {
    if (alphabet[c]) letters.push_back(c);
  }
  for (int c = 0; c < 256; ++c) {
    if (!alphabet[c]) {
      letters.push_back(c);
      break;
    }
  }

  using StateSet = std::vector<std::pair<uint32_t, uint32_t>>;  // (pattern, tokens consumed)
  auto close = [&](StateSet& set) {                             // follow stars matching nothing
    for (size_t i = 0; i < set.size(); ++i) {
      auto [p, j] = set[i];
      if (j < tokens[p].size() && tokens[p][j].star) set.push_back({p, j + 1});
    }
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
  };
  // A state counts once, and a star's loop once more: several stars looping at the same time
  // are what makes matching expensive. (The first loop is free, so that "*" alone counts 1.)
  auto weight = [&](const StateSet& set) {
    int states = 0, loops = 0;
    for (auto [p, j] : set) {
      if (j > 0 && tokens[p][j - 1].star) continue;  // the same node as the star before it
      ++states;
      if (j < tokens[p].size() && tokens[p][j].star) ++loops;
    }
    return states + std::max(loops - 1, 0);
  };

  StateSet start;
  for (uint32_t p = 0; p < tokens.size(); ++p)
    start.push_back({p, 0});
  close(start);
  std::set<StateSet> seen = {start};
  std::vector<StateSet> frontier = {start};
  int worst = weight(start);
  constexpr size_t kMaxSets = 20000;  // beyond this many distinct state sets, call it complex
  while (!frontier.empty() && worst < cap) {
    StateSet set = std::move(frontier.back());
    frontier.pop_back();
    for (int c : letters) {
      StateSet next;
      for (auto [p, j] : set) {
        if (j >= tokens[p].size()) continue;
        const Token& t = tokens[p][j];
        if (t.star)
          next.push_back({p, j});
        else if (t.byte == c)
          next.push_back({p, j + 1});
      }
      close(next);
      if (next.empty() || !seen.insert(next).second) continue;
      worst = std::max(worst, weight(next));
      if (seen.size() > kMaxSets) return cap;
      frontier.push_back(std::move(next));
    }
  }
  return std::min(worst, cap);
}

}  // namespace sluice::bus

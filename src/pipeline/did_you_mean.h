// "Did you mean" suggestions for misspelt names (keys, actions, cluster templates).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::pipeline {

// The candidate closest to `word` by edit distance, when it is close enough to be a likely typo
// (at most a third of the longer word's length, and at least 1); else empty.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean \"x\"?)" for the closest candidate, or "" when none is close.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace sluice::pipeline

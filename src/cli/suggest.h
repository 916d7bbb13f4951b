// "Did you mean": the known name a mistyped command or option most likely
// meant, for the one-line usage errors of the command line (docs/cli.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace decant {

// The edit distance between `a` and `b`: insertions, deletions,
// substitutions and swaps of two neighbouring characters count one each
// (optimal string alignment), so "exprot" is 1 from "export".
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `typed`, or "" when none is close enough to be a
// likely typo (at most 2 edits, and at most one per 3 characters of `typed`,
// leading dashes not counted). Ties go to the first candidate listed.
std::string ClosestName(std::string_view typed, const std::vector<std::string>& candidates);

}  // namespace decant

// Counts in messages: "1 table", "2 tables", "1 index", "3 indexes". The one
// place decant chooses between a noun's singular and plural.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace decant {

// `n` and the noun: `one` when n is 1, else `many` (default: `one` + "s").
inline std::string Counted(uint64_t n, std::string_view one, std::string_view many = {}) {
  std::string out = std::to_string(n) + " ";
  if (n == 1) return out.append(one);
  if (many.empty()) return out.append(one) + "s";
  return out.append(many);
}

// The noun alone, as Counted chooses it (for "scan: 3 rows read in 1 table").
inline std::string_view Noun(uint64_t n, std::string_view one, std::string_view many) { return n == 1 ? one : many; }

}  // namespace decant

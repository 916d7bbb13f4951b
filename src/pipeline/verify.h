// Verify: do two sources (databases or archives) hold the same data?
//
// Per table it compares the row count and an order-independent content hash:
// the 128-bit sum of XXH3-128 hashes of each row's canonical encoding. A sum
// (unlike XOR) keeps duplicate rows from cancelling out, and it does not
// depend on the order the rows are read in.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/endpoint.h"

namespace decant {

// A 128-bit sum of row hashes (addition mod 2^128).
struct Hash128 {
  uint64_t high = 0;
  uint64_t low = 0;
  void Add(uint64_t add_high, uint64_t add_low) {
    uint64_t sum = low + add_low;
    high += add_high + (sum < low ? 1 : 0);
    low = sum;
  }
  bool operator==(const Hash128&) const = default;
};

struct TableDigest {
  std::string table;  // qualified name
  uint64_t rows = 0;
  Hash128 hash;
};

// Digests of every table of `source`, in schema order.
Result<std::vector<TableDigest>> DigestSource(Source& source);

struct TableDifference {
  std::string table;
  std::string reason;  // e.g. "only in A", "rows 10 vs 11", "content differs"
};

struct VerifyReport {
  std::vector<TableDigest> a, b;
  std::vector<TableDifference> differences;
  bool equal() const { return differences.empty(); }
};

// Reads both sources (in parallel) and compares them table by table.
Result<VerifyReport> VerifySources(Source& a, Source& b);

// Hex form of a digest hash, for reports.
std::string DigestHex(const Hash128& hash);

}  // namespace decant

// Verify: do two sources (databases or archives, of any engines) hold the
// same data?
//
// Tables are matched by name (a schema of "" matches PostgreSQL's "public",
// and when the schema names differ a table name that is unique on both sides
// matches), columns by name (exact, then ignoring case), compared in A's
// column order. Each cell is compared in its canonical form (canonical.h), read
// through the more specific of the two columns' types, so a PostgreSQL bigint
// and a SQLite integer of the same value are equal.
//
// Per table it compares the row count and an order-independent content hash:
// the 128-bit sum of XXH3-128 hashes of each row's canonical encoding. A sum
// (unlike XOR) keeps duplicate rows from cancelling out, and it does not
// depend on the order the rows are read in. Only a table whose count or hash
// differs is read again, to name its first differing rows by primary key.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/endpoint.h"
#include "pipeline/selection.h"

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

// Digests of every table of `source`, in schema order, each column read
// through its own type.
Result<std::vector<TableDigest>> DigestSource(Source& source);

struct TableDifference {
  std::string table;  // A's qualified name; B's for a table only in B
  // "only in A", "only in B", "rows 10 vs 11", "same row count, content
  // differs", or "columns differ" (same rows in the columns both sides have).
  std::string reason;
  // One line per finding inside the table, in this order: each column only
  // on one side ("column Fax only in B"), then the first differing rows by
  // primary key ("InvoiceId=7: Total 1.98 vs 1.99", "InvoiceId=412 only in
  // B"; without a key "a row only in A: (1, 'x', NULL)"), then "... and N
  // more differing rows" or why rows could not be listed.
  std::vector<std::string> details;
  uint64_t differing_rows = 0;  // keys (or distinct rows) that differ; 0 if not counted
};

struct VerifyReport {
  std::vector<TableDigest> a, b;             // each side's tables, in its schema order
  std::vector<TableDifference> differences;  // A's table order, then tables only in B
  bool equal() const { return differences.empty(); }
};

struct VerifyOptions {
  size_t rows_listed = 5;  // differing rows named per table
  // Applied to A before matching (the --table, --exclude-table and --rename
  // an import or migrate was run with), so A is compared as it was loaded.
  SelectOptions select_a = {};  // "= {}": positional braces may leave it out
  // A holds only part of B: a file fitted to B (Source::FitTo, a Django
  // fixture), whose tables are the ones its records fill, restricted to the
  // columns they fill. Tables and columns only in B are then not differences.
  bool a_within_b = false;
};

// Reads both sources (in parallel) and compares them table by table; reads a
// table again (A, then B) only when it differs. Sources must allow a table to
// be opened again after Finish(); one that does not (an archive on stdin)
// gets its differing tables reported without rows.
Result<VerifyReport> VerifySources(Source& a, Source& b, const VerifyOptions& options = {});

// Hex form of a digest hash, for reports.
std::string DigestHex(const Hash128& hash);

}  // namespace decant

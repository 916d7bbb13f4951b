// Fuzz target: PostgreSQL's COPY text format as decant reads it
// (DecodeCopyRow, src/engines/postgresql/pg_copy.cc). The first byte picks
// the column count (1 to 8), the next bytes each column's decoding (bool,
// integer, float, bytea, text); the rest is COPY data, one row per line.
// A row that decodes must come back the same through EncodeCopyValue and a
// second decode (floats: NaN matches any NaN); otherwise the run stops.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"
#include "engines/postgresql/pg_copy.h"

namespace {

using decant::Value;
using decant::pg_internal::Decode;

bool Same(const Value& a, const Value& b) {
  if (a.kind() == Value::Kind::kFloat && b.kind() == Value::Kind::kFloat && std::isnan(a.as_float()) &&
      std::isnan(b.as_float()))
    return true;
  return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t columns = 1 + data[0] % 8;
  if (size < 1 + columns) return 0;
  std::vector<Decode> kinds;
  for (size_t c = 0; c < columns; ++c) kinds.push_back(static_cast<Decode>(data[1 + c] % 5));
  std::string_view text(reinterpret_cast<const char*>(data) + 1 + columns, size - 1 - columns);
  std::vector<Value> row(columns), again(columns);
  std::string scratch, encoded;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    size_t payload = 0;
    if (!decant::pg_internal::DecodeCopyRow(line, kinds, row.data(), &payload, &scratch).ok()) continue;
    encoded.clear();
    for (size_t c = 0; c < columns; ++c) {
      if (c > 0) encoded.push_back('\t');
      decant::pg_internal::EncodeCopyValue(row[c], &encoded);
    }
    decant::Status s = decant::pg_internal::DecodeCopyRow(encoded, kinds, again.data(), &payload, &scratch);
    if (!s.ok()) {
      std::fprintf(stderr, "a decoded row, encoded again, does not decode: %s\n", s.message().c_str());
      std::abort();
    }
    for (size_t c = 0; c < columns; ++c) {
      if (!Same(row[c], again[c])) {
        std::fprintf(stderr, "column %zu changes through EncodeCopyValue\n", c);
        std::abort();
      }
    }
  }
  return 0;
}

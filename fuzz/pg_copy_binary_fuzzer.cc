// Fuzz target: PostgreSQL's COPY binary format as decant writes it
// (EncodeBinaryRow, src/engines/postgresql/pg_copy.cc), whose parsers of
// text (dates, times, timestamps with zones, numerics, UUIDs) and checks of
// ranges decide what may travel in binary. decant reads no binary COPY; the
// decoder here is the check: the bytes written must frame as the format
// says (a field count, each field's length or -1, the lengths the fixed-size
// types have, a numeric's header and base-10000 digits), and a row refused
// must leave the buffer as it was. Anything else stops the run.
//
// Input: a column count byte (1 to 8); per column a type byte (the Binary
// enum) and a value: a kind byte, then for text and bytes a length byte and
// that many bytes, for integers and floats 8 bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"
#include "engines/postgresql/pg_copy.h"

namespace {

using decant::Value;
using decant::pg_internal::Binary;

[[noreturn]] void Fail(const char* what, size_t column) {
  std::fprintf(stderr, "EncodeBinaryRow: %s (column %zu)\n", what, column);
  std::abort();
}

struct Input {
  const uint8_t* p;
  size_t n;
  bool Byte(uint8_t* b) {
    if (n < 1) return false;
    *b = *p++, --n;
    return true;
  }
  bool U64(uint64_t* v) {
    if (n < 8) return false;
    std::memcpy(v, p, 8);
    p += 8, n -= 8;
    return true;
  }
  bool Bytes(size_t len, std::string_view* out) {
    if (n < len) return false;
    *out = {reinterpret_cast<const char*>(p), len};
    p += len, n -= len;
    return true;
  }
};

bool ReadValue(Input* in, Value* v) {
  uint8_t kind;
  if (!in->Byte(&kind)) return false;
  switch (kind % 7) {
    case 0: v->SetNull(); return true;
    case 1: {
      uint8_t b;
      if (!in->Byte(&b)) return false;
      *v = Value::Bool(b & 1);
      return true;
    }
    case 2:
    case 3:
    case 4: {
      uint64_t u;
      if (!in->U64(&u)) return false;
      if (kind % 7 == 2) {
        v->SetInt(static_cast<int64_t>(u));
      } else if (kind % 7 == 3) {
        *v = Value::UInt(u);
      } else {
        double d;
        std::memcpy(&d, &u, 8);
        v->SetFloat(d);
      }
      return true;
    }
    default: {
      uint8_t len;
      std::string_view s;
      if (!in->Byte(&len) || !in->Bytes(len, &s)) return false;
      if (kind % 7 == 5)
        v->SetText(s);
      else
        v->SetBytes(s);
      return true;
    }
  }
}

uint32_t Get32(const std::string& s, size_t at) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(s[at])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(s[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(s[at + 2])) << 8) | static_cast<uint8_t>(s[at + 3]);
}
uint16_t Get16(const std::string& s, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(s[at]) << 8) | static_cast<uint8_t>(s[at + 1]));
}

// Walks one row written at `at` and checks its framing.
void CheckRow(const std::string& out, size_t at, const std::vector<Binary>& types, const std::vector<Value>& row) {
  if (out.size() - at < 2 || Get16(out, at) != types.size()) Fail("bad field count", 0);
  size_t pos = at + 2;
  for (size_t c = 0; c < types.size(); ++c) {
    if (out.size() - pos < 4) Fail("row cut short", c);
    uint32_t len = Get32(out, pos);
    pos += 4;
    if (len == 0xFFFFFFFFu) {
      if (!row[c].is_null()) Fail("-1 (NULL) for a value", c);
      continue;
    }
    if (row[c].is_null()) Fail("a NULL written as a value", c);
    if (len > out.size() - pos) Fail("field length runs past the row", c);
    size_t want = 0;
    switch (types[c]) {
      case Binary::kBool: want = 1; break;
      case Binary::kInt2: want = 2; break;
      case Binary::kInt4:
      case Binary::kFloat4:
      case Binary::kDate: want = 4; break;
      case Binary::kInt8:
      case Binary::kFloat8:
      case Binary::kTime:
      case Binary::kTimestamp:
      case Binary::kTimestampTz: want = 8; break;
      case Binary::kUuid: want = 16; break;
      default: break;
    }
    if (want && len != want) Fail("fixed-size type with another length", c);
    if (types[c] == Binary::kBool && static_cast<uint8_t>(out[pos]) > 1) Fail("bool byte other than 0 or 1", c);
    if (types[c] == Binary::kNumeric) {
      if (len < 8) Fail("numeric shorter than its header", c);
      uint16_t ndigits = Get16(out, pos), sign = Get16(out, pos + 4), dscale = Get16(out, pos + 6);
      if (len != 8u + 2u * ndigits) Fail("numeric length disagrees with its digit count", c);
      if (sign != 0 && sign != 0x4000 && sign != 0xC000) Fail("numeric sign", c);
      if (sign == 0xC000 && ndigits != 0) Fail("NaN with digits", c);
      if (dscale > 1000) Fail("numeric display scale above the input's", c);
      for (uint16_t k = 0; k < ndigits; ++k) {
        if (Get16(out, pos + 8 + size_t{2} * k) > 9999) Fail("numeric digit above 9999", c);
      }
      if (ndigits > 0 && (Get16(out, pos + 8) == 0 || Get16(out, pos + 8 + size_t{2} * (ndigits - 1)) == 0))
        Fail("numeric with a leading or trailing zero digit", c);
    }
    if (types[c] == Binary::kJsonb && (len < 1 || out[pos] != 1)) Fail("jsonb without its version byte", c);
    pos += len;
  }
  if (pos != out.size()) Fail("bytes after the last field", types.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in{data, size};
  uint8_t count;
  if (!in.Byte(&count)) return 0;
  size_t columns = 1 + count % 8;
  std::vector<Binary> types;
  std::vector<Value> row(columns);
  for (size_t c = 0; c < columns; ++c) {
    uint8_t t;
    if (!in.Byte(&t) || !ReadValue(&in, &row[c])) return 0;
    types.push_back(static_cast<Binary>(t % (static_cast<int>(Binary::kTimestampTz) + 1)));
  }
  std::string out = "before";
  if (!decant::pg_internal::EncodeBinaryRow(row.data(), types, &out)) {
    if (out != "before") Fail("a refused row left bytes behind", 0);
    return 0;
  }
  if (out.compare(0, 6, "before") != 0) Fail("bytes before the row changed", 0);
  CheckRow(out, 6, types, row);
  return 0;
}

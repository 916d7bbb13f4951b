// Value: one cell of a row, carried exactly as the source held it.
//
// A Value has a physical kind (how it is stored) that is independent of its
// column's logical type: SQLite lets a column declared INTEGER hold text, and
// such a value must survive a round trip unchanged. Logical types that have no
// physical kind of their own (decimal, date, time, timestamp, interval, uuid,
// json, enum, array, bit string, native) travel as kText in a canonical text
// form documented in docs/type-mapping.md; geometry travels as kBytes (WKB).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace decant {

class Value {
 public:
  // Stable numbers: they are written into archives (docs/archive-format.md).
  enum class Kind : uint8_t {
    kNull = 0,
    kBool = 1,
    kInt = 2,    // signed 64-bit
    kUInt = 3,   // unsigned 64-bit (only values above INT64_MAX need it)
    kFloat = 4,  // IEEE-754 binary64, bit-exact (-0.0, NaN payloads, infinities)
    kText = 5,   // bytes, normally UTF-8 (SQLite may hold any bytes as text)
    kBytes = 6,  // arbitrary bytes
  };

  Value() = default;  // NULL
  static Value Null() { return Value(); }
  static Value Bool(bool b) {
    Value v;
    v.kind_ = Kind::kBool;
    v.i_ = b ? 1 : 0;
    return v;
  }
  static Value Int(int64_t i) {
    Value v;
    v.kind_ = Kind::kInt;
    v.i_ = i;
    return v;
  }
  static Value UInt(uint64_t u) {
    Value v;
    v.kind_ = Kind::kUInt;
    v.u_ = u;
    return v;
  }
  static Value Float(double d) {
    Value v;
    v.kind_ = Kind::kFloat;
    v.d_ = d;
    return v;
  }
  static Value Text(std::string_view s) {
    Value v;
    v.kind_ = Kind::kText;
    v.s_ = s;
    return v;
  }
  static Value Bytes(std::string_view s) {
    Value v;
    v.kind_ = Kind::kBytes;
    v.s_ = s;
    return v;
  }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool as_bool() const { return i_ != 0; }
  int64_t as_int() const { return i_; }
  uint64_t as_uint() const { return u_; }
  double as_float() const { return d_; }
  // Text or bytes payload; empty for other kinds.
  const std::string& as_string() const { return s_; }

  // Reuse this Value's string buffer (avoids an allocation per cell in hot loops).
  void SetText(std::string_view s) {
    kind_ = Kind::kText;
    s_.assign(s.data(), s.size());
  }
  void SetBytes(std::string_view s) {
    kind_ = Kind::kBytes;
    s_.assign(s.data(), s.size());
  }
  void SetNull() { kind_ = Kind::kNull; }
  void SetInt(int64_t i) {
    kind_ = Kind::kInt;
    i_ = i;
  }
  void SetFloat(double d) {
    kind_ = Kind::kFloat;
    d_ = d;
  }

  // Bytes allocated for the text/bytes payload buffer (kept across Set* calls).
  size_t buffer_capacity() const { return s_.capacity(); }
  // Frees the payload buffer; the value keeps its kind but loses its payload.
  void ReleaseBuffer() { std::string().swap(s_); }

  // Exact equality: same kind and same bits (so -0.0 != 0.0 and NaN == NaN
  // when the payloads match).
  bool operator==(const Value& other) const;

  // Bytes of payload, for batch sizing and progress.
  size_t PayloadSize() const { return (kind_ == Kind::kText || kind_ == Kind::kBytes) ? s_.size() : 8; }

  // Debug form such as int:42, text:"abc", bytes:x'00ff', null.
  std::string DebugString() const;

 private:
  Kind kind_ = Kind::kNull;
  union {            // members named as the other data members, though clang-tidy sees them as public
    int64_t i_ = 0;  // NOLINT(readability-identifier-naming)
    uint64_t u_;     // NOLINT(readability-identifier-naming)
    double d_;       // NOLINT(readability-identifier-naming)
  };
  std::string s_;
};

const char* ValueKindName(Value::Kind kind);

}  // namespace decant

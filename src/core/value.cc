#include "core/value.h"

#include <fmt/format.h>

#include <cstring>

#include "core/hex.h"

namespace decant {

bool Value::operator==(const Value& other) const {
  if (kind_ != other.kind_) return false;
  switch (kind_) {
    case Kind::kNull: return true;
    case Kind::kBool:
    case Kind::kInt:
    case Kind::kUInt:
    case Kind::kFloat: return u_ == other.u_;  // bitwise: -0.0 and NaN payloads matter
    case Kind::kText:
    case Kind::kBytes: return s_ == other.s_;
  }
  return false;
}

const char* ValueKindName(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kNull: return "null";
    case Value::Kind::kBool: return "bool";
    case Value::Kind::kInt: return "int";
    case Value::Kind::kUInt: return "uint";
    case Value::Kind::kFloat: return "float";
    case Value::Kind::kText: return "text";
    case Value::Kind::kBytes: return "bytes";
  }
  return "?";
}

std::string Value::DebugString() const {
  switch (kind_) {
    case Kind::kNull: return "null";
    case Kind::kBool: return i_ ? "bool:true" : "bool:false";
    case Kind::kInt: return fmt::format("int:{}", i_);
    case Kind::kUInt: return fmt::format("uint:{}", u_);
    case Kind::kFloat: return fmt::format("float:{}", d_);
    case Kind::kText: return fmt::format("text:\"{}\"", s_);
    case Kind::kBytes: {
      return fmt::format("bytes:x'{}'", ToHex(s_));
    }
  }
  return "?";
}

}  // namespace decant

// What happens to one value that the target column cannot hold exactly.
//
// The rules are documented in docs/type-mapping.md ("Conversion rules"). A
// converter is built once per column (source type -> target type) and applied
// to every value; it rewrites the value into the form the target stores and
// says why when that form is not exact, so the pipeline can count it or, with
// --strict, stop.
#pragma once

#include <string>

#include "core/engine_traits.h"
#include "core/schema.h"
#include "core/value.h"

namespace decant {

class ValueConverter {
 public:
  // A column of `source` type read from `source_engine`, written to a
  // column of `target` type on `target_engine`; the rules follow the target's
  // ValuePolicy. Both traits must outlive the converter (the registry's do).
  ValueConverter(const DataType& source, const EngineTraits& source_engine, const DataType& target,
                 const EngineTraits& target_engine);

  // True when every value passes unchanged (no call to Convert needed).
  bool passthrough() const { return passthrough_; }

  // Rewrites *v for the target column. Returns nullptr when the value arrives
  // exactly, else a short static reason such as "NaN stored as NULL".
  const char* Convert(Value* v) const;

 private:
  const char* ToInteger(Value* v) const;
  static const char* ToBool(Value* v);
  const char* ToFloat(Value* v) const;
  const char* ToDecimal(Value* v) const;
  const char* ToText(Value* v) const;
  const char* ToBytes(Value* v) const;
  const char* ToTemporal(Value* v) const;
  const char* ToUuid(Value* v) const;
  const char* ToJson(Value* v) const;
  const char* ToBits(Value* v) const;
  const char* ToEnum(Value* v) const;

  DataType source_, target_;
  const ValuePolicy* into_;  // the target engine's
  bool passthrough_ = false;
  // JSON from a json_normalized source into an engine whose text holds no
  // NUL: the target stores it parsed (jsonb), so "\u0000" in a string is removed.
  bool json_without_nul_ = false;
};

// Decimal text of a double that reads back as the same double ("0.1", "1e+20" -> "100000000000000000000").
std::string ShortestDecimal(double d);

}  // namespace decant

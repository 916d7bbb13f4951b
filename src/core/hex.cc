#include "core/hex.h"

namespace decant {

void AppendHex(std::string_view bytes, std::string* out, HexCase letters) {
  // Sized once and filled in place: bytea and blobs go through here row by row.
  const char* digits = letters == HexCase::kUpper ? "0123456789ABCDEF" : "0123456789abcdef";
  size_t at = out->size();
  out->resize(at + 2 * bytes.size());
  char* p = out->data() + at;
  for (unsigned char b : bytes) {
    *p++ = digits[b >> 4];
    *p++ = digits[b & 15];
  }
}

std::string ToHex(std::string_view bytes, HexCase letters) {
  std::string out;
  AppendHex(bytes, &out, letters);
  return out;
}

bool DecodeHex(std::string_view hex, char* out) {
  if (hex.size() % 2 != 0) return false;
  for (size_t k = 0; k < hex.size() / 2; ++k) {
    int hi = HexDigitValue(hex[2 * k]), lo = HexDigitValue(hex[2 * k + 1]);
    if (hi < 0 || lo < 0) return false;
    out[k] = static_cast<char>(hi * 16 + lo);
  }
  return true;
}

bool AppendDecodedHex(std::string_view hex, std::string* out) {
  size_t at = out->size();
  out->resize(at + hex.size() / 2);
  if (DecodeHex(hex, out->data() + at)) return true;
  out->resize(at);
  return false;
}

}  // namespace decant

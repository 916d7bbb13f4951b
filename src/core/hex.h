// Hex digits, shared by every format that spells bytes in hex: the one place
// that encodes bytes as hex digits and decodes them back.
#pragma once

#include <string>
#include <string_view>

namespace decant {

// The value of one hex digit (either case), or -1 if `c` is not one.
inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Which letters encoding uses for the digits 10 to 15.
enum class HexCase { kLower, kUpper };

// Appends two hex digits per byte of `bytes` to `*out`, high nibble first,
// with no prefix or separator ("\x01\xab" -> "01ab").
void AppendHex(std::string_view bytes, std::string* out, HexCase letters = HexCase::kLower);
// Appends the two hex digits of one byte ('\x0a' -> "0a").
inline void AppendHexByte(unsigned char byte, std::string* out, HexCase letters = HexCase::kLower) {
  const char* digits = letters == HexCase::kUpper ? "0123456789ABCDEF" : "0123456789abcdef";
  out->push_back(digits[byte >> 4]);
  out->push_back(digits[byte & 15]);
}
// AppendHex into a fresh string.
std::string ToHex(std::string_view bytes, HexCase letters = HexCase::kLower);

// Decodes `hex` (pairs of digits in either case, no prefix) into
// hex.size() / 2 bytes at `out`. False if the length is odd or a character is
// not a hex digit; `out` then holds a partial result. Byte k is written only
// after digits 2k and 2k+1 are read, so `out` may point at or before
// hex.data() inside the same buffer (decoding in place).
bool DecodeHex(std::string_view hex, char* out);
// DecodeHex appending to `*out`; on failure `*out` is left as it was.
bool AppendDecodedHex(std::string_view hex, std::string* out);

}  // namespace decant

#include "core/base64.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace decant {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

Result<std::string> DecodeBase64(std::string_view text) {
  if (text.size() % 4 != 0) return Status::InvalidArgument("not base64: its length is not a multiple of 4");
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : 1;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    uint32_t group = 0;
    for (size_t j = 0; j < 4; ++j) {
      size_t at = i + j;
      int v = 0;
      if (last && j >= 4 - pad) {
        v = 0;
      } else {
        v = Sextet(text[at]);
        if (v < 0) return Status::InvalidArgument(fmt::format("not base64: byte {} is not a base64 letter", at));
      }
      group = group << 6 | static_cast<uint32_t>(v);
    }
    size_t bytes = last ? 3 - pad : 3;
    uint32_t unused_bits = last && pad == 2 ? 0xffff : last && pad == 1 ? 0xff : 0;
    if (group & unused_bits) return Status::InvalidArgument("not base64: non-zero bits after the last byte");
    for (size_t b = 0; b < bytes; ++b) out.push_back(static_cast<char>((group >> (16 - 8 * b)) & 0xff));
  }
  return out;
}

std::string EncodeBase64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t group = 0;
    for (size_t j = 0; j < 3; ++j) {
      group = group << 8 | (j < n ? static_cast<uint8_t>(bytes[i + j]) : 0u);
    }
    for (size_t j = 0; j < 4; ++j) {
      out.push_back(j <= n ? kAlphabet[(group >> (18 - 6 * j)) & 63] : '=');
    }
  }
  return out;
}

}  // namespace decant

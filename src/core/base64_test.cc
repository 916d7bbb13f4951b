#include "core/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace decant {
namespace {

std::string Decoded(const std::string& s) {
  auto r = DecodeBase64(s);
  return r.ok() ? r.value() : "error: " + r.status().message();
}

TEST(Base64, DecodesStrictly) {
  EXPECT_EQ(Decoded(""), "");
  EXPECT_EQ(Decoded("Zg=="), "f");
  EXPECT_EQ(Decoded("Zm8="), "fo");
  EXPECT_EQ(Decoded("Zm9vYmFy"), "foobar");
  EXPECT_EQ(Decoded("//+/"), "\xff\xff\xbf");
  EXPECT_EQ(Decoded("AA=="), std::string(1, '\0'));
  EXPECT_EQ(Decoded("Zg="), "error: not base64: its length is not a multiple of 4");
  EXPECT_EQ(Decoded("Zh=="), "error: not base64: non-zero bits after the last byte");
  EXPECT_EQ(Decoded("Z==="), "error: not base64: byte 1 is not a base64 letter");
  EXPECT_EQ(Decoded("Zg==Zg=="), "error: not base64: byte 2 is not a base64 letter");
  EXPECT_EQ(Decoded("Zm-v"), "error: not base64: byte 2 is not a base64 letter");  // the URL-safe alphabet
  EXPECT_EQ(Decoded("Zm9v\n"), "error: not base64: its length is not a multiple of 4");
}

TEST(Base64, EncodesAsPython) {
  EXPECT_EQ(EncodeBase64(""), "");
  EXPECT_EQ(EncodeBase64("f"), "Zg==");
  EXPECT_EQ(EncodeBase64("fo"), "Zm8=");
  EXPECT_EQ(EncodeBase64("foobar"), "Zm9vYmFy");
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= all.size(); n += 37) EXPECT_EQ(Decoded(EncodeBase64(all.substr(0, n))), all.substr(0, n));
}

}  // namespace
}  // namespace decant

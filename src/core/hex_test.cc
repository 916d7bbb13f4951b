#include "core/hex.h"

#include <gtest/gtest.h>

#include <string>

namespace decant {
namespace {

TEST(Hex, EncodesEveryByteTwoDigitsLowerByDefault) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  std::string hex = ToHex(all);
  ASSERT_EQ(hex.size(), 512u);
  EXPECT_EQ(hex.substr(0, 6), "000102");
  EXPECT_EQ(hex.substr(size_t{2} * 0xab, 2), "ab");
  EXPECT_EQ(hex.substr(510), "ff");
  EXPECT_EQ(ToHex(all, HexCase::kUpper).substr(size_t{2} * 0xab, 2), "AB");
  EXPECT_EQ(ToHex(""), "");
}

TEST(Hex, AppendKeepsWhatIsThere) {
  std::string out = "\\x";
  AppendHex(std::string("\x00\x7f\x80", 3), &out);
  EXPECT_EQ(out, "\\x007f80");
  AppendHexByte(0xab, &out);
  AppendHexByte(0x0c, &out, HexCase::kUpper);
  EXPECT_EQ(out, "\\x007f80ab0C");
}

TEST(Hex, DecodesEitherCaseAndRoundTrips) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  std::string back;
  ASSERT_TRUE(AppendDecodedHex(ToHex(all), &back));
  EXPECT_EQ(back, all);
  back.clear();
  ASSERT_TRUE(AppendDecodedHex(ToHex(all, HexCase::kUpper), &back));
  EXPECT_EQ(back, all);
  back = "x";
  ASSERT_TRUE(AppendDecodedHex("aBcD", &back));
  EXPECT_EQ(back, "x\xab\xcd");
}

TEST(Hex, RefusesOddLengthAndNonDigitsLeavingOutputAlone) {
  std::string out = "keep";
  EXPECT_FALSE(AppendDecodedHex("abc", &out));
  EXPECT_FALSE(AppendDecodedHex("0g", &out));
  EXPECT_FALSE(AppendDecodedHex("0x12", &out));
  EXPECT_EQ(out, "keep");
  EXPECT_EQ(HexDigitValue('f'), 15);
  EXPECT_EQ(HexDigitValue('G'), -1);
}

TEST(Hex, DecodesInPlaceBehindTheDigits) {
  std::string buf = "\\x41424344";
  ASSERT_TRUE(DecodeHex(std::string_view(buf).substr(2), buf.data()));
  EXPECT_EQ(buf.substr(0, 4), "ABCD");
  std::string same = "6162";
  ASSERT_TRUE(DecodeHex(same, same.data()));
  EXPECT_EQ(same.substr(0, 2), "ab");
}

}  // namespace
}  // namespace decant

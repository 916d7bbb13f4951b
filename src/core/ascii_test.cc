#include "core/ascii.h"

#include <gtest/gtest.h>

namespace decant {
namespace {

TEST(Ascii, FoldsOnlyAsciiLetters) {
  EXPECT_EQ(AsciiLower("SELECT Foo_1 [Z]@"), "select foo_1 [z]@");
  EXPECT_EQ(AsciiUpper("select foo_1 {z}`"), "SELECT FOO_1 {Z}`");
  // UTF-8 and other high bytes are left alone.
  EXPECT_EQ(AsciiLower("\xC3\x89T\xC3\xA9"), "\xC3\x89t\xC3\xA9");
  EXPECT_EQ(AsciiLower('@'), '@');
  EXPECT_EQ(AsciiLower('['), '[');
  EXPECT_EQ(AsciiUpper('`'), '`');
  EXPECT_EQ(AsciiUpper('{'), '{');
}

TEST(Ascii, ComparesIgnoringCase) {
  EXPECT_TRUE(EqualsIgnoreCaseAscii("Infinity", "INFINITY"));
  EXPECT_TRUE(EqualsIgnoreCaseAscii("", ""));
  EXPECT_FALSE(EqualsIgnoreCaseAscii("nan", "nan "));
  EXPECT_FALSE(EqualsIgnoreCaseAscii("\xC3\xA9", "\xC3\x89"));
  EXPECT_FALSE(EqualsIgnoreCaseAscii("@", "`"));
  EXPECT_TRUE(StartsWithIgnoreCaseAscii("SQLITE_sequence", "sqlite_"));
  EXPECT_FALSE(StartsWithIgnoreCaseAscii("sql", "sqlite_"));
  EXPECT_TRUE(StartsWithIgnoreCaseAscii("x", ""));
}

}  // namespace
}  // namespace decant

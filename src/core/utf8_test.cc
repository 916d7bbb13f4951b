#include "core/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace decant {
namespace {

TEST(Utf8, ValidatesPerRfc3629) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));  // é € 😀
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));                      // U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));                             // overlong
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));                         // overlong
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\xAF"));                     // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));                         // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));                     // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));  // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));  // lone continuation
}

TEST(Utf8, NulIsValidUnlessRefused) {
  std::string nul("a\0b", 3);
  EXPECT_TRUE(IsValidUtf8(nul));
  EXPECT_FALSE(IsValidUtf8(nul, /*allow_nul=*/false));
  EXPECT_EQ(RepairUtf8(nul), nul);
  EXPECT_EQ(RepairUtf8(nul, /*allow_nul=*/false), "ab");
}

TEST(Utf8, RepairReplacesEachBadByte) {
  EXPECT_EQ(RepairUtf8("ok \xC3\xA9"), "ok \xC3\xA9");
  EXPECT_EQ(RepairUtf8("a\xFF"
                       "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(RepairUtf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_TRUE(IsValidUtf8(RepairUtf8("\xED\xA0\x80\xC0")));
}

TEST(Utf8, CountsCutsAndBoundaries) {
  std::string s =
      "a\xC3\xA9\xE2\x82\xAC"
      "b";  // a é € b
  EXPECT_EQ(Utf8CharCount(s), 4u);
  EXPECT_EQ(Utf8Prefix(s, 0), "");
  EXPECT_EQ(Utf8Prefix(s, 2), "a\xC3\xA9");
  EXPECT_EQ(Utf8Prefix(s, 9), s);
  EXPECT_EQ(Utf8BoundaryAtOrBefore(s, 2), 1u);  // inside é
  EXPECT_EQ(Utf8BoundaryAtOrBefore(s, 5), 3u);  // inside €
  EXPECT_EQ(Utf8BoundaryAtOrBefore(s, 6), 6u);
  EXPECT_EQ(Utf8BoundaryAtOrBefore(s, s.size()), s.size());
  EXPECT_EQ(Utf8BoundaryAtOrBefore("\x80\x80", 1), 0u);
  EXPECT_EQ(Utf8SequenceLength(s, 3), 3u);
  EXPECT_EQ(Utf8SequenceLength(s, 4), 0u);
}

}  // namespace
}  // namespace decant

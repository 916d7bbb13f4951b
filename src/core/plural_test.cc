#include "core/plural.h"

#include <gtest/gtest.h>

namespace decant {
namespace {

TEST(Counted, ChoosesSingularForOneOnly) {
  EXPECT_EQ(Counted(0, "table"), "0 tables");
  EXPECT_EQ(Counted(1, "table"), "1 table");
  EXPECT_EQ(Counted(2, "view"), "2 views");
  EXPECT_EQ(Counted(1, "index", "indexes"), "1 index");
  EXPECT_EQ(Counted(12, "index", "indexes"), "12 indexes");
  EXPECT_EQ(Noun(1, "entry", "entries"), "entry");
}

}  // namespace
}  // namespace decant

#include "cli/suggest.h"

#include <gtest/gtest.h>

namespace decant {
namespace {

TEST(EditDistance, CountsEachEditOnce) {
  EXPECT_EQ(EditDistance("export", "export"), 0u);
  EXPECT_EQ(EditDistance("exprot", "export"), 1u);  // a swap of neighbours
  EXPECT_EQ(EditDistance("--tabel", "--table"), 1u);
  EXPECT_EQ(EditDistance("imprt", "import"), 1u);
  EXPECT_EQ(EditDistance("", "plan"), 4u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

TEST(ClosestName, SuggestsOnlyLikelyTypos) {
  const std::vector<std::string> commands = {"export", "import", "migrate", "plan", "verify"};
  EXPECT_EQ(ClosestName("exprot", commands), "export");
  EXPECT_EQ(ClosestName("verfiy", commands), "verify");
  EXPECT_EQ(ClosestName("frobnicate", commands), "");
  EXPECT_EQ(ClosestName("pln", commands), "plan");
  EXPECT_EQ(ClosestName("xx", commands), "");
  const std::vector<std::string> options = {"--table", "--exclude-table", "-j", "--jobs"};
  EXPECT_EQ(ClosestName("--tabel", options), "--table");
  EXPECT_EQ(ClosestName("--exclude-tables", options), "--exclude-table");
  EXPECT_EQ(ClosestName("-x", options), "");  // one letter: anything would be as likely
  EXPECT_EQ(ClosestName("--jbos", options), "--jobs");
}

}  // namespace
}  // namespace decant

#include <gtest/gtest.h>

TEST(FixtureFileTest, Placeholder) { SUCCEED(); }

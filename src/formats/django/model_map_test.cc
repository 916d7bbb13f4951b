#include <gtest/gtest.h>

TEST(ModelMapTest, Placeholder) { SUCCEED(); }

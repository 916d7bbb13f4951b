#include <gtest/gtest.h>

TEST(DjangoValuesTest, Placeholder) { SUCCEED(); }

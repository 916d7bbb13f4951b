#include <gtest/gtest.h>
TEST(Mysql, Placeholder) {}

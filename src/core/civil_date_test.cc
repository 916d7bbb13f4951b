#include "core/civil_date.h"

#include <gtest/gtest.h>

namespace decant {
namespace {

void ExpectDate(int64_t days, int64_t y, int m, int d) {
  CivilDate c = CivilFromDays(days);
  EXPECT_EQ(c.year, y) << days;
  EXPECT_EQ(c.month, m) << days;
  EXPECT_EQ(c.day, d) << days;
  EXPECT_EQ(DaysFromCivil(y, m, d), days) << y << "-" << m << "-" << d;
}

TEST(CivilDate, Epoch) {
  ExpectDate(0, 1970, 1, 1);
  ExpectDate(-1, 1969, 12, 31);
}

TEST(CivilDate, Edges) {
  ExpectDate(2932896, 9999, 12, 31);
  ExpectDate(-719162, 1, 1, 1);
  ExpectDate(-719163, 0, 12, 31);  // 1 BC
  ExpectDate(-719528, 0, 1, 1);
  ExpectDate(-719469, 0, 2, 29);        // year 0 is a leap year
  ExpectDate(-719529, -1, 12, 31);      // 2 BC
  ExpectDate(-2440588, -4713, 11, 24);  // Julian day 0
}

TEST(CivilDate, LeapDays) {
  ExpectDate(11016, 2000, 2, 29);                                        // divisible by 400: leap
  EXPECT_EQ(DaysFromCivil(1900, 3, 1) - DaysFromCivil(1900, 2, 28), 1);  // by 100: not
  EXPECT_EQ(DaysFromCivil(2024, 3, 1) - DaysFromCivil(2024, 2, 28), 2);
  EXPECT_EQ(DaysFromCivil(-4, 3, 1) - DaysFromCivil(-4, 2, 28), 2);  // 5 BC
  EXPECT_EQ(DaysFromCivil(2023, 2, 29), DaysFromCivil(2023, 3, 1));
}

TEST(CivilDate, EveryDayRoundTripsAcrossEras) {
  int64_t prev = DaysFromCivil(-801, 1, 1) - 1;
  for (int64_t days = prev + 1; days < DaysFromCivil(2401, 1, 1); ++days) {
    CivilDate c = CivilFromDays(days);
    ASSERT_EQ(DaysFromCivil(c.year, c.month, c.day), days);
    ASSERT_GE(c.month, 1);
    ASSERT_LE(c.month, 12);
    ASSERT_GE(c.day, 1);
    ASSERT_LE(c.day, 31);
  }
}

TEST(CivilDate, FloorDiv) {
  EXPECT_EQ(FloorDiv(86399, 86400), 0);
  EXPECT_EQ(FloorDiv(86400, 86400), 1);
  EXPECT_EQ(FloorDiv(-1, 86400), -1);
  EXPECT_EQ(FloorDiv(-86400, 86400), -1);
  EXPECT_EQ(FloorDiv(-86401, 86400), -2);
  EXPECT_EQ(FloorDiv(7, -2), -4);
}

}  // namespace
}  // namespace decant

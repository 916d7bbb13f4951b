// Civil (proleptic Gregorian) date arithmetic: the one place decant turns a
// year-month-day into a day count and back (H. Hinnant, "chrono-Compatible
// Low-Level Date Algorithms"). Years are astronomical: year 0 is 1 BC, -1 is
// 2 BC. Exact for every date whose day count fits in int64_t.
#pragma once

#include <cstdint>

namespace decant {

struct CivilDate {
  int64_t year = 1970;
  int month = 1;  // 1-12
  int day = 1;    // 1-31
};

// Days since 1970-01-01 (negative before it). Requires 1 <= month <= 12 and
// 1 <= day <= 31; a day past the end of its month counts on into the next
// (2023-02-30 is 2023-03-02).
int64_t DaysFromCivil(int64_t year, int month, int day);

// The date `days` after 1970-01-01 (before it when negative).
CivilDate CivilFromDays(int64_t days);

// a / b rounded toward negative infinity (b != 0): seconds to whole days
// with FloorDiv(seconds, 86400).
inline int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

}  // namespace decant

#include "mapping/temporal_text.h"

#include <fmt/format.h>

#include "core/ascii.h"
#include "core/civil_date.h"

namespace decant {
namespace {

using L = LogicalType;

bool Digits(std::string_view s, size_t* i, size_t min, size_t max, int64_t* out) {
  size_t start = *i;
  int64_t v = 0;
  while (*i < s.size() && *i - start < max && s[*i] >= '0' && s[*i] <= '9') v = v * 10 + (s[(*i)++] - '0');
  if (*i - start < min) return false;
  *out = v;
  return true;
}

bool ParseTime(std::string_view s, size_t* i, Moment* m) {
  int64_t h, mi, sec = 0;
  if (*i < s.size() && s[*i] == '-') {
    m->negative_time = true;
    ++*i;
  }
  if (!Digits(s, i, 1, 3, &h) || *i >= s.size() || s[*i] != ':') return false;
  ++*i;
  if (!Digits(s, i, 2, 2, &mi)) return false;
  if (*i < s.size() && s[*i] == ':') {
    ++*i;
    if (!Digits(s, i, 2, 2, &sec)) return false;
    if (*i < s.size() && s[*i] == '.') {
      ++*i;
      while (*i < s.size() && s[*i] >= '0' && s[*i] <= '9') m->fraction.push_back(s[(*i)++]);
    }
  }
  m->hour = static_cast<long>(h);
  m->minute = static_cast<unsigned>(mi);
  m->second = static_cast<unsigned>(sec);
  m->has_time = true;
  return mi < 60 && sec < 61;
}

bool ParseOffset(std::string_view s, size_t* i, Moment* m) {
  if (*i < s.size() && s[*i] == 'Z') {
    ++*i;
    m->has_offset = true;
    return true;
  }
  if (*i >= s.size() || (s[*i] != '+' && s[*i] != '-')) return true;
  int sign = s[*i] == '-' ? -1 : 1;
  ++*i;
  int64_t h, mi = 0, sec = 0;
  if (!Digits(s, i, 2, 2, &h)) return false;
  if (*i < s.size() && s[*i] == ':') ++*i;
  Digits(s, i, 2, 2, &mi);
  if (*i < s.size() && s[*i] == ':') {
    ++*i;
    Digits(s, i, 2, 2, &sec);
  }
  m->has_offset = true;
  m->offset_seconds = sign * static_cast<int>(h * 3600 + mi * 60 + sec);
  return true;
}

bool IsZeroDate(const Moment& m) { return m.has_date && m.year == 0 && m.month == 0 && m.day == 0; }

}  // namespace

bool ParseMoment(std::string_view s, bool time_only, Moment* m) {
  s = TrimBlanks(s);
  if (EqualsIgnoreCaseAscii(s, "infinity") || EqualsIgnoreCaseAscii(s, "+infinity")) {
    m->infinity = 1;
    return true;
  }
  if (EqualsIgnoreCaseAscii(s, "-infinity")) {
    m->infinity = -1;
    return true;
  }
  size_t i = 0;
  if (!time_only) {
    int64_t y, mo, d;
    if (!Digits(s, &i, 4, 9, &y) || i >= s.size() || s[i++] != '-') return false;
    if (!Digits(s, &i, 2, 2, &mo) || i >= s.size() || s[i++] != '-') return false;
    if (!Digits(s, &i, 2, 2, &d)) return false;
    m->has_date = true;
    m->year = y;
    m->month = static_cast<unsigned>(mo);
    m->day = static_cast<unsigned>(d);
    if (i < s.size() && (s[i] == ' ' || s[i] == 'T') && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9') {
      ++i;
      if (!ParseTime(s, &i, m) || m->negative_time || m->hour > 24) return false;
      if (!ParseOffset(s, &i, m)) return false;
    }
    if (s.substr(i) == " BC") {
      m->bc = true;
      i = s.size();
    }
    bool zero = y == 0 && mo == 0 && d == 0;  // MySQL's zero date
    if (!zero && (mo < 1 || mo > 12 || d < 1 || d > 31)) return false;
  } else {
    if (!ParseTime(s, &i, m)) return false;
    if (!ParseOffset(s, &i, m)) return false;
  }
  return i == s.size();
}

std::string FormatMoment(const Moment& m, bool date, bool time, bool offset, bool bc_suffix) {
  std::string out;
  if (date) out += fmt::format("{:04d}-{:02d}-{:02d}", m.year, m.month, m.day);
  if (date && time) out += " ";
  if (time) {
    out += fmt::format("{}{:02d}:{:02d}:{:02d}", m.negative_time ? "-" : "", m.hour, m.minute, m.second);
    if (!m.fraction.empty()) out += "." + m.fraction;
  }
  if (offset) out += "+00";
  if (bc_suffix && m.bc) out += " BC";
  return out;
}

void ToUtc(Moment* m) {
  if (!m->has_offset || m->offset_seconds == 0 || IsZeroDate(*m)) return;
  int64_t days = m->has_date ? DaysFromCivil(m->year, static_cast<int>(m->month), static_cast<int>(m->day)) : 0;
  int64_t secs = days * 86400 + int64_t{m->hour} * 3600 + int64_t{m->minute} * 60 + m->second - m->offset_seconds;
  int64_t day = FloorDiv(secs, 86400);
  int64_t rest = secs - day * 86400;
  if (m->has_date) {
    CivilDate date = CivilFromDays(day);
    m->year = date.year;
    m->month = static_cast<unsigned>(date.month);
    m->day = static_cast<unsigned>(date.day);
  }
  m->hour = static_cast<long>(rest / 3600);
  m->minute = static_cast<unsigned>(rest % 3600 / 60);
  m->second = static_cast<unsigned>(rest % 60);
  m->offset_seconds = 0;
}

bool AppendNormalTemporal(std::string_view s, LogicalType type, std::string* out) {
  if (type != L::kDate && type != L::kTime && type != L::kTimestamp && type != L::kTimestampTz) return false;
  Moment m;
  if (!ParseMoment(s, type == L::kTime, &m)) return false;
  if (m.infinity) {
    out->append(m.infinity > 0 ? "infinity" : "-infinity");
    return true;
  }
  while (!m.fraction.empty() && m.fraction.back() == '0') m.fraction.pop_back();
  if (type == L::kTimestampTz && !m.negative_time) {
    ToUtc(&m);
    m.has_offset = false;
  }
  if (m.has_offset && m.offset_seconds == 0) m.has_offset = false;
  bool midnight = m.hour == 0 && m.minute == 0 && m.second == 0 && m.fraction.empty() && !m.has_offset;
  bool date = type != L::kTime;
  bool time = type != L::kDate || (m.has_time && !midnight);
  out->append(FormatMoment(m, date, time, false, false));
  if (m.has_offset) {
    int o = m.offset_seconds < 0 ? -m.offset_seconds : m.offset_seconds;
    out->append(fmt::format("{}{:02d}:{:02d}", m.offset_seconds < 0 ? '-' : '+', o / 3600, o / 60 % 60));
    if (o % 60) out->append(fmt::format(":{:02d}", o % 60));
  }
  if (m.bc) out->append(" BC");
  return true;
}

std::string ShortestTemporalText(std::string_view s, LogicalType type, int declared_digits) {
  Moment m;
  if (!ParseMoment(s, type == L::kTime, &m) || m.fraction.empty()) return std::string(s);
  size_t dot = s.find('.');  // none of the forms has another '.'
  if (dot == std::string_view::npos) return std::string(s);
  size_t end = dot + 1;
  while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
  std::string_view fraction = s.substr(dot + 1, end - dot - 1);
  size_t last = fraction.find_last_not_of('0');
  size_t cut = last == std::string_view::npos ? dot : declared_digits > 0 ? end : dot + 2 + last;
  std::string out(s.substr(0, cut));
  out.append(s.substr(end));
  return out;
}

}  // namespace decant

#include "formats/rethinkdb/rdb_pseudo.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>

#include "core/civil_date.h"

namespace decant::rethinkdb {
namespace {

bool Digits2(std::string_view s, size_t at, int* v) {
  if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') return false;
  *v = (s[at] - '0') * 10 + (s[at + 1] - '0');
  return true;
}

// "Z", "+HH", "+HH:MM", "+HHMM" (hours 00-24, minutes 00-59, not "-00:00"),
// as the server's sanitize::tz accepts them, written "+HH:MM".
bool NormalTimezone(std::string_view s, std::string* out) {
  if (s == "Z") {
    *out = "+00:00";
    return true;
  }
  int h = 0, m = 0;
  if (s.empty() || (s[0] != '+' && s[0] != '-') || !Digits2(s, 1, &h)) return false;
  if (s.size() == 3) {
    m = 0;
  } else if (s.size() == 6 && s[3] == ':' && Digits2(s, 4, &m)) {
  } else if (s.size() == 5 && Digits2(s, 3, &m)) {
  } else {
    return false;
  }
  if (h > 24 || m > 59 || (s[0] == '-' && h == 0 && m == 0)) return false;
  *out = fmt::format("{}{:02d}:{:02d}", s[0], h, m);
  return true;
}

}  // namespace

Result<std::string> DecodeBase64(std::string_view text) {
  auto bytes = decant::DecodeBase64(text);
  if (!bytes.ok()) return Status::InvalidArgument("BINARY data is " + bytes.status().message());
  return bytes;
}

std::string TimestampText(int64_t ms) {
  int64_t days = FloorDiv(ms, 86400000);
  int64_t rest = ms - days * 86400000;
  CivilDate d = CivilFromDays(days);
  int64_t sec = rest / 1000;
  int64_t frac = rest % 1000;
  std::string out = fmt::format("{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}", d.year, d.month, d.day, sec / 3600,
                                sec / 60 % 60, sec % 60);
  if (frac != 0) {
    std::string f = fmt::format("{:03d}", frac);
    while (f.back() == '0') f.pop_back();
    out += "." + f;
  }
  out += "+00";
  return out;
}

Result<TimeValue> ParseTime(const nlohmann::json& time) {
  if (!time.is_object()) return Status::InvalidArgument("TIME: not an object");
  const nlohmann::json* epoch = nullptr;
  const nlohmann::json* tz = nullptr;
  for (const auto& [key, value] : time.items()) {
    if (key == "epoch_time") {
      epoch = &value;
    } else if (key == "timezone") {
      tz = &value;
    } else if (key != "$reql_type$") {
      return Status::InvalidArgument(fmt::format("TIME: unexpected key '{}'", key));
    }
  }
  if (epoch == nullptr || !epoch->is_number()) return Status::InvalidArgument("TIME: epoch_time is not a number");
  if (tz == nullptr || !tz->is_string()) return Status::InvalidArgument("TIME: timezone is not a string");
  TimeValue out;
  if (!NormalTimezone(tz->get_ref<const std::string&>(), &out.timezone)) {
    return Status::InvalidArgument(fmt::format("TIME: timezone '{}' is not +HH:MM", tz->get_ref<const std::string&>()));
  }
  // The server stores round(epoch_time * 1000) / 1000; this is its inverse.
  double scaled = epoch->get<double>() * 1000;
  constexpr double kLimit = 9007199254740992.0;  // 2^53 ms
  if (!std::isfinite(scaled) || std::fabs(scaled) > kLimit) {
    return Status::InvalidArgument(fmt::format("TIME: epoch_time {} is out of range", epoch->dump()));
  }
  int64_t ms = std::llround(scaled);
  if (ms < -62135596800000) {  // 0001-01-01 00:00:00 UTC
    return Status::InvalidArgument(fmt::format("TIME: epoch_time {} is before the year 1", epoch->dump()));
  }
  out.utc_text = TimestampText(ms);
  return out;
}

}  // namespace decant::rethinkdb

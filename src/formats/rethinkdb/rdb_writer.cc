#include "formats/rethinkdb/rdb_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>

#include "archive/codec.h"
#include "core/civil_date.h"
#include "core/endpoint.h"
#include "core/python_json.h"
#include "core/utf8.h"
#include "formats/rethinkdb/rdb_geo.h"
#include "formats/rethinkdb/rdb_pseudo.h"
#include "formats/rethinkdb/rdb_shape.h"
#include "mapping/temporal_text.h"

namespace decant::rethinkdb {
namespace {

using L = LogicalType;
using Json = nlohmann::ordered_json;

bool IsInteger(L t) { return t == L::kInt16 || t == L::kInt32 || t == L::kInt64 || t == L::kUInt64; }
bool IsTemporal(L t) { return t == L::kDate || t == L::kTimestamp || t == L::kTimestampTz; }

constexpr double kTwo63 = 9223372036854775808.0;

// Decimal text as its significant digits and decimal point position
// (value = 0.<digits> * 10^decpt); false if it is not a plain number.
bool DecimalDigits(std::string_view s, bool* negative, std::string* digits, long* decpt, bool* integral) {
  size_t i = 0;
  *negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) *negative = s[i++] == '-';
  std::string all;
  long point = -1;
  *integral = true;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      all.push_back(s[i]);
    } else if (s[i] == '.' && point < 0) {
      point = static_cast<long>(all.size());
      *integral = false;
    } else {
      break;
    }
  }
  if (all.empty()) return false;
  long exp10 = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    *integral = false;
    ++i;
    std::string_view es = s.substr(i);
    if (!es.empty() && es[0] == '+') es.remove_prefix(1);
    auto r = std::from_chars(es.data(), es.data() + es.size(), exp10);
    if (r.ec != std::errc() || r.ptr != es.data() + es.size()) return false;
    i = s.size();
  }
  if (i != s.size()) return false;
  long int_len = (point < 0 ? static_cast<long>(all.size()) : point) + exp10;
  size_t lead = all.find_first_not_of('0');
  if (lead == std::string::npos) {
    *digits = "0";
    *decpt = 1;
    return true;
  }
  *digits = all.substr(lead);
  *decpt = int_len - static_cast<long>(lead);
  while (digits->size() > 1 && digits->back() == '0') digits->pop_back();
  return true;
}

// A decimal's text as a JSON number when a double holds it exactly (an
// integer one when it is written without a point and within 2^53), else null.
std::optional<Json> DecimalNumber(std::string_view text) {
  bool negative = false, integral = false;
  std::string digits;
  long decpt = 0;
  if (!DecimalDigits(text, &negative, &digits, &decpt, &integral)) return std::nullopt;
  std::string_view t = text;
  if (!t.empty() && t[0] == '+') t.remove_prefix(1);
  double d = 0;
  auto r = std::from_chars(t.data(), t.data() + t.size(), d);
  if (r.ec != std::errc() || !std::isfinite(d)) return std::nullopt;
  std::string back;
  AppendPythonFloat(std::fabs(d), &back);
  bool back_negative = false, back_integral = false;
  std::string back_digits;
  long back_decpt = 0;
  if (!DecimalDigits(back, &back_negative, &back_digits, &back_decpt, &back_integral)) return std::nullopt;
  if (digits == "0") {
    if (back_digits != "0") return std::nullopt;
  } else if (back_digits != digits || back_decpt != decpt) {
    return std::nullopt;
  }
  if (integral && std::fabs(d) <= 9007199254740992.0) return Json(static_cast<int64_t>(d));
  return Json(d);
}

std::string TimeZoneText(int offset_seconds) {
  int a = offset_seconds < 0 ? -offset_seconds : offset_seconds;
  return fmt::format("{}{:02d}:{:02d}", offset_seconds < 0 ? '-' : '+', a / 3600, (a / 60) % 60);
}

bool ValidTimeZone(std::string_view tz) {
  auto digit = [&](size_t i) { return tz[i] >= '0' && tz[i] <= '9'; };
  return tz.size() == 6 && (tz[0] == '+' || tz[0] == '-') && digit(1) && digit(2) && tz[3] == ':' && digit(4) &&
         digit(5);
}

// A date or timestamp's canonical text as TIME; `zone` overrides the
// offset written in the text. Empty message on success.
std::string MakeTime(std::string_view text, L type, const std::string* zone, Json* out) {
  Moment m;
  if (!ParseMoment(text, false, &m) || !m.has_date) return "not a date or timestamp";
  if (m.infinity != 0) return "an infinite date, which RethinkDB has no time for";
  int64_t year = m.bc ? 1 - m.year : m.year;
  int64_t days = DaysFromCivil(year, static_cast<int>(m.month), static_cast<int>(m.day));
  int64_t seconds = days * 86400;
  if (type != L::kDate && m.has_time) seconds += int64_t{m.hour} * 3600 + int64_t{m.minute} * 60 + int64_t{m.second};
  if (m.has_offset) seconds -= m.offset_seconds;
  int64_t ms = 0;
  if (type != L::kDate) {
    std::string f = (m.fraction + "000").substr(0, 3);
    ms = (f[0] - '0') * 100 + (f[1] - '0') * 10 + (f[2] - '0');
  }
  int64_t total = seconds * 1000 + ms;
  Json t = Json::object();
  t["$reql_type$"] = "TIME";
  if (total % 1000 == 0) {
    t["epoch_time"] = total / 1000;
  } else {
    t["epoch_time"] = static_cast<double>(total) / 1000.0;
  }
  t["timezone"] = zone ? *zone : TimeZoneText(m.has_offset ? m.offset_seconds : 0);
  *out = std::move(t);
  return "";
}

Json ByKind(const Value& v, bool integral_floats) {
  switch (v.kind()) {
    case Value::Kind::kNull: return nullptr;
    case Value::Kind::kBool: return v.as_bool();
    case Value::Kind::kInt: return v.as_int();
    case Value::Kind::kUInt: return v.as_uint();
    case Value::Kind::kFloat: {
      double d = v.as_float();
      if (integral_floats && std::isfinite(d) && d == std::trunc(d)) {
        if (std::fabs(d) < kTwo63) return static_cast<int64_t>(d);
        if (d > 0 && d < 2 * kTwo63) return static_cast<uint64_t>(d);
      }
      return d;
    }
    case Value::Kind::kText: return v.as_string();
    case Value::Kind::kBytes: {
      Json b = Json::object();
      b["$reql_type$"] = "BINARY";
      b["data"] = EncodeBase64(v.as_string());
      return b;
    }
  }
  return nullptr;
}

bool IsStringKind(const Value& v) { return v.kind() == Value::Kind::kText || v.kind() == Value::Kind::kBytes; }

// A column's (or the table's) name as a marked column's comment names it.
bool HasComment(const Column& c, std::string_view comment) { return c.comment == comment; }

}  // namespace

void AppendPythonJson(const Json& value, std::string* out) {
  switch (value.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded: *out += "null"; break;
    case Json::value_t::boolean: *out += value.get<bool>() ? "true" : "false"; break;
    case Json::value_t::number_integer: *out += std::to_string(value.get<int64_t>()); break;
    case Json::value_t::number_unsigned: *out += std::to_string(value.get<uint64_t>()); break;
    case Json::value_t::number_float: AppendPythonFloat(value.get<double>(), out); break;
    case Json::value_t::string: AppendPythonString(value.get_ref<const std::string&>(), true, out); break;
    case Json::value_t::binary: {
      // Not JSON; nlohmann's own form, never made by decant.
      *out += "null";
      break;
    }
    case Json::value_t::array: {
      out->push_back('[');
      bool first = true;
      for (const Json& e : value) {
        if (!first) *out += ", ";
        first = false;
        AppendPythonJson(e, out);
      }
      out->push_back(']');
      break;
    }
    case Json::value_t::object: {
      out->push_back('{');
      bool first = true;
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (!first) *out += ", ";
        first = false;
        AppendPythonString(it.key(), true, out);
        *out += ": ";
        AppendPythonJson(it.value(), out);
      }
      out->push_back('}');
      break;
    }
  }
}

DocumentMaker::DocumentMaker(const Table& table) : label_(QualifiedName(table.schema, table.name)) {
  std::vector<size_t> data = DataColumns(table);
  bool has_rest = false, has_doc_comment = false;
  int doc = -1;
  for (size_t i : data) {
    const Column& c = table.columns[i];
    Col col{c.name, c.type};
    if (HasComment(c, kGeometryComment) && c.type.logical == L::kBytes) col.type.logical = L::kGeometry;
    if (HasComment(c, kLeftoversComment) || (c.name == kLeftoversColumn && c.type.logical == L::kJson)) {
      col.role = Role::kLeftovers;
      has_rest = true;
    } else if (HasComment(c, kDocumentComment)) {
      col.role = Role::kDocument;
      has_doc_comment = true;
      doc = static_cast<int>(cols_.size());
    }
    cols_.push_back(std::move(col));
  }
  std::vector<std::string> key_cols = table.primary_key ? table.primary_key->columns : std::vector<std::string>{};
  if (!has_doc_comment) {
    // By name: a JSON `doc` beside nothing but the key.
    for (size_t i = 0; i < cols_.size(); ++i) {
      if (cols_[i].name != kDocumentColumn || cols_[i].type.logical != L::kJson) continue;
      bool only_key = cols_.size() == key_cols.size() + 1;
      for (const Col& c : cols_) {
        if (&c != &cols_[i] && std::find(key_cols.begin(), key_cols.end(), c.name) == key_cols.end()) only_key = false;
      }
      if (only_key) {
        cols_[i].role = Role::kDocument;
        doc = static_cast<int>(i);
      }
    }
  }
  // Time zone columns: by comment, else `<f>_tz` (text) beside a timestamp
  // `<f>` in an inferred table.
  for (size_t i : data) {
    const Column& c = table.columns[i];
    std::string field;
    if (c.comment.starts_with(kTimeZoneComment)) {
      field = c.comment.substr(std::string_view(kTimeZoneComment).size());
    } else if (has_rest && c.name.size() > 3 && c.name.ends_with("_tz") &&
               (c.type.logical == L::kText || c.type.logical == L::kAny)) {
      field = c.name.substr(0, c.name.size() - 3);
    } else {
      continue;
    }
    int self = -1, of = -1;
    for (size_t k = 0; k < cols_.size(); ++k) {
      if (cols_[k].name == c.name) self = static_cast<int>(k);
      if (cols_[k].name == field && IsTemporal(cols_[k].type.logical)) of = static_cast<int>(k);
    }
    if (self >= 0 && of >= 0) {
      cols_[static_cast<size_t>(self)].role = Role::kTimeZone;
      cols_[static_cast<size_t>(of)].tz_of = self;
    }
  }
  absent_nulls_ = has_rest;
  (void)doc;

  auto find = [&](const std::string& name) {
    for (size_t k = 0; k < cols_.size(); ++k) {
      if (cols_[k].name == name) return static_cast<int>(k);
    }
    return -1;
  };
  if (key_cols.size() == 1 && find(key_cols[0]) >= 0) {
    primary_key_ = key_cols[0];
    key_col_ = find(key_cols[0]);
    return;
  }
  // A field of our own for the key.
  auto taken = [&](const std::string& name) {
    for (const Column& c : table.columns) {
      if (c.name == name) return true;
    }
    return false;
  };
  primary_key_ = "id";
  for (int n = 1; taken(primary_key_); ++n) primary_key_ = n == 1 ? "rethinkdb_id" : fmt::format("rethinkdb_id_{}", n);
  std::string list;
  for (const std::string& k : key_cols) {
    int at = find(k);
    if (at >= 0) compound_.push_back(at);
    list += (list.empty() ? "" : ", ") + k;
  }
  if (!compound_.empty() && compound_.size() == key_cols.size()) {
    key_note_ =
        fmt::format("primary key ({}) is one field in RethinkDB: each document's `{}` is the array of the key's values",
                    list, primary_key_);
  } else {
    compound_.clear();
    generated_key_ = true;
    key_note_ = fmt::format("no primary key: each document gets `{}`, a random UUID (as RethinkDB's insert makes)",
                            primary_key_);
  }
}

Result<Json> DocumentMaker::FieldValue(const Col& col, const Value& v, const Value* tz) const {
  auto fail = [&](const std::string& why) {
    return Status::InvalidArgument(fmt::format("table {} column {}: {}", label_, col.name, why));
  };
  if (v.is_null()) return Json(nullptr);
  L t = col.type.logical;
  if (v.kind() == Value::Kind::kFloat && !std::isfinite(v.as_float())) {
    return fail(fmt::format("{} is not a number RethinkDB can hold", v.DebugString()));
  }
  switch (t) {
    case L::kBytes:
      if (IsStringKind(v)) return ByKind(Value::Bytes(v.as_string()), false);
      break;
    case L::kJson:
      if (IsStringKind(v)) {
        Json j = Json::parse(v.as_string(), nullptr, false);
        if (j.is_discarded()) return fail("not valid JSON");
        return j;
      }
      break;
    case L::kGeometry:
      if (IsStringKind(v)) {
        auto g = WkbToGeoJson(v.as_string());
        if (!g.ok()) return fail("a geometry RethinkDB cannot hold: " + g.status().message());
        return std::move(*g);
      }
      break;
    case L::kDate:
    case L::kTimestamp:
    case L::kTimestampTz:
      if (IsStringKind(v)) {
        std::string zone;
        if (tz && !tz->is_null()) {
          zone = tz->as_string();
          if (!ValidTimeZone(zone)) return fail("time zone '" + zone + "' is not +HH:MM");
        }
        Json out;
        std::string why = MakeTime(v.as_string(), t, zone.empty() ? nullptr : &zone, &out);
        if (!why.empty()) return fail(fmt::format("'{}': {}", v.as_string(), why));
        return out;
      }
      break;
    case L::kDecimal:
      if (IsStringKind(v)) {
        if (auto n = DecimalNumber(v.as_string())) return std::move(*n);
        return Json(v.as_string());
      }
      break;
    case L::kText:
    case L::kUuid:
    case L::kEnum:
    case L::kTime:
    case L::kInterval:
    case L::kArray:
    case L::kBitString:
    case L::kNative:
      if (IsStringKind(v)) return Json(v.as_string());
      break;
    default: break;
  }
  return ByKind(v, IsInteger(t));
}

Result<Json> DocumentMaker::Make(const Value* row) const {
  Json doc = Json::object();
  const Value* document = nullptr;
  int doc_index = -1;
  for (size_t i = 0; i < cols_.size(); ++i) {
    if (cols_[i].role == Role::kDocument && !row[i].is_null()) {
      document = &row[i];
      doc_index = static_cast<int>(i);
    }
  }
  if (document) {
    DECANT_ASSIGN_OR_RETURN(doc, FieldValue(cols_[static_cast<size_t>(doc_index)], *document, nullptr));
    if (!doc.is_object()) {
      return Status::InvalidArgument(fmt::format("table {} column {}: the document is not a JSON object", label_,
                                                 cols_[static_cast<size_t>(doc_index)].name));
    }
  }
  Json rest;
  for (size_t i = 0; i < cols_.size(); ++i) {
    const Col& c = cols_[i];
    if (c.role == Role::kTimeZone || c.role == Role::kDocument || c.role == Role::kSkip) continue;
    const Value& v = row[i];
    if (static_cast<int>(i) == key_col_ && v.is_null()) {
      return Status::InvalidArgument(fmt::format("table {}: a row without a primary key value ({})", label_, c.name));
    }
    if (c.role == Role::kLeftovers) {
      if (v.is_null()) continue;
      DECANT_ASSIGN_OR_RETURN(rest, FieldValue(c, v, nullptr));
      if (!rest.is_object()) {
        return Status::InvalidArgument(
            fmt::format("table {} column {}: the leftovers are not a JSON object", label_, c.name));
      }
      continue;
    }
    if (v.is_null() && (absent_nulls_ || document)) continue;
    if (document && doc.contains(c.name)) continue;
    const Value* tz = c.tz_of >= 0 ? &row[static_cast<size_t>(c.tz_of)] : nullptr;
    DECANT_ASSIGN_OR_RETURN(Json value, FieldValue(c, v, tz));
    doc[c.name] = std::move(value);
  }
  // The leftovers are the document's own fields as read (a key kept as JSON
  // text in its column is there with its JSON type): they win.
  if (rest.is_object()) {
    for (auto it = rest.begin(); it != rest.end(); ++it) doc[it.key()] = it.value();
  }
  if (generated_key_) {
    doc[primary_key_] = UuidToString(NewRandomUuid());
  } else if (!compound_.empty()) {
    Json key = Json::array();
    for (int k : compound_) {
      const Col& c = cols_[static_cast<size_t>(k)];
      if (row[k].is_null()) {
        return Status::InvalidArgument(fmt::format("table {}: a row without a primary key value ({})", label_, c.name));
      }
      DECANT_ASSIGN_OR_RETURN(Json value, FieldValue(c, row[k], nullptr));
      key.push_back(std::move(value));
    }
    doc[primary_key_] = std::move(key);
  }
  return doc;
}

std::string DumpName(std::time_t t) {
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return std::string("rethinkdb_dump_") + buf;
}

std::string RethinkName(std::string_view name) {
  std::string out;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    out.push_back(ok ? c : '_');
  }
  return out.empty() ? "_" : out;
}

Result<Json> RowToDocument(const Table& table, const Value* row) { return DocumentMaker(table).Make(row); }

}  // namespace decant::rethinkdb

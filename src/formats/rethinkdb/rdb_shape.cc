#include "formats/rethinkdb/rdb_shape.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <unordered_map>

#include "core/ascii.h"
#include "core/plural.h"
#include "formats/rethinkdb/rdb_geo.h"
#include "formats/rethinkdb/rdb_index.h"
#include "formats/rethinkdb/rdb_pseudo.h"

namespace decant::rethinkdb {
namespace {

using L = LogicalType;

// At most this many typed field columns per table (PostgreSQL allows 1600
// columns); the fields seen after them stay in the leftovers column.
constexpr size_t kMaxFieldColumns = 1000;
// PostgreSQL cuts longer identifiers (NAMEDATALEN - 1).
constexpr size_t kMaxNameBytes = 63;
constexpr double kMaxExact = 9007199254740992.0;  // 2^53: every integer up to it is a double

// What a JSON value is, for RethinkDB.
enum class Kind { kNull, kInt, kFloat, kBool, kString, kTime, kBinary, kGeometry, kObject, kArray };

uint32_t Bit(Kind k) { return 1u << static_cast<unsigned>(k); }

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kNull: return "null";
    case Kind::kInt: return "integer";
    case Kind::kFloat: return "float";
    case Kind::kBool: return "boolean";
    case Kind::kString: return "string";
    case Kind::kTime: return "TIME";
    case Kind::kBinary: return "BINARY";
    case Kind::kGeometry: return "GEOMETRY";
    case Kind::kObject: return "object";
    case Kind::kArray: return "array";
  }
  return "?";
}

std::string KindNames(uint32_t mask) {
  std::string out;
  for (int k = 0; k <= static_cast<int>(Kind::kArray); ++k) {
    if (mask & Bit(static_cast<Kind>(k))) {
      if (!out.empty()) out += ", ";
      out += KindName(static_cast<Kind>(k));
    }
  }
  return out;
}

// A RethinkDB number (a double) that is an integer an int64 holds exactly:
// integral, within +-2^53, and not -0.0.
bool IsIntegral(const nlohmann::json& v, int64_t* out) {
  if (v.is_number_integer() && !v.is_number_unsigned()) {
    int64_t i = v.get<int64_t>();
    if (i < -static_cast<int64_t>(kMaxExact) || i > static_cast<int64_t>(kMaxExact)) return false;
    *out = i;
    return true;
  }
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(kMaxExact)) return false;
    *out = static_cast<int64_t>(u);
    return true;
  }
  double d = v.get<double>();
  if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > kMaxExact || (d == 0 && std::signbit(d))) return false;
  *out = static_cast<int64_t>(d);
  return true;
}

Kind Classify(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: return Kind::kNull;
    case nlohmann::json::value_t::boolean: return Kind::kBool;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: {
      int64_t i = 0;
      return IsIntegral(v, &i) ? Kind::kInt : Kind::kFloat;
    }
    case nlohmann::json::value_t::string: return Kind::kString;
    case nlohmann::json::value_t::array: return Kind::kArray;
    case nlohmann::json::value_t::object: {
      auto t = v.find("$reql_type$");
      if (t != v.end() && t->is_string()) {
        const std::string& s = t->get_ref<const std::string&>();
        if (s == "TIME") return Kind::kTime;
        if (s == "BINARY") return Kind::kBinary;
        if (s == "GEOMETRY") return Kind::kGeometry;
      }
      return Kind::kObject;
    }
    default: return Kind::kObject;  // binary values: nlohmann's own, never parsed from text
  }
}

// Compact JSON (UTF-8, object keys sorted); InvalidArgument for text that is
// not UTF-8 (a document built by hand, never one parsed from a file).
Result<std::string> Dump(const nlohmann::json& v) {
  try {
    return v.dump();
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(fmt::format("a value that is not UTF-8 ({})", e.what()));
  }
}

// `v` with every number that is an integer (IsIntegral) held as one, so the
// number 1 has one text ("1") however the file wrote it ("1", "1.0").
nlohmann::json NormalNumbers(const nlohmann::json& v) {
  if (v.is_number()) {
    int64_t i = 0;
    if (IsIntegral(v, &i)) return i;
    return v.get<double>();
  }
  if (v.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : v) out.push_back(NormalNumbers(e));
    return out;
  }
  if (v.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, e] : v.items()) out[k] = NormalNumbers(e);
    return out;
  }
  return v;
}

// Checks a pseudo-type value of a typed field; InvalidArgument naming it.
Status CheckPseudo(Kind k, const std::string& field, const nlohmann::json& v, bool* utc) {
  Status st;
  if (k == Kind::kTime) {
    auto t = ParseTime(v);
    if (!t.ok()) {
      st = t.status();
    } else {
      *utc = t->timezone == "+00:00";
    }
  } else if (k == Kind::kBinary) {
    auto data = v.find("data");
    if (data == v.end() || !data->is_string() || v.size() != 2) {
      st = Status::InvalidArgument("BINARY: needs \"data\", a base64 string, and nothing else");
    } else {
      auto bytes = DecodeBase64(data->get_ref<const std::string&>());
      if (!bytes.ok()) st = bytes.status();
    }
  } else if (k == Kind::kGeometry) {
    auto wkb = GeoJsonToWkb(v);
    if (!wkb.ok()) st = wkb.status();
  }
  if (st.ok()) return st;
  return Status::InvalidArgument(fmt::format("field '{}': {}", field, st.message()));
}

struct FieldStats {
  std::string name;
  uint64_t present = 0;  // documents where it holds a value other than null
  uint64_t nulls = 0;    // documents where it is an explicit null
  uint32_t kinds = 0;    // Bit(Kind) of every value other than null
  uint64_t offsets = 0;  // TIME values with an offset other than +00:00
};

std::string Percent(double share) { return fmt::format("{:.3g}%", share * 100); }

// The column type of a field whose values were of `kinds`; false: mixed.
bool FieldType(uint32_t kinds, DataType* type, std::string* native) {
  const uint32_t numbers = Bit(Kind::kInt) | Bit(Kind::kFloat);
  const uint32_t json = Bit(Kind::kObject) | Bit(Kind::kArray);
  if (kinds == Bit(Kind::kInt)) {
    type->logical = L::kInt64;
    *native = "number (integer)";
  } else if ((kinds & ~numbers) == 0) {
    type->logical = L::kFloat64;
    *native = "number";
  } else if (kinds == Bit(Kind::kBool)) {
    type->logical = L::kBool;
    *native = "boolean";
  } else if (kinds == Bit(Kind::kString)) {
    type->logical = L::kText;
    *native = "string";
  } else if (kinds == Bit(Kind::kTime)) {
    type->logical = L::kTimestampTz;
    type->precision = 3;
    *native = "TIME";
  } else if (kinds == Bit(Kind::kBinary)) {
    type->logical = L::kBytes;
    *native = "BINARY";
  } else if (kinds == Bit(Kind::kGeometry)) {
    type->logical = L::kGeometry;
    *native = "GEOMETRY";
  } else if ((kinds & ~json) == 0) {
    type->logical = L::kJson;
    *native = kinds == Bit(Kind::kObject) ? "object" : kinds == Bit(Kind::kArray) ? "array" : "object or array";
  } else {
    return false;
  }
  return true;
}

bool Accepts(L column, Kind k) {
  switch (column) {
    case L::kInt64: return k == Kind::kInt;
    case L::kFloat64: return k == Kind::kInt || k == Kind::kFloat;
    case L::kBool: return k == Kind::kBool;
    case L::kText: return k == Kind::kString;
    case L::kTimestampTz: return k == Kind::kTime;
    case L::kBytes: return k == Kind::kBinary;
    case L::kGeometry: return k == Kind::kGeometry;
    case L::kJson: return k == Kind::kObject || k == Kind::kArray;
    default: return false;
  }
}

// `v` (of a kind the column accepts) as the column's value.
Status FieldValue(L column, Kind k, const nlohmann::json& v, Value* out) {
  switch (column) {
    case L::kInt64: {
      int64_t i = 0;
      IsIntegral(v, &i);
      out->SetInt(i);
      return Status::OK();
    }
    case L::kFloat64: out->SetFloat(v.get<double>()); return Status::OK();
    case L::kBool: *out = Value::Bool(v.get<bool>()); return Status::OK();
    case L::kText: out->SetText(v.get_ref<const std::string&>()); return Status::OK();
    case L::kTimestampTz: {
      DECANT_ASSIGN_OR_RETURN(TimeValue t, ParseTime(v));
      out->SetText(t.utc_text);
      return Status::OK();
    }
    case L::kBytes: {
      auto data = v.find("data");
      if (data == v.end() || !data->is_string()) return Status::InvalidArgument("BINARY: no base64 \"data\"");
      DECANT_ASSIGN_OR_RETURN(std::string bytes, DecodeBase64(data->get_ref<const std::string&>()));
      out->SetBytes(bytes);
      return Status::OK();
    }
    case L::kGeometry: {
      DECANT_ASSIGN_OR_RETURN(std::string wkb, GeoJsonToWkb(v));
      out->SetBytes(wkb);
      return Status::OK();
    }
    case L::kJson: {
      DECANT_ASSIGN_OR_RETURN(std::string text, Dump(v));
      out->SetText(text);
      return Status::OK();
    }
    default: break;
  }
  return Status::Internal(
      fmt::format("RethinkDB shape: a {} value in a {} column", KindName(k), LogicalTypeName(column)));
}

// Case-insensitive set of column names (MySQL and SQLite compare column
// names without case).
class NameSet {
 public:
  bool Has(const std::string& name) const { return names_.count(AsciiLower(name)) > 0; }
  void Add(const std::string& name) { names_.emplace(AsciiLower(name), name); }
  const std::string& Original(const std::string& name) const { return names_.at(AsciiLower(name)); }

 private:
  std::unordered_map<std::string, std::string> names_;
};

// What Finish needs of a .info index entry or write hook.
struct InfoEntry {
  std::string name;
  bool has_query = false;
  std::string query;
  bool multi = false, geo = false;
};

bool BoolAt(const nlohmann::json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_boolean() && it->get<bool>();
}

std::string StringAt(const nlohmann::json& o, const char* key, bool* found) {
  auto it = o.find(key);
  *found = it != o.end() && it->is_string();
  return *found ? it->get<std::string>() : std::string();
}

}  // namespace

struct TableShaper::State {
  std::string db, table, key;
  DocumentOptions options;
  std::vector<InfoEntry> indexes;  // the .info's "indexes"
  std::optional<InfoEntry> hook;   // its "write_hook", when not null
  uint64_t docs = 0;
  uint32_t key_kinds = 0;
  std::unordered_map<std::string, size_t> field_index;
  std::vector<FieldStats> fields;            // in first-seen order
  uint64_t untracked = 0;                    // values of fields seen after kMaxFieldColumns others
  std::vector<std::string> untracked_names;  // a few, for the note
};

// What an object not carried holds as its text when the .info gives none.
constexpr char kNoQueryText[] = "(no query text in the .info)";

TableShaper::TableShaper(const TableFiles& files, const DocumentOptions& options) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.db = files.db;
  s.table = files.table;
  s.key = files.primary_key;
  s.options = options;
  const nlohmann::json& info = files.info;
  if (!info.is_object()) return;
  auto indexes = info.find("indexes");
  if (indexes != info.end() && indexes->is_array()) {
    for (const auto& entry : *indexes) {
      if (entry.is_string()) {
        // table.info()'s own form, a list of names (a .info the export tool
        // did not rewrite with index_status()): named, never dropped.
        InfoEntry e;
        e.name = entry.get<std::string>();
        s.indexes.push_back(std::move(e));
        continue;
      }
      if (!entry.is_object()) continue;
      InfoEntry e;
      bool found = false;
      e.name = StringAt(entry, "index", &found);
      e.query = StringAt(entry, "query", &e.has_query);
      e.multi = BoolAt(entry, "multi");
      e.geo = BoolAt(entry, "geo");
      s.indexes.push_back(std::move(e));
    }
  }
  auto hook = info.find("write_hook");
  if (hook != info.end() && !hook->is_null()) {
    InfoEntry e;
    e.name = files.table;
    if (hook->is_object()) e.query = StringAt(*hook, "query", &e.has_query);
    s.hook = std::move(e);
  }
}
TableShaper::~TableShaper() = default;

Status TableShaper::Observe(const nlohmann::json& doc) {
  State& s = *state_;
  if (!doc.is_object()) return Status::InvalidArgument("the document is not a JSON object");
  const std::string& key = s.key;
  auto k = doc.find(key);
  if (k == doc.end()) return Status::InvalidArgument(fmt::format("document has no primary key field '{}'", key));
  Kind key_kind = Classify(*k);
  if (key_kind == Kind::kNull) return Status::InvalidArgument(fmt::format("primary key field '{}' is null", key));
  s.key_kinds |= Bit(key_kind);
  ++s.docs;
  if (!s.options.infer_columns) return Status::OK();
  for (const auto& [name, value] : doc.items()) {
    if (name == key) continue;
    FieldStats* f = nullptr;
    auto it = s.field_index.find(name);
    if (it != s.field_index.end()) {
      f = &s.fields[it->second];
    } else if (s.fields.size() < kMaxFieldColumns) {
      s.field_index.emplace(name, s.fields.size());
      s.fields.push_back(FieldStats{name});
      f = &s.fields.back();
    } else {
      ++s.untracked;
      if (s.untracked_names.size() < 3) s.untracked_names.push_back(name);
      continue;
    }
    Kind kind = Classify(value);
    if (kind == Kind::kNull) {
      ++f->nulls;
      continue;
    }
    ++f->present;
    f->kinds |= Bit(kind);
    bool utc = true;
    DECANT_RETURN_IF_ERROR(CheckPseudo(kind, name, value, &utc));
    if (!utc) ++f->offsets;
  }
  return Status::OK();
}

Result<TableShape> TableShaper::Finish() {
  State& s = *state_;
  TableShape shape;
  Table& t = shape.table;
  t.schema = s.db;
  t.name = s.table;
  NameSet names;

  // The key column.
  const std::string& key = s.key;
  Column key_col;
  key_col.name = key;
  key_col.nullable = false;
  ColumnRole key_role{ColumnRole::Kind::kKey, key};
  const uint32_t numbers = Bit(Kind::kInt) | Bit(Kind::kFloat);
  if (s.docs == 0) {
    key_col.type.logical = L::kText;
    key_col.native_type = "string";
    shape.notes.push_back(fmt::format("key {}: no documents: the key column is text", key));
  } else if (s.key_kinds == Bit(Kind::kInt)) {
    key_col.type.logical = L::kInt64;
    key_col.native_type = "number (integer)";
  } else if ((s.key_kinds & ~numbers) == 0) {
    key_col.type.logical = L::kFloat64;
    key_col.native_type = "number";
  } else if (s.key_kinds == Bit(Kind::kString)) {
    key_col.type.logical = L::kText;
    key_col.native_type = "string";
  } else {
    key_col.type.logical = L::kText;
    key_col.native_type = "JSON text";
    key_col.comment = kKeyJsonComment;
    key_role.key_as_json = true;
    shape.notes.push_back(fmt::format("key {}: {}: each key as its JSON text (a string quoted: \"1\" is '\"1\"'){}",
                                      key, KindNames(s.key_kinds),
                                      s.options.infer_columns ? "; the key is also kept in _rest" : ""));
  }
  names.Add(key);
  t.columns.push_back(key_col);
  shape.roles.push_back(key_role);
  t.primary_key = KeyConstraint{"", {key}};

  // A synthesized column's name: `base`, with '_' appended until it is free.
  auto free_name = [&](const std::string& base, const std::string& what) {
    std::string name = base;
    while (names.Has(name)) name += "_";
    if (name != base) {
      shape.notes.push_back(
          fmt::format("field {}: its name is taken: {} is named {}", names.Original(base), what, name));
    }
    names.Add(name);
    return name;
  };

  std::string doc_column;  // the JSON column index keys point into
  if (!s.options.infer_columns) {
    Column doc;
    doc.name = free_name(kDocumentColumn, "the document column");
    doc.type.logical = L::kJson;
    doc.native_type = "document";
    doc.nullable = false;
    doc.comment = kDocumentComment;
    doc_column = doc.name;
    t.columns.push_back(doc);
    shape.roles.push_back({ColumnRole::Kind::kDocument, ""});
  } else {
    // Typed columns, in first-seen order; each TIME column with offsets
    // other than +00:00 is followed by its offset column.
    std::vector<std::pair<Column, ColumnRole>> typed;
    std::vector<std::string> tz_fields;
    for (const FieldStats& f : s.fields) {
      std::string why;
      DataType type;
      std::string native;
      double share = s.docs == 0 ? 0 : static_cast<double>(f.present) / static_cast<double>(s.docs);
      if (f.name.empty()) {
        why = "an empty name";
      } else if (f.present == 0) {
        why = "null in every document";
      } else if (!FieldType(f.kinds, &type, &native)) {
        why = fmt::format("mixed types ({})", KindNames(f.kinds));
      } else if (share < s.options.rare_field_share) {
        why = fmt::format("in {} of documents (below {})", Percent(share), Percent(s.options.rare_field_share));
      } else if (names.Has(f.name)) {
        why = fmt::format("its name differs only in case from column {}", names.Original(f.name));
      } else if (f.name.size() > kMaxNameBytes) {
        why = fmt::format("its name is longer than {} bytes", kMaxNameBytes);
      }
      if (!why.empty()) {
        shape.notes.push_back(fmt::format("field {}: {}: kept in _rest", f.name, why));
        continue;
      }
      names.Add(f.name);
      Column c;
      c.name = f.name;
      c.type = type;
      c.native_type = native;
      // A target without a geometry type (PostgreSQL without PostGIS) holds
      // WKB as bytes; the comment tells the way back it is a GEOMETRY.
      if (type.logical == L::kGeometry) c.comment = kGeometryComment;
      typed.push_back({c, ColumnRole{ColumnRole::Kind::kField, f.name}});
      if (f.nulls > 0) {
        shape.notes.push_back(fmt::format("field {}: {} explicit null{}: kept in _rest (NULL in {} means absent)",
                                          f.name, f.nulls, f.nulls == 1 ? "" : "s", f.name));
      }
      if (type.logical == L::kTimestampTz && f.offsets > 0) tz_fields.push_back(f.name);
    }
    if (s.untracked > 0) {
      std::string some;
      for (const auto& n : s.untracked_names) some += (some.empty() ? "" : ", ") + n;
      shape.notes.push_back(fmt::format("{} of fields seen after the first {} fields (e.g. {}): kept in _rest",
                                        Counted(s.untracked, "value"), kMaxFieldColumns, some));
    }
    for (auto& [c, role] : typed) {
      std::string field = role.field;
      bool tz = std::find(tz_fields.begin(), tz_fields.end(), field) != tz_fields.end();
      t.columns.push_back(std::move(c));
      shape.roles.push_back(std::move(role));
      if (tz) {
        Column z;
        z.name = free_name(field + "_tz", fmt::format("the offset column of {}", field));
        z.type.logical = L::kText;
        z.native_type = "string (+HH:MM)";
        z.comment = std::string(kTimeZoneComment) + field;
        t.columns.push_back(z);
        shape.roles.push_back({ColumnRole::Kind::kTimeZone, field});
        uint64_t n = s.fields[s.field_index.at(field)].offsets;
        shape.notes.push_back(fmt::format("field {}: {} value{} with an offset other than +00:00: offsets in {}", field,
                                          n, n == 1 ? "" : "s", z.name));
      }
    }
    Column rest;
    rest.name = free_name(kLeftoversColumn, "the leftovers column");
    rest.type.logical = L::kJson;
    rest.native_type = "object";
    rest.comment = kLeftoversComment;
    doc_column = rest.name;
    t.columns.push_back(rest);
    shape.roles.push_back({ColumnRole::Kind::kLeftovers, ""});
  }

  // Indexes and the write hook, from the .info.
  auto not_carried = [&](const std::string& kind, const std::string& name, const std::string& ddl,
                         const std::string& why) {
    shape.not_carried.push_back(NativeObject{kind, s.db, name, s.table, "post-data", ddl});
    shape.notes.push_back(ddl == kNoQueryText ? fmt::format("{} {}: {}: named, not created", kind, name, why)
                                              : fmt::format("{} {}: {}: named, not created: {}", kind, name, why, ddl));
  };
  auto column_of_field = [&](const std::string& field) -> int {
    for (size_t i = 0; i < shape.roles.size(); ++i) {
      if ((shape.roles[i].kind == ColumnRole::Kind::kField || shape.roles[i].kind == ColumnRole::Kind::kKey) &&
          shape.roles[i].field == field) {
        return static_cast<int>(i);
      }
    }
    return -1;
  };
  for (const InfoEntry& entry : s.indexes) {
    const std::string& name = entry.name;
    if (!entry.has_query) {
      not_carried("index", name, kNoQueryText, "the .info has no query text (written by RethinkDB before 2.2)");
      continue;
    }
    const std::string& query = entry.query;
    std::optional<IndexQuery> parsed = ParseIndexQuery(query);
    bool multi = entry.multi || (parsed && parsed->multi);
    bool geo = entry.geo || (parsed && parsed->geo);
    if (geo) {
      not_carried("index", name, query, "a geo index (no PostGIS is assumed)");
      continue;
    }
    if (multi) {
      not_carried("index", name, query, "a multi index (one entry per array element): no equivalent on a column");
      continue;
    }
    if (!parsed) {
      not_carried("index", name, query, "its function is not a plain field");
      continue;
    }
    Index index;
    index.schema = s.db;
    index.name = name;
    index.table = s.table;
    index.native_ddl = query;
    std::string why;
    for (const auto& path : parsed->keys) {
      IndexKey k;
      int col = column_of_field(path[0]);
      if (col >= 0) {
        k.column = t.columns[static_cast<size_t>(col)].name;
        if (path.size() > 1) {
          if (t.columns[static_cast<size_t>(col)].type.logical != L::kJson) {
            why = fmt::format("a path inside {}, a {} column", path[0],
                              LogicalTypeName(t.columns[static_cast<size_t>(col)].type.logical));
            break;
          }
          k.json_path.assign(path.begin() + 1, path.end());
        }
      } else {
        k.column = doc_column;
        k.json_path = path;
      }
      index.keys.push_back(std::move(k));
    }
    if (!why.empty()) {
      not_carried("index", name, query, why);
      continue;
    }
    shape.indexes.push_back(std::move(index));
  }
  if (s.hook) {
    not_carried("write hook", s.table, s.hook->has_query ? s.hook->query : kNoQueryText,
                "RethinkDB runs it on every write; no equivalent");
  }
  return shape;
}

Status DocumentToRow(const TableShape& shape, const nlohmann::json& doc, Value* row) {
  if (!doc.is_object()) return Status::InvalidArgument("the document is not a JSON object");
  const size_t n = shape.table.columns.size();
  const ColumnRole* key_role = nullptr;
  nlohmann::json rest = nlohmann::json::object();
  size_t placed = 0;  // document fields with a column of their own (the key included)
  int rest_column = -1;
  for (size_t i = 0; i < n; ++i) {
    const ColumnRole& role = shape.roles[i];
    const Column& col = shape.table.columns[i];
    Value* out = &row[i];
    switch (role.kind) {
      case ColumnRole::Kind::kKey: {
        key_role = &role;
        auto k = doc.find(role.field);
        if (k == doc.end())
          return Status::InvalidArgument(fmt::format("document has no primary key field '{}'", role.field));
        ++placed;
        Kind kind = Classify(*k);
        if (role.key_as_json) {
          if (kind == Kind::kNull)
            return Status::InvalidArgument(fmt::format("primary key field '{}' is null", role.field));
          DECANT_ASSIGN_OR_RETURN(std::string text, Dump(NormalNumbers(*k)));
          out->SetText(text);
        } else if (Accepts(col.type.logical, kind)) {
          DECANT_RETURN_IF_ERROR(FieldValue(col.type.logical, kind, *k, out));
        } else {
          return Status::InvalidArgument(
              fmt::format("primary key field '{}': a {} in a {} key column (the table was "
                          "shaped without this document)",
                          role.field, KindName(kind), LogicalTypeName(col.type.logical)));
        }
        break;
      }
      case ColumnRole::Kind::kDocument: {
        DECANT_ASSIGN_OR_RETURN(std::string text, Dump(doc));
        out->SetText(text);
        placed = doc.size();
        break;
      }
      case ColumnRole::Kind::kField: {
        auto f = doc.find(role.field);
        if (f == doc.end()) {
          out->SetNull();
          break;
        }
        ++placed;
        Kind kind = Classify(*f);
        if (kind == Kind::kNull) {
          out->SetNull();
          rest[role.field] = nullptr;
          break;
        }
        if (!Accepts(col.type.logical, kind)) {
          return Status::InvalidArgument(
              fmt::format("field '{}': a {} in a {} column (the table was shaped without "
                          "this document)",
                          role.field, KindName(kind), LogicalTypeName(col.type.logical)));
        }
        Status st = FieldValue(col.type.logical, kind, *f, out);
        if (!st.ok()) return Status::InvalidArgument(fmt::format("field '{}': {}", role.field, st.message()));
        break;
      }
      case ColumnRole::Kind::kTimeZone: {
        auto f = doc.find(role.field);
        if (f == doc.end() || Classify(*f) != Kind::kTime) {
          out->SetNull();
          break;
        }
        auto time = ParseTime(*f);
        if (!time.ok())
          return Status::InvalidArgument(fmt::format("field '{}': {}", role.field, time.status().message()));
        out->SetText(time->timezone);
        break;
      }
      case ColumnRole::Kind::kLeftovers: rest_column = static_cast<int>(i); break;
    }
  }
  if (rest_column < 0) return Status::OK();
  if (placed < doc.size() || (key_role != nullptr && key_role->key_as_json)) {
    for (const auto& [name, value] : doc.items()) {
      bool has_column = false;
      for (const ColumnRole& role : shape.roles) {
        if ((role.kind == ColumnRole::Kind::kField || role.kind == ColumnRole::Kind::kKey) && role.field == name) {
          has_column = !(role.kind == ColumnRole::Kind::kKey && role.key_as_json);
          break;
        }
      }
      if (!has_column) rest[name] = value;
    }
  }
  Value* out = &row[static_cast<size_t>(rest_column)];
  if (rest.empty()) {
    out->SetNull();
  } else {
    DECANT_ASSIGN_OR_RETURN(std::string text, Dump(rest));
    out->SetText(text);
  }
  return Status::OK();
}

}  // namespace decant::rethinkdb

#include "archive/metadata.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "archive/codec.h"
#include "core/hex.h"
#include "core/utf8.h"

namespace decant {
namespace {

using Json = nlohmann::ordered_json;

// Thrown only inside this file; the public functions turn it into a Status.
struct JsonError {
  std::string message;
};

[[noreturn]] void Fail(const std::string& where, const std::string& what) {
  throw JsonError{where.empty() ? what : where + ": " + what};
}

// ---- writing -----------------------------------------------------------------

Json Str(const std::string& s) {
  if (IsValidUtf8(s)) return s;
  Json j = Json::object();
  j["hex"] = ToHex(s);
  return j;
}

Json OptStr(const std::optional<std::string>& s) { return s ? Str(*s) : Json(nullptr); }

Json StrList(const std::vector<std::string>& v) {
  Json a = Json::array();
  for (const auto& s : v) a.push_back(Str(s));
  return a;
}

Json StrMap(const std::map<std::string, std::string>& m) {
  Json a = Json::array();
  for (const auto& [k, v] : m) a.push_back(Json::array({Str(k), Str(v)}));
  return a;
}

Json KeyToJson(const KeyConstraint& k) {
  Json j = Json::object();
  j["name"] = Str(k.name);
  j["columns"] = StrList(k.columns);
  return j;
}

Json TypeToJson(const DataType& t) {
  Json j = Json::object();
  j["logical"] = LogicalTypeName(t.logical);
  j["length"] = t.length;
  j["precision"] = t.precision;
  j["scale"] = t.scale;
  j["element"] = LogicalTypeName(t.element);
  j["enum_values"] = StrList(t.enum_values);
  return j;
}

Json TableToJson(const Table& t) {
  Json j = Json::object();
  j["schema"] = Str(t.schema);
  j["name"] = Str(t.name);
  Json cols = Json::array();
  for (const Column& c : t.columns) {
    Json cj = Json::object();
    cj["name"] = Str(c.name);
    cj["type"] = TypeToJson(c.type);
    cj["native_type"] = Str(c.native_type);
    cj["nullable"] = c.nullable;
    cj["default_expr"] = OptStr(c.default_expr);
    cj["collation"] = OptStr(c.collation);
    cj["generated_expr"] = OptStr(c.generated_expr);
    cj["generated_stored"] = c.generated_stored;
    cj["auto_increment"] = c.auto_increment;
    cj["identity"] = Str(c.identity);
    cj["comment"] = Str(c.comment);
    if (!c.on_update.empty()) cj["on_update"] = Str(c.on_update);  // absent when empty: older files stay as written
    cols.push_back(std::move(cj));
  }
  j["columns"] = std::move(cols);
  j["primary_key"] = t.primary_key ? KeyToJson(*t.primary_key) : Json(nullptr);
  Json uniques = Json::array();
  for (const auto& u : t.uniques) uniques.push_back(KeyToJson(u));
  j["uniques"] = std::move(uniques);
  Json checks = Json::array();
  for (const auto& c : t.checks) {
    Json cj = Json::object();
    cj["name"] = Str(c.name);
    cj["expression"] = Str(c.expression);
    checks.push_back(std::move(cj));
  }
  j["checks"] = std::move(checks);
  Json fks = Json::array();
  for (const auto& f : t.foreign_keys) {
    Json fj = Json::object();
    fj["name"] = Str(f.name);
    fj["columns"] = StrList(f.columns);
    fj["ref_schema"] = Str(f.ref_schema);
    fj["ref_table"] = Str(f.ref_table);
    fj["ref_columns"] = StrList(f.ref_columns);
    fj["on_update"] = FkActionName(f.on_update);
    fj["on_delete"] = FkActionName(f.on_delete);
    fj["match"] = Str(f.match);
    fj["deferrable"] = f.deferrable;
    fj["initially_deferred"] = f.initially_deferred;
    fks.push_back(std::move(fj));
  }
  j["foreign_keys"] = std::move(fks);
  j["options"] = StrMap(t.options);
  j["comment"] = Str(t.comment);
  j["native_ddl"] = Str(t.native_ddl);
  return j;
}

std::string Dump(const Json& j) {
  // Strings were made valid UTF-8 by Str(); replace anything that slipped
  // through rather than throwing.
  return j.dump(1, ' ', false, nlohmann::detail::error_handler_t::replace);
}

// ---- reading -----------------------------------------------------------------

const Json* Find(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string Path(const std::string& where, const char* key) { return where.empty() ? key : where + "." + key; }

std::string AsStr(const Json& j, const std::string& where) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object() && j.size() == 1 && j.contains("hex") && j["hex"].is_string()) {
    const std::string& h = j["hex"].get_ref<const std::string&>();
    if (h.size() % 2 != 0) Fail(where, "odd-length hex string");
    std::string out;
    if (!AppendDecodedHex(h, &out)) Fail(where, "invalid hex string");
    return out;
  }
  Fail(where, "expected a string");
}

std::string GetStr(const Json& o, const char* key, const std::string& where, std::string def = {}) {
  const Json* j = Find(o, key);
  return j ? AsStr(*j, Path(where, key)) : std::move(def);
}

std::optional<std::string> GetOptStr(const Json& o, const char* key, const std::string& where) {
  const Json* j = Find(o, key);
  if (!j) return std::nullopt;
  return AsStr(*j, Path(where, key));
}

bool GetBool(const Json& o, const char* key, const std::string& where, bool def) {
  const Json* j = Find(o, key);
  if (!j) return def;
  if (!j->is_boolean()) Fail(Path(where, key), "expected true or false");
  return j->get<bool>();
}

int64_t GetInt(const Json& o, const char* key, const std::string& where, int64_t def) {
  const Json* j = Find(o, key);
  if (!j) return def;
  if (j->is_number_unsigned()) {
    uint64_t u = j->get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) Fail(Path(where, key), "integer out of range");
    return static_cast<int64_t>(u);
  }
  if (!j->is_number_integer()) Fail(Path(where, key), "expected an integer");
  return j->get<int64_t>();
}

int32_t GetInt32(const Json& o, const char* key, const std::string& where, int32_t def) {
  int64_t v = GetInt(o, key, where, def);
  if (v < INT32_MIN || v > INT32_MAX) Fail(Path(where, key), "integer out of range");
  return static_cast<int32_t>(v);
}

uint64_t GetUInt(const Json& o, const char* key, const std::string& where, std::optional<uint64_t> def) {
  const Json* j = Find(o, key);
  if (!j) {
    if (!def) Fail(Path(where, key), "missing");
    return *def;
  }
  if (!j->is_number_unsigned()) Fail(Path(where, key), "expected a non-negative integer");
  return j->get<uint64_t>();
}

// Calls fn(element, "where[i]") for each element of the array at key (absent = empty).
template <typename Fn>
void ForEach(const Json& o, const char* key, const std::string& where, Fn fn) {
  const Json* j = Find(o, key);
  if (!j) return;
  std::string p = Path(where, key);
  if (!j->is_array()) Fail(p, "expected an array");
  for (size_t i = 0; i < j->size(); ++i) {
    std::string w = fmt::format("{}[{}]", p, i);
    const Json& e = (*j)[i];
    fn(e, w);
  }
}

void RequireObject(const Json& j, const std::string& where) {
  if (!j.is_object()) Fail(where, "expected an object");
}

std::vector<std::string> GetStrList(const Json& o, const char* key, const std::string& where) {
  std::vector<std::string> out;
  ForEach(o, key, where, [&](const Json& e, const std::string& w) { out.push_back(AsStr(e, w)); });
  return out;
}

std::map<std::string, std::string> GetStrMap(const Json& o, const char* key, const std::string& where) {
  std::map<std::string, std::string> out;
  ForEach(o, key, where, [&](const Json& e, const std::string& w) {
    if (!e.is_array() || e.size() != 2) Fail(w, "expected a [key, value] pair");
    out[AsStr(e[0], w + "[0]")] = AsStr(e[1], w + "[1]");
  });
  return out;
}

LogicalType GetLogical(const Json& o, const char* key, const std::string& where) {
  std::string name = GetStr(o, key, where, "any");
  LogicalType t;
  // A logical type added by a later minor version degrades to native.
  if (!ParseLogicalType(name, &t)) t = LogicalType::kNative;
  return t;
}

FkAction GetFkAction(const Json& o, const char* key, const std::string& where) {
  std::string name = GetStr(o, key, where, "NO ACTION");
  FkAction a;
  if (!ParseFkAction(name, &a)) Fail(Path(where, key), "unknown foreign key action \"" + name + "\"");
  return a;
}

KeyConstraint KeyFromJson(const Json& j, const std::string& w) {
  RequireObject(j, w);
  KeyConstraint k;
  k.name = GetStr(j, "name", w);
  k.columns = GetStrList(j, "columns", w);
  return k;
}

Table TableFromJson(const Json& j, const std::string& w) {
  RequireObject(j, w);
  Table t;
  t.schema = GetStr(j, "schema", w);
  t.name = GetStr(j, "name", w);
  ForEach(j, "columns", w, [&](const Json& cj, const std::string& cw) {
    RequireObject(cj, cw);
    Column c;
    c.name = GetStr(cj, "name", cw);
    if (const Json* tj = Find(cj, "type")) {
      std::string tw = cw + ".type";
      RequireObject(*tj, tw);
      c.type.logical = GetLogical(*tj, "logical", tw);
      c.type.length = GetInt32(*tj, "length", tw, -1);
      c.type.precision = GetInt32(*tj, "precision", tw, -1);
      c.type.scale = GetInt32(*tj, "scale", tw, -1);
      c.type.element = GetLogical(*tj, "element", tw);
      c.type.enum_values = GetStrList(*tj, "enum_values", tw);
    }
    c.native_type = GetStr(cj, "native_type", cw);
    c.nullable = GetBool(cj, "nullable", cw, true);
    c.default_expr = GetOptStr(cj, "default_expr", cw);
    c.collation = GetOptStr(cj, "collation", cw);
    c.generated_expr = GetOptStr(cj, "generated_expr", cw);
    c.generated_stored = GetBool(cj, "generated_stored", cw, false);
    c.auto_increment = GetBool(cj, "auto_increment", cw, false);
    c.identity = GetStr(cj, "identity", cw);
    c.comment = GetStr(cj, "comment", cw);
    c.on_update = GetStr(cj, "on_update", cw);
    t.columns.push_back(std::move(c));
  });
  if (const Json* pk = Find(j, "primary_key")) t.primary_key = KeyFromJson(*pk, w + ".primary_key");
  ForEach(j, "uniques", w, [&](const Json& e, const std::string& ew) { t.uniques.push_back(KeyFromJson(e, ew)); });
  ForEach(j, "checks", w, [&](const Json& e, const std::string& ew) {
    RequireObject(e, ew);
    t.checks.push_back({GetStr(e, "name", ew), GetStr(e, "expression", ew)});
  });
  ForEach(j, "foreign_keys", w, [&](const Json& e, const std::string& ew) {
    RequireObject(e, ew);
    ForeignKey f;
    f.name = GetStr(e, "name", ew);
    f.columns = GetStrList(e, "columns", ew);
    f.ref_schema = GetStr(e, "ref_schema", ew);
    f.ref_table = GetStr(e, "ref_table", ew);
    f.ref_columns = GetStrList(e, "ref_columns", ew);
    f.on_update = GetFkAction(e, "on_update", ew);
    f.on_delete = GetFkAction(e, "on_delete", ew);
    f.match = GetStr(e, "match", ew);
    f.deferrable = GetBool(e, "deferrable", ew, false);
    f.initially_deferred = GetBool(e, "initially_deferred", ew, false);
    t.foreign_keys.push_back(std::move(f));
  });
  t.options = GetStrMap(j, "options", w);
  t.comment = GetStr(j, "comment", w);
  t.native_ddl = GetStr(j, "native_ddl", w);
  return t;
}

Json ParseJson(std::string_view text, const char* what) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const std::exception& e) {
    // nlohmann's messages are one line; keep only the part after the type tag.
    std::string m = e.what();
    size_t p = m.find("] ");
    throw JsonError{std::string(what) + ": " + (p == std::string::npos ? m : m.substr(p + 2))};
  }
}

}  // namespace

std::string SchemaToJson(const Schema& s) {
  Json j = Json::object();
  j["engine"] = Str(s.engine);
  j["server_version"] = Str(s.server_version);
  j["database"] = Str(s.database);
  Json tables = Json::array();
  for (const Table& t : s.tables) tables.push_back(TableToJson(t));
  j["tables"] = std::move(tables);
  Json indexes = Json::array();
  for (const Index& x : s.indexes) {
    Json ij = Json::object();
    ij["schema"] = Str(x.schema);
    ij["name"] = Str(x.name);
    ij["table"] = Str(x.table);
    ij["unique"] = x.unique;
    Json keys = Json::array();
    for (const IndexKey& k : x.keys) {
      Json kj = Json::object();
      kj["column"] = Str(k.column);
      kj["expression"] = Str(k.expression);
      kj["descending"] = k.descending;
      kj["collation"] = OptStr(k.collation);
      if (!k.json_path.empty()) kj["json_path"] = StrList(k.json_path);  // 1.1, optional
      keys.push_back(std::move(kj));
    }
    ij["keys"] = std::move(keys);
    ij["where"] = OptStr(x.where);
    ij["method"] = Str(x.method);
    ij["native_ddl"] = Str(x.native_ddl);
    indexes.push_back(std::move(ij));
  }
  j["indexes"] = std::move(indexes);
  Json views = Json::array();
  for (const View& v : s.views) {
    Json vj = Json::object();
    vj["schema"] = Str(v.schema);
    vj["name"] = Str(v.name);
    vj["definition"] = Str(v.definition);
    vj["materialized"] = v.materialized;
    vj["native_ddl"] = Str(v.native_ddl);
    if (!v.options.empty()) vj["options"] = StrMap(v.options);  // 1.1, optional
    views.push_back(std::move(vj));
  }
  j["views"] = std::move(views);
  Json triggers = Json::array();
  for (const Trigger& t : s.triggers) {
    Json tj = Json::object();
    tj["schema"] = Str(t.schema);
    tj["name"] = Str(t.name);
    tj["table"] = Str(t.table);
    tj["native_ddl"] = Str(t.native_ddl);
    if (!t.options.empty()) tj["options"] = StrMap(t.options);  // 1.1, optional
    triggers.push_back(std::move(tj));
  }
  j["triggers"] = std::move(triggers);
  Json seqs = Json::array();
  for (const Sequence& q : s.sequences) {
    Json qj = Json::object();
    qj["schema"] = Str(q.schema);
    qj["name"] = Str(q.name);
    qj["owner_table"] = Str(q.owner_table);
    qj["owner_column"] = Str(q.owner_column);
    qj["last_value"] = q.last_value;
    qj["is_called"] = q.is_called;
    qj["increment"] = q.increment;
    qj["native_ddl"] = Str(q.native_ddl);
    seqs.push_back(std::move(qj));
  }
  j["sequences"] = std::move(seqs);
  Json objects = Json::array();
  for (const NativeObject& o : s.objects) {
    Json oj = Json::object();
    oj["kind"] = Str(o.kind);
    oj["schema"] = Str(o.schema);
    oj["name"] = Str(o.name);
    oj["table"] = Str(o.table);
    oj["phase"] = Str(o.phase);
    oj["native_ddl"] = Str(o.native_ddl);
    if (!o.options.empty()) oj["options"] = StrMap(o.options);  // 1.1, optional
    objects.push_back(std::move(oj));
  }
  j["objects"] = std::move(objects);
  j["options"] = StrMap(s.options);
  return Dump(j);
}

Status SchemaFromJson(std::string_view text, Schema* out) {
  try {
    Json j = ParseJson(text, "malformed schema");
    RequireObject(j, "schema");
    Schema s;
    const std::string w;
    s.engine = GetStr(j, "engine", w);
    s.server_version = GetStr(j, "server_version", w);
    s.database = GetStr(j, "database", w);
    ForEach(j, "tables", w, [&](const Json& e, const std::string& ew) { s.tables.push_back(TableFromJson(e, ew)); });
    ForEach(j, "indexes", w, [&](const Json& e, const std::string& ew) {
      RequireObject(e, ew);
      Index x;
      x.schema = GetStr(e, "schema", ew);
      x.name = GetStr(e, "name", ew);
      x.table = GetStr(e, "table", ew);
      x.unique = GetBool(e, "unique", ew, false);
      ForEach(e, "keys", ew, [&](const Json& k, const std::string& kw) {
        RequireObject(k, kw);
        IndexKey key;
        key.column = GetStr(k, "column", kw);
        key.expression = GetStr(k, "expression", kw);
        key.descending = GetBool(k, "descending", kw, false);
        key.collation = GetOptStr(k, "collation", kw);
        key.json_path = GetStrList(k, "json_path", kw);
        x.keys.push_back(std::move(key));
      });
      x.where = GetOptStr(e, "where", ew);
      x.method = GetStr(e, "method", ew);
      x.native_ddl = GetStr(e, "native_ddl", ew);
      s.indexes.push_back(std::move(x));
    });
    ForEach(j, "views", w, [&](const Json& e, const std::string& ew) {
      RequireObject(e, ew);
      View v;
      v.schema = GetStr(e, "schema", ew);
      v.name = GetStr(e, "name", ew);
      v.definition = GetStr(e, "definition", ew);
      v.materialized = GetBool(e, "materialized", ew, false);
      v.native_ddl = GetStr(e, "native_ddl", ew);
      v.options = GetStrMap(e, "options", ew);
      s.views.push_back(std::move(v));
    });
    ForEach(j, "triggers", w, [&](const Json& e, const std::string& ew) {
      RequireObject(e, ew);
      Trigger t;
      t.schema = GetStr(e, "schema", ew);
      t.name = GetStr(e, "name", ew);
      t.table = GetStr(e, "table", ew);
      t.native_ddl = GetStr(e, "native_ddl", ew);
      t.options = GetStrMap(e, "options", ew);
      s.triggers.push_back(std::move(t));
    });
    ForEach(j, "sequences", w, [&](const Json& e, const std::string& ew) {
      RequireObject(e, ew);
      Sequence q;
      q.schema = GetStr(e, "schema", ew);
      q.name = GetStr(e, "name", ew);
      q.owner_table = GetStr(e, "owner_table", ew);
      q.owner_column = GetStr(e, "owner_column", ew);
      q.last_value = GetInt(e, "last_value", ew, 0);
      q.is_called = GetBool(e, "is_called", ew, true);
      q.increment = GetInt(e, "increment", ew, 1);
      q.native_ddl = GetStr(e, "native_ddl", ew);
      s.sequences.push_back(std::move(q));
    });
    ForEach(j, "objects", w, [&](const Json& e, const std::string& ew) {
      RequireObject(e, ew);
      NativeObject o;
      o.kind = GetStr(e, "kind", ew);
      o.schema = GetStr(e, "schema", ew);
      o.name = GetStr(e, "name", ew);
      o.table = GetStr(e, "table", ew);
      o.phase = GetStr(e, "phase", ew);
      o.native_ddl = GetStr(e, "native_ddl", ew);
      o.options = GetStrMap(e, "options", ew);
      s.objects.push_back(std::move(o));
    });
    s.options = GetStrMap(j, "options", w);
    *out = std::move(s);
    return Status::OK();
  } catch (const JsonError& e) {
    if (e.message.rfind("malformed schema", 0) == 0) return Status::Corruption(e.message);
    return Status::Corruption("malformed schema: " + e.message);
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("malformed schema: ") + e.what());
  }
}

std::string ManifestToJson(const Manifest& m) {
  Json j = Json::object();
  j["format"] = kArchiveFormatName;
  j["format_version"] = fmt::format("{}.{}", m.format_major, m.format_minor);
  j["decant_version"] = Str(m.decant_version);
  j["archive_uuid"] = UuidToString(m.uuid);
  j["form"] = m.form;
  j["source_engine"] = Str(m.source_engine);
  j["server_version"] = Str(m.server_version);
  j["database"] = Str(m.database);
  j["created_at"] = m.created_at;
  j["schema_checksum"] = ChecksumHex(m.schema_checksum);
  Json tables = Json::array();
  for (const ManifestTable& t : m.tables) {
    Json tj = Json::object();
    tj["schema"] = Str(t.schema);
    tj["name"] = Str(t.name);
    tj["rows"] = t.rows;
    Json chunks = Json::array();
    for (const ManifestChunk& c : t.chunks) {
      Json cj = Json::object();
      cj["rows"] = c.rows;
      cj["compressed_bytes"] = c.compressed_bytes;
      cj["uncompressed_bytes"] = c.uncompressed_bytes;
      cj["checksum"] = ChecksumHex(c.checksum);
      if (m.form == "file") cj["offset"] = c.offset;
      chunks.push_back(std::move(cj));
    }
    tj["chunks"] = std::move(chunks);
    tables.push_back(std::move(tj));
  }
  j["tables"] = std::move(tables);
  return Dump(j);
}

namespace {

uint64_t ParseChecksum(const Json& o, const char* key, const std::string& where) {
  std::optional<uint64_t> v = ParseChecksumHex(GetStr(o, key, where));
  if (!v) Fail(Path(where, key), "expected 16 hex digits");
  return *v;
}

}  // namespace

Status ManifestFromJson(std::string_view text, Manifest* out) {
  try {
    Json j = ParseJson(text, "malformed manifest");
    if (!j.is_object()) Fail("", "malformed manifest: not a JSON object");
    const Json* format = Find(j, "format");
    if (!format || !format->is_string() || format->get<std::string>() != kArchiveFormatName) {
      return Status::Corruption("not a decant archive (manifest has no \"format\": \"decant-archive\")");
    }
    Manifest m;
    const std::string w;
    std::string version = GetStr(j, "format_version", w);
    unsigned major = 0, minor = 0;
    char tail = 0;
    if (std::sscanf(version.c_str(), "%u.%u%c", &major, &minor, &tail) != 2 || major == 0) {
      Fail("format_version", "expected MAJOR.MINOR, got \"" + version + "\"");
    }
    if (major > kArchiveFormatMajor) return Status::UnsupportedVersion(NewerVersionMessage(major, minor));
    m.format_major = major;
    m.format_minor = minor;
    m.decant_version = GetStr(j, "decant_version", w);
    if (!ParseUuid(GetStr(j, "archive_uuid", w), &m.uuid)) Fail("archive_uuid", "expected a UUID");
    m.form = GetStr(j, "form", w);
    if (m.form != "file" && m.form != "directory") Fail("form", "expected \"file\" or \"directory\"");
    m.source_engine = GetStr(j, "source_engine", w);
    m.server_version = GetStr(j, "server_version", w);
    m.database = GetStr(j, "database", w);
    m.created_at = GetStr(j, "created_at", w);
    m.schema_checksum = ParseChecksum(j, "schema_checksum", w);
    if (!Find(j, "tables")) Fail("tables", "missing");
    ForEach(j, "tables", w, [&](const Json& tj, const std::string& tw) {
      RequireObject(tj, tw);
      ManifestTable t;
      t.schema = GetStr(tj, "schema", tw);
      t.name = GetStr(tj, "name", tw);
      t.rows = GetUInt(tj, "rows", tw, std::nullopt);
      uint64_t sum = 0;
      ForEach(tj, "chunks", tw, [&](const Json& cj, const std::string& cw) {
        RequireObject(cj, cw);
        ManifestChunk c;
        c.rows = GetUInt(cj, "rows", cw, std::nullopt);
        c.compressed_bytes = GetUInt(cj, "compressed_bytes", cw, std::nullopt);
        c.uncompressed_bytes = GetUInt(cj, "uncompressed_bytes", cw, std::nullopt);
        c.checksum = ParseChecksum(cj, "checksum", cw);
        if (m.form == "file") c.offset = GetUInt(cj, "offset", cw, std::nullopt);
        if (c.uncompressed_bytes > kMaxChunkBytes || c.compressed_bytes > kMaxChunkRecordBytes) {
          Fail(cw, "chunk size exceeds the format's limit");
        }
        if (c.rows > kMaxChunkBytes) Fail(cw, "row count exceeds the format's limit");
        sum += c.rows;
        t.chunks.push_back(c);
      });
      if (sum != t.rows) Fail(tw, fmt::format("rows is {} but its chunks hold {}", t.rows, sum));
      m.tables.push_back(std::move(t));
    });
    *out = std::move(m);
    return Status::OK();
  } catch (const JsonError& e) {
    if (e.message.rfind("malformed manifest", 0) == 0) return Status::Corruption(e.message);
    return Status::Corruption("malformed manifest: " + e.message);
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("malformed manifest: ") + e.what());
  }
}

std::string ManifestChecksumFileContent(std::string_view manifest) { return ChecksumHex(Xxh3(manifest)) + "\n"; }

Status WriteDirectoryManifest(FileSystem* fs, const std::string& dir, std::string_view manifest) {
  DECANT_RETURN_IF_ERROR(
      WriteFileSynced(fs, JoinPath(dir, kManifestChecksumFile), ManifestChecksumFileContent(manifest)));
  return WriteFileSynced(fs, JoinPath(dir, "manifest.json"), manifest);
}

std::string NowUtc() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string ChunkFileName(uint32_t table_index, uint32_t seq) {
  return fmt::format("data/t{:06}-c{:08}.chunk", table_index, seq);
}

}  // namespace decant

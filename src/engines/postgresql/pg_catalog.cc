#include "engines/postgresql/pg_catalog.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "core/ascii.h"
#include "engines/postgresql/pg_ddl.h"

namespace decant::pg_internal {
namespace {

// A key on a JSON field path as pg_get_indexdef prints it:
// "(doc ->> 'email'::text)", "((doc -> 'address'::text) ->> 'city'::text)",
// "(\"Doc\" ->> 'it''s'::text)": a column, then `->` members and a last
// `->>` (the value as text), each member a text literal. Anything else
// (another operator, a cast of the column, a number member) is not one.
bool ParseJsonFieldKey(std::string_view e, std::string* column, std::vector<std::string>* path) {
  size_t i = 0;
  auto skip = [&] {
    while (i < e.size() && (e[i] == ' ' || e[i] == '(' || e[i] == ')')) ++i;
  };
  skip();
  std::string col;
  if (i < e.size() && e[i] == '"') {
    for (++i; i < e.size(); ++i) {
      if (e[i] == '"') {
        if (i + 1 < e.size() && e[i + 1] == '"') {
          col += '"';
          ++i;
          continue;
        }
        break;
      }
      col += e[i];
    }
    if (i >= e.size()) return false;
    ++i;
  } else {
    while (i < e.size() && (std::isalnum(static_cast<unsigned char>(e[i])) || e[i] == '_' || e[i] == '$'))
      col += e[i++];
  }
  if (col.empty()) return false;
  std::vector<std::string> members;
  bool last_as_text = false;
  while (true) {
    skip();
    if (i == e.size()) break;
    if (last_as_text || e.compare(i, 2, "->") != 0) return false;
    i += 2;
    if (i < e.size() && e[i] == '>') {
      last_as_text = true;
      ++i;
    }
    skip();
    if (i >= e.size() || e[i] != '\'') return false;
    std::string member;
    for (++i; i < e.size(); ++i) {
      if (e[i] == '\'') {
        if (i + 1 < e.size() && e[i + 1] == '\'') {
          member += '\'';
          ++i;
          continue;
        }
        break;
      }
      member += e[i];
    }
    if (i >= e.size()) return false;
    ++i;
    if (e.compare(i, 6, "::text") == 0) i += 6;
    members.push_back(std::move(member));
  }
  if (!last_as_text || members.empty()) return false;
  *column = std::move(col);
  *path = std::move(members);
  return true;
}

// Schemas that hold the system, never user data. (Functions a type made for
// itself, such as a multirange's constructors, depend on it internally and
// are left to the type.)
constexpr const char* kUserNamespace =
    "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp\\_%' "
    "AND n.nspname NOT LIKE 'pg_toast_temp\\_%'";

// True when object `oid_expr` of catalog `catalog` belongs to an extension.
std::string NotExtensionMember(const std::string& catalog, const std::string& oid_expr) {
  return fmt::format(
      "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = '{}'::pg_catalog.regclass "
      "AND e.objid = {} AND e.deptype = 'e')",
      catalog, oid_expr);
}

NativeObject Object(std::string kind, std::string schema, std::string name, std::string table, std::string phase,
                    std::string ddl) {
  return NativeObject{std::move(kind),  std::move(schema), std::move(name),
                      std::move(table), std::move(phase),  std::move(ddl)};
}

// Parses "{1,2,3}" or "[0:2]={1,2,3}" (an int2[] as text; an int2vector
// cast to int2[] keeps its zero lower bound) into numbers.
std::vector<long long> ParseIntArray(const std::string& text) {
  std::vector<long long> out;
  size_t eq = text.find('=');
  std::string_view body = eq == std::string::npos ? std::string_view(text) : std::string_view(text).substr(eq + 1);
  long long cur = 0;
  bool in_number = false, negative = false;
  for (char c : body) {
    if (c >= '0' && c <= '9') {
      cur = cur * 10 + (c - '0');
      in_number = true;
    } else if (c == '-') {
      negative = true;
    } else {
      if (in_number) out.push_back(negative ? -cur : cur);
      cur = 0;
      in_number = negative = false;
    }
  }
  if (in_number) out.push_back(negative ? -cur : cur);
  return out;
}

FkAction FkActionFromCode(const std::string& code) {
  if (code == "r") return FkAction::kRestrict;
  if (code == "c") return FkAction::kCascade;
  if (code == "n") return FkAction::kSetNull;
  if (code == "d") return FkAction::kSetDefault;
  return FkAction::kNoAction;
}

// The logical type of a column from its base type (domains resolved).
DataType LogicalFor(const std::string& base, char typtype, char category, int typmod, const std::string& element,
                    const std::vector<std::string>& enum_values) {
  DataType t;
  auto simple = [](const std::string& name) -> LogicalType {
    static const std::map<std::string, LogicalType> kMap = {
        {"bool", LogicalType::kBool},
        {"int2", LogicalType::kInt16},
        {"int4", LogicalType::kInt32},
        {"int8", LogicalType::kInt64},
        {"float4", LogicalType::kFloat32},
        {"float8", LogicalType::kFloat64},
        {"numeric", LogicalType::kDecimal},
        {"text", LogicalType::kText},
        {"varchar", LogicalType::kText},
        {"bpchar", LogicalType::kText},
        {"name", LogicalType::kText},
        {"citext", LogicalType::kText},
        {"bytea", LogicalType::kBytes},
        {"date", LogicalType::kDate},
        {"time", LogicalType::kTime},
        {"timestamp", LogicalType::kTimestamp},
        {"timestamptz", LogicalType::kTimestampTz},
        {"interval", LogicalType::kInterval},
        {"uuid", LogicalType::kUuid},
        {"json", LogicalType::kJson},
        {"jsonb", LogicalType::kJson},
        {"bit", LogicalType::kBitString},
        {"varbit", LogicalType::kBitString},
    };
    auto it = kMap.find(name);
    return it == kMap.end() ? LogicalType::kNative : it->second;
  };
  if (category == 'A') {
    t.logical = LogicalType::kArray;
    t.element = simple(element);
    return t;
  }
  if (typtype == 'e') {
    t.logical = LogicalType::kEnum;
    t.enum_values = enum_values;
    return t;
  }
  t.logical = simple(base);
  if (t.logical == LogicalType::kDecimal && typmod >= 4) {
    t.precision = ((typmod - 4) >> 16) & 0xffff;
    t.scale = (typmod - 4) & 0xffff;
  } else if ((base == "varchar" || base == "bpchar") && typmod >= 4) {
    t.length = typmod - 4;
  } else if ((base == "bit" || base == "varbit") && typmod >= 0) {
    t.length = typmod;
  } else if ((base == "time" || base == "timestamp" || base == "timestamptz" || base == "interval") && typmod >= 0) {
    t.precision = base == "interval" ? (typmod & 0xffff) : typmod;
    if (base == "interval" && t.precision == 0xffff) t.precision = -1;
  }
  return t;
}

class CatalogReader {
 public:
  explicit CatalogReader(Connection* conn) : conn_(conn), major_(conn->server_major()) {}

  Result<Schema> Read() {
    schema_.engine = "postgresql";
    schema_.server_version = conn_->server_version();
    schema_.database = conn_->database();
    DECANT_RETURN_IF_ERROR(ReadDatabase());
    DECANT_RETURN_IF_ERROR(ReadSchemas());
    DECANT_RETURN_IF_ERROR(ReadExtensions());
    DECANT_RETURN_IF_ERROR(ReadTypes());
    DECANT_RETURN_IF_ERROR(ReadFunctions());
    DECANT_RETURN_IF_ERROR(ReadSequences());
    DECANT_RETURN_IF_ERROR(ReadTables());
    DECANT_RETURN_IF_ERROR(ReadColumns());
    DECANT_RETURN_IF_ERROR(ReadConstraints());
    DECANT_RETURN_IF_ERROR(ReadIndexes());
    DECANT_RETURN_IF_ERROR(ReadViews());
    DECANT_RETURN_IF_ERROR(ReadTriggers());
    DECANT_RETURN_IF_ERROR(ReadRules());
    DECANT_RETURN_IF_ERROR(ReadComments());
    for (Table& t : schema_.tables) t.native_ddl = CreateTableSql(t);
    for (auto& o : post_functions_) schema_.objects.push_back(std::move(o));
    for (auto& o : comments_) schema_.objects.push_back(std::move(o));
    return std::move(schema_);
  }

 private:
  Status ReadDatabase() {
    DECANT_ASSIGN_OR_RETURN(QueryResult r,
                            conn_->Query("SELECT pg_catalog.pg_encoding_to_char(encoding), datcollate, datctype FROM "
                                         "pg_catalog.pg_database WHERE datname = pg_catalog.current_database()"));
    if (r.rows() == 1) {
      schema_.options["encoding"] = r.Get(0, 0);
      schema_.options["lc_collate"] = r.Get(0, 1);
      schema_.options["lc_ctype"] = r.Get(0, 2);
    }
    return Status::OK();
  }

  Status ReadSchemas() {
    DECANT_ASSIGN_OR_RETURN(QueryResult r,
                            conn_->Query(fmt::format("SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE {} AND {} "
                                                     "ORDER BY n.oid",
                                                     kUserNamespace, NotExtensionMember("pg_namespace", "n.oid"))));
    for (int i = 0; i < r.rows(); ++i) {
      std::string name = r.Get(i, 0);
      schema_.objects.push_back(
          Object("schema", name, name, "", "pre-data", "CREATE SCHEMA IF NOT EXISTS " + QuoteIdent(name)));
    }
    return Status::OK();
  }

  Status ReadExtensions() {
    DECANT_ASSIGN_OR_RETURN(QueryResult r,
                            conn_->Query("SELECT e.extname, n.nspname FROM pg_catalog.pg_extension e JOIN "
                                         "pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> "
                                         "'plpgsql' ORDER BY e.oid"));
    for (int i = 0; i < r.rows(); ++i) {
      schema_.objects.push_back(Object(
          "extension", r.Get(i, 1), r.Get(i, 0), "", "pre-data",
          "CREATE EXTENSION IF NOT EXISTS " + QuoteIdent(r.Get(i, 0)) + " WITH SCHEMA " + QuoteIdent(r.Get(i, 1))));
    }
    return Status::OK();
  }

  Status ReadTypes() {
    DECANT_ASSIGN_OR_RETURN(QueryResult labels, conn_->Query("SELECT enumtypid, enumlabel FROM pg_catalog.pg_enum "
                                                             "ORDER BY enumtypid, enumsortorder"));
    for (int i = 0; i < labels.rows(); ++i) enum_labels_[labels.GetInt(i, 0)].push_back(labels.Get(i, 1));

    // One query for every kind: a domain's checks, a composite type's
    // attributes (names quoted as QuoteIdent does) and a range's subtype come
    // along with the type.
    DECANT_ASSIGN_OR_RETURN(
        QueryResult r,
        conn_->Query(fmt::format(
            "SELECT t.oid, n.nspname, t.typname, t.typtype, "
            "pg_catalog.format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault, "
            "(SELECT pg_catalog.string_agg(' CONSTRAINT \"' || pg_catalog.replace(k.conname, '\"', '\"\"') || '\" ' "
            "|| pg_catalog.pg_get_constraintdef(k.oid), '' ORDER BY k.conname) FROM pg_catalog.pg_constraint k "
            "WHERE k.contypid = t.oid AND k.contype = 'c'), "
            "(SELECT pg_catalog.string_agg('\"' || pg_catalog.replace(a.attname, '\"', '\"\"') || '\" ' || "
            "pg_catalog.format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) FROM pg_catalog.pg_attribute a "
            "WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), "
            "pg_catalog.format_type(rg.rngsubtype, NULL), rg.rngsubdiff::pg_catalog.regproc, rg.rngsubdiff <> 0 "
            "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
            "LEFT JOIN pg_catalog.pg_range rg ON rg.rngtypid = t.oid "
            "WHERE {} AND {} AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND "
            "(SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')) ORDER BY t.oid",
            kUserNamespace, NotExtensionMember("pg_type", "t.oid"))));
    for (int i = 0; i < r.rows(); ++i) {
      long long oid = r.GetInt(i, 0);
      std::string schema = r.Get(i, 1), name = r.Get(i, 2), kind = r.Get(i, 3);
      std::string q = QuoteQualified(schema, name);
      std::string ddl;
      if (kind == "e") {
        ddl = "CREATE TYPE " + q + " AS ENUM (";
        const auto& values = enum_labels_[oid];
        for (size_t k = 0; k < values.size(); ++k) ddl += (k ? ", " : "") + QuoteLiteral(values[k]);
        ddl += ")";
      } else if (kind == "d") {
        ddl = "CREATE DOMAIN " + q + " AS " + r.Get(i, 4);
        if (!r.IsNull(i, 6)) ddl += " DEFAULT " + r.Get(i, 6);
        if (r.GetBool(i, 5)) ddl += " NOT NULL";
        ddl += r.Get(i, 7);  // its checks
      } else if (kind == "c") {
        ddl = "CREATE TYPE " + q + " AS (" + r.Get(i, 8) + ")";
      } else {  // range
        if (r.IsNull(i, 9)) continue;
        ddl = "CREATE TYPE " + q + " AS RANGE (SUBTYPE = " + r.Get(i, 9);
        if (r.GetBool(i, 11)) ddl += ", SUBTYPE_DIFF = " + r.Get(i, 10);
        ddl += ")";
      }
      schema_.objects.push_back(Object(kind == "d" ? "domain" : "type", schema, name, "", "pre-data", ddl));
    }
    return Status::OK();
  }

  Status ReadFunctions() {
    std::string kind = major_ >= 11 ? "p.prokind" : "CASE WHEN p.proisagg THEN 'a' ELSE 'f' END";
    std::string sql_body = major_ >= 14 ? "p.prosqlbody IS NOT NULL" : "false";
    DECANT_ASSIGN_OR_RETURN(
        QueryResult r,
        conn_->Query(fmt::format(
            "SELECT n.nspname, p.proname, {0}, CASE WHEN {0} <> 'a' THEN pg_catalog.pg_get_functiondef(p.oid) END, "
            "{1}, pg_catalog.pg_get_function_identity_arguments(p.oid), a.aggtransfn::pg_catalog.regproc, "
            "pg_catalog.format_type(a.aggtranstype, NULL), a.aggfinalfn::pg_catalog.regproc, a.aggfinalfn <> 0, "
            "a.agginitval, a.aggkind "
            "FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
            "LEFT JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = p.oid WHERE {2} AND {3} AND NOT EXISTS (SELECT 1 "
            "FROM pg_catalog.pg_depend i WHERE i.classid = 'pg_proc'::pg_catalog.regclass AND i.objid = p.oid AND "
            "i.deptype = 'i') ORDER BY p.oid",
            kind, sql_body, kUserNamespace, NotExtensionMember("pg_proc", "p.oid"))));
    std::vector<NativeObject> aggregates;
    for (int i = 0; i < r.rows(); ++i) {
      std::string schema = r.Get(i, 0), name = r.Get(i, 1);
      if (r.Get(i, 2) == "a") {
        if (r.Get(i, 11) != "n") {
          spdlog::warn("aggregate {}.{} is an ordered-set aggregate, which decant does not carry", schema, name);
          continue;
        }
        std::string ddl = fmt::format("CREATE AGGREGATE {}({}) (SFUNC = {}, STYPE = {}", QuoteQualified(schema, name),
                                      r.Get(i, 5), r.Get(i, 6), r.Get(i, 7));
        if (r.GetBool(i, 9)) ddl += ", FINALFUNC = " + r.Get(i, 8);
        if (!r.IsNull(i, 10)) ddl += ", INITCOND = " + QuoteLiteral(r.Get(i, 10));
        ddl += ")";
        aggregates.push_back(Object("aggregate", schema, name, "", "pre-data", ddl));
        continue;
      }
      std::string ddl = r.Get(i, 3);
      while (!ddl.empty() && (ddl.back() == '\n' || ddl.back() == ' ')) ddl.pop_back();
      // A SQL-standard body (BEGIN ATOMIC) is parsed at creation, so the
      // tables it reads must exist first.
      bool after_tables = r.GetBool(i, 4);
      (after_tables ? post_functions_ : schema_.objects)
          .push_back(Object("function", schema, name, "", after_tables ? "post-data" : "pre-data", ddl));
    }
    for (auto& a : aggregates) schema_.objects.push_back(std::move(a));
    return Status::OK();
  }

  Status ReadSequences() {
    DECANT_ASSIGN_OR_RETURN(
        QueryResult r,
        conn_->Query(fmt::format(
            "SELECT n.nspname, c.relname, pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, "
            "s.seqmin, s.seqmax, s.seqcache, s.seqcycle, d.deptype, tn.nspname, tc.relname, ta.attname "
            "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid "
            "LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_class'::pg_catalog.regclass AND d.objid = c.oid "
            "AND d.refclassid = 'pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i') "
            "LEFT JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid "
            "LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace "
            "LEFT JOIN pg_catalog.pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid "
            "WHERE c.relkind = 'S' AND {} AND {} ORDER BY c.oid",
            kUserNamespace, NotExtensionMember("pg_class", "c.oid"))));
    std::string values_sql;
    for (int i = 0; i < r.rows(); ++i) {
      Sequence q;
      q.schema = r.Get(i, 0);
      q.name = r.Get(i, 1);
      q.increment = r.GetInt(i, 4);
      std::string options =
          fmt::format("AS {} INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {} CACHE {}{}", r.Get(i, 2),
                      r.Get(i, 4), r.Get(i, 5), r.Get(i, 6), r.Get(i, 3), r.Get(i, 7), r.GetBool(i, 8) ? " CYCLE" : "");
      std::string deptype = r.IsNull(i, 9) ? "" : r.Get(i, 9);
      if (!deptype.empty()) {
        q.owner_table = r.Get(i, 11);
        q.owner_column = r.Get(i, 12);
      }
      if (deptype == "i") {
        // An identity column's own sequence: created by CREATE TABLE.
        identity_options_[{r.Get(i, 10), r.Get(i, 11), r.Get(i, 12)}] =
            "SEQUENCE NAME " + QuoteQualified(q.schema, q.name) + " " + options.substr(options.find("INCREMENT"));
      } else {
        q.native_ddl = "CREATE SEQUENCE " + QuoteQualified(q.schema, q.name) + " " + options;
        schema_.objects.push_back(Object("sequence", q.schema, q.name, "", "pre-data", q.native_ddl));
        if (deptype == "a") {
          owned_by_.push_back(Object("sequence owner", q.schema, q.name, q.owner_table, "post-data",
                                     "ALTER SEQUENCE " + QuoteQualified(q.schema, q.name) + " OWNED BY " +
                                         QuoteQualified(r.Get(i, 10), q.owner_table) + "." +
                                         QuoteIdent(q.owner_column)));
        }
      }
      values_sql += fmt::format("{}SELECT {}::int AS i, last_value::text, is_called FROM {}",
                                values_sql.empty() ? "" : " UNION ALL ", i, QuoteQualified(q.schema, q.name));
      schema_.sequences.push_back(std::move(q));
    }
    if (!values_sql.empty()) {
      DECANT_ASSIGN_OR_RETURN(QueryResult v, conn_->Query(values_sql));
      for (int i = 0; i < v.rows(); ++i) {
        Sequence& q = schema_.sequences.at(v.GetInt(i, 0));
        q.last_value = std::stoll(v.Get(i, 1));
        q.is_called = v.GetBool(i, 2);
      }
    }
    return Status::OK();
  }

  Status ReadTables() {
    std::string partition_cols =
        "c.relispartition, pg_catalog.pg_get_expr(c.relpartbound, c.oid), "
        "CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END";
    DECANT_ASSIGN_OR_RETURN(
        QueryResult r,
        conn_->Query(fmt::format(
            "SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence, {}, "
            "(SELECT pg_catalog.string_agg(pg_catalog.quote_ident(pn.nspname) || '.' || "
            "pg_catalog.quote_ident(pc.relname), ', ' ORDER BY i.inhseqno) FROM pg_catalog.pg_inherits i "
            "JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent JOIN pg_catalog.pg_namespace pn ON pn.oid = "
            "pc.relnamespace WHERE i.inhrelid = c.oid), pg_catalog.obj_description(c.oid, 'pg_class'), "
            "pg_catalog.array_to_string(c.reloptions, ', ') "
            "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND {} AND {} ORDER BY c.oid",
            partition_cols, kUserNamespace, NotExtensionMember("pg_class", "c.oid"))));
    struct Pending {
      long long oid;
      Table table;
    };
    std::vector<Pending> pending;
    for (int i = 0; i < r.rows(); ++i) {
      Pending p;
      p.oid = r.GetInt(i, 0);
      Table& t = p.table;
      t.schema = r.Get(i, 1);
      t.name = r.Get(i, 2);
      if (r.Get(i, 4) == "u") t.options[kOptUnlogged] = "1";
      if (!r.IsNull(i, 7)) t.options[kOptPartitionBy] = r.Get(i, 7);
      std::string parents = r.IsNull(i, 8) ? "" : r.Get(i, 8);
      if (r.GetBool(i, 5)) {
        t.options[kOptPartitionOf] = parents;
        t.options[kOptPartitionBound] = r.Get(i, 6);
      } else if (!parents.empty()) {
        t.options[kOptInherits] = parents;
      }
      if (!r.IsNull(i, 9)) t.comment = r.Get(i, 9);
      if (!r.IsNull(i, 10) && !r.Get(i, 10).empty()) t.options[kOptReloptions] = r.Get(i, 10);
      pending.push_back(std::move(p));
    }
    // Parents before their partitions and children: the catalogs list them
    // by oid, and ATTACH PARTITION can make a child older than its parent.
    std::map<long long, size_t> by_oid;
    for (size_t i = 0; i < pending.size(); ++i) by_oid[pending[i].oid] = i;
    DECANT_ASSIGN_OR_RETURN(QueryResult inh, conn_->Query("SELECT inhrelid, inhparent FROM pg_catalog.pg_inherits"));
    std::map<long long, std::vector<long long>> parents_of;
    for (int i = 0; i < inh.rows(); ++i) parents_of[inh.GetInt(i, 0)].push_back(inh.GetInt(i, 1));
    std::set<long long> placed;
    std::vector<size_t> order;
    while (order.size() < pending.size()) {
      size_t before = order.size();
      for (size_t i = 0; i < pending.size(); ++i) {
        if (placed.count(pending[i].oid)) continue;
        bool ready = true;
        for (long long parent : parents_of[pending[i].oid]) {
          if (by_oid.count(parent) && !placed.count(parent)) ready = false;
        }
        if (ready) {
          placed.insert(pending[i].oid);
          order.push_back(i);
        }
      }
      if (order.size() == before) return Status::Internal("cycle in table inheritance");
    }
    for (size_t i : order) {
      table_index_[pending[i].oid] = schema_.tables.size();
      schema_.tables.push_back(std::move(pending[i].table));
    }
    return Status::OK();
  }

  std::string TableOids() const {
    std::string list;
    for (const auto& [oid, _] : table_index_) list.append(list.empty() ? "" : ",").append(std::to_string(oid));
    return list.empty() ? "0" : list;
  }

  Status ReadColumns() {
    std::string generated = major_ >= 12 ? "a.attgenerated" : "''";
    DECANT_ASSIGN_OR_RETURN(
        QueryResult r,
        conn_->Query(fmt::format(
            "SELECT a.attrelid, a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, "
            "pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity, {}, a.attislocal, "
            "CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN "
            "pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END, "
            "pg_catalog.col_description(a.attrelid, a.attnum), bt.typname, bt.typtype, bt.typcategory, "
            "CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END, et.typname, bt.oid "
            "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
            "JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END "
            "LEFT JOIN pg_catalog.pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A' "
            "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation "
            "LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace "
            "WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attrelid IN ({}) ORDER BY a.attrelid, a.attnum",
            generated, TableOids())));
    for (int i = 0; i < r.rows(); ++i) {
      Table& t = schema_.tables[table_index_.at(r.GetInt(i, 0))];
      Column c;
      c.name = r.Get(i, 2);
      c.native_type = r.Get(i, 3);
      c.nullable = !r.GetBool(i, 4);
      std::string def = r.IsNull(i, 5) ? "" : r.Get(i, 5);
      std::string gen = r.Get(i, 7);
      if (gen == "s") {
        c.generated_expr = def;
        c.generated_stored = true;
      } else if (!def.empty()) {
        c.default_expr = def;
      }
      std::string identity = r.Get(i, 6);
      if (identity == "a") c.identity = "ALWAYS";
      if (identity == "d") c.identity = "BY DEFAULT";
      c.auto_increment = !c.identity.empty() || def.starts_with("nextval(");
      if (!c.identity.empty()) {
        auto it = identity_options_.find({t.schema, t.name, c.name});
        if (it != identity_options_.end()) t.options[kOptIdentityPrefix + c.name] = it->second;
      }
      if (!r.GetBool(i, 8)) t.options[kOptInheritedPrefix + c.name] = "1";
      if (!r.IsNull(i, 9)) c.collation = r.Get(i, 9);
      if (!r.IsNull(i, 10)) c.comment = r.Get(i, 10);
      std::string base = r.Get(i, 11);
      char typtype = r.Get(i, 12).empty() ? 'b' : r.Get(i, 12)[0];
      char category = r.Get(i, 13).empty() ? 'U' : r.Get(i, 13)[0];
      int typmod = static_cast<int>(r.GetInt(i, 14));
      std::string element = r.IsNull(i, 15) ? "" : r.Get(i, 15);
      static const std::vector<std::string> kNone;
      long long base_oid = r.GetInt(i, 16);
      const auto& labels = enum_labels_.count(base_oid) ? enum_labels_.at(base_oid) : kNone;
      c.type = LogicalFor(base, typtype, category, typmod, element, labels);
      t.columns.push_back(std::move(c));
      attnames_[{r.GetInt(i, 0), r.GetInt(i, 1)}] = t.columns.back().name;
    }
    return Status::OK();
  }

  std::vector<std::string> ColumnNames(long long rel, const std::string& attnums) {
    std::vector<std::string> names;
    for (long long n : ParseIntArray(attnums)) {
      auto it = attnames_.find({rel, n});
      names.push_back(it == attnames_.end() ? "?" : it->second);
    }
    return names;
  }

  Status ReadConstraints() {
    std::string own = major_ >= 11 ? "c.conparentid = 0" : "true";
    DECANT_ASSIGN_OR_RETURN(
        QueryResult r,
        conn_->Query(fmt::format(
            "SELECT c.conrelid, c.conname, c.contype, pg_catalog.pg_get_constraintdef(c.oid), c.condeferrable, "
            "c.condeferred, c.conkey, c.confrelid, c.confkey, c.confupdtype, c.confdeltype, c.confmatchtype, "
            "fn.nspname, fc.relname, pg_catalog.pg_get_expr(c.conbin, c.conrelid), tc.relkind "
            "FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_class tc ON tc.oid = c.conrelid "
            "LEFT JOIN pg_catalog.pg_class fc ON fc.oid = c.confrelid "
            "LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace "
            "WHERE c.conrelid IN ({}) AND c.contype IN ('p', 'u', 'f', 'c', 'x') AND c.conislocal AND {} "
            "ORDER BY CASE c.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'x' THEN 2 WHEN 'f' THEN 3 ELSE 4 END, "
            "c.conrelid, c.conname",
            TableOids(), own)));
    for (int i = 0; i < r.rows(); ++i) {
      long long rel = r.GetInt(i, 0);
      Table& t = schema_.tables[table_index_.at(rel)];
      std::string name = r.Get(i, 1), type = r.Get(i, 2), def = r.Get(i, 3);
      // ONLY keeps a constraint on an inheritance parent from being copied to
      // its children; a partitioned table's keys must reach its partitions.
      bool partitioned = r.Get(i, 15) == "p";
      std::string ddl = fmt::format("ALTER TABLE {}{} ADD CONSTRAINT {} {}", partitioned ? "" : "ONLY ",
                                    QuoteQualified(t.schema, t.name), QuoteIdent(name), def);
      std::string kind;
      if (type == "p" || type == "u") {
        KeyConstraint k{name, ColumnNames(rel, r.Get(i, 6))};
        if (type == "p") {
          t.primary_key = k;
          kind = "primary key";
        } else {
          t.uniques.push_back(k);
          kind = "unique";
        }
      } else if (type == "f") {
        ForeignKey fk;
        fk.name = name;
        fk.columns = ColumnNames(rel, r.Get(i, 6));
        fk.ref_schema = r.Get(i, 12);
        fk.ref_table = r.Get(i, 13);
        fk.ref_columns = ColumnNames(r.GetInt(i, 7), r.Get(i, 8));
        fk.on_update = FkActionFromCode(r.Get(i, 9));
        fk.on_delete = FkActionFromCode(r.Get(i, 10));
        std::string match = r.Get(i, 11);
        fk.match = match == "f" ? "FULL" : match == "p" ? "PARTIAL" : "";
        fk.deferrable = r.GetBool(i, 4);
        fk.initially_deferred = r.GetBool(i, 5);
        t.foreign_keys.push_back(std::move(fk));
        kind = "foreign key";
      } else if (type == "c") {
        t.checks.push_back(CheckConstraint{name, r.IsNull(i, 14) ? def : r.Get(i, 14)});
        kind = "check";
      } else {
        kind = "exclusion";
      }
      schema_.objects.push_back(Object(kind, t.schema, name, t.name, "post-data", ddl));
    }
    for (auto& o : owned_by_) schema_.objects.push_back(std::move(o));
    return Status::OK();
  }

  Status ReadIndexes() {
    std::string not_child =
        major_ >= 11 ? "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.indexrelid)" : "";
    DECANT_ASSIGN_OR_RETURN(
        QueryResult r,
        conn_->Query(fmt::format(
            "SELECT n.nspname, ic.relname, tc.relname, pg_catalog.pg_get_indexdef(i.indexrelid), i.indisunique, "
            "am.amname, pg_catalog.pg_get_expr(i.indpred, i.indrelid), i.indkey::pg_catalog.int2[], "
            "i.indoption::pg_catalog.int2[], i.indexrelid, i.indrelid, tc.relkind, {} "
            "FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
            "JOIN pg_catalog.pg_class tc ON tc.oid = i.indrelid JOIN pg_catalog.pg_namespace n ON n.oid = "
            "tc.relnamespace JOIN pg_catalog.pg_am am ON am.oid = ic.relam "
            "WHERE tc.relkind IN ('r', 'p', 'm') AND {} AND {} AND NOT EXISTS (SELECT 1 FROM "
            "pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN "
            "('p', 'u', 'x')) {} ORDER BY i.indexrelid",
            major_ >= 11 ? "i.indnkeyatts" : "i.indnatts", kUserNamespace, NotExtensionMember("pg_class", "tc.oid"),
            not_child)));
    // The text of every key that is not a plain table column (expressions,
    // and the keys of materialized views), all in one query.
    std::string index_oids;
    for (int i = 0; i < r.rows(); ++i) index_oids += (i ? "," : "") + r.Get(i, 9);
    std::map<std::pair<long long, long long>, std::string> key_texts;
    if (!index_oids.empty()) {
      DECANT_ASSIGN_OR_RETURN(
          QueryResult keys,
          conn_->Query(fmt::format("SELECT i.indexrelid, k, pg_catalog.pg_get_indexdef(i.indexrelid, k, true) FROM "
                                   "pg_catalog.pg_index i, pg_catalog.generate_series(1, i.indnatts) k "
                                   "WHERE i.indexrelid IN ({})",
                                   index_oids)));
      for (int i = 0; i < keys.rows(); ++i) key_texts[{keys.GetInt(i, 0), keys.GetInt(i, 1)}] = keys.Get(i, 2);
    }
    for (int i = 0; i < r.rows(); ++i) {
      Index x;
      x.schema = r.Get(i, 0);
      x.name = r.Get(i, 1);
      x.table = r.Get(i, 2);
      x.native_ddl = r.Get(i, 3);
      if (r.Get(i, 11) == "p") {
        size_t only = x.native_ddl.find(" ON ONLY ");
        if (only != std::string::npos) x.native_ddl.replace(only, 9, " ON ");
      }
      x.unique = r.GetBool(i, 4);
      x.method = r.Get(i, 5);
      if (!r.IsNull(i, 6)) x.where = r.Get(i, 6);
      auto attnums = ParseIntArray(r.Get(i, 7));
      auto options = ParseIntArray(r.Get(i, 8));
      long long key_count = r.GetInt(i, 12);
      for (long long k = 0; k < key_count && k < static_cast<long long>(attnums.size()); ++k) {
        IndexKey key;
        if (attnums[k] != 0) {
          key.column = attnames_.count({r.GetInt(i, 10), attnums[k]}) ? attnames_[{r.GetInt(i, 10), attnums[k]}] : "";
        }
        if (key.column.empty()) {
          key.expression = key_texts[{r.GetInt(i, 9), k + 1}];
          // A JSON field path is a neutral key (IndexKey::json_path) other
          // engines declare their own way; a same-engine load replays native_ddl.
          if (ParseJsonFieldKey(key.expression, &key.column, &key.json_path)) key.expression.clear();
        }
        key.descending = k < static_cast<long long>(options.size()) && (options[k] & 1);
        x.keys.push_back(std::move(key));
      }
      schema_.indexes.push_back(std::move(x));
    }
    return Status::OK();
  }

  Status ReadViews() {
    DECANT_ASSIGN_OR_RETURN(
        QueryResult r,
        conn_->Query(fmt::format(
            "SELECT n.nspname, c.relname, c.relkind, pg_catalog.pg_get_viewdef(c.oid), "
            "pg_catalog.array_to_string(c.reloptions, ', ') FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace "
            "n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND {} AND {} ORDER BY c.oid",
            kUserNamespace, NotExtensionMember("pg_class", "c.oid"))));
    for (int i = 0; i < r.rows(); ++i) {
      View v;
      v.schema = r.Get(i, 0);
      v.name = r.Get(i, 1);
      v.materialized = r.Get(i, 2) == "m";
      v.definition = r.Get(i, 3);
      while (!v.definition.empty() &&
             (v.definition.back() == ';' || v.definition.back() == ' ' || v.definition.back() == '\n')) {
        v.definition.pop_back();
      }
      std::string with = r.IsNull(i, 4) || r.Get(i, 4).empty() ? "" : " WITH (" + r.Get(i, 4) + ")";
      v.native_ddl =
          fmt::format("CREATE {}VIEW {}{} AS\n{}{}", v.materialized ? "MATERIALIZED " : "",
                      QuoteQualified(v.schema, v.name), with, v.definition, v.materialized ? "\nWITH DATA" : "");
      schema_.views.push_back(std::move(v));
    }
    return Status::OK();
  }

  Status ReadTriggers() {
    std::string own = major_ >= 13 ? "AND t.tgparentid = 0" : "";
    DECANT_ASSIGN_OR_RETURN(
        QueryResult r,
        conn_->Query(fmt::format("SELECT n.nspname, t.tgname, c.relname, pg_catalog.pg_get_triggerdef(t.oid) "
                                 "FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid "
                                 "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                                 "WHERE NOT t.tgisinternal {} AND {} AND {} ORDER BY t.oid",
                                 own, kUserNamespace, NotExtensionMember("pg_class", "c.oid"))));
    for (int i = 0; i < r.rows(); ++i) {
      schema_.triggers.push_back(Trigger{r.Get(i, 0), r.Get(i, 1), r.Get(i, 2), r.Get(i, 3)});
    }
    return Status::OK();
  }

  // Rewrite rules (CREATE RULE), but not the _RETURN rule every view is made of.
  Status ReadRules() {
    DECANT_ASSIGN_OR_RETURN(
        QueryResult r,
        conn_->Query(fmt::format("SELECT n.nspname, r.rulename, c.relname, pg_catalog.pg_get_ruledef(r.oid) "
                                 "FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class "
                                 "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                                 "WHERE r.rulename <> '_RETURN' AND {} AND {} ORDER BY r.oid",
                                 kUserNamespace, NotExtensionMember("pg_class", "c.oid"))));
    for (int i = 0; i < r.rows(); ++i) {
      std::string ddl = r.Get(i, 3);
      while (!ddl.empty() && (ddl.back() == ';' || ddl.back() == '\n' || ddl.back() == ' ')) ddl.pop_back();
      schema_.objects.push_back(Object("rule", r.Get(i, 0), r.Get(i, 1), r.Get(i, 2), "post-data", ddl));
    }
    return Status::OK();
  }

  // COMMENT ON statements for every commented user object. pg_identify_object
  // gives the object's kind and its identity in the syntax COMMENT ON takes.
  Status ReadComments() {
    DECANT_ASSIGN_OR_RETURN(
        QueryResult r,
        conn_->Query("SELECT o.type, o.schema, o.identity, d.description, o.name FROM pg_catalog.pg_description d, "
                     "LATERAL pg_catalog.pg_identify_object(d.classoid, d.objoid, d.objsubid) o WHERE d.classoid IN "
                     "('pg_catalog.pg_class'::pg_catalog.regclass, 'pg_catalog.pg_type'::pg_catalog.regclass, "
                     "'pg_catalog.pg_proc'::pg_catalog.regclass, 'pg_catalog.pg_namespace'::pg_catalog.regclass, "
                     "'pg_catalog.pg_constraint'::pg_catalog.regclass, 'pg_catalog.pg_trigger'::pg_catalog.regclass) "
                     "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = d.classoid AND e.objid = "
                     "d.objoid AND e.deptype = 'e') ORDER BY d.classoid, d.objoid, d.objsubid"));
    static const std::set<std::string> kSystem = {"pg_catalog", "information_schema", "pg_toast"};
    for (int i = 0; i < r.rows(); ++i) {
      std::string type = r.Get(i, 0), schema = r.IsNull(i, 1) ? "" : r.Get(i, 1), identity = r.Get(i, 2);
      if (type == "schema") schema = r.Get(i, 4);
      if (kSystem.count(schema) || schema.starts_with("pg_temp") || schema.starts_with("pg_toast")) continue;
      // Every database is created with this one (initdb's): not the user's.
      if (type == "schema" && schema == "public" && r.Get(i, 3) == "standard public schema") continue;
      std::string target;
      if (type == "table column" || type == "view column" || type == "materialized view column" ||
          type == "composite type column") {
        target = "COLUMN " + identity;
      } else if (type == "table constraint" || type == "trigger" || type == "domain constraint") {
        size_t on = identity.find(" on ");
        if (on == std::string::npos) continue;
        std::string word = type == "trigger" ? "TRIGGER " : "CONSTRAINT ";
        target = word + identity.substr(0, on) + " ON " + (type == "domain constraint" ? "DOMAIN " : "") +
                 identity.substr(on + 4);
      } else {
        std::string word = AsciiUpper(type);
        if (word == "COMPOSITE TYPE" || word == "ENUM TYPE" || word == "RANGE TYPE") word = "TYPE";
        target = word + " " + identity;
      }
      // The name within its schema (messages print schema.name): the
      // identity without its leading "schema.".
      std::string name = identity.rfind(schema + ".", 0) == 0 ? identity.substr(schema.size() + 1) : identity;
      comments_.push_back(Object("comment", schema, name, "", "post-data",
                                 "COMMENT ON " + target + " IS " + QuoteLiteral(r.Get(i, 3))));
    }
    return Status::OK();
  }

  Connection* conn_;
  int major_;
  Schema schema_;
  std::map<long long, size_t> table_index_;
  std::map<std::pair<long long, long long>, std::string> attnames_;
  std::map<long long, std::vector<std::string>> enum_labels_;
  std::map<std::tuple<std::string, std::string, std::string>, std::string> identity_options_;
  std::vector<NativeObject> owned_by_;
  std::vector<NativeObject> post_functions_;
  std::vector<NativeObject> comments_;
};

}  // namespace

Result<Schema> ReadCatalog(Connection* conn) { return CatalogReader(conn).Read(); }

}  // namespace decant::pg_internal

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "pipeline/selection_internal.h"

namespace decant::selection_internal {
namespace {

std::set<std::string> SchemaNames(const Schema& s) {
  std::set<std::string> out;
  for (const Table& t : s.tables) out.insert(t.schema);
  for (const View& v : s.views) out.insert(v.schema);
  for (const Index& x : s.indexes) out.insert(x.schema);
  for (const Sequence& q : s.sequences) out.insert(q.schema);
  for (const NativeObject& o : s.objects) {
    out.insert(o.schema);
    if (o.kind == "schema") out.insert(o.name);
  }
  out.erase("");
  return out;
}

// Exact matches if there are any, else case-insensitive ones.
template <typename T, typename Eq>
std::vector<T> ExactElseFolded(const std::vector<T>& all, Eq eq) {
  std::vector<T> out;
  for (bool fold : {false, true}) {
    for (const T& x : all) {
      if (eq(x, fold)) out.push_back(x);
    }
    if (!out.empty()) break;
  }
  return out;
}

bool NameIs(const std::string& a, const std::string& b, bool fold) {
  return fold ? EqualsIgnoreCaseAscii(a, b) : a == b;
}

}  // namespace

Result<Target> Resolve(const Schema& s, const SourceDialect& d, const std::string& old_arg,
                       const std::string& new_arg) {
  std::string arg = "--rename " + old_arg + "=" + new_arg;
  std::vector<std::string> parts = SplitQualified(old_arg);
  std::vector<std::string> new_parts = SplitQualified(new_arg);
  if (parts.size() > 3 || std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); })) {
    return Status::InvalidArgument(arg + ": expected NAME, SCHEMA.TABLE, TABLE.COLUMN or SCHEMA.TABLE.COLUMN");
  }
  if (new_parts.size() > 1) {
    bool same_shape = new_parts.size() == parts.size();
    for (size_t i = 0; same_shape && i + 1 < parts.size(); ++i) same_shape = NameIs(parts[i], new_parts[i], true);
    if (!same_shape) return Status::InvalidArgument(arg + ": only the last part of the name can change");
  }
  Target t;
  t.new_name = new_parts.back();
  if (t.new_name.empty()) return Status::InvalidArgument(arg + ": the new name is empty");

  std::vector<int> all_tables(s.tables.size());
  for (size_t i = 0; i < all_tables.size(); ++i) all_tables[i] = static_cast<int>(i);
  auto schema_of = [&](int i, const std::string& want, bool fold) {
    const std::string& schema = s.tables[i].schema;
    if (!schema.empty()) return NameIs(schema, want, fold);
    return NameIs(want, DefaultQualifier(s), fold);
  };
  auto has_column = [&](int i, const std::string& c, bool fold) {
    const auto& cols = s.tables[i].columns;
    return std::any_of(cols.begin(), cols.end(), [&](const Column& col) { return NameIs(col.name, c, fold); });
  };
  auto column_name = [&](int i, const std::string& c) {
    for (bool fold : {false, true}) {
      for (const Column& col : s.tables[i].columns) {
        if (NameIs(col.name, c, fold)) return col.name;
      }
    }
    return c;
  };
  auto describe = [&](const std::vector<int>& tables) {
    std::vector<std::string> names;
    for (int i : tables) names.push_back(QualifiedName(s.tables[i].schema, s.tables[i].name));
    return fmt::format("{}", fmt::join(names, ", "));
  };

  if (parts.size() == 1) {
    auto tables =
        ExactElseFolded(all_tables, [&](int i, bool fold) { return NameIs(s.tables[i].name, parts[0], fold); });
    std::set<std::string> schema_set = SchemaNames(s);
    std::vector<std::string> all_schemas(schema_set.begin(), schema_set.end());
    auto schemas =
        ExactElseFolded(all_schemas, [&](const std::string& n, bool fold) { return NameIs(n, parts[0], fold); });
    if (!tables.empty() && !schemas.empty()) {
      return Status::InvalidArgument(arg + ": ambiguous: both a table and a schema are called " + parts[0]);
    }
    if (tables.size() > 1) {
      return Status::InvalidArgument(arg + ": ambiguous: tables " + describe(tables) + "; qualify it as SCHEMA.TABLE");
    }
    if (schemas.size() > 1) return Status::InvalidArgument(arg + ": ambiguous: schemas differ only in case");
    if (!tables.empty()) {
      t.kind = Target::kTable;
      t.table = tables[0];
      t.schema = s.tables[t.table].schema;
      t.name = s.tables[t.table].name;
    } else if (!schemas.empty()) {
      t.kind = Target::kSchema;
      t.name = schemas[0];
    } else {
      return Status::InvalidArgument(arg + ": no table or schema called " + parts[0]);
    }
  } else if (parts.size() == 2) {
    std::vector<int> tables, columns;
    for (bool fold : {false, true}) {
      for (int i : all_tables) {
        if (schema_of(i, parts[0], fold) && NameIs(s.tables[i].name, parts[1], fold)) tables.push_back(i);
        if (NameIs(s.tables[i].name, parts[0], fold) && has_column(i, parts[1], fold)) columns.push_back(i);
      }
      if (!tables.empty() || !columns.empty()) break;
    }
    if (!tables.empty() && !columns.empty()) {
      return Status::InvalidArgument(arg + ": ambiguous: both table " + describe(tables) + " and column " + parts[1] +
                                     " of table " + describe(columns));
    }
    if (tables.size() > 1 || columns.size() > 1) {
      return Status::InvalidArgument(arg + ": ambiguous: " + describe(tables.empty() ? columns : tables) +
                                     "; qualify it as SCHEMA.TABLE.COLUMN");
    }
    if (!tables.empty()) {
      t.kind = Target::kTable;
      t.table = tables[0];
      t.name = s.tables[t.table].name;
    } else if (!columns.empty()) {
      t.kind = Target::kColumn;
      t.table = columns[0];
      t.name = column_name(t.table, parts[1]);
    } else {
      return Status::InvalidArgument(arg + ": no table " + old_arg + " and no column " + parts[1] + " in a table " +
                                     parts[0]);
    }
    t.schema = s.tables[t.table].schema;
  } else {
    auto tables = ExactElseFolded(all_tables, [&](int i, bool fold) {
      return schema_of(i, parts[0], fold) && NameIs(s.tables[i].name, parts[1], fold) && has_column(i, parts[2], fold);
    });
    if (tables.empty()) return Status::InvalidArgument(arg + ": no column " + old_arg);
    if (tables.size() > 1) return Status::InvalidArgument(arg + ": ambiguous: " + describe(tables));
    t.kind = Target::kColumn;
    t.table = tables[0];
    t.schema = s.tables[t.table].schema;
    t.name = column_name(t.table, parts[2]);
  }

  // Onto an existing name: refuse rather than merge two objects.
  if (t.new_name == t.name) return t;
  bool self = SameName(t.new_name, t.name, d);  // a change of case only
  switch (t.kind) {
    case Target::kSchema:
      for (const std::string& n : SchemaNames(s)) {
        if (!self && SameName(n, t.new_name, d))
          return Status::InvalidArgument(arg + ": schema " + n + " already exists");
      }
      break;
    case Target::kTable:
      for (const Table& other : s.tables) {
        if (!self && other.schema == t.schema && SameName(other.name, t.new_name, d)) {
          return Status::InvalidArgument(arg + ": table " + QualifiedName(other.schema, other.name) +
                                         " already exists");
        }
      }
      for (const View& v : s.views) {
        if (v.schema == t.schema && SameName(v.name, t.new_name, d)) {
          return Status::InvalidArgument(arg + ": view " + QualifiedName(v.schema, v.name) + " already exists");
        }
      }
      break;
    case Target::kColumn:
      for (const Column& c : s.tables[t.table].columns) {
        if (!self && SameName(c.name, t.new_name, d)) {
          return Status::InvalidArgument(arg + ": table " + QualifiedName(t.schema, s.tables[t.table].name) +
                                         " already has a column " + c.name);
        }
      }
      break;
  }
  return t;
}

}  // namespace decant::selection_internal

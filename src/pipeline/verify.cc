#include "pipeline/verify.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstring>
#include <functional>
#include <map>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/ascii.h"
#include "core/utf8.h"
#include "engines/registry.h"
#include "pipeline/canonical.h"
#include "pipeline/endpoints.h"

namespace decant {
namespace {

// How one side reads a table for comparison: which cells of the reader's
// rows (DataColumns order), in compared order, through which types.
struct ReadPlan {
  const Table* table = nullptr;
  std::vector<size_t> cells;
  const std::vector<DataType>* types = nullptr;
};

// One table of A matched with one of B (either may be missing).
struct TablePair {
  std::string name;  // A's qualified name, or B's if only in B
  const Table* a = nullptr;
  const Table* b = nullptr;
  std::vector<size_t> a_cells, b_cells;  // matched columns, positions in each side's rows
  std::vector<DataType> types;           // the type each matched column is compared as
  std::vector<std::string> names;        // the matched columns' names (A's spelling)
  std::vector<size_t> key;               // indices into the matched columns; empty: no key
  std::vector<std::string> column_notes;
  std::vector<DataType> own_a, own_b;  // each side's own types, for a table on one side only
  ReadPlan PlanA() const { return {a, a_cells, b ? &types : &own_a}; }
  ReadPlan PlanB() const { return {b, b_cells, a ? &types : &own_b}; }
};

// The index in `candidates` whose name matches `name` exactly, else the only
// one that matches ignoring case; -1 if none (or several ignoring case).
// Entries already taken are skipped.
template <typename NameOf>
int FindByName(const std::string& name, size_t n, const std::vector<bool>& taken, NameOf name_of) {
  int folded = -1, folded_count = 0;
  for (size_t i = 0; i < n; ++i) {
    if (taken[i]) continue;
    if (name_of(i) == name) return static_cast<int>(i);
    if (EqualsIgnoreCaseAscii(name_of(i), name)) folded = static_cast<int>(i), ++folded_count;
  }
  return folded_count == 1 ? folded : -1;
}

// Columns by name; the key from A's primary key, else B's, if all its
// columns are among the matched ones.
void MatchColumns(TablePair* p) {
  std::vector<size_t> ad = DataColumns(*p->a), bd = DataColumns(*p->b);
  std::vector<bool> b_taken(bd.size(), false);
  for (size_t i = 0; i < ad.size(); ++i) {
    const Column& col = p->a->columns[ad[i]];
    int j = FindByName(col.name, bd.size(), b_taken,
                       [&](size_t k) -> const std::string& { return p->b->columns[bd[k]].name; });
    if (j < 0) {
      p->column_notes.push_back("column " + col.name + " only in A");
      continue;
    }
    b_taken[static_cast<size_t>(j)] = true;
    p->a_cells.push_back(i);
    p->b_cells.push_back(static_cast<size_t>(j));
    p->types.push_back(CompareType(col.type, p->b->columns[bd[static_cast<size_t>(j)]].type));
    p->names.push_back(col.name);
  }
  for (size_t j = 0; j < bd.size(); ++j) {
    if (!b_taken[j]) p->column_notes.push_back("column " + p->b->columns[bd[j]].name + " only in B");
  }
  for (const Table* side : {p->a, p->b}) {
    if (!side->primary_key || side->primary_key->columns.empty()) continue;
    std::vector<size_t> key;
    std::vector<bool> none(p->names.size(), false);
    for (const std::string& col : side->primary_key->columns) {
      int k = FindByName(col, p->names.size(), none, [&](size_t i) -> const std::string& { return p->names[i]; });
      if (k < 0) break;
      key.push_back(static_cast<size_t>(k));
    }
    if (key.size() == side->primary_key->columns.size()) {
      p->key = std::move(key);
      return;
    }
  }
}

std::vector<DataType> OwnTypes(const Table& t, std::vector<size_t>* cells) {
  std::vector<DataType> types;
  std::vector<size_t> data = DataColumns(t);
  for (size_t i = 0; i < data.size(); ++i) {
    cells->push_back(i);
    types.push_back(t.columns[data[i]].type);
  }
  return types;
}

// Tables by (schema, name); then "" with the other side's default schema
// (PostgreSQL's "public"); then a name (exact, then ignoring case) that is
// unique among the unmatched tables of both sides.
// True when `schema` is the default schema of `engine`'s databases; for an
// engine this build does not know, the default schema of any engine it knows.
bool IsDefaultSchema(const std::string& schema, const std::string& engine) {
  if (schema.empty()) return false;
  if (const EngineTraits* e = FindEngine(engine)) return schema == e->dialect.default_schema;
  for (const EngineTraits* e : Engines()) {
    if (schema == e->dialect.default_schema) return true;
  }
  return false;
}

std::vector<TablePair> MatchTables(const Schema& a, const Schema& b) {
  const auto& at = a.tables;
  const auto& bt = b.tables;
  std::vector<int> match(at.size(), -1);
  std::vector<bool> b_taken(bt.size(), false);
  auto pass = [&](auto same) {
    for (size_t i = 0; i < at.size(); ++i) {
      if (match[i] >= 0) continue;
      int found = -1, count = 0;
      for (size_t j = 0; j < bt.size(); ++j) {
        if (!b_taken[j] && same(at[i], bt[j])) found = static_cast<int>(j), ++count;
      }
      int a_count = 0;  // the name must be unique among A's unmatched tables too
      for (size_t k = 0; k < at.size() && found >= 0; ++k) {
        if (match[k] < 0 && same(at[k], bt[static_cast<size_t>(found)])) ++a_count;
      }
      if (count == 1 && a_count == 1) {
        match[i] = found;
        b_taken[static_cast<size_t>(found)] = true;
      }
    }
  };
  pass([](const Table& x, const Table& y) { return x.schema == y.schema && x.name == y.name; });
  pass([&](const Table& x, const Table& y) {
    return x.name == y.name && ((x.schema.empty() && IsDefaultSchema(y.schema, b.engine)) ||
                                (IsDefaultSchema(x.schema, a.engine) && y.schema.empty()));
  });
  pass([](const Table& x, const Table& y) { return x.name == y.name; });
  pass([](const Table& x, const Table& y) { return EqualsIgnoreCaseAscii(x.name, y.name); });
  // A name one side's engine cut to its length limit when the table was
  // created there (PostgreSQL keeps 63 bytes): the plan said so.
  auto cut_by = [](const Schema& s) {
    const EngineTraits& e = SystemNamed(s.engine);
    return e.ddl.long_names_cut ? static_cast<size_t>(e.ddl.max_name_bytes) : size_t{0};
  };
  const size_t a_cut = cut_by(a), b_cut = cut_by(b);
  pass([&](const Table& x, const Table& y) {
    return (b_cut > 0 && x.name.size() > b_cut && Utf8Cut(x.name, b_cut) == y.name) ||
           (a_cut > 0 && y.name.size() > a_cut && Utf8Cut(y.name, a_cut) == x.name);
  });

  std::vector<TablePair> pairs;
  for (size_t i = 0; i < at.size(); ++i) {
    TablePair p;
    p.name = QualifiedName(at[i].schema, at[i].name);
    p.a = &at[i];
    if (match[i] >= 0) {
      p.b = &bt[static_cast<size_t>(match[i])];
      MatchColumns(&p);
    } else {
      p.own_a = OwnTypes(at[i], &p.a_cells);
    }
    pairs.push_back(std::move(p));
  }
  for (size_t j = 0; j < bt.size(); ++j) {
    if (b_taken[j]) continue;
    TablePair p;
    p.name = QualifiedName(bt[j].schema, bt[j].name);
    p.b = &bt[j];
    p.own_b = OwnTypes(bt[j], &p.b_cells);
    pairs.push_back(std::move(p));
  }
  return pairs;
}

void PutLength(size_t n, std::string* out) {
  uint64_t x = n;
  char buf[8];
  std::memcpy(buf, &x, 8);
  out->append(buf, 8);
}

// A row's canonical encoding: each compared cell's canonical form, length first.
void EncodeRow(const Value* row, const ReadPlan& plan, std::string* out) {
  out->clear();
  for (size_t i = 0; i < plan.cells.size(); ++i) {
    size_t at = out->size();
    PutLength(0, out);
    AppendCanonical(row[plan.cells[i]], (*plan.types)[i], out);
    uint64_t n = out->size() - at - 8;
    std::memcpy(out->data() + at, &n, 8);
  }
}

// The cells of an encoding made by EncodeRow.
std::vector<std::string_view> SplitCells(std::string_view enc) {
  std::vector<std::string_view> cells;
  while (enc.size() >= 8) {
    uint64_t n;
    std::memcpy(&n, enc.data(), 8);
    cells.push_back(enc.substr(8, n));
    enc.remove_prefix(8 + n);
  }
  return cells;
}

// Calls `fn` with every row's encoding.
Status ScanTable(Source& source, const ReadPlan& plan, const std::function<void(const std::string&)>& fn) {
  DECANT_ASSIGN_OR_RETURN(auto reader, source.OpenTable(*plan.table));
  RowBatch batch;
  std::string buf;
  for (;;) {
    DECANT_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
    if (!more) return Status::OK();
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      EncodeRow(batch.row(r), plan, &buf);
      fn(buf);
    }
  }
}

Hash128 RowHash(const std::string& enc) {
  XXH128_hash_t h = XXH3_128bits(enc.data(), enc.size());
  return {h.high64, h.low64};
}

Result<TableDigest> DigestTable(Source& source, const ReadPlan& plan) {
  TableDigest d;
  d.table = QualifiedName(plan.table->schema, plan.table->name);
  Status st = ScanTable(source, plan, [&](const std::string& enc) {
    Hash128 h = RowHash(enc);
    d.hash.Add(h.high, h.low);
    ++d.rows;
  });
  if (!st.ok()) return st;
  return d;
}

// Digests `plans` (in the source's schema order), then checks the source is whole.
Result<std::vector<TableDigest>> DigestPlans(Source& source, const std::vector<ReadPlan>& plans) {
  std::vector<TableDigest> out;
  for (const ReadPlan& plan : plans) {
    DECANT_ASSIGN_OR_RETURN(TableDigest d, DigestTable(source, plan));
    out.push_back(std::move(d));
  }
  DECANT_RETURN_IF_ERROR(source.Finish());  // a piped archive must be whole to be "equal"
  return out;
}

// ---- naming the differing rows ---------------------------------------------

struct Tally {
  uint64_t in_a = 0, in_b = 0;
  Hash128 a, b;
  bool differs() const { return in_a != in_b || a != b; }
};

std::string KeyOf(const std::string& enc, const std::vector<size_t>& key) {
  if (key.empty()) {  // no key: the row itself (by its hash) is the key
    Hash128 h = RowHash(enc);
    return std::string(reinterpret_cast<const char*>(&h), sizeof h);
  }
  std::vector<std::string_view> cells = SplitCells(enc);
  std::string out;
  for (size_t k : key) {
    PutLength(cells[k].size(), &out);
    out.append(cells[k]);
  }
  return out;
}

bool KeyLess(const std::string& x, const std::string& y) {
  std::vector<std::string_view> cx = SplitCells(x), cy = SplitCells(y);
  for (size_t i = 0; i < cx.size() && i < cy.size(); ++i) {
    if (CanonicalLess(cx[i], cy[i])) return true;
    if (CanonicalLess(cy[i], cx[i])) return false;
  }
  return cx.size() < cy.size();
}

std::string DescribeKey(const TablePair& p, const std::string& key) {
  std::vector<std::string_view> cells = SplitCells(key);
  std::string out;
  for (size_t i = 0; i < p.key.size() && i < cells.size(); ++i) {
    out += (i ? ", " : "") + p.names[p.key[i]] + "=" + DisplayCanonical(cells[i]);
  }
  return out;
}

std::string DescribeRow(const std::string& enc) {
  std::string out = "(";
  bool first = true;
  for (std::string_view cell : SplitCells(enc)) {
    out += (first ? "" : ", ") + DisplayCanonical(cell);
    first = false;
  }
  return out + ")";
}

// "Total 1.98 vs 1.99, BillingCity 'Oslo' vs 'Bergen'": the columns where two
// rows with the same key differ.
std::string DescribeChange(const TablePair& p, const std::string& a, const std::string& b) {
  std::vector<std::string_view> ca = SplitCells(a), cb = SplitCells(b);
  std::string out;
  for (size_t i = 0; i < ca.size() && i < cb.size(); ++i) {
    if (ca[i] == cb[i]) continue;
    std::string x = DisplayCanonical(ca[i]), y = DisplayCanonical(cb[i]);
    if (x == y) {  // long values that differ after the part shown: show from a little before the difference
      size_t same = 0;
      while (same < ca[i].size() && same < cb[i].size() && ca[i][same] == cb[i][same]) ++same;
      size_t skip = same > 21 ? same - 21 : 0;  // 20 bytes of context; the first byte is the tag
      x = DisplayCanonical(ca[i], 60, skip);
      y = DisplayCanonical(cb[i], 60, skip);
    }
    out += (out.empty() ? "" : ", ") + p.names[i] + " " + x + " vs " + y;
  }
  return out.empty() ? "rows differ" : out;
}

// Reads both sides of a differing table again and names its first differing
// rows in `diff`: by key order with a key, else in A's then B's read order.
Status ListDifferingRows(Source& a, Source& b, const TablePair& p, size_t limit, uint64_t rows, TableDifference* diff) {
  std::unordered_map<std::string, Tally> tally;
  tally.reserve(static_cast<size_t>(rows));
  auto count = [&](bool side_a) {
    return [&, side_a](const std::string& enc) {
      Tally& t = tally[KeyOf(enc, p.key)];
      Hash128 h = RowHash(enc);
      ++(side_a ? t.in_a : t.in_b);
      (side_a ? t.a : t.b).Add(h.high, h.low);
    };
  };
  DECANT_RETURN_IF_ERROR(ScanTable(a, p.PlanA(), count(true)).WithContext("A"));
  DECANT_RETURN_IF_ERROR(ScanTable(b, p.PlanB(), count(false)).WithContext("B"));
  std::vector<std::string> keys;
  for (const auto& [key, t] : tally) {
    if (t.differs()) keys.push_back(key);
  }
  diff->differing_rows = keys.size();
  if (keys.empty()) return Status::OK();

  // The rows to show, and their encodings on each side (read a third time:
  // keeping every row's values in memory would not scale).
  std::unordered_set<std::string> shown;
  std::vector<std::string> order;
  if (!p.key.empty()) {
    size_t n = std::min(limit, keys.size());
    std::partial_sort(keys.begin(), keys.begin() + static_cast<ptrdiff_t>(n), keys.end(), KeyLess);
    order.assign(keys.begin(), keys.begin() + static_cast<ptrdiff_t>(n));
    shown.insert(order.begin(), order.end());
  }
  std::unordered_map<std::string, std::string> row_a, row_b;
  auto collect = [&](bool side_a) {
    return [&, side_a](const std::string& enc) {
      std::string key = KeyOf(enc, p.key);
      if (p.key.empty()) {  // the first rows read that are more often on this side
        auto it = tally.find(key);
        bool more_here = side_a ? it->second.in_a > it->second.in_b : it->second.in_b > it->second.in_a;
        if (!more_here || shown.count(key) || shown.size() >= limit) return;
        shown.insert(key);
        order.push_back(key);
      } else if (!shown.count(key)) {
        return;
      }
      (side_a ? row_a : row_b).emplace(key, enc);
    };
  };
  DECANT_RETURN_IF_ERROR(ScanTable(a, p.PlanA(), collect(true)).WithContext("A"));
  DECANT_RETURN_IF_ERROR(ScanTable(b, p.PlanB(), collect(false)).WithContext("B"));

  for (const std::string& key : order) {
    const Tally& t = tally[key];
    if (p.key.empty()) {
      const std::string& enc = t.in_a > t.in_b ? row_a[key] : row_b[key];
      std::string where = t.in_a > t.in_b ? "A" : "B";
      if (t.in_a == 0 || t.in_b == 0) {
        diff->details.push_back(fmt::format("a row only in {}: {}", where, DescribeRow(enc)));
      } else {
        diff->details.push_back(fmt::format("a row {} times in A, {} in B: {}", t.in_a, t.in_b, DescribeRow(enc)));
      }
      continue;
    }
    std::string name = DescribeKey(p, key);
    if (t.in_b == 0) {
      diff->details.push_back(name + " only in A");
    } else if (t.in_a == 0) {
      diff->details.push_back(name + " only in B");
    } else if (t.in_a == 1 && t.in_b == 1) {
      diff->details.push_back(name + ": " + DescribeChange(p, row_a[key], row_b[key]));
    } else {
      diff->details.push_back(fmt::format("{}: {} rows in A, {} in B", name, t.in_a, t.in_b));
    }
  }
  if (keys.size() > order.size()) {
    diff->details.push_back(fmt::format("... and {} more differing rows", keys.size() - order.size()));
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<TableDigest>> DigestSource(Source& source) {
  DECANT_ASSIGN_OR_RETURN(Schema schema, source.ReadSchema());
  std::vector<std::vector<DataType>> types(schema.tables.size());
  std::vector<ReadPlan> plans;
  for (size_t i = 0; i < schema.tables.size(); ++i) {
    ReadPlan plan;
    plan.table = &schema.tables[i];
    types[i] = OwnTypes(schema.tables[i], &plan.cells);
    plan.types = &types[i];
    plans.push_back(std::move(plan));
  }
  return DigestPlans(source, plans);
}

Result<VerifyReport> VerifySources(Source& a, Source& b, const VerifyOptions& options) {
  auto context = [](const Status& st, const char* side, const Source& s) {
    return st.WithContext(std::string("reading ") + side + " (" + s.Describe() + ")");
  };
  Result<Schema> sa = Status::Internal("not run");
  std::thread read_a([&] { sa = a.ReadSchema(); });
  Result<Schema> sb = b.ReadSchema();
  read_a.join();
  if (!sa.ok()) return context(sa.status(), "A", a);
  if (!sb.ok()) return context(sb.status(), "B", b);

  // A as it was loaded (tables selected and renamed); rows are read from
  // its own tables, whose columns are in the same order.
  Schema a_view;
  std::vector<const Table*> a_read;
  if (SelectOptionsEmpty(options.select_a)) {
    a_view = *sa;
    for (const Table& t : sa->tables) a_read.push_back(&t);
  } else {
    auto selection = SelectAndRename(*sa, options.select_a);
    if (!selection.ok()) return selection.status();
    a_view = std::move(selection->schema);
    for (size_t i : selection->source_table) a_read.push_back(&sa->tables[i]);
  }
  std::vector<TablePair> pairs = MatchTables(a_view, *sb);
  if (options.a_within_b) {
    std::erase_if(pairs, [](const TablePair& p) { return !p.a; });
    for (TablePair& p : pairs) {
      std::erase_if(p.column_notes, [](const std::string& n) { return n.ends_with(" only in B"); });
    }
  }
  for (TablePair& p : pairs) {
    if (p.a) p.a = a_read[static_cast<size_t>(p.a - a_view.tables.data())];
  }
  // Each side reads its tables in its own schema order (a piped archive can
  // only be read that way).
  std::vector<ReadPlan> plans_a, plans_b;
  std::map<const Table*, size_t> pair_of_b;
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (pairs[i].a) plans_a.push_back(pairs[i].PlanA());
    if (pairs[i].b) pair_of_b[pairs[i].b] = i;
  }
  for (const Table& t : sb->tables) {
    auto pair = pair_of_b.find(&t);
    if (pair != pair_of_b.end()) plans_b.push_back(pairs[pair->second].PlanB());  // a_within_b drops the rest
  }

  Result<std::vector<TableDigest>> da = Status::Internal("not run");
  std::thread digest_a([&] { da = DigestPlans(a, plans_a); });
  Result<std::vector<TableDigest>> db = DigestPlans(b, plans_b);
  digest_a.join();
  if (!da.ok()) return context(da.status(), "A", a);
  if (!db.ok()) return context(db.status(), "B", b);

  VerifyReport report;
  report.a = std::move(da).value();
  report.b = std::move(db).value();
  std::map<const Table*, const TableDigest*> digest_of;
  for (size_t i = 0; i < plans_a.size(); ++i) digest_of[plans_a[i].table] = &report.a[i];
  for (size_t i = 0; i < plans_b.size(); ++i) digest_of[plans_b[i].table] = &report.b[i];

  for (const TablePair& p : pairs) {
    TableDifference diff{p.name, "", p.column_notes, 0};
    if (!p.b || !p.a) {
      diff.reason = p.a ? "only in A" : "only in B";
      report.differences.push_back(std::move(diff));
      continue;
    }
    const TableDigest& x = *digest_of.at(p.a);
    const TableDigest& y = *digest_of.at(p.b);
    if (x.rows != y.rows)
      diff.reason = fmt::format("rows {} vs {}", x.rows, y.rows);
    else if (x.hash != y.hash)
      diff.reason = "same row count, content differs";
    else if (!p.column_notes.empty())
      diff.reason = "columns differ";
    else
      continue;
    if (x.rows != y.rows || x.hash != y.hash) {
      Status st = ListDifferingRows(a, b, p, options.rows_listed, std::max(x.rows, y.rows), &diff);
      if (!st.ok()) diff.details.push_back("rows not listed: " + st.message());
    }
    report.differences.push_back(std::move(diff));
  }
  return report;
}

std::string DigestHex(const Hash128& hash) { return fmt::format("{:016x}{:016x}", hash.high, hash.low); }

}  // namespace decant

#include "pipeline/verify.h"

#include <cstring>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <xxhash.h>

namespace decant {
namespace {

// Canonical encoding of one cell, appended to `out`. Integers are encoded by
// value whatever their physical kind, so an int64 and a uint64 holding the
// same number are equal. Floats are compared bit for bit.
void AppendCanonical(const Value& v, std::string* out) {
  auto put_u64 = [out](char tag, uint64_t x) {
    out->push_back(tag);
    char buf[8];
    std::memcpy(buf, &x, 8);
    out->append(buf, 8);
  };
  switch (v.kind()) {
    case Value::Kind::kNull: out->push_back('N'); break;
    case Value::Kind::kBool: put_u64('I', v.as_bool() ? 1 : 0); break;
    case Value::Kind::kInt:
      put_u64(v.as_int() < 0 ? 'i' : 'I', static_cast<uint64_t>(v.as_int()));
      break;
    case Value::Kind::kUInt: put_u64('I', v.as_uint()); break;
    case Value::Kind::kFloat: {
      uint64_t bits;
      double d = v.as_float();
      std::memcpy(&bits, &d, 8);
      put_u64('F', bits);
      break;
    }
    case Value::Kind::kText:
    case Value::Kind::kBytes:
      put_u64(v.kind() == Value::Kind::kText ? 'T' : 'B', v.as_string().size());
      out->append(v.as_string());
      break;
  }
}

Result<TableDigest> DigestTable(Source& source, const Table& table) {
  TableDigest d;
  d.table = QualifiedName(table.schema, table.name);
  DECANT_ASSIGN_OR_RETURN(auto reader, source.OpenTable(table));
  RowBatch batch;
  std::string buf;
  for (;;) {
    DECANT_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
    if (!more) break;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      buf.clear();
      const Value* row = batch.row(r);
      for (size_t c = 0; c < batch.num_columns(); ++c) AppendCanonical(row[c], &buf);
      XXH128_hash_t h = XXH3_128bits(buf.data(), buf.size());
      d.hash.Add(h.high64, h.low64);
    }
    d.rows += batch.num_rows();
  }
  return d;
}

}  // namespace

Result<std::vector<TableDigest>> DigestSource(Source& source) {
  DECANT_ASSIGN_OR_RETURN(Schema schema, source.ReadSchema());
  std::vector<TableDigest> out;
  for (const Table& t : schema.tables) {
    DECANT_ASSIGN_OR_RETURN(TableDigest d, DigestTable(source, t));
    out.push_back(std::move(d));
  }
  DECANT_RETURN_IF_ERROR(source.Finish());  // a piped archive must be whole to be "equal"
  return out;
}

Result<VerifyReport> VerifySources(Source& a, Source& b) {
  Result<std::vector<TableDigest>> da = Status::Internal("not run");
  std::thread other([&] { da = DigestSource(a); });
  Result<std::vector<TableDigest>> db = DigestSource(b);
  other.join();
  if (!da.ok()) return da.status().WithContext("reading A (" + a.Describe() + ")");
  if (!db.ok()) return db.status().WithContext("reading B (" + b.Describe() + ")");

  VerifyReport report;
  report.a = std::move(da).value();
  report.b = std::move(db).value();
  std::map<std::string, const TableDigest*> in_b;
  for (const auto& d : report.b) in_b[d.table] = &d;
  for (const auto& d : report.a) {
    auto it = in_b.find(d.table);
    if (it == in_b.end()) {
      report.differences.push_back({d.table, "only in A"});
      continue;
    }
    const TableDigest& other_d = *it->second;
    if (d.rows != other_d.rows) {
      report.differences.push_back({d.table, fmt::format("rows {} vs {}", d.rows, other_d.rows)});
    } else if (d.hash != other_d.hash) {
      report.differences.push_back({d.table, "same row count, content differs"});
    }
    in_b.erase(it);
  }
  for (const auto& [name, d] : in_b) report.differences.push_back({name, "only in B"});
  return report;
}

std::string DigestHex(const Hash128& hash) {
  return fmt::format("{:016x}{:016x}", hash.high, hash.low);
}

}  // namespace decant

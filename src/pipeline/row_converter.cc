#include "pipeline/row_converter.h"

#include <fmt/format.h>

namespace decant {

RowConverter::RowConverter(const MigrationPlan& plan, const TablePlan& table, Mode mode, size_t keys_kept)
    : table_(table), mode_(mode), keys_kept_(keys_kept) {
  if (!plan.converts) return;  // same engine, or an archive: every value as read
  for (const ColumnPlan& c : table.columns) {
    converters_.emplace_back(c.source, *plan.source_traits, c.target, *plan.target_traits);
    active_ = active_ || !converters_.back().passthrough();  // only a conversion can make a NULL
  }
  counts_.assign(converters_.size(), 0);
  nulls_.assign(converters_.size(), 0);
  reasons_.assign(converters_.size(), nullptr);
  keys_.resize(converters_.size());
  std::vector<size_t> data = DataColumns(*table.read);
  if (table.read->primary_key) {
    for (const std::string& k : table.read->primary_key->columns) {
      for (size_t i = 0; i < data.size(); ++i) {
        if (table.read->columns[data[i]].name == k) key_.push_back(i);
      }
    }
  }
}

Status RowConverter::Convert(RowBatch* batch) {
  if (!active_) return Status::OK();
  for (size_t r = 0; r < batch->num_rows(); ++r) {
    Value* row = batch->mutable_row(r);
    for (size_t c = 0; c < converters_.size(); ++c) {
      Value& v = row[c];
      if (v.is_null()) continue;
      const char* why;
      if (mode_ == Mode::kStrict) {
        Value before = v;
        why = converters_[c].Convert(&v);
        if (why) {
          return Status::DataLoss(fmt::format("--strict: {}: {} cannot be stored exactly in {}: {}", Where(c, row),
                                              ShownValue(before), table_.columns[c].target_type, why));
        }
        continue;
      }
      why = converters_[c].Convert(&v);
      if (!why) continue;
      if (!reasons_[c]) reasons_[c] = why;
      ++counts_[c];
      if (keys_[c].size() < keys_kept_) keys_[c].push_back(Key(row));
      if (v.is_null() && !table_.columns[c].target_nullable) {
        if (mode_ == Mode::kScan) {
          ++nulls_[c];
          continue;
        }
        return Status::DataLoss(fmt::format("{} cannot be stored: {}, and the column is NOT NULL", Where(c, row), why));
      }
    }
  }
  return Status::OK();
}

void RowConverter::Report(const std::string& table, std::vector<ColumnConversions>* out) const {
  for (size_t c = 0; c < counts_.size(); ++c) {
    if (!counts_[c]) continue;
    ColumnConversions cc;
    cc.table = table;
    cc.column = table_.columns[c].name;
    cc.count = counts_[c];
    cc.reason = reasons_[c];
    cc.keys = keys_[c];
    cc.null_in_not_null = nulls_[c];
    out->push_back(std::move(cc));
  }
}

// "InvoiceId=5", "a=1, b='x'"; "row without a primary key" when there is none.
std::string RowConverter::Key(const Value* row) const {
  if (key_.empty()) return "(no primary key)";
  std::string key;
  for (size_t k : key_) {
    key += fmt::format("{}{}={}", key.empty() ? "" : ", ", table_.columns[k].name, ShownValue(row[k]));
  }
  return key;
}

// "table "Invoice" column "Total" (InvoiceId=5)".
std::string RowConverter::Where(size_t c, const Value* row) const {
  return fmt::format("table {} column {}{}", QualifiedName(table_.read->schema, table_.read->name),
                     table_.columns[c].name, key_.empty() ? "" : " (" + Key(row) + ")");
}

std::string ShownValue(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kText: {
      std::string s = v.as_string().substr(0, 60);
      return "'" + s + (v.as_string().size() > 60 ? "…'" : "'");
    }
    case Value::Kind::kFloat: return ShortestDecimal(v.as_float());
    case Value::Kind::kInt: return std::to_string(v.as_int());
    case Value::Kind::kUInt: return std::to_string(v.as_uint());
    default: return v.DebugString();
  }
}

}  // namespace decant

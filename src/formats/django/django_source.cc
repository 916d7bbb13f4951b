// The Source over a Django fixture: FixtureFile (the records) + ModelMap (the
// target's tables) + FixtureValue (the values).
//
// ReadSchema reads the file once (pass 1): each record's span, by model, the
// fields seen, the natural keys of the models that have one. Fitted to a
// target, it then decides every table's columns, reads the target's rows it
// must match (content types, permissions, natural keys the fixture refers to
// but does not hold) and gives an id to each record without one. OpenTable
// reads a model's records again by their spans (pass 2), in any order and
// from several threads, so tables load parents first whatever the file's order.
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "core/ascii.h"
#include "core/plural.h"
#include "formats/django/django_format.h"
#include "formats/django/django_values.h"
#include "formats/django/fixture_file.h"
#include "formats/django/model_map.h"

namespace decant::django {
namespace {

using nlohmann::json;

constexpr std::string_view kContentType = "contenttypes.contenttype";
constexpr std::string_view kPermission = "auth.permission";

// The models whose tables the application's own migrate fills: their records
// are matched against the target's rows by natural key, not loaded again.
bool Merged(std::string_view label) { return label == kContentType || label == kPermission; }

// "line 12" for messages.
std::string At(const RecordSpan& span) { return fmt::format("line {}", span.line); }

// A JSON scalar of a natural key, from a value read from the target.
json KeyPart(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: return nullptr;
    case Value::Kind::kBool: return v.as_bool();
    case Value::Kind::kInt: return v.as_int();
    case Value::Kind::kUInt: return v.as_uint();
    case Value::Kind::kFloat: return v.as_float();
    default: return v.as_string();
  }
}

// The id a value holds, when it is an integer (ids of content types and
// permissions, which are remapped).
std::optional<int64_t> IntId(const json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    int64_t out = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && p == s.data() + s.size()) return out;
  }
  return std::nullopt;
}

std::optional<int64_t> IntId(const Value& v) {
  if (v.kind() == Value::Kind::kInt) return v.as_int();
  return IntId(KeyPart(v));
}

// "app" or "app.Model" in --exclude-model matches `label`.
bool Excluded(const std::vector<std::string>& excludes, const std::string& label) {
  for (const std::string& e : excludes) {
    std::string x = AsciiLower(e);
    if (x == label || (x.find('.') == std::string::npos && label.starts_with(x + "."))) return true;
  }
  return false;
}

LogicalType LooseType(const json& v) {
  if (v.is_boolean()) return LogicalType::kBool;
  if (v.is_number_integer()) return LogicalType::kInt64;
  if (v.is_number()) return LogicalType::kFloat64;
  if (v.is_string()) return LogicalType::kText;
  return LogicalType::kJson;
}

bool ToJson(simdjson::ondemand::value v, json* out);

// A record of a model with a natural key, as pass 1 saw it.
// NOLINTNEXTLINE(bugprone-exception-escape): nlohmann::json's destructor is not provably non-throwing
struct KeyedRecord {
  size_t span = 0;  // index into ModelRecords::spans
  json pk;          // null: the record has none
  json parts;       // the natural-key fields' values, as in the record (one per field)
};

// What pass 1 learned of one model's records.
struct ModelRecords {
  std::string label;
  std::vector<RecordSpan> spans;
  std::vector<std::string> fields;  // in the order first seen
  std::vector<LogicalType> loose;   // per field: the first non-null value's JSON type (for inspect)
  std::set<std::string> array_fields;
  uint64_t without_pk = 0;
  int64_t max_pk = 0;
  std::vector<KeyedRecord> keyed;
  // pk (dumped) -> index into `keyed`, built when a key first refers to one of them.
  std::unordered_map<std::string, size_t> keyed_by_pk;
  // Fitted:
  const Model* model = nullptr;
  std::unordered_map<size_t, int64_t> assigned;  // span index -> id given to a record without pk
  std::vector<char> present;                     // merged models: the record's row is already in the target
  std::unordered_map<int64_t, int64_t> remap;    // merged models: the file's id -> the target's
};

enum class Role { kPk, kField, kOwner, kRelated };

struct ColumnSource {
  Role role = Role::kField;
  std::string field;          // kField: the record's field name
  std::string related_label;  // a foreign key's (or the related side's) model
  ColumnForm form;
};

// One table of the fitted schema: a model's table, or a through table.
struct TableSource {
  Table table;
  ModelRecords* records = nullptr;  // the model's (for a through table: the owner's)
  const ManyToMany* m2m = nullptr;  // set for a through table
  std::vector<ColumnSource> columns;
};

class DjangoSource;

class RecordReader : public TableReader {
 public:
  RecordReader(const DjangoSource& source, const TableSource& table, size_t begin, size_t end)
      : source_(source), table_(table), next_(begin), end_(end) {}
  Result<bool> Next(RowBatch* batch) override;

 private:
  const DjangoSource& source_;
  const TableSource& table_;
  size_t next_, end_;
  std::string text_;
  simdjson::ondemand::parser parser_;
  std::vector<char> seen_;
};

class DjangoSource : public Source {
 public:
  DjangoSource(std::unique_ptr<FixtureFile> file, const EndpointOptions& options)
      : file_(std::move(file)), options_(options.django), jobs_(std::max<size_t>(options.jobs, 1)) {}

  Status FitTo(const Schema& target, Source* target_rows) override {
    target_ = &target;
    target_rows_ = target_rows;
    return Status::OK();
  }

  // Reads the file once; a second call returns the same schema.
  Result<Schema> ReadSchema() override {
    if (schema_) return *schema_;
    DECANT_RETURN_IF_ERROR(ScanFile());
    Schema schema;
    schema.engine = "django";
    schema.database = file_->Describe();
    if (!target_) {
      Loose(&schema);
    } else {
      DECANT_RETURN_IF_ERROR(Fit(&schema));
      target_rows_ = nullptr;  // valid only until now
    }
    schema_ = schema;
    return schema;
  }

  Result<std::unique_ptr<TableReader>> OpenTable(const Table& table) override {
    const TableSource* ts = Find(table);
    if (!ts) return Status::NotFound("the fixture has no table " + QualifiedName(table.schema, table.name));
    return std::unique_ptr<TableReader>(new RecordReader(*this, *ts, 0, ts->records->spans.size()));
  }

  Result<std::vector<TableSlice>> SplitTable(const Table& table, const TableSize& /*estimate*/,
                                             size_t max_slices) override {
    const TableSource* ts = Find(table);
    if (!ts) return Status::NotFound("the fixture has no table " + QualifiedName(table.schema, table.name));
    size_t n = ts->records->spans.size();
    size_t count = std::clamp<size_t>(n / 50000, 1, std::max<size_t>(max_slices, 1));
    std::vector<TableSlice> slices;
    for (size_t i = 0; i < count; ++i) {
      TableSlice s;
      s.index = i;
      s.count = count;
      size_t begin = n * i / count, end = n * (i + 1) / count;
      if (count > 1) {
        s.bounds = fmt::format("{}-{}", begin, end);
        s.label = fmt::format("records {}-{}", begin + 1, end);
      }
      s.estimate.rows = end - begin;
      slices.push_back(std::move(s));
    }
    return slices;
  }

  Result<std::unique_ptr<TableReader>> OpenSlice(const Table& table, const TableSlice& slice) override {
    if (slice.whole()) return OpenTable(table);
    const TableSource* ts = Find(table);
    if (!ts) return Status::NotFound("the fixture has no table " + QualifiedName(table.schema, table.name));
    size_t dash = slice.bounds.find('-');
    size_t begin = std::stoull(slice.bounds.substr(0, dash)), end = std::stoull(slice.bounds.substr(dash + 1));
    return std::unique_ptr<TableReader>(new RecordReader(*this, *ts, begin, end));
  }

  TableSize EstimateSize(const Table& table) override {
    TableSize size;
    if (const TableSource* ts = Find(table)) {
      uint64_t bytes = 0;
      for (const RecordSpan& s : ts->records->spans) bytes += s.length;
      size.rows = ts->m2m ? std::optional<uint64_t>() : ts->records->spans.size();
      size.bytes = bytes;
    }
    return size;
  }

  std::string Describe() const override { return file_->Describe(); }
  std::vector<std::string> Notes() const override {
    std::vector<std::string> notes = notes_;
    std::lock_guard lock(mu_);
    if (permissions_cleared_) {
      notes.push_back(fmt::format("{} group and user permissions left out (--inventree; --keep-permissions keeps them)",
                                  permissions_cleared_));
    }
    return notes;
  }
  size_t MaxParallelTables() const override { return jobs_; }
  std::vector<std::string> MergedTables() const override { return merged_tables_; }

  // Fills `row` (the table's columns) from the record `rec`, the `span`-th of
  // its model. For a through table, appends rows to `batch` instead.
  Status ModelRow(const TableSource& ts, size_t span, const json& rec, Value* row) const;
  Status ThroughRows(const TableSource& ts, size_t span, const json& rec, RowBatch* batch) const;
  // The same from the record's text with simdjson (`text` padded, see
  // below); false: read it with ModelRow / ThroughRows instead. `*st` is the
  // outcome when true is returned.
  bool ModelRowFast(simdjson::ondemand::parser& parser, const TableSource& ts, size_t span, const std::string& text,
                    Value* row, std::vector<char>& seen, Status* st) const;
  bool ThroughRowsFast(simdjson::ondemand::parser& parser, const TableSource& ts, size_t span, const std::string& text,
                       RowBatch* batch, Status* st) const;
  const FixtureFile& file() const { return *file_; }

 private:
  const TableSource* Find(const Table& table) const {
    for (const TableSource& ts : tables_) {
      if (ts.table.name == table.name && ts.table.schema == table.schema) return &ts;
    }
    return nullptr;
  }

  Status ScanFile();
  Status ScanRecord(uint64_t index, const RecordSpan& span, std::string_view text);
  bool ScanFast(const RecordSpan& span, std::string_view text);
  ModelRecords* Entry(const std::string& label);
  // The column `c` of a row from its JSON value (a pk or a field's).
  Status Cell(const TableSource& ts, size_t c, size_t span, json value, Value* out) const;
  Status ThroughRow(const TableSource& ts, size_t span, const json& owner, json related, RowBatch* batch) const;
  // The owner's id in a through table's row: the id given to a record without pk, else `pk`.
  static json Owner(const TableSource& ts, size_t span, json pk);
  // --inventree: whether a list of `count` permissions is left out (counted).
  bool PermissionsCleared(const TableSource& ts, size_t count) const;
  void Loose(Schema* schema);
  Status Fit(Schema* schema);
  Status ReadTargetKeys(const std::string& label, const Model& model);
  Status MergeWithTarget(ModelRecords& m);
  Status AssignIds(ModelRecords& m);
  Status IndexFixtureKeys(ModelRecords& m);
  // The flattened natural key of a record's parts (a foreign key part is
  // the related model's key), or an error naming what is missing.
  Result<json> Flatten(const std::string& label, const json& parts) const;
  Result<json> Resolve(const std::string& label, const json& key, const RecordSpan& span,
                       const std::string& field) const;
  json Remapped(const std::string& label, const json& id) const;
  void MetadataNotes();

  std::unique_ptr<FixtureFile> file_;
  DjangoOptions options_;
  size_t jobs_;
  const Schema* target_ = nullptr;
  Source* target_rows_ = nullptr;
  std::optional<ModelMap> map_;
  std::optional<Schema> schema_;
  std::set<std::string> keys_read_;  // models whose target rows are in keys_

  std::vector<std::unique_ptr<ModelRecords>> models_;  // in the order first seen
  std::map<std::string, ModelRecords*> by_label_;
  json metadata_;
  std::map<std::string, uint64_t> excluded_;  // label -> records left out by --exclude-model
  uint64_t private_settings_ = 0;
  std::vector<std::string> notes_;
  std::vector<TableSource> tables_;
  std::vector<std::string> merged_tables_;
  // Natural key (dumped JSON array) -> id, per model, from the file and the target.
  std::map<std::string, std::unordered_map<std::string, json>> keys_;
  simdjson::ondemand::parser scan_parser_;  // pass 1's
  std::string scan_text_;                   // pass 1's padded copy of a record
  std::vector<std::string> scan_fields_;
  std::vector<LogicalType> scan_kinds_;
  std::vector<char> scan_arrays_;
  mutable std::mutex mu_;
  mutable uint64_t permissions_cleared_ = 0;
};

Status DjangoSource::ScanFile() {
  return file_->Scan(
      [&](uint64_t index, const RecordSpan& span, std::string_view text) { return ScanRecord(index, span, text); });
}

ModelRecords* DjangoSource::Entry(const std::string& label) {
  ModelRecords*& m = by_label_[label];
  if (!m) {
    models_.push_back(std::make_unique<ModelRecords>());
    m = models_.back().get();
    m->label = label;
  }
  return m;
}

// Pass 1 for the common record (a model without a natural key, no
// --inventree setting, not left out), with simdjson; false leaves it to the
// slow path below, the reference.
bool DjangoSource::ScanFast(const RecordSpan& span, std::string_view text) {
  scan_text_.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  scan_text_.assign(text);
  simdjson::ondemand::document doc;
  if (scan_parser_.iterate(scan_text_.data(), scan_text_.size(), scan_text_.capacity()).get(doc)) return false;
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return false;
  std::string label;
  bool have_fields = false;
  json pk;
  size_t n = 0;
  for (auto top : obj) {
    std::string_view key;
    if (top.unescaped_key().get(key)) return false;
    if (key == "model") {
      std::string_view model;
      if (top.value().get_string().get(model)) return false;
      label = AsciiLower(model);
    } else if (key == "pk") {
      if (!ToJson(top.value(), &pk)) return false;
    } else if (key == "fields") {
      simdjson::ondemand::object fields;
      if (top.value().get_object().get(fields)) return false;
      have_fields = true;
      for (auto f : fields) {
        std::string_view name;
        simdjson::ondemand::value v;
        simdjson::ondemand::json_type type;
        if (f.unescaped_key().get(name) || f.value().get(v) || v.type().get(type)) return false;
        LogicalType kind = LogicalType::kJson;
        switch (type) {
          case simdjson::ondemand::json_type::null: kind = LogicalType::kAny; break;
          case simdjson::ondemand::json_type::boolean: kind = LogicalType::kBool; break;
          case simdjson::ondemand::json_type::string: kind = LogicalType::kText; break;
          case simdjson::ondemand::json_type::number: {
            simdjson::ondemand::number_type nt;
            if (v.get_number_type().get(nt)) return false;
            kind = nt == simdjson::ondemand::number_type::floating_point_number ? LogicalType::kFloat64
                                                                                : LogicalType::kInt64;
            break;
          }
          default: break;
        }
        if (scan_fields_.size() <= n) {
          scan_fields_.resize(n + 1);
          scan_kinds_.resize(n + 1);
          scan_arrays_.resize(n + 1);
        }
        scan_fields_[n].assign(name);
        scan_kinds_[n] = kind;
        scan_arrays_[n] = type == simdjson::ondemand::json_type::array ? 1 : 0;
        ++n;
      }
    } else {
      return false;  // "metadata", or a key no fixture has
    }
  }
  if (label.find('.') == std::string::npos || !have_fields || Excluded(options_.exclude_models, label) ||
      options_.natural_keys.count(label) || !BuiltinNaturalKey(label).empty() ||
      (options_.inventree && label.starts_with("common."))) {
    return false;
  }
  ModelRecords* m = Entry(label);
  m->spans.push_back(span);
  for (size_t i = 0; i < n; ++i) {
    const std::string& name = scan_fields_[i];
    size_t at = i < m->fields.size() && m->fields[i] == name
                    ? i
                    : static_cast<size_t>(std::find(m->fields.begin(), m->fields.end(), name) - m->fields.begin());
    if (at == m->fields.size()) {
      m->fields.push_back(name);
      m->loose.push_back(scan_kinds_[i]);
    } else if (m->loose[at] == LogicalType::kAny) {
      m->loose[at] = scan_kinds_[i];
    }
    if (scan_arrays_[i] && !m->array_fields.count(name)) m->array_fields.insert(name);
  }
  if (pk.is_null()) {
    ++m->without_pk;
  } else if (std::optional<int64_t> id = IntId(pk)) {
    m->max_pk = std::max(m->max_pk, *id);
  }
  return true;
}

Status DjangoSource::ScanRecord(uint64_t index, const RecordSpan& span, std::string_view text) {
  if (ScanFast(span, text)) return Status::OK();
  Result<json> parsed = ParseRecord(text, index, span.line);
  if (!parsed.ok()) return parsed.status().WithContext(file_->Describe());
  json rec = std::move(parsed).value();
  auto where = [&] { return fmt::format("{}: record {} ({})", file_->Describe(), index + 1, At(span)); };
  auto model = rec.find("model");
  if (model == rec.end()) {
    auto meta = rec.find("metadata");
    if (meta != rec.end() && meta->is_boolean() && meta->get<bool>()) {
      if (metadata_.is_null()) metadata_ = std::move(rec);
      return Status::OK();
    }
    return Status::Corruption(where() +
                              ": no \"model\" (a fixture record is {\"model\": ..., \"pk\": ..., "
                              "\"fields\": {...}})");
  }
  if (!model->is_string() || model->get_ref<const std::string&>().find('.') == std::string::npos) {
    return Status::Corruption(where() + ": \"model\" is not an \"app_label.modelname\" string");
  }
  auto fields = rec.find("fields");
  if (fields == rec.end() || !fields->is_object()) {
    return Status::Corruption(where() + ": no \"fields\" object");
  }
  std::string label = AsciiLower(model->get_ref<const std::string&>());
  if (Excluded(options_.exclude_models, label)) {
    ++excluded_[label];
    return Status::OK();
  }
  if (options_.inventree && (label == "common.inventreesetting" || label == "common.inventreeusersetting")) {
    auto key = fields->find("key");
    if (key != fields->end() && key->is_string() && key->get_ref<const std::string&>().starts_with("_")) {
      ++private_settings_;
      return Status::OK();
    }
  }
  ModelRecords* m = Entry(label);
  size_t span_index = m->spans.size();
  m->spans.push_back(span);
  for (auto it = fields->begin(); it != fields->end(); ++it) {
    auto f = std::find(m->fields.begin(), m->fields.end(), it.key());
    if (f == m->fields.end()) {
      m->fields.push_back(it.key());
      m->loose.push_back(it->is_null() ? LogicalType::kAny : LooseType(*it));
    } else if (m->loose[f - m->fields.begin()] == LogicalType::kAny && !it->is_null()) {
      m->loose[f - m->fields.begin()] = LooseType(*it);
    }
    if (it->is_array()) m->array_fields.insert(it.key());
  }
  auto pk = rec.find("pk");
  bool has_pk = pk != rec.end() && !pk->is_null();
  if (!has_pk) {
    ++m->without_pk;
  } else if (std::optional<int64_t> id = IntId(*pk)) {
    m->max_pk = std::max(m->max_pk, *id);
  }
  auto nk = options_.natural_keys.find(label);
  std::vector<std::string> key_fields = nk != options_.natural_keys.end() ? nk->second : BuiltinNaturalKey(label);
  if (!key_fields.empty()) {
    KeyedRecord k;
    k.span = span_index;
    k.pk = has_pk ? *pk : json();
    k.parts = json::array();
    for (const std::string& f : key_fields) {
      auto v = fields->find(f);
      k.parts.push_back(v == fields->end() ? json() : *v);
    }
    m->keyed.push_back(std::move(k));
  }
  return Status::OK();
}

// Unfitted (inspect): a table per model, named by its label, typed by its values.
void DjangoSource::Loose(Schema* schema) {
  for (const auto& m : models_) {
    Table t;
    t.name = m->label;
    Column pk;
    pk.name = "pk";
    pk.type.logical = LogicalType::kAny;
    t.columns.push_back(pk);
    t.primary_key = KeyConstraint{"", {"pk"}};
    for (size_t i = 0; i < m->fields.size(); ++i) {
      Column c;
      c.name = m->fields[i];
      c.type.logical = m->array_fields.count(c.name) ? LogicalType::kJson : m->loose[i];
      t.columns.push_back(std::move(c));
    }
    TableSource ts;
    ts.table = t;
    ts.records = m.get();
    for (const Column& c : t.columns) {
      ColumnSource cs;
      cs.role = c.name == "pk" ? Role::kPk : Role::kField;
      cs.field = c.name;
      cs.form.type = c.type;
      ts.columns.push_back(std::move(cs));
    }
    tables_.push_back(std::move(ts));
    schema->tables.push_back(std::move(t));
  }
  MetadataNotes();
}

void DjangoSource::MetadataNotes() {
  if (!metadata_.is_null()) {
    auto str = [&](const char* key) -> std::string {
      auto it = metadata_.find(key);
      if (it == metadata_.end() || it->is_null()) return "unknown";
      return it->is_string() ? it->get<std::string>() : it->dump();
    };
    std::string apps;
    auto installed = metadata_.find("installed_apps");
    size_t napps = 0;
    if (installed != metadata_.end() && installed->is_array()) {
      for (const json& a : *installed) {
        apps += (apps.empty() ? "" : ", ") + (a.is_string() ? a.get<std::string>() : a.dump());
        ++napps;
      }
    }
    notes_.push_back(fmt::format(
        "InvenTree export-records metadata: source version {}, API version {}, Django {}, Python {}, commit {}, "
        "exported at {} (UTC {})",
        str("source_version"), str("api_version"), str("django_version"), str("python_version"), str("source_commit"),
        str("exported_at"), str("exported_at_utc")));
    notes_.push_back(fmt::format("installed apps ({}): {}", napps, apps.empty() ? "none listed" : apps));
    if (!options_.inventree) {
      notes_.push_back(
          "the file is an InvenTree export: --inventree applies InvenTree's import rules (settings whose key starts "
          "with '_' left out, group and user permissions emptied unless --keep-permissions)");
    }
  }
  for (const auto& [label, n] : excluded_)
    notes_.push_back(fmt::format("{}: {} left out (--exclude-model)", label, Counted(n, "record")));
  if (private_settings_) {
    notes_.push_back(fmt::format("{} whose key starts with '_' left out (--inventree)",
                                 Counted(private_settings_, "settings record")));
  }
}

Status DjangoSource::Fit(Schema* schema) {
  schema->engine = "django";
  std::vector<std::string> labels;
  for (const auto& m : models_) labels.push_back(m->label);
  DECANT_ASSIGN_OR_RETURN(ModelMap map, ModelMap::Build(*target_, options_, labels));
  map_.emplace(std::move(map));

  // Every model needs a table, every field a column (or a through table).
  std::vector<std::string> missing;
  for (auto& m : models_) {
    m->model = map_->ForLabel(m->label);
    if (!m->model) {
      missing.push_back(
          fmt::format("{} ({} records; no table {})", m->label, m->spans.size(), ModelMap::DefaultTable(m->label)));
      continue;
    }
    if (m->model->pk_column.empty()) {
      return Status::InvalidArgument(
          fmt::format("model {}: table {} has no single-column primary key", m->label, m->model->table->name));
    }
  }
  if (!missing.empty()) {
    if (!options_.ignore_nonexistent) {
      std::string list;
      for (size_t i = 0; i < missing.size() && i < 5; ++i) list += (i ? ", " : "") + missing[i];
      if (missing.size() > 5) list += fmt::format(" and {} more", missing.size() - 5);
      return Status::NotFound(fmt::format(
          "{} of the fixture {} no table in the target: {}; make the schema with the application's "
          "migrations first (manage.py migrate, invoke update), name the table with --model-table APP.MODEL=TABLE, "
          "or leave them out with --exclude-model or --ignore-nonexistent",
          Counted(missing.size(), "model"), Noun(missing.size(), "has", "have"), list));
    }
    for (const std::string& line : missing) notes_.push_back("left out (--ignore-nonexistent): model " + line);
  }
  for (auto& m : models_) {
    if (!m->model) continue;
    std::vector<std::string> unknown;
    for (const std::string& f : m->fields) {
      if (!m->model->Field(f) && !m->model->ManyToManyField(f)) unknown.push_back(f);
    }
    if (unknown.empty()) continue;
    std::string list;
    for (const std::string& f : unknown) list += (list.empty() ? "" : ", ") + f;
    if (!options_.ignore_nonexistent) {
      return Status::NotFound(fmt::format(
          "model {}: fields {} have no column in table {} (nor <field>_id, nor a many-to-many table {}_<field>); "
          "are the application's migrations at the fixture's version? --ignore-nonexistent leaves them out",
          m->label, list, m->model->table->name, m->model->table->name));
    }
    notes_.push_back(fmt::format("left out (--ignore-nonexistent): model {} fields {}", m->label, list));
  }

  // Ids: merged models matched with the target's rows, records without pk given one.
  // Content types before permissions (a permission's key holds its content type's).
  std::vector<ModelRecords*> order;
  for (auto& m : models_) order.push_back(m.get());
  std::stable_sort(order.begin(), order.end(), [](const ModelRecords* a, const ModelRecords* b) {
    auto rank = [](const ModelRecords* m) { return m->label == kContentType ? 0 : m->label == kPermission ? 1 : 2; };
    return rank(a) < rank(b);
  });
  // The target's content types are needed to key permissions, whether or not the file has any.
  bool any_permission_keys = by_label_.count(std::string(kPermission)) > 0;
  for (auto& m : models_) {
    if (!m->model) continue;
    for (const FieldColumn& f : m->model->fields) {
      if (f.related_label == kPermission && m->array_fields.count(f.field)) any_permission_keys = true;
    }
    for (const ManyToMany& mm : m->model->many_to_many) {
      if (mm.related_label == kPermission) any_permission_keys = true;
    }
  }
  if (any_permission_keys) {
    if (const Model* ct = map_->ForLabel(kContentType))
      DECANT_RETURN_IF_ERROR(ReadTargetKeys(std::string(kContentType), *ct));
  }
  for (ModelRecords* m : order) {
    if (!m->model) continue;
    if (Merged(m->label)) {
      DECANT_RETURN_IF_ERROR(MergeWithTarget(*m));
    } else {
      DECANT_RETURN_IF_ERROR(AssignIds(*m));
      DECANT_RETURN_IF_ERROR(IndexFixtureKeys(*m));
    }
  }
  // Natural keys the file refers to: the target's rows too, for keys the file does not hold.
  std::set<std::string> referenced;
  for (auto& m : models_) {
    if (!m->model) continue;
    for (const FieldColumn& f : m->model->fields) {
      if (!f.related_label.empty() && m->array_fields.count(f.field)) referenced.insert(f.related_label);
    }
    for (const ManyToMany& mm : m->model->many_to_many) {
      if (m->array_fields.count(mm.field)) referenced.insert(mm.related_label);
    }
  }
  for (const std::string& label : referenced) {
    const Model* rel = map_->ForLabel(label);
    if (rel && !rel->natural_key.empty()) DECANT_RETURN_IF_ERROR(ReadTargetKeys(label, *rel));
  }

  // The tables: each model's restricted to the columns its records fill, then its through tables.
  for (auto& m : models_) {
    if (!m->model) continue;
    const Table& target = *m->model->table;
    TableSource ts;
    ts.records = m.get();
    ts.table = target;
    ts.table.columns.clear();
    ts.table.checks.clear();
    ts.table.uniques.clear();
    ts.table.foreign_keys.clear();
    std::set<std::string> filled;
    for (const std::string& f : m->fields) {
      if (const FieldColumn* fc = m->model->Field(f)) filled.insert(target.columns[fc->column].name);
    }
    for (size_t c = 0; c < target.columns.size(); ++c) {
      const Column& col = target.columns[c];
      ColumnSource cs;
      if (col.name == m->model->pk_column) {
        cs.role = Role::kPk;
      } else if (filled.count(col.name)) {
        const FieldColumn* fc = m->model->Field(col.name);
        cs.field = std::find(m->fields.begin(), m->fields.end(), fc->field) != m->fields.end() ? fc->field : col.name;
        cs.related_label = fc->related_label;
      } else {
        continue;
      }
      cs.form = FormOf(target, c);
      ts.table.columns.push_back(col);
      ts.columns.push_back(std::move(cs));
    }
    for (const ForeignKey& fk : target.foreign_keys) {
      bool kept = std::all_of(fk.columns.begin(), fk.columns.end(), [&](const std::string& c) {
        return std::any_of(ts.table.columns.begin(), ts.table.columns.end(),
                           [&](const Column& col) { return col.name == c; });
      });
      if (kept) ts.table.foreign_keys.push_back(fk);
    }
    if (Merged(m->label)) merged_tables_.push_back(QualifiedName(target.schema, target.name));
    schema->tables.push_back(ts.table);
    tables_.push_back(std::move(ts));
    for (const ManyToMany& mm : m->model->many_to_many) {
      if (std::find(m->fields.begin(), m->fields.end(), mm.field) == m->fields.end()) continue;
      TableSource th;
      th.records = m.get();
      th.m2m = &mm;
      th.table = *mm.through;
      th.table.columns.clear();
      th.table.primary_key.reset();
      th.table.uniques.clear();
      th.table.checks.clear();
      for (size_t c = 0; c < mm.through->columns.size(); ++c) {
        const Column& col = mm.through->columns[c];
        ColumnSource cs;
        if (col.name == mm.owner_column) {
          cs.role = Role::kOwner;
        } else if (col.name == mm.related_column) {
          cs.role = Role::kRelated;
          cs.related_label = mm.related_label;
        } else {
          continue;
        }
        cs.form = FormOf(*mm.through, c);
        th.table.columns.push_back(col);
        th.columns.push_back(std::move(cs));
      }
      schema->tables.push_back(th.table);
      tables_.push_back(std::move(th));
    }
  }
  MetadataNotes();
  return Status::OK();
}

// Reads the target's rows of `model` (a model with a natural key) into keys_.
Status DjangoSource::ReadTargetKeys(const std::string& label, const Model& model) {
  if (!target_rows_ || !keys_read_.insert(label).second) return Status::OK();
  const Table& t = *model.table;
  std::vector<size_t> data = DataColumns(t);
  auto index_of = [&](const std::string& column) -> std::optional<size_t> {
    for (size_t i = 0; i < data.size(); ++i) {
      if (t.columns[data[i]].name == column) return i;
    }
    return std::nullopt;
  };
  std::optional<size_t> pk = index_of(model.pk_column);
  if (!pk) return Status::OK();
  std::vector<std::pair<size_t, std::string>> parts;  // column index, related label ("" for a plain field)
  for (const std::string& f : model.natural_key) {
    const FieldColumn* fc = model.Field(f);
    std::optional<size_t> i = fc ? index_of(t.columns[fc->column].name) : std::nullopt;
    if (!i)
      return Status::InvalidArgument(
          fmt::format("natural key of {}: table {} has no column for field {}", label, t.name, f));
    parts.emplace_back(*i, fc->related_label);
  }
  DECANT_ASSIGN_OR_RETURN(auto reader, target_rows_->OpenTable(t));
  std::map<std::string, std::unordered_map<int64_t, json>> key_of_id;  // related model -> id -> its key
  RowBatch batch;
  auto& keys = keys_[label];
  for (;;) {
    DECANT_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
    if (!more) break;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      const Value* row = batch.row(r);
      json key = json::array();
      bool ok = true;
      for (const auto& [i, related] : parts) {
        if (related.empty()) {
          key.push_back(KeyPart(row[i]));
          continue;
        }
        // A foreign key part: the related row's own key, from what was read before (content types first).
        std::optional<int64_t> id = IntId(row[i]);
        auto& of_id = key_of_id[related];
        if (of_id.empty()) {
          for (const auto& [k, v] : keys_[related]) {
            if (std::optional<int64_t> rid = IntId(v)) of_id.emplace(*rid, json::parse(k));
          }
        }
        auto hit = id ? of_id.find(*id) : of_id.end();
        ok = hit != of_id.end();
        if (!ok) break;
        for (const json& p : hit->second) key.push_back(p);
      }
      if (ok) keys.emplace(key.dump(), KeyPart(row[*pk]));
    }
  }
  return Status::OK();
}

Result<json> DjangoSource::Flatten(const std::string& label, const json& parts) const {
  const Model* model = map_->ForLabel(label);
  json key = json::array();
  for (size_t i = 0; i < parts.size(); ++i) {
    const FieldColumn* fc = model ? model->Field(model->natural_key[i]) : nullptr;
    if (!fc || fc->related_label.empty()) {
      key.push_back(parts[i]);
      continue;
    }
    if (parts[i].is_array()) {
      for (const json& p : parts[i]) key.push_back(p);
      continue;
    }
    // An id of the related model (a permission's content type id from the file): its key.
    auto rel = by_label_.find(fc->related_label);
    bool found = false;
    if (rel != by_label_.end()) {
      auto& by_pk = rel->second->keyed_by_pk;
      if (by_pk.empty()) {
        for (size_t k = 0; k < rel->second->keyed.size(); ++k) by_pk.emplace(rel->second->keyed[k].pk.dump(), k);
      }
      auto k = by_pk.find(parts[i].dump());
      if (k != by_pk.end()) {
        DECANT_ASSIGN_OR_RETURN(json sub, Flatten(fc->related_label, rel->second->keyed[k->second].parts));
        for (const json& p : sub) key.push_back(p);
        found = true;
      }
    }
    if (!found) {
      return Status::NotFound(fmt::format("{} {} refers to {} {}, which the fixture does not hold", label, parts.dump(),
                                          fc->related_label, parts[i].dump()));
    }
  }
  return key;
}

// Content types and permissions: each record is the target's row with the
// same natural key (its id remapped), or a row the target lacks (added, with
// its own id when that is free, else one past the largest).
Status DjangoSource::MergeWithTarget(ModelRecords& m) {
  DECANT_RETURN_IF_ERROR(ReadTargetKeys(m.label, *m.model));
  auto& keys = keys_[m.label];
  int64_t next = m.max_pk;
  std::set<int64_t> taken;
  for (const auto& [k, id] : keys) {
    if (std::optional<int64_t> i = IntId(id)) {
      taken.insert(*i);
      next = std::max(next, *i);
    }
  }
  m.present.assign(m.spans.size(), 0);
  uint64_t matched = 0, added = 0;
  for (KeyedRecord& k : m.keyed) {
    DECANT_ASSIGN_OR_RETURN(json key, Flatten(m.label, k.parts));
    std::string dumped = key.dump();
    std::optional<int64_t> file_id = k.pk.is_null() ? std::nullopt : IntId(k.pk);
    auto hit = keys.find(dumped);
    if (hit != keys.end()) {
      m.present[k.span] = 1;
      ++matched;
      if (file_id) m.remap[*file_id] = IntId(hit->second).value_or(*file_id);
      continue;
    }
    int64_t id = file_id && !taken.count(*file_id) ? *file_id : ++next;
    taken.insert(id);
    next = std::max(next, id);
    if (file_id) m.remap[*file_id] = id;
    m.assigned[k.span] = id;
    keys.emplace(dumped, id);
    ++added;
  }
  notes_.push_back(
      fmt::format("{}: {} records: {} already in the target (matched by natural key, ids mapped to "
                  "the target's), {} added",
                  m.label, m.spans.size(), matched, added));
  return Status::OK();
}

// Records without a pk (dumpdata --natural-primary) get ids past every id the
// file and the target hold, in file order.
Status DjangoSource::AssignIds(ModelRecords& m) {
  if (!m.without_pk) return Status::OK();
  if (m.model->natural_key.empty()) {
    return Status::InvalidArgument(fmt::format(
        "model {}: {} records have no pk and the model has no natural key decant knows (--natural-key {}=FIELD,...)",
        m.label, m.without_pk, m.label));
  }
  int64_t next = m.max_pk;
  // The target is empty unless --append; its largest id then still counts.
  if (target_rows_) {
    DECANT_RETURN_IF_ERROR(ReadTargetKeys(m.label, *m.model));
    for (const auto& [k, id] : keys_[m.label]) next = std::max(next, IntId(id).value_or(0));
  }
  for (KeyedRecord& k : m.keyed) {
    if (!k.pk.is_null()) continue;
    m.assigned[k.span] = ++next;
    k.pk = next;
  }
  notes_.push_back(fmt::format("{}: {} records without pk given ids {} and up", m.label, m.without_pk,
                               next - static_cast<int64_t>(m.without_pk) + 1));
  return Status::OK();
}

Status DjangoSource::IndexFixtureKeys(ModelRecords& m) {
  if (m.keyed.empty()) return Status::OK();
  auto& keys = keys_[m.label];
  for (const KeyedRecord& k : m.keyed) {
    DECANT_ASSIGN_OR_RETURN(json key, Flatten(m.label, k.parts));
    keys[key.dump()] = k.pk;  // the file's own record wins over a target row
  }
  return Status::OK();
}

Result<json> DjangoSource::Resolve(const std::string& label, const json& key, const RecordSpan& span,
                                   const std::string& field) const {
  json flat = json::array();
  for (const json& p : key) {
    if (p.is_array()) {
      for (const json& q : p) flat.push_back(q);
    } else {
      flat.push_back(p);
    }
  }
  auto keys = keys_.find(label);
  if (keys != keys_.end()) {
    auto hit = keys->second.find(flat.dump());
    if (hit != keys->second.end()) return hit->second;  // final: the target's id for a merged model
  }
  return Status::FailedPrecondition(
      fmt::format("{}: {}: field {}: no {} with natural key {} in the fixture or the target{}", file_->Describe(),
                  At(span), field, label, key.dump(),
                  BuiltinNaturalKey(label).empty() && !options_.natural_keys.count(label)
                      ? fmt::format(" (name the model's natural key: --natural-key {}=FIELD,...)", label)
                      : ""));
}

// An id of a merged model as the target knows it.
json DjangoSource::Remapped(const std::string& label, const json& id) const {
  if (!Merged(label)) return id;
  auto m = by_label_.find(label);
  if (m == by_label_.end()) return id;
  std::optional<int64_t> i = IntId(id);
  if (!i) return id;
  auto hit = m->second->remap.find(*i);
  return hit == m->second->remap.end() ? id : json(hit->second);
}

Status DjangoSource::Cell(const TableSource& ts, size_t c, size_t span, json value, Value* out) const {
  const ModelRecords& m = *ts.records;
  const ColumnSource& cs = ts.columns[c];
  if (cs.role == Role::kPk) {
    auto assigned = m.assigned.find(span);
    if (assigned != m.assigned.end()) value = assigned->second;
  } else if (!cs.related_label.empty()) {
    if (value.is_array()) {
      DECANT_ASSIGN_OR_RETURN(value, Resolve(cs.related_label, value, m.spans[span], cs.field));
    } else if (!value.is_null()) {
      value = Remapped(cs.related_label, value);
    }
  }
  std::string why = FixtureValue(value, cs.form, out);
  if (why.empty()) return Status::OK();
  std::string shown = value.dump();
  if (shown.size() > 60) shown = shown.substr(0, 60) + "…";
  return Status::Corruption(fmt::format("{}: {}: model {} field {}: {}: {}", file_->Describe(), At(m.spans[span]),
                                        m.label, cs.role == Role::kPk ? "pk" : cs.field, shown, why));
}

Status DjangoSource::ModelRow(const TableSource& ts, size_t span, const json& rec, Value* row) const {
  const json& fields = rec["fields"];
  for (size_t c = 0; c < ts.columns.size(); ++c) {
    const ColumnSource& cs = ts.columns[c];
    json value;
    if (cs.role == Role::kPk) {
      auto pk = rec.find("pk");
      if (pk != rec.end()) value = *pk;
    } else {
      auto it = fields.find(cs.field);
      if (it == fields.end()) {
        row[c].SetNull();
        continue;
      }
      value = *it;
    }
    DECANT_RETURN_IF_ERROR(Cell(ts, c, span, std::move(value), &row[c]));
  }
  return Status::OK();
}

bool DjangoSource::PermissionsCleared(const TableSource& ts, size_t count) const {
  const std::string& label = ts.records->label;
  if (!options_.inventree || options_.keep_permissions ||
      !((label == "auth.group" && ts.m2m->field == "permissions") ||
        (label == "auth.user" && ts.m2m->field == "user_permissions"))) {
    return false;
  }
  std::lock_guard lock(mu_);
  permissions_cleared_ += count;
  return true;
}

Status DjangoSource::ThroughRow(const TableSource& ts, size_t span, const json& owner, json related,
                                RowBatch* batch) const {
  const ModelRecords& m = *ts.records;
  if (related.is_array()) {
    DECANT_ASSIGN_OR_RETURN(related, Resolve(ts.m2m->related_label, related, m.spans[span], ts.m2m->field));
  } else {
    related = Remapped(ts.m2m->related_label, related);
  }
  Value* row = batch->AppendRow();
  size_t bytes = 0;
  for (size_t c = 0; c < ts.columns.size(); ++c) {
    const json& v = ts.columns[c].role == Role::kOwner ? owner : related;
    std::string why = FixtureValue(v, ts.columns[c].form, &row[c]);
    if (!why.empty()) {
      return Status::Corruption(fmt::format("{}: {}: model {} field {}: {}: {}", file_->Describe(), At(m.spans[span]),
                                            m.label, ts.m2m->field, v.dump(), why));
    }
    bytes += row[c].PayloadSize();
  }
  batch->AddPayload(bytes);
  return Status::OK();
}

json DjangoSource::Owner(const TableSource& ts, size_t span, json pk) {
  auto assigned = ts.records->assigned.find(span);
  return assigned != ts.records->assigned.end() ? json(assigned->second) : std::move(pk);
}

Status DjangoSource::ThroughRows(const TableSource& ts, size_t span, const json& rec, RowBatch* batch) const {
  const ModelRecords& m = *ts.records;
  auto it = rec["fields"].find(ts.m2m->field);
  if (it == rec["fields"].end() || it->is_null()) return Status::OK();
  if (!it->is_array()) {
    return Status::Corruption(fmt::format("{}: {}: model {} field {}: a many-to-many field holds a list, not {}",
                                          file_->Describe(), At(m.spans[span]), m.label, ts.m2m->field, it->dump()));
  }
  if (PermissionsCleared(ts, it->size())) return Status::OK();
  json owner = Owner(ts, span, rec.contains("pk") ? rec["pk"] : json());
  for (const json& element : *it) DECANT_RETURN_IF_ERROR(ThroughRow(ts, span, owner, element, batch));
  return Status::OK();
}

// ---- the fast paths: simdjson's On-Demand parser over a record's text -----
//
// Each returns false when it cannot read the record (anything simdjson
// refuses, a NaN token, a metadata record, a model with a natural key); the
// caller then reads it the slow way, with nlohmann::json, which is the
// reference for every message. `text` must have SIMDJSON_PADDING bytes of
// capacity past its size.

// A scalar, or an array or object as nlohmann::json; false for what simdjson
// refuses (a number too big for 64 bits).
bool ToJson(simdjson::ondemand::value v, json* out) {
  using simdjson::ondemand::json_type;
  json_type type;
  if (v.type().get(type)) return false;
  switch (type) {
    case json_type::string: {
      std::string_view sv;
      if (v.get_string().get(sv)) return false;
      *out = std::string(sv);
      return true;
    }
    case json_type::number: {
      simdjson::ondemand::number_type nt;
      if (v.get_number_type().get(nt)) return false;
      if (nt == simdjson::ondemand::number_type::signed_integer) {
        int64_t i;
        if (v.get_int64().get(i)) return false;
        *out = i;
      } else if (nt == simdjson::ondemand::number_type::unsigned_integer) {
        uint64_t u;
        if (v.get_uint64().get(u)) return false;
        *out = u;
      } else if (nt == simdjson::ondemand::number_type::floating_point_number) {
        double d;
        if (v.get_double().get(d)) return false;
        *out = d;
      } else {
        return false;
      }
      return true;
    }
    case json_type::boolean: {
      bool b;
      if (v.get_bool().get(b)) return false;
      *out = b;
      return true;
    }
    case json_type::null: {
      bool is_null = false;
      if (v.is_null().get(is_null) || !is_null) return false;
      *out = nullptr;
      return true;
    }
    case json_type::array:
    case json_type::object: {
      std::string_view raw;
      if (type == json_type::array) {
        simdjson::ondemand::array a;
        if (v.get_array().get(a) || a.raw_json().get(raw)) return false;
      } else {
        simdjson::ondemand::object o;
        if (v.get_object().get(o) || o.raw_json().get(raw)) return false;
      }
      *out = json::parse(raw, nullptr, false);
      return !out->is_discarded();
    }
  }
  return false;
}

bool DjangoSource::ModelRowFast(simdjson::ondemand::parser& parser, const TableSource& ts, size_t span,
                                const std::string& text, Value* row, std::vector<char>& seen, Status* st) const {
  simdjson::ondemand::document doc;
  if (parser.iterate(text.data(), text.size(), text.capacity()).get(doc)) return false;
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return false;
  seen.assign(ts.columns.size(), 0);
  size_t cursor = 0;
  for (auto top : obj) {
    std::string_view key;
    if (top.unescaped_key().get(key)) return false;
    if (key == "pk") {
      json pk;
      if (!ToJson(top.value(), &pk)) return false;
      for (size_t c = 0; c < ts.columns.size(); ++c) {
        if (ts.columns[c].role != Role::kPk) continue;
        *st = Cell(ts, c, span, std::move(pk), &row[c]);
        if (!st->ok()) return true;
        seen[c] = 1;
        break;
      }
    } else if (key == "fields") {
      simdjson::ondemand::object fields;
      if (top.value().get_object().get(fields)) return false;
      for (auto f : fields) {
        std::string_view name;
        if (f.unescaped_key().get(name)) return false;
        size_t c = cursor < ts.columns.size() && ts.columns[cursor].field == name ? cursor : ts.columns.size();
        if (c == ts.columns.size()) {
          for (size_t i = 0; i < ts.columns.size(); ++i) {
            if (ts.columns[i].role != Role::kPk && ts.columns[i].field == name) c = i;
          }
        }
        if (c == ts.columns.size()) continue;  // a many-to-many list, or a field left out
        cursor = c + 1;
        json value;
        if (!ToJson(f.value(), &value)) return false;
        *st = Cell(ts, c, span, std::move(value), &row[c]);
        if (!st->ok()) return true;
        seen[c] = 1;
      }
    } else if (key == "metadata") {
      return false;
    }
  }
  for (size_t c = 0; c < ts.columns.size(); ++c) {
    if (seen[c]) continue;
    if (ts.columns[c].role == Role::kPk) {
      *st = Cell(ts, c, span, json(), &row[c]);  // an assigned id, or no pk
      if (!st->ok()) return true;
    } else {
      row[c].SetNull();
    }
  }
  return true;
}

bool DjangoSource::ThroughRowsFast(simdjson::ondemand::parser& parser, const TableSource& ts, size_t span,
                                   const std::string& text, RowBatch* batch, Status* st) const {
  simdjson::ondemand::document doc;
  if (parser.iterate(text.data(), text.size(), text.capacity()).get(doc)) return false;
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return false;
  json pk;
  std::vector<json> elements;
  bool present = false;
  for (auto top : obj) {
    std::string_view key;
    if (top.unescaped_key().get(key)) return false;
    if (key == "pk") {
      if (!ToJson(top.value(), &pk)) return false;
    } else if (key == "fields") {
      simdjson::ondemand::object fields;
      if (top.value().get_object().get(fields)) return false;
      for (auto f : fields) {
        std::string_view name;
        if (f.unescaped_key().get(name)) return false;
        if (name != ts.m2m->field) continue;
        simdjson::ondemand::value v;
        if (f.value().get(v)) return false;
        simdjson::ondemand::json_type type;
        if (v.type().get(type) || type != simdjson::ondemand::json_type::array) return false;
        simdjson::ondemand::array list;
        if (v.get_array().get(list)) return false;
        for (auto element : list) {
          simdjson::ondemand::value ev;
          json e;
          if (element.get(ev) || !ToJson(ev, &e)) return false;
          elements.push_back(std::move(e));
        }
        present = true;
      }
    } else if (key == "metadata") {
      return false;
    }
  }
  if (!present || PermissionsCleared(ts, elements.size())) return true;
  json owner = Owner(ts, span, std::move(pk));
  for (json& e : elements) {
    *st = ThroughRow(ts, span, owner, std::move(e), batch);
    if (!st->ok()) return true;
  }
  return true;
}

Result<bool> RecordReader::Next(RowBatch* batch) {
  batch->Reset(table_.columns.size());
  const ModelRecords& m = *table_.records;
  while (!batch->full() && next_ < end_) {
    size_t span = next_++;
    if (!table_.m2m && !m.present.empty() && m.present[span]) continue;  // already in the target
    text_.reserve(m.spans[span].length + simdjson::SIMDJSON_PADDING);
    DECANT_RETURN_IF_ERROR(source_.file().ReadRecord(m.spans[span], &text_));
    Status st;
    if (table_.m2m) {
      if (!source_.ThroughRowsFast(parser_, table_, span, text_, batch, &st)) {
        DECANT_ASSIGN_OR_RETURN(json rec, ParseRecord(text_, span, m.spans[span].line));
        st = source_.ThroughRows(table_, span, rec, batch);
      }
      DECANT_RETURN_IF_ERROR(st);
      continue;
    }
    Value* row = batch->AppendRow();
    if (!source_.ModelRowFast(parser_, table_, span, text_, row, seen_, &st)) {
      DECANT_ASSIGN_OR_RETURN(json rec, ParseRecord(text_, span, m.spans[span].line));
      st = source_.ModelRow(table_, span, rec, row);
    }
    DECANT_RETURN_IF_ERROR(st);
    size_t bytes = 0;
    for (size_t c = 0; c < table_.columns.size(); ++c) bytes += row[c].PayloadSize();
    batch->AddPayload(bytes);
  }
  return !batch->empty();  // the loop ends full, or with every record read
}

}  // namespace

Result<std::unique_ptr<Source>> OpenSource(const std::string& path, const EndpointOptions& options, FileSystem* fs) {
  DECANT_ASSIGN_OR_RETURN(auto file, FixtureFile::Open(path, fs));
  return std::unique_ptr<Source>(new DjangoSource(std::move(file), options));
}

}  // namespace decant::django

// The Django fixture writer: `decant export SOURCE --format django`.
//
// Rows arrive table by table, in whatever order the pipeline reads them.
// Each model's records are spooled, as they arrive, to a private temporary
// file as the text of the record up to its many-to-many fields; Commit then
// writes the fixture model by model, parents first, appending each record's
// many-to-many lists and resolving natural keys. Memory held until Commit:
//   - many-to-many pairs (owner id, related id) of every through table,
//     16 bytes a pair when both ids are integers (the text of both otherwise);
//   - with natural foreign keys, the natural key of every row of the models
//     referred to by one (content types, permissions, users, groups: small
//     tables), about the key's text plus 64 bytes a row.
// Records of a model are written in the order they were read (the source's
// table order, primary-key order for the database engines' table scans).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "core/ascii.h"
#include "formats/common/input_helpers.h"
#include "formats/django/django_format.h"
#include "formats/django/django_values.h"
#include "formats/django/model_map.h"
#include "formats/django/write_json.h"

namespace decant::django {
namespace {

constexpr size_t kFlushBytes = size_t{1} << 20;
constexpr size_t kNone = static_cast<size_t>(-1);
// Natural-key placeholders in spooled text: kOpen <model index> kMid <pk
// JSON> kClose. Raw control bytes never occur in the JSON written (strings
// escape them), so they cannot be mistaken for text.
constexpr char kOpen = '\x01', kMid = '\x02', kClose = '\x03';
constexpr int kMaxKeyNesting = 8;

// The models `invoke export-records` leaves out by default (InvenTree's
// tasks.py, content_excludes); a whole app when the entry has no '.'.
constexpr std::string_view kInvenTreeExcluded[] = {
    "contenttypes",
    "auth.permission",
    "error_report.error",
    "admin.logentry",
    "django_q.schedule",
    "django_q.task",
    "django_q.ormq",
    "exchange.rate",
    "exchange.exchangebackend",
    "common.dataoutput",
    "common.newsfeedentry",
    "common.notificationentry",
    "common.notificationmessage",
    "importer.dataimportsession",
    "importer.dataimportcolumnmap",
    "importer.dataimportrow",
    "common.emailmessage",
    "common.emailthread",
    "users.apitoken",
    "socialaccount.socialapp",
    "socialaccount.socialtoken",
    "sessions.session",
    "usersessions.usersession",
};

bool InvenTreeExcludes(std::string_view label) {
  std::string_view app = label.substr(0, label.find('.'));
  for (std::string_view e : kInvenTreeExcluded) {
    if (e == label || e == app) return true;
  }
  return false;
}

struct FieldOut {
  std::string key;  // the field's name as a JSON string, with its separator
  size_t col = 0;   // in the batch
  ColumnForm form;
  size_t key_model = kNone;  // a foreign key written as this model's natural key
};

struct M2mOut {
  const ManyToMany* m2m = nullptr;
  size_t owner = kNone;      // model index
  size_t related = kNone;    // model index of the related model, kNone when not written
  size_t key_model = kNone;  // related ids written as this model's natural keys
  ColumnForm owner_form, related_form;
  std::string key;                        // the field's name as a JSON string
  bool emptied = false;                   // InvenTree: permissions lists written empty
  size_t owner_col = 0, related_col = 0;  // in the through table's batch
  std::vector<std::pair<int64_t, int64_t>> pairs;
  std::vector<std::pair<std::string, std::string>> text_pairs;  // JSON texts
};

struct KeyPart {
  std::string text;      // JSON text, or the related row's pk text
  size_t model = kNone;  // set: a foreign key standing for that model's natural key
};

struct ModelOut {
  const Model* model = nullptr;
  std::string label;
  bool write = false;  // its records go into the fixture
  bool keys = false;   // its rows' natural keys are kept
  size_t pk_col = 0;
  ColumnForm pk_form;
  std::vector<FieldOut> fields;
  std::vector<size_t> m2m;                            // indexes into m2m_
  std::vector<std::pair<size_t, size_t>> key_fields;  // (batch column, model index for a foreign key or kNone)
  std::vector<ColumnForm> key_forms;
  std::unordered_map<std::string, std::vector<KeyPart>> key_rows;  // pk text -> natural key
  int setting_key_col = -1;  // InvenTree: settings whose key starts with '_' are left out
  uint64_t left_out = 0;
  std::string spool;
  std::string head, fields_head;  // a record's text before its pk, and between its pk and its fields
  uint64_t records = 0;
  bool open = false;
};

struct Route {
  size_t model = kNone;
  size_t m2m = kNone;
};

class DjangoSink;

class FixtureWriter final : public TableWriter {
 public:
  FixtureWriter(DjangoSink* sink, Route route, size_t width) : sink_(sink), route_(route), width_(width) {}
  ~FixtureWriter() override;
  Status Write(const RowBatch& batch) override;
  Status Close() override;

 private:
  Status Flush();
  DjangoSink* sink_;
  Route route_;
  size_t width_;
  std::unique_ptr<WritableFile> file_;
  std::string buffer_, scratch_;
  bool closed_ = false;
  Status failed_;
  friend class DjangoSink;
};

class DjangoSink final : public Sink {
 public:
  DjangoSink(std::string path, const FileWriteOptions& options, FileSystem* fs)
      : path_(std::move(path)), options_(options.django), replace_(options.replace), fs_(fs) {
    std::string low = AsciiLower(path_);
    lines_ = low.ends_with(".jsonl");
    natural_ = options_.natural_foreign || options_.inventree;
    ascii_ = options_.inventree;
    layout_ = options_.inventree ? kIndent2Layout : lines_ ? kJsonLinesLayout : kPythonLayout;
    // Records are built on one line; the indented form is laid out at Commit.
    build_ = layout_.indent > 0 ? kPythonLayout : layout_;
  }
  ~DjangoSink() override {
    if (state_ != State::kCommitted && state_ != State::kAborted) Abort();
  }
  Status Begin(const Schema& schema, const SinkOptions& options) override;
  Result<std::unique_ptr<TableWriter>> OpenTable(const Table& table) override;
  Status Commit() override;
  void Abort() override;
  std::string Describe() const override {
    return std::string(options_.inventree ? "InvenTree export-records file " : "Django fixture ") +
           (path_ == "-" ? std::string("(stdout)") : path_);
  }
  SinkReport Report() const override { return report_; }
  const EngineTraits& Traits() const override { return *django::Traits(); }

 private:
  friend class FixtureWriter;
  enum class State { kNew, kWriting, kCommitted, kAborted, kFailed };

  Status Plan();
  ColumnForm FormFor(const Model& m, const Table& t, size_t column, const std::string& field) const;
  static size_t BatchColumn(const Table& t, size_t column);
  size_t KeyModel(const Table* related) const;
  void NeedKeys(size_t model, int depth);
  std::vector<size_t> Order() const;
  Status WriteRecordRow(ModelOut& m, const Value* row, std::string* line);
  void AppendKey(size_t model, const std::string& pk, int depth, std::string* out) const;
  void Resolve(std::string_view text, std::string* out) const;
  Status Assemble(WritableFile* file);
  std::string Metadata() const;

  std::string path_;
  DjangoOptions options_;
  bool replace_;  // --force: an existing file is replaced on Commit
  FileSystem* fs_;
  bool lines_ = false, natural_ = false, ascii_ = false;
  JsonLayout layout_, build_;
  State state_ = State::kNew;
  Schema schema_;
  std::optional<ModelMap> map_;
  std::vector<ModelOut> models_;
  std::vector<M2mOut> m2m_;
  std::map<std::pair<std::string, std::string>, Route> routes_;  // (schema, table) -> what its rows become
  std::string tmp_, partial_;
  SinkReport report_;
};

std::string JsonKey(std::string_view name, bool ascii, const JsonLayout& layout) {
  std::string out;
  AppendPythonString(name, ascii, &out);
  out += layout.key;
  return out;
}

size_t DjangoSink::BatchColumn(const Table& t, size_t column) {
  std::vector<size_t> data = DataColumns(t);
  auto it = std::find(data.begin(), data.end(), column);
  return it == data.end() ? kNone : static_cast<size_t>(it - data.begin());
}

// A column's form, with what --field-type says (a foreign key takes the
// hint of the key it points at) and MySQL's tinyint(1), Django's boolean.
ColumnForm DjangoSink::FormFor(const Model& m, const Table& t, size_t column, const std::string& field) const {
  ColumnForm form = FormOf(t, column);
  form.naive = options_.naive_datetimes;
  auto hint = [&](const std::string& key) -> std::string {
    for (const auto& [k, v] : options_.field_types) {
      if (EqualsIgnoreCaseAscii(k, key)) return v;
    }
    return "";
  };
  form.hint = hint(m.label + "." + field);
  if (form.hint.empty()) {
    for (const FieldColumn& f : m.fields) {
      if (f.column != column || !f.related_table) continue;
      const Model* r = map_->ForTable(*f.related_table);
      if (r && !r->pk_column.empty()) form.hint = hint(r->label + "." + r->pk_column);
    }
  }
  const Column& c = t.columns[column];
  LogicalType l = form.type.logical;
  bool integer = l == LogicalType::kInt16 || l == LogicalType::kInt32 || l == LogicalType::kInt64;
  if (integer && StartsWithIgnoreCaseAscii(c.native_type, "tinyint(1)")) form.type.logical = LogicalType::kBool;
  return form;
}

size_t DjangoSink::KeyModel(const Table* related) const {
  if (!natural_ || !related) return kNone;
  const Model* r = map_->ForTable(*related);
  if (!r || r->natural_key.empty()) return kNone;
  for (size_t i = 0; i < models_.size(); ++i) {
    if (models_[i].model == r) return i;
  }
  return kNone;
}

// Marks `model` (and the models its natural key refers to) as keeping keys.
void DjangoSink::NeedKeys(size_t model, int depth) {
  ModelOut& m = models_[model];
  if (m.keys || depth > kMaxKeyNesting) return;
  m.keys = true;
  const Table& t = *m.model->table;
  for (const std::string& name : m.model->natural_key) {
    const FieldColumn* f = m.model->Field(name);
    if (!f) continue;
    size_t col = BatchColumn(t, f->column);
    if (col == kNone) continue;
    size_t km = f->related_table ? KeyModel(f->related_table) : kNone;
    m.key_fields.push_back({col, km});
    m.key_forms.push_back(FormFor(*m.model, t, f->column, f->field));
    if (km != kNone) NeedKeys(km, depth + 1);
  }
}

Status DjangoSink::Plan() {
  const ModelMap& map = *map_;
  std::set<const Table*> claimed;
  for (const Model& model : map.models()) {
    ModelOut m;
    m.model = &model;
    m.label = model.label;
    models_.push_back(std::move(m));
  }
  for (size_t i = 0; i < models_.size(); ++i) {
    ModelOut& m = models_[i];
    const Model& model = *m.model;
    const Table& t = *model.table;
    claimed.insert(&t);
    std::string q = QualifiedName(t.schema, t.name);
    routes_[{t.schema, t.name}] = Route{i, kNone};
    size_t pk = kNone;
    for (size_t c = 0; c < t.columns.size(); ++c) {
      if (!model.pk_column.empty() && t.columns[c].name == model.pk_column) pk = c;
    }
    if (pk == kNone || BatchColumn(t, pk) == kNone) {
      report_.refused.push_back({"table", q, "",
                                 fmt::format("model {} has no single-column primary key, which every Django "
                                             "model has: not written",
                                             model.label),
                                 1, false});
      continue;
    }
    m.pk_col = BatchColumn(t, pk);
    m.pk_form = FormFor(model, t, pk, model.pk_column);
    bool excluded = false;
    for (const std::string& e : options_.exclude_models) {
      excluded = excluded || EqualsIgnoreCaseAscii(e, model.label) ||
                 EqualsIgnoreCaseAscii(e, model.label.substr(0, model.label.find('.')));
    }
    // Left out as asked (--exclude-model, --inventree's form): not "not
    // carried"; the rows still give natural keys and many-to-many lists.
    if (excluded) {
      spdlog::info("{}: records left out (--exclude-model)", model.label);
    } else if (options_.inventree && InvenTreeExcludes(model.label)) {
      spdlog::info("{}: records left out, as InvenTree's export-records does (--inventree)", model.label);
    } else {
      m.write = true;
    }
  }
  for (size_t i = 0; i < models_.size(); ++i) {
    ModelOut& m = models_[i];
    if (!m.write) continue;
    const Model& model = *m.model;
    const Table& t = *model.table;
    for (const FieldColumn& f : model.fields) {
      size_t col = BatchColumn(t, f.column);
      if (col == kNone) continue;  // a generated column: Django has none
      FieldOut out;
      out.key = JsonKey(f.field, ascii_, build_);
      out.col = col;
      out.form = FormFor(model, t, f.column, f.field);
      out.key_model = KeyModel(f.related_table);
      if (out.key_model != kNone) NeedKeys(out.key_model, 0);
      m.fields.push_back(std::move(out));
      if (options_.inventree && f.field == "key" &&
          (model.label == "common.inventreesetting" || model.label == "common.inventreeusersetting")) {
        m.setting_key_col = static_cast<int>(col);
      }
    }
    for (const ManyToMany& mm : model.many_to_many) {
      if (!mm.through) continue;
      M2mOut out;
      out.m2m = &mm;
      out.owner = i;
      out.key = JsonKey(mm.field, ascii_, build_);
      out.owner_form = m.pk_form;
      const Model* related = map.ForLabel(mm.related_label);
      for (size_t r = 0; r < models_.size(); ++r) {
        if (related && models_[r].model == related) out.related = r;
      }
      if (out.related != kNone) {
        out.related_form = models_[out.related].pk_form;
        if (natural_ && !related->natural_key.empty()) {
          out.key_model = out.related;
          NeedKeys(out.related, 0);
        }
      }
      out.emptied = options_.inventree && !options_.keep_permissions &&
                    ((model.label == "auth.group" && mm.field == "permissions") ||
                     (model.label == "auth.user" && mm.field == "user_permissions"));
      const Table& through = *mm.through;
      for (size_t c = 0; c < through.columns.size(); ++c) {
        if (through.columns[c].name == mm.owner_column) out.owner_col = BatchColumn(through, c);
        if (through.columns[c].name == mm.related_column) out.related_col = BatchColumn(through, c);
      }
      claimed.insert(&through);
      routes_[{through.schema, through.name}] = Route{kNone, m2m_.size()};
      m.m2m.push_back(m2m_.size());
      m2m_.push_back(std::move(out));
    }
  }
  for (const Table& t : schema_.tables) {
    if (claimed.count(&t)) continue;
    std::string q = QualifiedName(t.schema, t.name);
    // A many-to-many list belongs to its model's records, and dumpdata never
    // writes django_migrations: what Django itself leaves out is said, not
    // counted as not carried (the model left out already was, if it was not asked for).
    if (map.ThroughFor(t)) {
      spdlog::info("{}: the many-to-many table of a model not written: not written", q);
    } else if (EqualsIgnoreCaseAscii(t.name, "django_migrations")) {
      spdlog::info(
          "{}: Django's record of applied migrations, not a model: not written (the target's own migrate "
          "makes it)",
          q);
    } else {
      report_.refused.push_back({"table", q, "",
                                 "maps to no Django model: not written (name its model with --model-table "
                                 "app.Model=" +
                                     t.name + ")",
                                 1, false});
    }
  }
  for (const ModelOut& m : models_) {
    if (m.write) {
      const Table& t = *m.model->table;
      report_.created.push_back({"table", m.label, QualifiedName(t.schema, t.name), "", 1, false});
    }
  }
  return Status::OK();
}

Status DjangoSink::Begin(const Schema& schema, const SinkOptions& /*options*/) {
  if (state_ != State::kNew) return Status::FailedPrecondition("Django fixture: Begin called twice");
  state_ = State::kFailed;  // until Begin succeeds
  DECANT_RETURN_IF_ERROR(CheckOutputFile(fs_, path_, "Django fixture", replace_));
  schema_ = schema;
  auto map = ModelMap::Build(schema_, options_);
  if (!map.ok()) return map.status();
  map_.emplace(std::move(*map));
  DECANT_RETURN_IF_ERROR(Plan());
  DECANT_ASSIGN_OR_RETURN(tmp_, MakeSinkWorkDir(path_, "django", fs_, &partial_));
  state_ = State::kWriting;
  return Status::OK();
}

Result<std::unique_ptr<TableWriter>> DjangoSink::OpenTable(const Table& table) {
  if (state_ != State::kWriting) return Status::FailedPrecondition("Django fixture is not open for writing");
  auto it = routes_.find({table.schema, table.name});
  Route route = it == routes_.end() ? Route{} : it->second;
  size_t width = DataColumns(table).size();
  auto w = std::make_unique<FixtureWriter>(this, route, width);
  if (route.model != kNone) {
    ModelOut& m = models_[route.model];
    if (m.open) return Status::FailedPrecondition("table " + table.name + " is already open");
    if (m.write) {
      if (m.spool.empty()) m.spool = JoinPath(tmp_, fmt::format("{}.jsonl", route.model));
      // A second writer of the same table (a retried or sliced read) appends.
      std::string text;
      if (fs_->Exists(m.spool)) {
        auto in = fs_->NewRandomAccessFile(m.spool);
        if (!in.ok()) return in.status();
        text.resize((*in)->Size());
        DECANT_RETURN_IF_ERROR((*in)->ReadAt(0, text.size(), text.data()));
      }
      DECANT_ASSIGN_OR_RETURN(w->file_, fs_->NewWritableFile(m.spool));
      if (!text.empty()) DECANT_RETURN_IF_ERROR(w->file_->Append(text));
    }
    m.open = true;
  }
  return std::unique_ptr<TableWriter>(std::move(w));
}

FixtureWriter::~FixtureWriter() {
  if (!closed_) {
    if (file_) (void)file_->Close();
    if (route_.model != kNone) sink_->models_[route_.model].open = false;
  }
}

Status FixtureWriter::Flush() {
  if (buffer_.empty() || !file_) return Status::OK();
  Status s = file_->Append(buffer_);
  buffer_.clear();
  return s;
}

// One spooled record: the pk's JSON text, a tab, then the record's text up to
// (not including) its many-to-many fields and closing braces, on one line.
Status DjangoSink::WriteRecordRow(ModelOut& m, const Value* row, std::string* line) {
  std::string pk;
  AppendFixtureValueLaidOut(row[m.pk_col], m.pk_form, ascii_, build_, 0, &pk);
  if (m.setting_key_col >= 0) {
    const Value& key = row[m.setting_key_col];
    if (key.kind() == Value::Kind::kText && key.as_string().starts_with('_')) {
      ++m.left_out;
      return Status::OK();
    }
  }
  if (m.keys) {
    std::vector<KeyPart> parts;
    for (size_t k = 0; k < m.key_fields.size(); ++k) {
      KeyPart p;
      p.model = m.key_fields[k].second;
      AppendFixtureValueLaidOut(row[m.key_fields[k].first], m.key_forms[k], ascii_, build_, 0, &p.text);
      parts.push_back(std::move(p));
    }
    m.key_rows[pk] = std::move(parts);
  }
  if (!m.write) return Status::OK();
  if (m.head.empty()) {
    m.head = "{" + JsonKey("model", ascii_, build_);
    AppendPythonString(m.label, ascii_, &m.head);
    m.head += std::string(build_.item) + JsonKey("pk", ascii_, build_);
    m.fields_head = std::string(build_.item) + JsonKey("fields", ascii_, build_) + "{";
  }
  *line += pk;
  line->push_back('\t');
  *line += m.head;
  *line += pk;
  *line += m.fields_head;
  bool first = true;
  for (const FieldOut& f : m.fields) {
    if (!first) *line += build_.item;
    first = false;
    *line += f.key;
    const Value& v = row[f.col];
    if (f.key_model != kNone && !v.is_null()) {
      line->push_back(kOpen);
      *line += std::to_string(f.key_model);
      line->push_back(kMid);
      AppendFixtureValueLaidOut(v, models_[f.key_model].pk_form, ascii_, build_, 0, line);
      line->push_back(kClose);
    } else {
      AppendFixtureValueLaidOut(v, f.form, ascii_, build_, 0, line);
    }
  }
  line->push_back('\n');
  ++m.records;
  return Status::OK();
}

Status FixtureWriter::Write(const RowBatch& batch) {
  if (closed_) return Status::FailedPrecondition("Django fixture: Write after Close");
  if (!failed_.ok()) return failed_;
  if (batch.num_columns() != width_) {
    return failed_ = Status::InvalidArgument(
               fmt::format("Django fixture: batch has {} columns, expected {}", batch.num_columns(), width_));
  }
  if (route_.m2m != kNone) {
    M2mOut& mm = sink_->m2m_[route_.m2m];
    if (mm.emptied) return Status::OK();
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      const Value& o = batch.at(r, mm.owner_col);
      const Value& t = batch.at(r, mm.related_col);
      if (o.is_null() || t.is_null()) continue;
      if (o.kind() == Value::Kind::kInt && t.kind() == Value::Kind::kInt) {
        mm.pairs.emplace_back(o.as_int(), t.as_int());
      } else {
        std::string a, b;
        AppendFixtureValueLaidOut(o, mm.owner_form, sink_->ascii_, sink_->build_, 0, &a);
        AppendFixtureValueLaidOut(t, mm.related_form, sink_->ascii_, sink_->build_, 0, &b);
        mm.text_pairs.emplace_back(std::move(a), std::move(b));
      }
    }
    return Status::OK();
  }
  if (route_.model == kNone) return Status::OK();  // a table not written (named in the report)
  ModelOut& m = sink_->models_[route_.model];
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    Status s = sink_->WriteRecordRow(m, batch.row(r), &buffer_);
    if (!s.ok()) return failed_ = s;
    if (buffer_.size() >= kFlushBytes) {
      s = Flush();
      if (!s.ok()) return failed_ = s;
    }
  }
  return Status::OK();
}

Status FixtureWriter::Close() {
  if (closed_) return failed_;
  if (failed_.ok()) failed_ = Flush();
  if (file_) {
    Status c = file_->Close();
    if (failed_.ok()) failed_ = c;
  }
  closed_ = true;
  if (route_.model != kNone) sink_->models_[route_.model].open = false;
  return failed_;
}

// Models parents first: a model comes after those its foreign keys and
// many-to-many fields point at (a reference to itself aside); a cycle is
// broken at the first model of the schema still waiting.
std::vector<size_t> DjangoSink::Order() const {
  std::vector<std::set<size_t>> parents(models_.size());
  for (size_t i = 0; i < models_.size(); ++i) {
    for (const FieldColumn& f : models_[i].model->fields) {
      if (!f.related_table) continue;
      for (size_t j = 0; j < models_.size(); ++j) {
        if (j != i && models_[j].model->table == f.related_table) parents[i].insert(j);
      }
    }
  }
  for (const M2mOut& mm : m2m_) {
    if (mm.related != kNone && mm.related != mm.owner) parents[mm.owner].insert(mm.related);
  }
  std::vector<size_t> order;
  std::vector<bool> placed(models_.size(), false);
  while (order.size() < models_.size()) {
    size_t pick = kNone;
    for (size_t i = 0; i < models_.size() && pick == kNone; ++i) {
      if (placed[i]) continue;
      bool ready = true;
      for (size_t p : parents[i]) ready = ready && placed[p];
      if (ready) pick = i;
    }
    if (pick == kNone) {
      for (size_t i = 0; i < models_.size() && pick == kNone; ++i) {
        if (!placed[i]) pick = i;
      }
    }
    placed[pick] = true;
    order.push_back(pick);
  }
  return order;
}

// The natural key of row `pk` of `model`, flattened ("[a, b, c]" without the
// brackets: the caller adds them); the pk itself when the row is unknown.
void DjangoSink::AppendKey(size_t model, const std::string& pk, int depth, std::string* out) const {
  const ModelOut& m = models_[model];
  auto it = m.key_rows.find(pk);
  if (it == m.key_rows.end() || depth > kMaxKeyNesting) {
    *out += pk;
    return;
  }
  bool first = true;
  for (const KeyPart& p : it->second) {
    if (!first) *out += build_.item;
    first = false;
    if (p.model != kNone && p.text != "null") {
      AppendKey(p.model, p.text, depth + 1, out);
    } else {
      *out += p.text;
    }
  }
}

// `text` with its natural-key placeholders replaced by the keys.
void DjangoSink::Resolve(std::string_view text, std::string* out) const {
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find(kOpen, i);
    if (open == std::string_view::npos) {
      out->append(text.substr(i));
      return;
    }
    out->append(text.substr(i, open - i));
    size_t mid = text.find(kMid, open);
    size_t close = text.find(kClose, mid);
    size_t model = std::stoul(std::string(text.substr(open + 1, mid - open - 1)));
    std::string pk(text.substr(mid + 1, close - mid - 1));
    out->push_back('[');
    AppendKey(model, pk, 0, out);
    out->push_back(']');
    i = close + 1;
  }
}

// Python's datetime.isoformat() of now, local or UTC, without an offset.
std::string IsoNow(bool utc) {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  std::tm tm{};
  if (utc) {
    gmtime_r(&t, &tm);
  } else {
    localtime_r(&t, &tm);
  }
  std::string out = fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}", tm.tm_year + 1900, tm.tm_mon + 1,
                                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (us != 0) out += fmt::format(".{:06d}", us);
  return out;
}

// InvenTree's metadata record, built as the records are (one line).
std::string DjangoSink::Metadata() const {
  std::set<std::string> apps;
  for (const ModelOut& m : models_) {
    if (m.write) apps.insert(m.label.substr(0, m.label.find('.')));
  }
  std::string out = "{";
  auto field = [&](std::string_view key, const std::string& json) {
    if (out.size() > 1) out += build_.item;
    out += JsonKey(key, ascii_, build_);
    out += json;
  };
  auto str = [&](const std::string& s) {
    std::string j;
    AppendPythonString(s, ascii_, &j);
    return j;
  };
  field("metadata", "true");
  field("comment", str("This file contains a dump of the InvenTree database (written by decant)"));
  field("exported_at", str(IsoNow(false)));
  field("exported_at_utc", str(IsoNow(true)));
  for (std::string_view k : {"source_version", "api_version", "django_version", "python_version", "source_commit"}) {
    field(k, "null");
  }
  std::string list = "[";
  for (const std::string& a : apps) {
    if (list.size() > 1) list += build_.item;
    list += str(a);
  }
  list += "]";
  field("installed_apps", list);
  out += "}";
  return out;
}

Status DjangoSink::Assemble(WritableFile* file) {
  std::string out;
  bool first = true;
  auto flush = [&]() -> Status {
    Status s = file->Append(out);
    out.clear();
    return s;
  };
  auto put_record = [&](std::string_view record) {
    if (lines_) {
      out += record;
      out.push_back('\n');
      return;
    }
    if (!first) out += layout_.indent > 0 ? "," : ", ";
    first = false;
    if (layout_.indent > 0) {
      out.push_back('\n');
      out.append(static_cast<size_t>(layout_.indent), ' ');
      if (!AppendPythonJsonText(record, ascii_, layout_, 1, &out)) out += record;
    } else {
      out += record;
    }
  };
  if (!lines_) out += "[";
  if (options_.inventree) put_record(Metadata());
  for (M2mOut& mm : m2m_) {
    std::sort(mm.pairs.begin(), mm.pairs.end());
    std::sort(mm.text_pairs.begin(), mm.text_pairs.end());
  }
  std::vector<char> buf(size_t{1} << 16);
  std::string pending, record;
  for (size_t index : Order()) {
    const ModelOut& m = models_[index];
    if (!m.write || m.spool.empty()) continue;
    DECANT_ASSIGN_OR_RETURN(auto in, fs_->NewSequentialFile(m.spool));
    pending.clear();
    for (;;) {
      size_t got = 0;
      DECANT_RETURN_IF_ERROR(in->Read(buf.size(), buf.data(), &got));
      pending.append(buf.data(), got);
      size_t start = 0;
      for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
        std::string_view line(pending.data() + start, nl - start);
        size_t tab = line.find('\t');
        std::string pk(line.substr(0, tab));
        record.clear();
        Resolve(line.substr(tab + 1), &record);
        for (size_t mi : m.m2m) {
          const M2mOut& mm = m2m_[mi];
          record += build_.item;
          record += mm.key;
          record += "[";
          bool first_id = true;
          auto id = [&](const std::string& related) {
            if (!first_id) record += build_.item;
            first_id = false;
            if (mm.key_model != kNone) {
              record += "[";
              AppendKey(mm.key_model, related, 0, &record);
              record += "]";
            } else {
              record += related;
            }
          };
          if (!mm.emptied) {
            int64_t owner = 0;
            auto r = std::from_chars(pk.data(), pk.data() + pk.size(), owner);
            if (r.ec == std::errc() && r.ptr == pk.data() + pk.size()) {
              auto lo = std::lower_bound(mm.pairs.begin(), mm.pairs.end(),
                                         std::make_pair(owner, std::numeric_limits<int64_t>::min()));
              for (; lo != mm.pairs.end() && lo->first == owner; ++lo) id(std::to_string(lo->second));
            }
            auto tlo = std::lower_bound(mm.text_pairs.begin(), mm.text_pairs.end(), std::make_pair(pk, std::string()));
            for (; tlo != mm.text_pairs.end() && tlo->first == pk; ++tlo) id(tlo->second);
          }
          record += "]";
        }
        record += "}}";
        put_record(record);
        if (out.size() >= kFlushBytes) DECANT_RETURN_IF_ERROR(flush());
      }
      pending.erase(0, start);
      if (got == 0) break;
    }
    if (!pending.empty()) return Status::Corruption("Django fixture: spool file " + m.spool + " ends mid-record");
  }
  if (!lines_) {
    if (layout_.indent > 0) out += "\n";
    out += "]";
  }
  return flush();
}

Status DjangoSink::Commit() {
  if (state_ != State::kWriting) {
    return Status::FailedPrecondition("Django fixture " + path_ + " cannot be committed: writing failed or finished");
  }
  for (const ModelOut& m : models_) {
    if (m.open) {
      state_ = State::kFailed;
      return Status::FailedPrecondition("Django fixture: table of " + m.label + " is still open");
    }
  }
  Status s;
  auto file = fs_->NewWritableFile(path_ == "-" ? path_ : partial_);
  if (!file.ok()) {
    s = file.status();
  } else {
    s = Assemble(file->get());
    if (s.ok()) s = (*file)->Sync();
    Status c = (*file)->Close();
    if (s.ok()) s = c;
  }
  if (s.ok() && path_ != "-") s = Publish(fs_, partial_, path_, replace_);
  if (!s.ok()) {
    Abort();
    return s;
  }
  for (const ModelOut& m : models_) {
    if (m.left_out > 0) {
      spdlog::info("{}: {} settings whose key starts with '_' left out, as InvenTree's export-records does", m.label,
                   m.left_out);
    }
  }
  (void)fs_->Remove(tmp_);
  state_ = State::kCommitted;
  return Status::OK();
}

void DjangoSink::Abort() {
  if (state_ == State::kCommitted || state_ == State::kAborted) return;
  state_ = State::kAborted;
  if (!tmp_.empty() && fs_->Exists(tmp_)) (void)fs_->Remove(tmp_);
  if (!partial_.empty() && fs_->Exists(partial_)) (void)fs_->Remove(partial_);
}

}  // namespace

Result<std::unique_ptr<Sink>> OpenSink(const std::string& path, const FileWriteOptions& options, FileSystem* fs) {
  if (path.empty()) return Status::InvalidArgument("Django fixture path is empty");
  if (options.directory) return Status::InvalidArgument("a Django fixture is one file: drop --directory");
  std::string low = AsciiLower(path);
  for (std::string_view ext : {".gz", ".bz2", ".xz", ".lzma", ".zip"}) {
    if (low.ends_with(ext)) {
      return Status::InvalidArgument("cannot write " + path +
                                     ": decant writes Django fixtures uncompressed (name it .json or .jsonl, "
                                     "and compress it afterwards)");
    }
  }
  if (options.django.inventree && low.ends_with(".jsonl")) {
    return Status::InvalidArgument("cannot write " + path +
                                   ": InvenTree's export-records file is JSON, not JSON lines (name it .json)");
  }
  return std::unique_ptr<Sink>(new DjangoSink(path, options, fs));
}

}  // namespace decant::django

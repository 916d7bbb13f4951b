// The Source over a RethinkDB input: InputSet (the files) + TableShaper (one
// pass per table to shape it) + DocumentToRow (the rows).
#include <fmt/format.h>

#include <filesystem>
#include <mutex>

#include "core/work_queue.h"
#include "formats/rethinkdb/rdb_input.h"
#include "formats/rethinkdb/rdb_shape.h"
#include "formats/rethinkdb/rethinkdb_format.h"

namespace decant::rethinkdb {
namespace {

// "<file>: line N: <message>" for a document the shaper or converter refused.
Status AtLine(const TableFiles& files, uint64_t line, const Status& s) {
  return Status(s.code(), fmt::format("{}: line {}: {}", files.data_path, line, s.message()));
}

class DocumentTableReader : public TableReader {
 public:
  DocumentTableReader(const TableFiles& files, const TableShape& shape, std::unique_ptr<DocumentReader> reader)
      : files_(files), shape_(shape), reader_(std::move(reader)) {}

  Result<bool> Next(RowBatch* batch) override {
    batch->Reset(shape_.table.columns.size());
    nlohmann::json doc;
    while (!batch->full()) {
      DECANT_ASSIGN_OR_RETURN(bool more, reader_->Next(&doc));
      if (!more) break;
      Value* row = batch->AppendRow();
      Status s = DocumentToRow(shape_, doc, row);
      if (!s.ok()) return AtLine(files_, reader_->line(), s);
      size_t bytes = 0;
      for (size_t c = 0; c < shape_.table.columns.size(); ++c) bytes += row[c].PayloadSize();
      batch->AddPayload(bytes);
    }
    return !batch->empty();
  }

 private:
  const TableFiles& files_;
  const TableShape& shape_;
  std::unique_ptr<DocumentReader> reader_;
};

// The name the dump or directory goes by: its file name without .tar.gz / .tgz.
std::string DatabaseName(const std::string& path) {
  if (path == "-") return "stdin";
  std::string name = std::filesystem::path(path).lexically_normal().filename().string();
  if (name.empty()) name = std::filesystem::path(path).lexically_normal().parent_path().filename().string();
  for (const char* ext : {".tar.gz", ".tgz", ".tar"}) {
    std::string e = ext;
    if (name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0) {
      return name.substr(0, name.size() - e.size());
    }
  }
  return name;
}

class RdbSource : public Source {
 public:
  RdbSource(std::string path, std::unique_ptr<InputSet> input, DocumentOptions options, size_t jobs)
      : path_(std::move(path)),
        input_(std::move(input)),
        options_(std::move(options)),
        jobs_(std::max<size_t>(1, jobs)) {}

  Result<Schema> ReadSchema() override {
    const std::vector<TableFiles>& files = input_->tables();
    shapes_.assign(files.size(), TableShape{});
    std::vector<uint64_t> sizes;
    for (const TableFiles& f : files) sizes.push_back(f.data_bytes);
    DECANT_RETURN_IF_ERROR(RunWorkQueue(
        files.size(), jobs_, [&](size_t, size_t i) { return Shape(files[i], &shapes_[i]); }, sizes));
    Schema schema;
    schema.engine = std::string(Traits()->name);
    schema.database = DatabaseName(path_);
    for (const TableShape& s : shapes_) {
      schema.tables.push_back(s.table);
      schema.indexes.insert(schema.indexes.end(), s.indexes.begin(), s.indexes.end());
      schema.objects.insert(schema.objects.end(), s.not_carried.begin(), s.not_carried.end());
    }
    return schema;
  }

  Result<std::unique_ptr<TableReader>> OpenTable(const Table& table) override {
    size_t i = Find(table);
    if (i == shapes_.size()) {
      return Status::InvalidArgument("no table " + QualifiedName(table.schema, table.name) + " in " + Describe());
    }
    const TableFiles& files = input_->tables()[i];
    DECANT_ASSIGN_OR_RETURN(std::unique_ptr<DocumentReader> reader, DocumentReader::Open(files));
    return std::unique_ptr<TableReader>(new DocumentTableReader(files, shapes_[i], std::move(reader)));
  }

  std::string Describe() const override { return input_->Describe(); }
  size_t MaxParallelTables() const override { return jobs_; }

  TableSize EstimateSize(const Table& table) override {
    TableSize size;
    size_t i = Find(table);
    if (i == shapes_.size()) return size;
    const TableFiles& f = input_->tables()[i];
    size.bytes = f.data_bytes;
    const nlohmann::json* estimates =
        f.info.is_object() && f.info.contains("doc_count_estimates") ? &f.info["doc_count_estimates"] : nullptr;
    if (estimates && estimates->is_array()) {
      uint64_t rows = 0;
      for (const nlohmann::json& n : *estimates) {
        if (n.is_number_unsigned()) rows += n.get<uint64_t>();
      }
      size.rows = rows;
    }
    return size;
  }

  std::vector<std::string> Notes() const override {
    std::vector<std::string> notes;
    for (const TableShape& s : shapes_) {
      for (const std::string& n : s.notes) notes.push_back(QualifiedName(s.table.schema, s.table.name) + ": " + n);
    }
    return notes;
  }

 private:
  Status Shape(const TableFiles& files, TableShape* out) {
    DECANT_ASSIGN_OR_RETURN(std::unique_ptr<DocumentReader> reader, DocumentReader::Open(files));
    TableShaper shaper(files, options_);
    nlohmann::json doc;
    while (true) {
      DECANT_ASSIGN_OR_RETURN(bool more, reader->Next(&doc));
      if (!more) break;
      Status s = shaper.Observe(doc);
      if (!s.ok()) return AtLine(files, reader->line(), s);
    }
    DECANT_ASSIGN_OR_RETURN(*out, shaper.Finish());
    return Status::OK();
  }

  size_t Find(const Table& table) const {
    for (size_t i = 0; i < shapes_.size(); ++i) {
      if (shapes_[i].table.schema == table.schema && shapes_[i].table.name == table.name) return i;
    }
    return shapes_.size();
  }

  std::string path_;
  std::unique_ptr<InputSet> input_;
  DocumentOptions options_;
  size_t jobs_;
  std::vector<TableShape> shapes_;
};

}  // namespace

Result<std::unique_ptr<Source>> OpenSource(const std::string& path, const EndpointOptions& options, FileSystem* fs) {
  DECANT_ASSIGN_OR_RETURN(std::unique_ptr<InputSet> input, InputSet::Open(path, options.documents, fs));
  return std::unique_ptr<Source>(new RdbSource(path, std::move(input), options.documents, options.jobs));
}

}  // namespace decant::rethinkdb

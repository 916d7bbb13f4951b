// ArchiveSource and InspectArchive: reading the single-file form (seekable or
// streamed) and the directory form.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "archive/archive.h"
#include "archive/codec.h"
#include "archive/metadata.h"
#include "archive/signature.h"
#include "core/plural.h"

namespace decant {
namespace {

std::string ChunkLabel(const Schema& schema, uint32_t table_index, uint32_t seq) {
  if (table_index < schema.tables.size()) {
    const Table& t = schema.tables[table_index];
    return fmt::format("table \"{}\" chunk {}", QualifiedName(t.schema, t.name), seq);
  }
  return fmt::format("table #{} chunk {}", table_index, seq);
}

int FindTable(const Schema& schema, const Table& table) {
  for (size_t i = 0; i < schema.tables.size(); ++i) {
    if (schema.tables[i].schema == table.schema && schema.tables[i].name == table.name) return static_cast<int>(i);
  }
  return -1;
}

// The manifest must describe exactly the schema's tables, in order.
Status CheckManifestTables(const Manifest& m, const Schema& s) {
  if (m.tables.size() != s.tables.size()) {
    return Status::Corruption(fmt::format("malformed manifest: it lists {} but the schema has {}",
                                          Counted(m.tables.size(), "table"), s.tables.size()));
  }
  for (size_t i = 0; i < s.tables.size(); ++i) {
    if (m.tables[i].schema != s.tables[i].schema || m.tables[i].name != s.tables[i].name) {
      return Status::Corruption(fmt::format("malformed manifest: table {} is \"{}\" but the schema says \"{}\"", i,
                                            QualifiedName(m.tables[i].schema, m.tables[i].name),
                                            QualifiedName(s.tables[i].schema, s.tables[i].name)));
    }
    if (m.tables[i].chunks.size() > UINT32_MAX) return Status::Corruption("malformed manifest: too many chunks");
  }
  return Status::OK();
}

Status CheckRecordFrame(const char* frame, std::string_view payload, RecordType want, const std::string& what) {
  RecordHeader h = DecodeRecordHeader(frame);
  if (h.type != static_cast<uint8_t>(want)) {
    return Status::Corruption(fmt::format("{}: expected a {} record, found type {}", what,
                                          RecordTypeName(static_cast<uint8_t>(want)), h.type));
  }
  if (h.checksum != RecordChecksum(frame, payload)) {
    return Status::Corruption(
        fmt::format("checksum mismatch in the {} record of {}", RecordTypeName(static_cast<uint8_t>(want)), what));
  }
  return Status::OK();
}

// Supplies a table's chunks, one at a time, to a reader.
class ChunkSupplier {
 public:
  virtual ~ChunkSupplier() = default;
  // Loads the next chunk into `decoder`; false when the table has no more.
  virtual Result<bool> NextChunk(ChunkDecoder* decoder) = 0;
};

class ArchiveTableReader final : public TableReader {
 public:
  ArchiveTableReader(std::unique_ptr<ChunkSupplier> supplier, size_t columns)
      : supplier_(std::move(supplier)), columns_(columns) {}

  Result<bool> Next(RowBatch* batch) override {
    batch->Reset(columns_);
    if (!failed_.ok()) return failed_;
    while (!batch->full()) {
      if (decoder_.rows_left() == 0) {
        if (done_) break;
        Result<bool> more = supplier_->NextChunk(&decoder_);
        if (!more.ok()) {
          failed_ = more.status();
          batch->Clear();
          return failed_;
        }
        if (!*more) done_ = true;
        continue;
      }
      Value* cells = batch->AppendRow();
      size_t payload = 0;
      Status s = decoder_.DecodeRow(cells, &payload);
      if (!s.ok()) {
        failed_ = s;
        batch->Clear();
        return failed_;
      }
      batch->AddPayload(payload);
    }
    return !batch->empty();
  }

 private:
  std::unique_ptr<ChunkSupplier> supplier_;
  size_t columns_;
  ChunkDecoder decoder_;
  bool done_ = false;
  Status failed_;
};

ArchiveInfo InfoFromManifest(const Manifest& m) {
  ArchiveInfo info;
  info.form = m.form;
  info.format_version = fmt::format("{}.{}", m.format_major, m.format_minor);
  info.decant_version = m.decant_version;
  info.source_engine = m.source_engine;
  info.server_version = m.server_version;
  info.database = m.database;
  info.created_at = m.created_at;
  for (const ManifestTable& t : m.tables) {
    ArchiveTableInfo ti;
    ti.schema = t.schema;
    ti.name = t.name;
    ti.rows = t.rows;
    for (const ManifestChunk& c : t.chunks) {
      ti.chunks.push_back({c.rows, c.compressed_bytes, c.uncompressed_bytes, ChecksumHex(c.checksum)});
    }
    info.tables.push_back(std::move(ti));
  }
  return info;
}

// ---- Manifest-first reading: seekable single file and directory ------------

class IndexedArchiveSource final : public Source {
 public:
  static Result<std::unique_ptr<IndexedArchiveSource>> OpenFile(const std::string& path, FileSystem* fs);
  static Result<std::unique_ptr<IndexedArchiveSource>> OpenDirectory(const std::string& path, FileSystem* fs);

  Result<Schema> ReadSchema() override { return schema_; }
  Result<std::unique_ptr<TableReader>> OpenTable(const Table& table) override;
  std::string Describe() const override { return "archive " + path_; }
  // From the manifest, already in memory: the table's row count (exact) and
  // its chunks' uncompressed bytes.
  TableSize EstimateSize(const Table& table) override;
  // An archive never changes once published (its chunks are checked against
  // the manifest as they are read): its UUID names its rows.
  std::string Identity() const override {
    return fmt::format("archive {} schema {:016x}", UuidToString(manifest_.uuid), manifest_.schema_checksum);
  }
  // Chunks are read at any offset (pread) or from files of their own, so any
  // number of readers may read at once.
  size_t MaxParallelTables() const override { return SIZE_MAX; }
  // Runs of consecutive chunks, of about equal uncompressed bytes, one chunk
  // at least: bounds "chunks:FIRST:END" (seq numbers, END excluded).
  Result<std::vector<TableSlice>> SplitTable(const Table& table, const TableSize& estimate, size_t max_slices) override;
  Result<std::unique_ptr<TableReader>> OpenSlice(const Table& table, const TableSlice& slice) override;

  const Manifest& manifest() const { return manifest_; }
  uint64_t total_bytes() const { return total_bytes_; }
  // What a signature signs (SignedMessage of the schema and manifest documents).
  const std::string& signed_message() const { return signed_message_; }
  // The signature document, empty when the archive has none (format 1.3).
  const std::string& signature() const { return signature_; }
  // Reads chunk `seq` of table `t` and checks its frame against the manifest;
  // leaves the record payload in `payload`.
  Status FetchChunk(uint32_t t, uint32_t seq, std::string* payload) const;
  ChunkExpectation Expect(uint32_t t, uint32_t seq) const {
    ChunkExpectation e;
    e.uuid = manifest_.uuid;
    e.table_index = t;
    e.seq = seq;
    e.columns = static_cast<uint32_t>(DataColumns(schema_.tables[t]).size());
    e.label = ChunkLabel(schema_, t, seq);
    return e;
  }

 private:
  IndexedArchiveSource(std::string path, FileSystem* fs) : path_(std::move(path)), fs_(fs) {}

  std::string path_;
  FileSystem* fs_;
  bool directory_ = false;
  std::unique_ptr<RandomAccessFile> file_;
  Manifest manifest_;
  Schema schema_;
  uint64_t total_bytes_ = 0;
  std::string signed_message_;
  std::string signature_;
};

Status ReadRecordAt(const RandomAccessFile& f, uint64_t offset, uint64_t limit, RecordType type,
                    const std::string& what, std::string* payload) {
  char frame[kRecordHeaderSize];
  if (offset > limit || limit - offset < kRecordHeaderSize) {
    return Status::Corruption(fmt::format("{}: the {} record at offset {} lies outside the archive", what,
                                          RecordTypeName(static_cast<uint8_t>(type)), offset));
  }
  DECANT_RETURN_IF_ERROR(f.ReadAt(offset, kRecordHeaderSize, frame));
  RecordHeader h = DecodeRecordHeader(frame);
  if (h.length > MaxPayloadFor(static_cast<uint8_t>(type)) || h.length > limit - offset - kRecordHeaderSize) {
    return Status::Corruption(fmt::format("{}: the {} record at offset {} claims {} bytes, more than the archive holds",
                                          what, RecordTypeName(static_cast<uint8_t>(type)), offset, h.length));
  }
  payload->resize(h.length);
  DECANT_RETURN_IF_ERROR(f.ReadAt(offset + kRecordHeaderSize, h.length, payload->data()));
  return CheckRecordFrame(frame, *payload, type, what);
}

Result<std::unique_ptr<IndexedArchiveSource>> IndexedArchiveSource::OpenFile(const std::string& path, FileSystem* fs) {
  std::unique_ptr<IndexedArchiveSource> src(new IndexedArchiveSource(path, fs));
  DECANT_ASSIGN_OR_RETURN(src->file_, fs->NewRandomAccessFile(path));
  const RandomAccessFile& f = *src->file_;
  uint64_t size = f.Size();
  src->total_bytes_ = size;
  char header[kFileHeaderSize];
  size_t n = static_cast<size_t>(std::min<uint64_t>(size, kFileHeaderSize));
  DECANT_RETURN_IF_ERROR(f.ReadAt(0, n, header));
  ArchiveUuid uuid;
  DECANT_RETURN_IF_ERROR(DecodeFileHeader(header, n, path, &uuid));

  const std::string truncated = fmt::format(
      "{} is truncated: no valid end record at the end of its {} bytes (writing did not finish?)", path, size);
  if (size < kFileHeaderSize + 2 * kRecordHeaderSize + kEndRecordSize) return Status::Corruption(truncated);
  char end[kEndRecordSize];
  DECANT_RETURN_IF_ERROR(f.ReadAt(size - kEndRecordSize, kEndRecordSize, end));
  RecordHeader eh = DecodeRecordHeader(end);
  std::string_view end_payload(end + kRecordHeaderSize, kEndPayloadSize);
  if (eh.type != static_cast<uint8_t>(RecordType::kEnd) || eh.length != kEndPayloadSize ||
      eh.checksum != RecordChecksum(end, end_payload) || GetU64(end + kRecordHeaderSize + 8) != size ||
      std::memcmp(end + kRecordHeaderSize + 16, uuid.data(), 16) != 0) {
    return Status::Corruption(truncated);
  }
  uint64_t manifest_offset = GetU64(end + kRecordHeaderSize);
  uint64_t manifest_limit = size - kEndRecordSize;
  std::string buf;
  DECANT_RETURN_IF_ERROR(ReadRecordAt(f, manifest_offset, manifest_limit, RecordType::kManifest, path, &buf));
  if (manifest_offset + kRecordHeaderSize + buf.size() != manifest_limit) {
    return Status::Corruption(path + ": the manifest record does not end where the end record begins");
  }
  DECANT_RETURN_IF_ERROR(ManifestFromJson(buf, &src->manifest_));
  const Manifest& m = src->manifest_;
  if (m.format_major != kArchiveFormatMajor || m.form != "file" || m.uuid != uuid) {
    return Status::Corruption("malformed manifest: its version, form or UUID disagrees with the archive header");
  }
  std::string manifest_doc = std::move(buf), schema_doc;
  DECANT_RETURN_IF_ERROR(ReadRecordAt(f, kFileHeaderSize, manifest_offset, RecordType::kSchema, path, &schema_doc));
  if (Xxh3(schema_doc) != m.schema_checksum) {
    return Status::Corruption(path + ": the schema does not match the checksum recorded in the manifest");
  }
  DECANT_RETURN_IF_ERROR(SchemaFromJson(schema_doc, &src->schema_));
  DECANT_RETURN_IF_ERROR(CheckManifestTables(m, src->schema_));
  uint64_t next = kFileHeaderSize + kRecordHeaderSize + schema_doc.size();
  for (size_t t = 0; t < m.tables.size(); ++t) {
    for (size_t c = 0; c < m.tables[t].chunks.size(); ++c) {
      const ManifestChunk& ch = m.tables[t].chunks[c];
      uint64_t len = kRecordHeaderSize + kChunkHeaderSize + ch.compressed_bytes;
      if (ch.offset < next || ch.offset > manifest_offset || len > manifest_offset - ch.offset) {
        return Status::Corruption(
            fmt::format("malformed manifest: {} lies outside the data area",
                        ChunkLabel(src->schema_, static_cast<uint32_t>(t), static_cast<uint32_t>(c))));
      }
      next = ch.offset + len;
    }
  }
  // A signature record (1.3) fills the gap between the last chunk and the
  // manifest exactly; a record of another type there is a later minor's.
  if (next + kRecordHeaderSize <= manifest_offset) {
    char frame[kRecordHeaderSize];
    DECANT_RETURN_IF_ERROR(f.ReadAt(next, kRecordHeaderSize, frame));
    if (DecodeRecordHeader(frame).type == static_cast<uint8_t>(RecordType::kSignature)) {
      DECANT_RETURN_IF_ERROR(ReadRecordAt(f, next, manifest_offset, RecordType::kSignature, path, &src->signature_));
      if (next + kRecordHeaderSize + src->signature_.size() != manifest_offset) {
        return Status::Corruption(path + ": the signature record does not end where the manifest begins");
      }
    }
  }
  src->signed_message_ = SignedMessage(schema_doc, manifest_doc);
  return src;
}

Result<std::unique_ptr<IndexedArchiveSource>> IndexedArchiveSource::OpenDirectory(const std::string& path,
                                                                                  FileSystem* fs) {
  std::unique_ptr<IndexedArchiveSource> src(new IndexedArchiveSource(path, fs));
  src->directory_ = true;
  auto read_whole = [&](const std::string& name, std::string* out) -> Status {
    std::string p = JoinPath(path, name);
    DECANT_ASSIGN_OR_RETURN(auto f, fs->NewRandomAccessFile(p));
    if (f->Size() > kMaxMetadataBytes) return Status::Corruption(p + " is larger than the format allows");
    out->resize(static_cast<size_t>(f->Size()));
    src->total_bytes_ += f->Size();
    return f->ReadAt(0, out->size(), out->data());
  };
  if (!fs->Exists(JoinPath(path, "manifest.json"))) {
    return Status::Corruption("archive directory " + path +
                              " is incomplete: no manifest.json (writing did not finish?)");
  }
  std::string manifest_doc, sum, buf;
  DECANT_RETURN_IF_ERROR(read_whole("manifest.json", &manifest_doc));
  if (manifest_doc.empty()) return Status::Corruption("malformed manifest: manifest.json is empty");
  // Every byte of manifest.json is covered by manifest.json.xxh3 (1.3), checked
  // before a field of it is believed.
  Status has_sum = read_whole(kManifestChecksumFile, &sum);
  if (has_sum.ok()) {
    if (sum.size() != kManifestChecksumFileSize || sum.back() != '\n' ||
        !ParseChecksumHex(std::string_view(sum).substr(0, 16))) {
      return Status::Corruption(path + ": " + kManifestChecksumFile + " is malformed (16 hex digits and a newline)");
    }
    if (sum != ManifestChecksumFileContent(manifest_doc)) {
      return Status::Corruption(path + ": manifest.json does not match its checksum in " + kManifestChecksumFile);
    }
  } else if (has_sum.code() != StatusCode::kNotFound) {
    return has_sum;
  }
  DECANT_RETURN_IF_ERROR(ManifestFromJson(manifest_doc, &src->manifest_));
  const Manifest& m = src->manifest_;
  if (!has_sum.ok() && (m.format_major > 1 || m.format_minor >= 3)) {
    return Status::Corruption(fmt::format("{} has no {} (a format {}.{} archive has one)", path, kManifestChecksumFile,
                                          m.format_major, m.format_minor));
  }
  if (m.form != "directory") return Status::Corruption("malformed manifest: form is not \"directory\"");
  Status s = read_whole("schema.json", &buf);
  if (s.code() == StatusCode::kNotFound) return Status::Corruption("archive directory " + path + " has no schema.json");
  DECANT_RETURN_IF_ERROR(s);
  if (Xxh3(buf) != m.schema_checksum) {
    return Status::Corruption(path + ": schema.json does not match the checksum recorded in the manifest");
  }
  DECANT_RETURN_IF_ERROR(SchemaFromJson(buf, &src->schema_));
  DECANT_RETURN_IF_ERROR(CheckManifestTables(m, src->schema_));
  src->signed_message_ = SignedMessage(buf, manifest_doc);
  std::string signature_path = JoinPath(path, kSignatureFile);
  if (fs->Exists(signature_path)) {
    DECANT_ASSIGN_OR_RETURN(auto f, fs->NewRandomAccessFile(signature_path));
    uint64_t size = f->Size();
    src->total_bytes_ += size;
    DECANT_RETURN_IF_ERROR(ReadRecordAt(*f, 0, size, RecordType::kSignature, signature_path, &src->signature_));
    if (kRecordHeaderSize + src->signature_.size() != size) {
      return Status::Corruption(signature_path + ": bytes follow the signature record");
    }
  }
  for (const ManifestTable& t : m.tables) {
    for (const ManifestChunk& c : t.chunks)
      src->total_bytes_ += kRecordHeaderSize + kChunkHeaderSize + c.compressed_bytes;
  }
  return src;
}

}  // namespace

Status ReadChunkFile(FileSystem* fs, const std::string& path, const ManifestChunk& mc, const std::string& label,
                     std::string* payload) {
  uint64_t len = kChunkHeaderSize + mc.compressed_bytes;
  auto f = fs->NewRandomAccessFile(path);
  if (f.status().code() == StatusCode::kNotFound) {
    return Status::Corruption(fmt::format("{} is missing ({} does not exist)", label, path));
  }
  DECANT_RETURN_IF_ERROR(f.status());
  if ((*f)->Size() != kRecordHeaderSize + len) {
    return Status::Corruption(fmt::format("{}: file {} has {} bytes, the manifest says {}", label, path, (*f)->Size(),
                                          kRecordHeaderSize + len));
  }
  char frame[kRecordHeaderSize];
  DECANT_RETURN_IF_ERROR((*f)->ReadAt(0, kRecordHeaderSize, frame));
  payload->resize(static_cast<size_t>(len));
  DECANT_RETURN_IF_ERROR((*f)->ReadAt(kRecordHeaderSize, payload->size(), payload->data()));
  return CheckChunkRecord(frame, *payload, mc, label);
}

Status CheckChunkRecord(const char* frame, std::string_view payload, const ManifestChunk& mc,
                        const std::string& label) {
  RecordHeader h = DecodeRecordHeader(frame);
  if (h.type != static_cast<uint8_t>(RecordType::kChunk) || h.length != kChunkHeaderSize + mc.compressed_bytes ||
      h.length != payload.size() || h.checksum != mc.checksum || RecordChecksum(frame, payload) != mc.checksum) {
    return Status::Corruption("checksum mismatch in " + label);
  }
  return Status::OK();
}

namespace {

Status IndexedArchiveSource::FetchChunk(uint32_t t, uint32_t seq, std::string* payload) const {
  const ManifestChunk& mc = manifest_.tables[t].chunks[seq];
  std::string label = ChunkLabel(schema_, t, seq);
  if (directory_) return ReadChunkFile(fs_, JoinPath(path_, ChunkFileName(t, seq)), mc, label, payload);
  uint64_t len = kChunkHeaderSize + mc.compressed_bytes;
  char frame[kRecordHeaderSize];
  DECANT_RETURN_IF_ERROR(file_->ReadAt(mc.offset, kRecordHeaderSize, frame));
  payload->resize(static_cast<size_t>(len));
  DECANT_RETURN_IF_ERROR(file_->ReadAt(mc.offset + kRecordHeaderSize, payload->size(), payload->data()));
  return CheckChunkRecord(frame, *payload, mc, label);
}

// Supplies chunks first .. end-1 of a table.
class IndexedChunkSupplier final : public ChunkSupplier {
 public:
  IndexedChunkSupplier(const IndexedArchiveSource* src, uint32_t table, uint32_t first, uint32_t end)
      : src_(src), table_(table), seq_(first), end_(end) {}
  Result<bool> NextChunk(ChunkDecoder* decoder) override {
    const ManifestTable& mt = src_->manifest().tables[table_];
    if (seq_ >= end_ || seq_ >= mt.chunks.size()) return false;
    DECANT_RETURN_IF_ERROR(src_->FetchChunk(table_, seq_, &payload_));
    ChunkExpectation e = src_->Expect(table_, seq_);
    DECANT_RETURN_IF_ERROR(decoder->Load(payload_, e));
    const ManifestChunk& mc = mt.chunks[seq_];
    if (decoder->header().rows != mc.rows || decoder->header().uncompressed_bytes != mc.uncompressed_bytes) {
      return Status::Corruption("manifest does not match the data: row count or size differs in " + e.label);
    }
    ++seq_;
    return true;
  }

 private:
  const IndexedArchiveSource* src_;
  uint32_t table_;
  uint32_t seq_;
  uint32_t end_;
  std::string payload_;
};

Result<std::unique_ptr<TableReader>> IndexedArchiveSource::OpenTable(const Table& table) {
  int t = FindTable(schema_, table);
  if (t < 0) return Status::NotFound("table " + QualifiedName(table.schema, table.name) + " is not in " + path_);
  return std::unique_ptr<TableReader>(
      new ArchiveTableReader(std::make_unique<IndexedChunkSupplier>(this, static_cast<uint32_t>(t), 0, UINT32_MAX),
                             DataColumns(schema_.tables[t]).size()));
}

Result<std::vector<TableSlice>> IndexedArchiveSource::SplitTable(const Table& table, const TableSize& /*estimate*/,
                                                                 size_t max_slices) {
  int t = FindTable(schema_, table);
  if (t < 0) return Status::NotFound("table " + QualifiedName(table.schema, table.name) + " is not in " + path_);
  const std::vector<ManifestChunk>& chunks = manifest_.tables[t].chunks;
  size_t count = std::min(std::max<size_t>(max_slices, 1), chunks.size());
  if (count <= 1) return std::vector<TableSlice>(1);
  uint64_t total = 0;
  for (const ManifestChunk& c : chunks) total += c.uncompressed_bytes;
  std::vector<TableSlice> slices;
  size_t first = 0;
  uint64_t before = 0;  // uncompressed bytes of the chunks before `first`
  for (size_t i = 0; i < count; ++i) {
    // Cut once the slices so far hold their share of the bytes, leaving at
    // least one chunk for each slice still to come.
    size_t end = first + 1;
    uint64_t bytes = before + chunks[first].uncompressed_bytes;
    uint64_t share = total / count * (i + 1) + total % count * (i + 1) / count;  // count is small
    while (end < chunks.size() - (count - 1 - i) && (i + 1 == count || bytes < share)) {
      bytes += chunks[end].uncompressed_bytes;
      ++end;
    }
    TableSlice s;
    s.index = i;
    s.count = count;
    s.bounds = fmt::format("chunks:{}:{}", first, end);
    s.label = end - first == 1 ? fmt::format("chunk {}", first) : fmt::format("chunks {}-{}", first, end - 1);
    uint64_t rows = 0;
    for (size_t c = first; c < end; ++c) rows += chunks[c].rows;
    s.estimate.rows = rows;
    s.estimate.bytes = bytes - before;
    slices.push_back(std::move(s));
    before = bytes;
    first = end;
  }
  return slices;
}

Result<std::unique_ptr<TableReader>> IndexedArchiveSource::OpenSlice(const Table& table, const TableSlice& slice) {
  if (slice.whole()) return OpenTable(table);
  int t = FindTable(schema_, table);
  std::string name = QualifiedName(table.schema, table.name);
  if (t < 0) return Status::NotFound("table " + name + " is not in " + path_);
  unsigned first = 0, end = 0;
  char tail = 0;
  if (std::sscanf(slice.bounds.c_str(), "chunks:%u:%u%c", &first, &end, &tail) != 2 || first >= end ||
      end > manifest_.tables[t].chunks.size()) {
    return Status::InvalidArgument("table " + name + ": not a slice of this archive: " + slice.bounds);
  }
  return std::unique_ptr<TableReader>(
      new ArchiveTableReader(std::make_unique<IndexedChunkSupplier>(this, static_cast<uint32_t>(t), first, end),
                             DataColumns(schema_.tables[t]).size()));
}

TableSize IndexedArchiveSource::EstimateSize(const Table& table) {
  TableSize size;
  int t = FindTable(schema_, table);
  if (t < 0 || static_cast<size_t>(t) >= manifest_.tables.size()) return size;
  const ManifestTable& mt = manifest_.tables[t];
  size.rows = mt.rows;
  size.exact = true;
  uint64_t bytes = 0;
  for (const ManifestChunk& c : mt.chunks) bytes += c.uncompressed_bytes;
  size.bytes = bytes;
  return size;
}

// ---- Front-to-back reading of a stream ---------------------------------------

class StreamArchiveSource final : public Source {
 public:
  static Result<std::unique_ptr<StreamArchiveSource>> Open(const std::string& path, FileSystem* fs);

  Result<Schema> ReadSchema() override { return schema_; }
  Result<std::unique_ptr<TableReader>> OpenTable(const Table& table) override;
  std::string Describe() const override { return path_ == "-" ? "archive on standard input" : "archive " + path_; }

  // Loads the next chunk of table `t` (skipping earlier tables' chunks).
  Result<bool> NextChunkFor(uint32_t t, ChunkDecoder* decoder);
  // Skips everything left and checks the manifest and end record.
  Status ReadToEnd();
  Status Finish() override { return ReadToEnd(); }
  const Manifest& manifest() const { return manifest_; }
  uint64_t bytes_read() const { return offset_; }

 private:
  StreamArchiveSource(std::string path) : path_(std::move(path)) {}
  Status ReadExactly(size_t n, char* out, size_t* got);
  Status ReadRecord();
  Status CheckManifestAndEnd();
  Status Truncated() const {
    return Status::Corruption(
        fmt::format("{} is truncated: it ends after {} bytes without its end record (writing did not finish?)",
                    path_ == "-" ? "the archive on standard input" : path_, offset_));
  }

  std::string path_;
  std::unique_ptr<SequentialFile> in_;
  uint64_t offset_ = 0;  // bytes consumed from the stream
  ArchiveUuid uuid_{};
  Schema schema_;
  uint64_t schema_checksum_ = 0;
  std::vector<std::vector<ManifestChunk>> seen_;
  std::vector<uint32_t> columns_;
  // The record read but not yet consumed.
  bool pending_ = false;
  RecordHeader pending_header_;
  uint64_t pending_offset_ = 0;
  std::string pending_payload_;
  uint32_t current_ = 0;  // table being read; earlier tables are behind us
  bool current_opened_ = false;
  uint32_t position_ = 0;  // table of the last chunk seen
  bool finished_ = false;
  // Table named by the chunk record whose checksum ReadRecord() last refused.
  std::optional<uint32_t> damaged_table_;
  // A damaged chunk of table deferred_table_, met while looking for the end of
  // an earlier table: that table ended cleanly; reading deferred_table_ or any
  // later table (or Finish) reports deferred_.
  Status deferred_;
  uint32_t deferred_table_ = 0;
  Manifest manifest_;
};

Status StreamArchiveSource::ReadExactly(size_t n, char* out, size_t* got) {
  *got = 0;
  while (*got < n) {
    size_t g = 0;
    DECANT_RETURN_IF_ERROR(in_->Read(n - *got, out + *got, &g));
    if (g == 0) break;
    *got += g;
  }
  offset_ += *got;
  return Status::OK();
}

Status StreamArchiveSource::ReadRecord() {
  char frame[kRecordHeaderSize];
  size_t got;
  pending_offset_ = offset_;
  DECANT_RETURN_IF_ERROR(ReadExactly(kRecordHeaderSize, frame, &got));
  if (got < kRecordHeaderSize) return Truncated();
  RecordHeader h = DecodeRecordHeader(frame);
  if (h.length > MaxPayloadFor(h.type)) {
    return Status::Corruption(fmt::format("{} record at offset {} claims {} bytes, more than the format allows",
                                          RecordTypeName(h.type), pending_offset_, h.length));
  }
  // Grow as bytes arrive, so a damaged length cannot make us allocate what is not there.
  pending_payload_.clear();
  while (pending_payload_.size() < h.length) {
    size_t old = pending_payload_.size();
    size_t step = std::min<size_t>(h.length - old, 8u << 20);
    pending_payload_.resize(old + step);
    DECANT_RETURN_IF_ERROR(ReadExactly(step, pending_payload_.data() + old, &got));
    if (got < step) return Truncated();
  }
  damaged_table_.reset();
  if (RecordChecksum(frame, pending_payload_) != h.checksum) {
    if (h.type == static_cast<uint8_t>(RecordType::kChunk) && pending_payload_.size() >= kChunkHeaderSize) {
      ChunkHeader ch = DecodeChunkHeader(pending_payload_.data());
      damaged_table_ = ch.table_index;
      return Status::Corruption("checksum mismatch in " + ChunkLabel(schema_, ch.table_index, ch.seq));
    }
    return Status::Corruption(
        fmt::format("checksum mismatch in the {} record at offset {}", RecordTypeName(h.type), pending_offset_));
  }
  pending_header_ = h;
  pending_ = true;
  return Status::OK();
}

Result<std::unique_ptr<StreamArchiveSource>> StreamArchiveSource::Open(const std::string& path, FileSystem* fs) {
  std::unique_ptr<StreamArchiveSource> src(new StreamArchiveSource(path));
  DECANT_ASSIGN_OR_RETURN(src->in_, fs->NewSequentialFile(path));
  char header[kFileHeaderSize];
  size_t got;
  DECANT_RETURN_IF_ERROR(src->ReadExactly(kFileHeaderSize, header, &got));
  std::string what = path == "-" ? "standard input" : path;
  DECANT_RETURN_IF_ERROR(DecodeFileHeader(header, got, what, &src->uuid_));
  DECANT_RETURN_IF_ERROR(src->ReadRecord());
  if (src->pending_header_.type != static_cast<uint8_t>(RecordType::kSchema)) {
    return Status::Corruption(what + ": the archive does not start with its schema record");
  }
  src->schema_checksum_ = Xxh3(src->pending_payload_);
  DECANT_RETURN_IF_ERROR(SchemaFromJson(src->pending_payload_, &src->schema_));
  src->pending_ = false;
  if (src->schema_.tables.size() > UINT32_MAX) return Status::Corruption("malformed schema: too many tables");
  src->seen_.resize(src->schema_.tables.size());
  for (const Table& t : src->schema_.tables) src->columns_.push_back(static_cast<uint32_t>(DataColumns(t).size()));
  return src;
}

Result<bool> StreamArchiveSource::NextChunkFor(uint32_t t, ChunkDecoder* decoder) {
  if (t != current_) {
    return Status::FailedPrecondition(
        "reading an archive from a stream: this table's reader was superseded by a later table");
  }
  if (!deferred_.ok()) {
    if (t < deferred_table_) return false;  // the damage lies beyond this table
    return deferred_;
  }
  while (!finished_) {
    if (!pending_) {
      Status read = ReadRecord();
      if (!read.ok()) {
        // A damaged chunk of a later table, read ahead to find the end of
        // table t: t ends here, and the damage is that later table's error.
        // (Its header is unverified; if it lied, Finish() still fails.)
        if (damaged_table_ && *damaged_table_ > t && *damaged_table_ < schema_.tables.size() &&
            *damaged_table_ >= position_) {
          deferred_ = read;
          deferred_table_ = *damaged_table_;
          return false;
        }
        return read;
      }
    }
    switch (static_cast<RecordType>(pending_header_.type)) {
      case RecordType::kChunk: {
        if (pending_payload_.size() < kChunkHeaderSize) {
          return Status::Corruption(fmt::format("chunk record at offset {} is too short", pending_offset_));
        }
        ChunkHeader h = DecodeChunkHeader(pending_payload_.data());
        std::string label = ChunkLabel(schema_, h.table_index, h.seq);
        if (h.uuid != uuid_)
          return Status::Corruption("corrupt chunk: " + label + " belongs to another archive (UUID differs)");
        if (h.table_index >= schema_.tables.size()) {
          return Status::Corruption(fmt::format("corrupt chunk: {} names a table the schema does not have", label));
        }
        if (h.table_index < position_) {
          return Status::Corruption("corrupt chunk: " + label + " is out of order (tables must follow schema order)");
        }
        if (h.table_index > t) return false;
        std::vector<ManifestChunk>& seen = seen_[h.table_index];
        if (h.seq != seen.size()) {
          return Status::Corruption(fmt::format(
              "corrupt chunk: found {} where chunk {} was expected (chunks reordered, duplicated or missing)", label,
              seen.size()));
        }
        position_ = h.table_index;
        ManifestChunk mc;
        mc.rows = h.rows;
        mc.compressed_bytes = pending_payload_.size() - kChunkHeaderSize;
        mc.uncompressed_bytes = h.uncompressed_bytes;
        mc.checksum = pending_header_.checksum;
        mc.offset = pending_offset_;
        seen.push_back(mc);
        pending_ = false;
        if (h.table_index < t) continue;  // a table the caller skipped
        ChunkExpectation e;
        e.uuid = uuid_;
        e.table_index = t;
        e.seq = h.seq;
        e.columns = columns_[t];
        e.label = label;
        DECANT_RETURN_IF_ERROR(decoder->Load(pending_payload_, e));
        return true;
      }
      case RecordType::kManifest: DECANT_RETURN_IF_ERROR(CheckManifestAndEnd()); return false;
      case RecordType::kSchema:
      case RecordType::kEnd:
        return Status::Corruption(
            fmt::format("unexpected {} record at offset {}", RecordTypeName(pending_header_.type), pending_offset_));
      default:
        pending_ = false;  // a record type from a later 1.x minor: skippable by definition
        continue;
    }
  }
  return false;
}

Status StreamArchiveSource::CheckManifestAndEnd() {
  uint64_t manifest_offset = pending_offset_;
  DECANT_RETURN_IF_ERROR(ManifestFromJson(pending_payload_, &manifest_));
  pending_ = false;
  const Manifest& m = manifest_;
  if (m.format_major != kArchiveFormatMajor || m.form != "file" || m.uuid != uuid_) {
    return Status::Corruption("malformed manifest: its version, form or UUID disagrees with the archive header");
  }
  if (m.schema_checksum != schema_checksum_) {
    return Status::Corruption("the schema does not match the checksum recorded in the manifest");
  }
  DECANT_RETURN_IF_ERROR(CheckManifestTables(m, schema_));
  for (size_t t = 0; t < m.tables.size(); ++t) {
    const auto& want = m.tables[t].chunks;
    const auto& got = seen_[t];
    std::string name = QualifiedName(schema_.tables[t].schema, schema_.tables[t].name);
    if (want.size() != got.size()) {
      return Status::Corruption(
          fmt::format("manifest does not match the data: table \"{}\" has {} chunks, the manifest lists {}", name,
                      got.size(), want.size()));
    }
    for (size_t c = 0; c < want.size(); ++c) {
      if (want[c].rows != got[c].rows || want[c].checksum != got[c].checksum ||
          want[c].compressed_bytes != got[c].compressed_bytes ||
          want[c].uncompressed_bytes != got[c].uncompressed_bytes || want[c].offset != got[c].offset) {
        return Status::Corruption("manifest does not match the data: " +
                                  ChunkLabel(schema_, static_cast<uint32_t>(t), static_cast<uint32_t>(c)) +
                                  " differs from its manifest entry");
      }
    }
  }
  DECANT_RETURN_IF_ERROR(ReadRecord());
  if (pending_header_.type != static_cast<uint8_t>(RecordType::kEnd) || pending_payload_.size() != kEndPayloadSize) {
    return Status::Corruption(fmt::format("expected the end record at offset {}", pending_offset_));
  }
  pending_ = false;
  const char* p = pending_payload_.data();
  if (GetU64(p) != manifest_offset || GetU64(p + 8) != offset_ || std::memcmp(p + 16, uuid_.data(), 16) != 0) {
    return Status::Corruption("the end record does not match the archive (spliced or damaged)");
  }
  char extra;
  size_t got;
  DECANT_RETURN_IF_ERROR(in_->Read(1, &extra, &got));
  if (got != 0) return Status::Corruption(fmt::format("unexpected data after the end record at offset {}", offset_));
  finished_ = true;
  return Status::OK();
}

Status StreamArchiveSource::ReadToEnd() {
  current_ = static_cast<uint32_t>(schema_.tables.size());
  current_opened_ = true;
  ChunkDecoder unused;
  while (!finished_) {
    DECANT_ASSIGN_OR_RETURN(bool more, NextChunkFor(current_, &unused));
    if (more) return Status::Internal("stream reader returned a chunk past the last table");
  }
  return Status::OK();
}

class StreamChunkSupplier final : public ChunkSupplier {
 public:
  StreamChunkSupplier(StreamArchiveSource* src, uint32_t table) : src_(src), table_(table) {}
  Result<bool> NextChunk(ChunkDecoder* decoder) override { return src_->NextChunkFor(table_, decoder); }

 private:
  StreamArchiveSource* src_;
  uint32_t table_;
};

Result<std::unique_ptr<TableReader>> StreamArchiveSource::OpenTable(const Table& table) {
  int t = FindTable(schema_, table);
  std::string name = QualifiedName(table.schema, table.name);
  if (t < 0) return Status::NotFound("table " + name + " is not in the archive");
  auto index = static_cast<uint32_t>(t);
  if (index < current_ || (index == current_ && current_opened_)) {
    return Status::InvalidArgument("reading an archive from a stream: tables must be read in archive order, and \"" +
                                   name + "\" comes before a table already read");
  }
  current_ = index;
  current_opened_ = true;
  return std::unique_ptr<TableReader>(
      new ArchiveTableReader(std::make_unique<StreamChunkSupplier>(this, index), columns_[index]));
}

// Only a regular file can be read by seeking. "-", a FIFO, a process
// substitution (/dev/fd/N, a pipe) or a device is read front to back. A path
// that does not exist goes to the seekable reader, which reports it.
bool ReadAsStream(const std::string& path, FileSystem* fs) {
  return path == "-" || (fs->Exists(path) && !fs->IsDirectory(path) && !fs->IsRegularFile(path));
}

}  // namespace

bool IsArchiveHead(std::string_view head) {
  return head.size() >= kArchiveMagic.size() && std::equal(kArchiveMagic.begin(), kArchiveMagic.end(), head.begin());
}

bool IsArchiveDirectory(const std::string& path, FileSystem* fs) {
  return fs->Exists(JoinPath(path, "manifest.json")) ||
         (fs->Exists(JoinPath(path, "schema.json")) && fs->IsDirectory(JoinPath(path, "data")));
}

Result<std::unique_ptr<Source>> OpenArchiveSource(const std::string& path, FileSystem* fs) {
  if (path.empty()) return Status::InvalidArgument("archive path is empty");
  if (ReadAsStream(path, fs)) {
    DECANT_ASSIGN_OR_RETURN(auto src, StreamArchiveSource::Open(path, fs));
    return std::unique_ptr<Source>(std::move(src));
  }
  if (fs->IsDirectory(path)) {
    DECANT_ASSIGN_OR_RETURN(auto src, IndexedArchiveSource::OpenDirectory(path, fs));
    return std::unique_ptr<Source>(std::move(src));
  }
  DECANT_ASSIGN_OR_RETURN(auto src, IndexedArchiveSource::OpenFile(path, fs));
  return std::unique_ptr<Source>(std::move(src));
}

Result<std::unique_ptr<Source>> OpenArchiveStream(const std::string& path, FileSystem* fs) {
  DECANT_ASSIGN_OR_RETURN(auto src, StreamArchiveSource::Open(path, fs));
  return std::unique_ptr<Source>(std::move(src));
}

Result<ArchiveInfo> InspectArchive(const std::string& path, bool check, FileSystem* fs) {
  auto drain = [](Source* src, const Schema& schema) -> Status {
    RowBatch batch;
    for (const Table& t : schema.tables) {
      DECANT_ASSIGN_OR_RETURN(auto reader, src->OpenTable(t));
      while (true) {
        DECANT_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
        if (!more) break;
      }
    }
    return Status::OK();
  };
  if (ReadAsStream(path, fs)) {
    DECANT_ASSIGN_OR_RETURN(auto src, StreamArchiveSource::Open(path, fs));
    if (check) DECANT_RETURN_IF_ERROR(drain(src.get(), src->ReadSchema().value()));
    DECANT_RETURN_IF_ERROR(src->ReadToEnd());
    ArchiveInfo info = InfoFromManifest(src->manifest());
    info.total_bytes = src->bytes_read();
    return info;
  }
  std::unique_ptr<IndexedArchiveSource> src;
  if (fs->IsDirectory(path)) {
    DECANT_ASSIGN_OR_RETURN(src, IndexedArchiveSource::OpenDirectory(path, fs));
  } else {
    DECANT_ASSIGN_OR_RETURN(src, IndexedArchiveSource::OpenFile(path, fs));
  }
  if (check) DECANT_RETURN_IF_ERROR(drain(src.get(), src->ReadSchema().value()));
  ArchiveInfo info = InfoFromManifest(src->manifest());
  info.total_bytes = src->total_bytes();
  if (!src->signature().empty()) {
    ArchiveSignature sig;
    DECANT_RETURN_IF_ERROR(SignatureFromJson(src->signature(), &sig));
    info.signed_by = sig.key_id;
  }
  return info;
}

Status VerifyArchiveSignature(const std::string& path, const ArchiveKey& key, FileSystem* fs) {
  if (ReadAsStream(path, fs)) {
    return Status::InvalidArgument(
        "--verify-signature needs an archive file or directory: " + std::string(path == "-" ? "standard input" : path) +
        " is a stream, whose signature comes only after its rows");
  }
  std::unique_ptr<IndexedArchiveSource> src;
  if (fs->IsDirectory(path)) {
    DECANT_ASSIGN_OR_RETURN(src, IndexedArchiveSource::OpenDirectory(path, fs));
  } else {
    DECANT_ASSIGN_OR_RETURN(src, IndexedArchiveSource::OpenFile(path, fs));
  }
  return CheckArchiveSignature(key, src->signed_message(), src->signature(), "archive " + path);
}

}  // namespace decant

// ArchiveSink: writes the single-file or the directory form.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <ctime>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "archive/archive.h"
#include "archive/codec.h"
#include "archive/export_journal.h"
#include "archive/metadata.h"
#include "archive/shards.h"
#include "archive/signature.h"
#include "core/version.h"

namespace decant {
namespace {

// A chunk record made by the compression pool.
struct EncodedChunk {
  Status status;
  uint32_t seq = 0;
  uint64_t rows = 0;
  uint64_t uncompressed = 0;
  uint64_t compressed = 0;
  uint64_t checksum = 0;
  std::string record;
};

// Threads that turn rows into chunk records (compressing them), so that
// compression runs beside the reading and the encoding of rows, on as many
// cores as there are threads. Each thread keeps its own encoder. Jobs are
// taken in the order submitted; each caller waits for its own results in the
// order it wants them (its futures), so records are written in order.
class CompressPool {
 public:
  CompressPool(size_t threads, int level, uint32_t codec) {
    for (size_t i = 0; i < threads; ++i) {
      threads_.emplace_back([this, level, codec] { Run(level, codec); });
    }
  }
  ~CompressPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  CompressPool(const CompressPool&) = delete;
  CompressPool& operator=(const CompressPool&) = delete;

  size_t threads() const { return threads_.size(); }

  // Encodes `rows` (moved in) as the chunk `header` describes.
  std::future<EncodedChunk> Submit(const ChunkHeader& header, std::string rows) {
    auto job = std::make_shared<Job>();
    job->header = header;
    job->rows = std::move(rows);
    std::future<EncodedChunk> done = job->result.get_future();
    {
      std::lock_guard<std::mutex> lock(mu_);
      jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
    return done;
  }

 private:
  struct Job {
    ChunkHeader header;
    std::string rows;
    std::promise<EncodedChunk> result;
  };

  void Run(int level, uint32_t codec) {
    ChunkEncoder encoder(level, codec);
    while (true) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      EncodedChunk out;
      out.seq = job->header.seq;
      out.rows = job->header.rows;
      out.uncompressed = job->rows.size();
      out.status = encoder.Encode(job->header, job->rows);
      if (out.status.ok()) {
        out.compressed = encoder.compressed_bytes();
        out.checksum = encoder.checksum();
        out.record.assign(encoder.record());
      }
      job->rows = std::string();
      job->result.set_value(std::move(out));
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Job>> jobs_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

class ArchiveSink;

class ArchiveTableWriter final : public TableWriter {
 public:
  ArchiveTableWriter(ArchiveSink* sink, const ArchiveUuid& uuid, uint32_t index, const Table& table, size_t columns,
                     CompressPool* pool, size_t max_in_flight)
      : sink_(sink),
        uuid_(uuid),
        index_(index),
        label_(QualifiedName(table.schema, table.name)),
        columns_(columns),
        pool_(pool),
        max_in_flight_(max_in_flight) {
    buffer_.reserve(kBufferBytes);
  }
  ~ArchiveTableWriter() override;

  Status Write(const RowBatch& batch) override;
  Status Close() override;

 private:
  static constexpr size_t kBufferBytes = kChunkTargetBytes + (kChunkTargetBytes >> 2);
  // Hands the first `bytes` of the buffer (`rows` rows) to the pool; writes
  // the oldest chunks in flight while max_in_flight_ are.
  Status Flush(size_t bytes, uint64_t rows);
  // Waits for the oldest chunk in flight and adds it to the archive.
  Status WriteOldest();

 public:
  // A unit of a resumable export (ArchiveSink::OpenUnit): Close reports the
  // chunks it wrote, so that the journal says the unit is done.
  void BelongsTo(size_t unit) { unit_ = unit; }

 private:
  std::optional<size_t> unit_;
  std::vector<JournalChunk> mine_;  // with unit_: the chunks written
  ArchiveSink* sink_;
  ArchiveUuid uuid_;
  uint32_t index_;
  std::string label_;
  size_t columns_;
  CompressPool* pool_;
  size_t max_in_flight_;  // chunks handed to the pool and not yet written
  std::deque<std::future<EncodedChunk>> in_flight_;
  std::string buffer_;
  uint64_t buffered_rows_ = 0;
  bool closed_ = false;
  Status failed_;
};

class ArchiveSink final : public Sink {
 public:
  ArchiveSink(std::string path, ArchiveWriteOptions options, FileSystem* fs)
      : path_(std::move(path)), options_(std::move(options)), fs_(fs) {
    // A shard part's own directory is named in Begin; never the coordinator's.
    if (!shard_part()) partial_ = PartialPath(path_);
  }
  ~ArchiveSink() override {
    if (state_ != State::kCommitted && state_ != State::kAborted) Abort();
  }

  Status Begin(const Schema& schema, const SinkOptions& options) override;
  Result<std::unique_ptr<TableWriter>> OpenTable(const Table& table) override;
  Status Commit() override;
  void Abort() override;
  std::string Describe() const override { return "archive " + path_; }
  // An archive keeps every object of the schema it was given.
  SinkReport Report() const override;
  // The directory form writes each chunk to a file of its own, so tables, and
  // several writers of one table, can be written at once.
  size_t MaxParallelTables() const override { return directory() ? SIZE_MAX : 1; }
  // The directory form keeps a journal in ARCHIVE.partial (export_journal.h),
  // so that an interrupted export can continue there (--resume).
  bool Journaled() const override { return journaling_; }
  std::optional<LoadJournal> Resumed() const override { return resumed_; }
  Status StartJournal(const LoadJournal& journal) override;
  Result<std::unique_ptr<TableWriter>> OpenUnit(const Table& table, size_t unit) override;
  LeftState Left() const override { return left_; }
  // Called by a unit's writer once its chunks are written and synced.
  Status UnitDone(size_t unit, const std::vector<JournalChunk>& chunks);

  // Called by writers. A chunk's number is taken (NextChunk) before it is
  // encoded, since the checksummed chunk header holds it, and the chunk is
  // then added (AddChunk) at that place of the table's manifest list.
  Result<uint32_t> NextChunk(uint32_t table_index);
  Status AddChunk(uint32_t table_index, const EncodedChunk& chunk);
  void WriterDone(uint32_t table_index, bool closed);

 private:
  enum class State { kNew, kOpen, kCommitted, kAborted, kFailed };
  bool to_stdout() const { return path_ == "-"; }
  bool directory() const { return options_.form == ArchiveForm::kDirectory; }
  bool shard_part() const { return options_.shard_count > 0; }
  Status BeginShardPart();
  // --resume: continues in ARCHIVE.partial when it holds an interrupted
  // export of this schema (false: nothing to resume there).
  Result<bool> ResumePartial(const std::string& schema_json);
  std::string JournalPath() const { return JoinPath(partial_, std::string(kExportJournalFile)); }
  Status CommitShardPart();
  Status Fail(Status s) {
    std::lock_guard<std::mutex> lock(mu_);
    FailLocked(s);
    return s;
  }
  // Under mu_: the first write that failed stops the sink, and every writer
  // after it gets that error (a full disk), not "not open" (a consequence),
  // whichever of them reaches the work queue first.
  void FailLocked(const Status& s) {
    if (state_ == State::kOpen) state_ = State::kFailed;
    if (write_error_.ok()) write_error_ = s;
  }
  Status NotOpenLocked() const {
    if (state_ == State::kFailed && !write_error_.ok()) return write_error_;
    return Status::FailedPrecondition("archive sink is not open for writing");
  }
  // Chunks one writer may have in flight: the single-file form's one writer
  // keeps every pool thread busy and one more chunk queued; the directory
  // form's writers run side by side, each on its own thread, so two each
  // (one compressing, one queued) keep the pool busy with less memory.
  size_t MaxInFlight() const { return directory() ? 2 : pool_->threads() + 1; }

  std::string path_;
  ArchiveWriteOptions options_;
  FileSystem* fs_;
  std::string partial_;

  std::mutex mu_;
  State state_ = State::kNew;
  Status write_error_;  // the first chunk write that failed (under mu_)
  Schema schema_;
  Manifest manifest_;
  // Per table, what its writers did.
  struct Writing {
    uint32_t open = 0;          // writers open now
    bool written = false;       // a writer was closed
    bool abandoned = false;     // a writer was destroyed without a successful Close
    uint32_t next_seq = 0;      // chunk numbers taken
    uint32_t chunks_added = 0;  // of which added to the manifest
  };
  std::vector<Writing> writing_;
  size_t open_writers_ = 0;
  int64_t last_opened_ = -1;
  std::string schema_json_;             // the schema document, which a signature covers
  std::string snapshot_, attempt_;      // a shard part's
  std::unique_ptr<WritableFile> file_;  // single-file form
  uint64_t offset_ = 0;
  std::unique_ptr<CompressPool> pool_;     // made by Begin; joined before the sink goes
  bool journaling_ = false;                // the directory form, not a shard's part
  std::unique_ptr<WritableFile> journal_;  // ARCHIVE.partial/journal.jsonl, appended to
  std::optional<LoadJournal> resumed_;
  size_t units_done_ = 0;  // units in the journal as done (resumed ones too)
  LeftState left_ = LeftState::kUntouched;
};

ArchiveTableWriter::~ArchiveTableWriter() {
  // Chunks still in flight are dropped: their futures wait for the pool.
  for (auto& f : in_flight_) f.wait();
  if (!closed_) sink_->WriterDone(index_, false);
}

Status ArchiveTableWriter::Write(const RowBatch& batch) {
  if (closed_) return Status::FailedPrecondition("table " + label_ + ": Write after Close");
  if (!failed_.ok()) return failed_;
  if (batch.num_columns() != columns_) {
    return Status::InvalidArgument(
        fmt::format("table {}: batch has {} columns, the archive expects {}", label_, batch.num_columns(), columns_));
  }
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    size_t row_start = buffer_.size();
    const Value* row = batch.row(r);
    for (size_t c = 0; c < columns_; ++c) EncodeValue(row[c], &buffer_);
    ++buffered_rows_;
    if (buffer_.size() > kMaxChunkBytes) {
      if (buffer_.size() - row_start > kMaxChunkBytes) {
        failed_ = Status::InvalidArgument(fmt::format(
            "table {}: a row of {} bytes exceeds the archive's 1 GiB chunk limit", label_, buffer_.size() - row_start));
        return failed_;
      }
      // Cut before the oversized row so it starts a chunk of its own.
      Status s = Flush(row_start, buffered_rows_ - 1);
      if (!s.ok()) return failed_ = s;
    }
    if (buffer_.size() >= kChunkTargetBytes || buffered_rows_ >= kMaxChunkBytes) {
      Status s = Flush(buffer_.size(), buffered_rows_);
      if (!s.ok()) return failed_ = s;
    }
  }
  return Status::OK();
}

Status ArchiveTableWriter::Flush(size_t bytes, uint64_t rows) {
  if (rows == 0) return Status::OK();
  ChunkHeader h;
  h.table_index = index_;
  DECANT_ASSIGN_OR_RETURN(h.seq, sink_->NextChunk(index_));
  h.rows = rows;
  h.columns = static_cast<uint32_t>(columns_);
  h.uuid = uuid_;
  std::string rest;
  rest.reserve(kBufferBytes);
  rest.assign(buffer_, bytes);
  buffer_.resize(bytes);
  std::swap(rest, buffer_);  // `rest` now holds the chunk's rows
  buffered_rows_ -= rows;
  in_flight_.push_back(pool_->Submit(h, std::move(rest)));
  while (in_flight_.size() >= max_in_flight_) DECANT_RETURN_IF_ERROR(WriteOldest());
  return Status::OK();
}

Status ArchiveTableWriter::WriteOldest() {
  EncodedChunk chunk = in_flight_.front().get();
  in_flight_.pop_front();
  DECANT_RETURN_IF_ERROR(chunk.status);
  DECANT_RETURN_IF_ERROR(sink_->AddChunk(index_, chunk));
  if (unit_) mine_.push_back({chunk.seq, {chunk.rows, chunk.compressed, chunk.uncompressed, chunk.checksum, 0}});
  return Status::OK();
}

Status ArchiveTableWriter::Close() {
  if (closed_) return Status::OK();
  if (failed_.ok()) failed_ = Flush(buffer_.size(), buffered_rows_);
  while (failed_.ok() && !in_flight_.empty()) failed_ = WriteOldest();
  closed_ = true;
  if (failed_.ok() && unit_) failed_ = sink_->UnitDone(*unit_, mine_);
  sink_->WriterDone(index_, failed_.ok());
  return failed_;
}

SinkReport ArchiveSink::Report() const {
  SinkReport r;
  auto add = [&](const std::string& kind, const std::string& schema, const std::string& name,
                 const std::string& table) {
    r.created.push_back({kind, QualifiedName(schema, name), table, "", 1});
  };
  for (const Table& t : schema_.tables) add("table", t.schema, t.name, "");
  for (const Index& x : schema_.indexes) add(x.unique ? "unique index" : "index", x.schema, x.name, x.table);
  for (const View& v : schema_.views) add(v.materialized ? "materialized view" : "view", v.schema, v.name, "");
  for (const Trigger& t : schema_.triggers) add("trigger", t.schema, t.name, t.table);
  for (const Sequence& q : schema_.sequences) add("sequence value", q.schema, q.name, q.owner_table);
  for (const NativeObject& o : schema_.objects) add(o.kind, o.schema, o.name, o.table);
  return r;
}

Status ArchiveSink::Begin(const Schema& schema, const SinkOptions& options) {
  if (state_ != State::kNew) return Status::FailedPrecondition("archive sink: Begin called twice");
  state_ = State::kFailed;  // until Begin succeeds
  if (schema.tables.size() > UINT32_MAX) return Status::InvalidArgument("too many tables for an archive");
  if (shard_part()) {
    if (!directory()) return Status::InvalidArgument("a shard writes its part of a directory archive");
  } else if (directory()) {
    if (to_stdout()) return Status::InvalidArgument("the directory form cannot be written to standard output");
    // --force replaces a file or an archive directory, never any other directory.
    if (fs_->Exists(path_) && !options_.replace) {
      return Status::FailedPrecondition("cannot write archive directory " + path_ + ": it already exists");
    }
    if (fs_->IsDirectory(path_) && !IsArchiveDirectory(path_, fs_)) {
      return Status::FailedPrecondition("cannot write archive directory " + path_ +
                                        ": a directory that is not a decant archive is there (never replaced)");
    }
  } else {
    DECANT_RETURN_IF_ERROR(CheckOutputFile(fs_, path_, "archive file", options_.replace));
  }
  schema_ = schema;
  manifest_ = Manifest{};
  manifest_.decant_version = DECANT_VERSION;
  manifest_.uuid = NewRandomUuid();
  manifest_.form = directory() ? "directory" : "file";
  manifest_.source_engine = schema.engine;
  manifest_.server_version = schema.server_version;
  manifest_.database = schema.database;
  manifest_.created_at = NowUtc();
  for (const Table& t : schema.tables) {
    ManifestTable mt;
    mt.schema = t.schema;
    mt.name = t.name;
    manifest_.tables.push_back(std::move(mt));
  }
  writing_.assign(schema.tables.size(), Writing{});
  if (options_.zstd_level < 1 || options_.zstd_level > 19) {
    return Status::InvalidArgument(fmt::format("zstd level {} is not in 1..19", options_.zstd_level));
  }
  size_t threads = options_.compress_threads;
  if (threads == 0) threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
  pool_ = std::make_unique<CompressPool>(threads, options_.zstd_level,
                                         options_.compression == ArchiveCompression::kNone ? kCodecNone : kCodecZstd);
  std::string schema_json = SchemaToJson(schema);
  if (schema_json.size() > kMaxMetadataBytes) return Status::InvalidArgument("schema too large for an archive");
  manifest_.schema_checksum = Xxh3(schema_json);
  if (options_.sign && shard_part()) return Status::InvalidArgument("a shard's part cannot be signed");
  if (options_.sign) schema_json_ = schema_json;

  if (shard_part()) {
    DECANT_RETURN_IF_ERROR(BeginShardPart());
  } else if (directory()) {
    journaling_ = true;
    bool resumed = false;
    if (options.resume) {
      DECANT_ASSIGN_OR_RETURN(resumed, ResumePartial(schema_json));
    }
    if (!resumed) {
      if (!options.resume && fs_->Exists(JournalPath())) {
        spdlog::warn("{} held an interrupted export; starting over (--resume would have continued it)", partial_);
      }
      if (fs_->Exists(partial_)) DECANT_RETURN_IF_ERROR(fs_->Remove(partial_));
      DECANT_RETURN_IF_ERROR(fs_->CreateDir(partial_));
      DECANT_RETURN_IF_ERROR(fs_->CreateDir(JoinPath(partial_, "data")));
      DECANT_RETURN_IF_ERROR(WriteFileSynced(fs_, JoinPath(partial_, "schema.json"), schema_json));
    }
  } else {
    DECANT_ASSIGN_OR_RETURN(file_, fs_->NewWritableFile(to_stdout() ? path_ : partial_));
    char header[kFileHeaderSize];
    EncodeFileHeader(manifest_.uuid, header);
    char frame[kRecordHeaderSize];
    EncodeRecordHeader(RecordType::kSchema, schema_json, frame);
    DECANT_RETURN_IF_ERROR(file_->Append({header, sizeof header}));
    DECANT_RETURN_IF_ERROR(file_->Append({frame, sizeof frame}));
    DECANT_RETURN_IF_ERROR(file_->Append(schema_json));
    offset_ = kFileHeaderSize + kRecordHeaderSize + schema_json.size();
  }
  state_ = State::kOpen;
  return Status::OK();
}

Result<std::unique_ptr<TableWriter>> ArchiveSink::OpenTable(const Table& table) {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::kOpen) return NotOpenLocked();
  int64_t index = -1;
  for (size_t i = 0; i < schema_.tables.size(); ++i) {
    if (schema_.tables[i].schema == table.schema && schema_.tables[i].name == table.name) {
      index = static_cast<int64_t>(i);
      break;
    }
  }
  std::string label = QualifiedName(table.schema, table.name);
  if (index < 0) return Status::NotFound("table " + label + " is not in the archive's schema");
  Writing& w = writing_[index];
  if (!directory()) {
    if (w.open > 0 || w.written || w.abandoned) {
      return Status::FailedPrecondition("table " + label + " was already written");
    }
    // The single-file form is a stream: one table at a time, in schema order.
    if (open_writers_ > 0) {
      return Status::FailedPrecondition("single-file archive: close the open table before opening " + label);
    }
    if (index < last_opened_) {
      return Status::InvalidArgument("single-file archive: tables must be written in schema order (" + label +
                                     " comes before a table already written)");
    }
  }
  last_opened_ = index;
  ++w.open;
  ++open_writers_;
  const Table& t = schema_.tables[index];
  return std::unique_ptr<TableWriter>(new ArchiveTableWriter(this, manifest_.uuid, static_cast<uint32_t>(index), t,
                                                             DataColumns(t).size(), pool_.get(), MaxInFlight()));
}

Result<uint32_t> ArchiveSink::NextChunk(uint32_t table_index) {
  std::lock_guard<std::mutex> lock(mu_);
  Writing& w = writing_[table_index];
  if (w.next_seq == UINT32_MAX) {
    const Table& t = schema_.tables[table_index];
    return Status::InvalidArgument("table " + QualifiedName(t.schema, t.name) +
                                   " has more chunks than an archive can hold");
  }
  return w.next_seq++;
}

Status ArchiveSink::AddChunk(uint32_t table_index, const EncodedChunk& chunk) {
  const uint32_t seq = chunk.seq;
  const uint64_t rows = chunk.rows;
  ManifestChunk mc;
  mc.rows = rows;
  mc.compressed_bytes = chunk.compressed;
  mc.uncompressed_bytes = chunk.uncompressed;
  mc.checksum = chunk.checksum;
  if (directory()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (state_ != State::kOpen) return NotOpenLocked();
    }
    Status s = WriteFileSynced(fs_, JoinPath(partial_, ChunkFileName(table_index, seq)), chunk.record);
    if (!s.ok()) return Fail(s);
  } else {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::kOpen) return NotOpenLocked();
    mc.offset = offset_;
    Status s = file_->Append(chunk.record);
    if (!s.ok()) {
      FailLocked(s);
      return s;
    }
    offset_ += chunk.record.size();
  }
  std::lock_guard<std::mutex> lock(mu_);
  ManifestTable& t = manifest_.tables[table_index];
  t.rows += rows;
  // Writers of one table finish their chunks in any order; each lands at its
  // number, so the list is in seq order once every number taken was added.
  if (seq >= t.chunks.size()) t.chunks.resize(seq + size_t{1});
  t.chunks[seq] = mc;
  ++writing_[table_index].chunks_added;
  return Status::OK();
}

void ArchiveSink::WriterDone(uint32_t table_index, bool closed) {
  std::lock_guard<std::mutex> lock(mu_);
  if (table_index < writing_.size()) {
    Writing& w = writing_[table_index];
    if (w.open > 0) --w.open;
    (closed ? w.written : w.abandoned) = true;
  }
  if (open_writers_ > 0) --open_writers_;
}

Status ArchiveSink::Commit() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::kOpen) {
      return Status::FailedPrecondition("archive " + path_ + " cannot be committed: writing failed or finished");
    }
    for (size_t i = 0; i < writing_.size(); ++i) {
      const Table& t = schema_.tables[i];
      const Writing& w = writing_[i];
      if (w.open > 0 || w.abandoned || w.chunks_added != w.next_seq) {
        state_ = State::kFailed;
        return Status::FailedPrecondition("archive " + path_ + ": table " + QualifiedName(t.schema, t.name) +
                                          (w.open > 0 ? " is still open" : " was not closed"));
      }
    }
  }
  std::string manifest = ManifestToJson(manifest_);
  // The signature record (format 1.3): in the single-file form just before the
  // manifest record, in the directory form the file "signature".
  std::string signature;
  if (options_.sign) {
    auto document = SignArchive(*options_.sign, SignedMessage(schema_json_, manifest));
    if (!document.ok()) {
      Abort();
      return document.status();
    }
    char frame[kRecordHeaderSize];
    EncodeRecordHeader(RecordType::kSignature, *document, frame);
    signature.assign(frame, sizeof frame);
    signature += *document;
  }
  Status s;
  if (shard_part()) {
    s = CommitShardPart();
  } else if (directory()) {
    // The journal is the writing's, never the archive's.
    if (journal_) {
      s = journal_->Close();
      journal_.reset();
      if (s.ok()) s = fs_->Remove(JournalPath());
    }
    if (s.ok() && !signature.empty()) s = WriteFileSynced(fs_, JoinPath(partial_, kSignatureFile), signature);
    if (s.ok()) s = WriteDirectoryManifest(fs_, partial_, manifest);
    if (s.ok()) s = fs_->SyncDir(JoinPath(partial_, "data"));
    if (s.ok()) s = fs_->SyncDir(partial_);
    if (s.ok()) s = Publish(fs_, partial_, path_, options_.replace);
  } else {
    if (!signature.empty()) {
      s = file_->Append(signature);
      offset_ += signature.size();
    }
    uint64_t manifest_offset = offset_;
    char frame[kRecordHeaderSize];
    EncodeRecordHeader(RecordType::kManifest, manifest, frame);
    char end_payload[kEndPayloadSize];
    uint64_t total = offset_ + kRecordHeaderSize + manifest.size() + kEndRecordSize;
    PutU64(end_payload, manifest_offset);
    PutU64(end_payload + 8, total);
    std::memcpy(end_payload + 16, manifest_.uuid.data(), 16);
    char end_frame[kRecordHeaderSize];
    EncodeRecordHeader(RecordType::kEnd, {end_payload, kEndPayloadSize}, end_frame);
    if (s.ok()) s = file_->Append({frame, sizeof frame});
    if (s.ok()) s = file_->Append(manifest);
    if (s.ok()) s = file_->Append({end_frame, sizeof end_frame});
    if (s.ok()) s = file_->Append({end_payload, sizeof end_payload});
    if (s.ok()) s = file_->Sync();
    if (s.ok()) s = file_->Close();
    if (s.ok() && !to_stdout()) s = Publish(fs_, partial_, path_, options_.replace);
  }
  if (!s.ok()) {
    Abort();
    return s;
  }
  file_.reset();
  state_ = State::kCommitted;
  return Status::OK();
}

// A shard's chunks go to a directory of this run's own (partial_ from here
// on, so that AddChunk and Abort need nothing else), named at random so that
// two runs of one shard never meet; the part file names it.
Status ArchiveSink::BeginShardPart() {
  DECANT_ASSIGN_OR_RETURN(ShardPlan plan, ReadShardPlan(path_, fs_));
  std::string shard = fmt::format("shard {}/{}", options_.shard_index, options_.shard_count);
  if (plan.shards != options_.shard_count || options_.shard_index >= plan.shards) {
    return Status::InvalidArgument(
        fmt::format("{}: the plan at {} is for {} shards", shard, ShardPlanPath(path_), plan.shards));
  }
  // The tables and their columns must be the coordinator's, so that chunks
  // fit them; the rest of the schema may differ (a sequence's value is read
  // outside the snapshot) and schema.json keeps the coordinator's.
  DECANT_RETURN_IF_ERROR(CheckShardTables(path_, plan, schema_, fs_).WithContext(shard));
  if (!ParseUuid(plan.uuid, &manifest_.uuid)) return Status::Corruption(ShardPlanPath(path_) + ": malformed UUID");
  std::string part = ShardPartPath(path_, options_.shard_index);
  if (fs_->Exists(part)) {
    return Status::FailedPrecondition(shard + " is done already (" + part + " exists); nothing was written");
  }
  ArchiveUuid run = NewRandomUuid();
  snapshot_ = plan.snapshot;
  attempt_ = fmt::format("run-{}-{:02x}{:02x}{:02x}{:02x}", options_.shard_index, run[0], run[1], run[2], run[3]);
  partial_ = JoinPath(ShardsDir(path_), attempt_);
  DECANT_RETURN_IF_ERROR(fs_->CreateDir(partial_));
  return fs_->CreateDir(JoinPath(partial_, "data"));
}

Status ArchiveSink::CommitShardPart() {
  ShardPart part;
  part.shard = options_.shard_index;
  part.shards = options_.shard_count;
  part.snapshot = snapshot_;
  part.uuid = UuidToString(manifest_.uuid);
  part.attempt = attempt_;
  part.units = options_.shard_units;
  for (size_t t = 0; t < manifest_.tables.size(); ++t) {
    const std::vector<ManifestChunk>& chunks = manifest_.tables[t].chunks;
    for (size_t k = 0; k < chunks.size(); ++k) {
      const ManifestChunk& c = chunks[k];
      part.chunks.push_back({static_cast<uint32_t>(t), static_cast<uint32_t>(k), c.rows, c.compressed_bytes,
                             c.uncompressed_bytes, c.checksum});
    }
  }
  return WriteShardPart(path_, part, fs_);
}

void ArchiveSink::Abort() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == State::kCommitted || state_ == State::kAborted) return;
    state_ = State::kAborted;
  }
  if (file_) {
    (void)file_->Close();
    file_.reset();
  }
  journal_.reset();
  // What complete units wrote stays in ARCHIVE.partial for --resume.
  if (journaling_ && units_done_ > 0) {
    left_ = LeftState::kResumable;
    return;
  }
  // A stream simply ends without its end record; readers report it as truncated.
  if (!to_stdout() && !partial_.empty() && fs_->Exists(partial_)) (void)fs_->Remove(partial_);
}

// ---- resumable export ------------------------------------------------------------

Status ArchiveSink::StartJournal(const LoadJournal& journal) {
  if (!journaling_ || resumed_) return Status::OK();
  DECANT_ASSIGN_OR_RETURN(journal_, fs_->NewWritableFile(JournalPath()));
  DECANT_RETURN_IF_ERROR(journal_->Append(ExportJournalHead(UuidToString(manifest_.uuid), journal)));
  DECANT_RETURN_IF_ERROR(journal_->Sync());
  return fs_->SyncDir(partial_);
}

Result<std::unique_ptr<TableWriter>> ArchiveSink::OpenUnit(const Table& table, size_t unit) {
  DECANT_ASSIGN_OR_RETURN(std::unique_ptr<TableWriter> writer, OpenTable(table));
  if (journal_) static_cast<ArchiveTableWriter*>(writer.get())->BelongsTo(unit);
  return writer;
}

Status ArchiveSink::UnitDone(size_t unit, const std::vector<JournalChunk>& chunks) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!journal_) return Status::OK();
  // Its chunk files are synced (AddChunk); their directory entries too, before
  // the journal says so.
  DECANT_RETURN_IF_ERROR(fs_->SyncDir(JoinPath(partial_, "data")));
  DECANT_RETURN_IF_ERROR(journal_->Append(ExportJournalUnit(unit, chunks)));
  DECANT_RETURN_IF_ERROR(journal_->Sync());
  ++units_done_;
  return Status::OK();
}

// A table is kept when every unit of it is done and each of its chunk files
// matches the journal (size and checksum); its chunks are then the manifest's.
// Any other table's chunk files go, and its units are written again.
Result<bool> ArchiveSink::ResumePartial(const std::string& schema_json) {
  if (!fs_->Exists(JournalPath())) return false;
  auto read = [&](const std::string& path) -> Result<std::string> {
    DECANT_ASSIGN_OR_RETURN(auto f, fs_->NewRandomAccessFile(path));
    std::string out(static_cast<size_t>(f->Size()), '\0');
    DECANT_RETURN_IF_ERROR(f->ReadAt(0, out.size(), out.data()));
    return out;
  };
  DECANT_ASSIGN_OR_RETURN(std::string written_schema, read(JoinPath(partial_, "schema.json")));
  if (written_schema != schema_json) {
    return Status::FailedPrecondition(
        "--resume: " + partial_ +
        " was written from another schema (the source changed, or other tables were chosen); start over without "
        "--resume");
  }
  DECANT_ASSIGN_OR_RETURN(std::string text, read(JournalPath()));
  DECANT_ASSIGN_OR_RETURN(ExportJournal j, ParseExportJournal(text));
  if (!ParseUuid(j.uuid, &manifest_.uuid)) return Status::Corruption(JournalPath() + ": malformed UUID");
  // Each unit's table in this schema.
  std::vector<int64_t> table_of(j.load.units.size(), -1);
  for (size_t u = 0; u < j.load.units.size(); ++u) {
    for (size_t t = 0; t < schema_.tables.size(); ++t) {
      if (QualifiedName(schema_.tables[t].schema, schema_.tables[t].name) == j.load.units[u].target_table) {
        table_of[u] = static_cast<int64_t>(t);
      }
    }
    if (table_of[u] < 0) return Status::Corruption(JournalPath() + ": a unit of a table the schema does not have");
  }
  std::vector<bool> keep(schema_.tables.size(), true);
  for (size_t u = 0; u < j.load.units.size(); ++u) {
    if (!j.load.units[u].rows) keep[static_cast<size_t>(table_of[u])] = false;
  }
  std::string payload;
  for (size_t t = 0; t < schema_.tables.size(); ++t) {
    if (!keep[t]) continue;
    std::vector<ManifestChunk> chunks;
    for (size_t u = 0; u < j.load.units.size() && keep[t]; ++u) {
      if (table_of[u] != static_cast<int64_t>(t)) continue;
      for (const JournalChunk& c : j.chunks[u]) {
        if (c.seq >= chunks.size()) chunks.resize(c.seq + size_t{1});
        chunks[c.seq] = c.chunk;
        std::string label = fmt::format("chunk {} of table {}", c.seq, schema_.tables[t].name);
        Status st = ReadChunkFile(fs_, JoinPath(partial_, ChunkFileName(static_cast<uint32_t>(t), c.seq)), c.chunk,
                                  label, &payload);
        if (!st.ok()) {
          spdlog::warn("--resume: {}; table {} is written again", st.message(), schema_.tables[t].name);
          keep[t] = false;
          break;
        }
      }
    }
    // Every number taken was written (a gap: a chunk the journal lacks).
    for (const ManifestChunk& c : chunks) keep[t] = keep[t] && c.compressed_bytes > 0;
    if (!keep[t]) continue;
    ManifestTable& mt = manifest_.tables[t];
    mt.chunks = std::move(chunks);
    for (const ManifestChunk& c : mt.chunks) mt.rows += c.rows;
    Writing& w = writing_[t];
    w.next_seq = w.chunks_added = static_cast<uint32_t>(mt.chunks.size());
    w.written = true;
  }
  // The chunk files of tables written again go; the journal is written anew
  // with the units kept, then appended to.
  DECANT_ASSIGN_OR_RETURN(std::vector<std::string> files, fs_->ListDir(JoinPath(partial_, "data")));
  for (const std::string& f : files) {
    for (size_t t = 0; t < schema_.tables.size(); ++t) {
      if (keep[t] || !f.starts_with(fmt::format("t{:06}-", t))) continue;
      DECANT_RETURN_IF_ERROR(fs_->Remove(JoinPath(JoinPath(partial_, "data"), f)));
    }
  }
  std::string fresh = ExportJournalHead(j.uuid, j.load);
  for (size_t u = 0; u < j.load.units.size(); ++u) {
    if (keep[static_cast<size_t>(table_of[u])]) {
      fresh += ExportJournalUnit(u, j.chunks[u]);
      ++units_done_;
    } else {
      j.load.units[u].rows.reset();
    }
  }
  std::string next = JournalPath() + ".new";
  DECANT_ASSIGN_OR_RETURN(journal_, fs_->NewWritableFile(next));
  DECANT_RETURN_IF_ERROR(journal_->Append(fresh));
  DECANT_RETURN_IF_ERROR(journal_->Sync());
  DECANT_RETURN_IF_ERROR(fs_->Rename(next, JournalPath()));
  DECANT_RETURN_IF_ERROR(fs_->SyncDir(partial_));
  resumed_ = std::move(j.load);
  return true;
}

}  // namespace

Result<std::unique_ptr<Sink>> OpenArchiveSink(const std::string& path, const ArchiveWriteOptions& options,
                                              FileSystem* fs) {
  if (path.empty()) return Status::InvalidArgument("archive path is empty");
  if (options.form == ArchiveForm::kDirectory && path == "-") {
    return Status::InvalidArgument("the directory form cannot be written to standard output");
  }
  return std::unique_ptr<Sink>(new ArchiveSink(path, options, fs));
}

}  // namespace decant

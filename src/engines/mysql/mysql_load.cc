#include "engines/mysql/mysql_load.h"

#include <mysqld_error.h>

#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

namespace decant::mysql_internal {
namespace {

constexpr size_t kStatementBytes = 8u << 20;  // LOAD DATA: one statement per ~8 MiB
constexpr size_t kInsertBytes = 4u << 20;     // INSERT: below the 16 MiB max_allowed_packet default
constexpr size_t kPending = 2;                // encoded statements waiting for the loader

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}
void AppendUInt(uint64_t v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

// LOAD DATA's escaping (ESCAPED BY '\\'): the field and line terminators,
// the escape itself and NUL.
void AppendEscaped(std::string_view s, std::string* out) {
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    const char* rep = nullptr;
    switch (c) {
      case '\\': rep = "\\\\"; break;
      case '\t': rep = "\\t"; break;
      case '\n': rep = "\\n"; break;
      case '\0': rep = "\\0"; break;
      default: continue;
    }
    out->append(s.data() + start, i - start);
    out->append(rep);
    start = i + 1;
  }
  out->append(s.data() + start, s.size() - start);
}

// Non-binary parts of a cell: numbers, bools, YEAR's four digits. Returns
// false for text and bytes, which the callers quote their own way.
Status AppendScalar(const Value& v, CellKind kind, std::string* out, bool* handled) {
  *handled = true;
  switch (v.kind()) {
    case Value::Kind::kBool: out->push_back(v.as_bool() ? '1' : '0'); return Status::OK();
    case Value::Kind::kInt:
      if (kind == CellKind::kYear && v.as_int() >= 0 && v.as_int() <= 9999) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "%04d", static_cast<int>(v.as_int()));
        out->append(buf);  // "0" would read as the year 2000, "0000" is the zero year
      } else {
        AppendInt(v.as_int(), out);
      }
      return Status::OK();
    case Value::Kind::kUInt: AppendUInt(v.as_uint(), out); return Status::OK();
    case Value::Kind::kFloat:
      if (!std::isfinite(v.as_float())) return Status::DataLoss("MySQL cannot store NaN or infinity");
      out->append(FormatDouble(v.as_float()));
      return Status::OK();
    default: *handled = false; return Status::OK();
  }
}

// The bytes a text or bytes value is stored as: geometry WKB becomes
// MySQL's stored form.
Status PayloadFor(const Value& v, CellKind kind, std::string* scratch, std::string_view* out) {
  if (kind == CellKind::kGeometry) {
    DECANT_RETURN_IF_ERROR(WkbToGeometry(v.as_string(), scratch));
    *out = *scratch;
  } else {
    *out = v.as_string();
  }
  return Status::OK();
}

// Encodes rows into statements; one subclass per method.
class Encoder {
 public:
  virtual ~Encoder() = default;
  // Appends one row to `out` (which may already hold earlier rows).
  virtual Status AppendRow(const Value* row, std::string* out) = 0;
  // The statement to run for an encoded buffer; LOAD DATA streams the buffer
  // through the infile handler, INSERT is the buffer itself.
  virtual bool streams() const = 0;
  virtual std::string Statement() const = 0;
  virtual size_t flush_bytes() const = 0;
  virtual void Finish(std::string* /*out*/) {}
};

class LoadDataEncoder : public Encoder {
 public:
  LoadDataEncoder(const std::string& table, const std::vector<std::string>& columns, std::vector<CellKind> kinds,
                  int auto_increment)
      : kinds_(std::move(kinds)) {
    // CHARACTER SET binary: the server reads the bytes as they are (text is
    // UTF-8 already); columns in other character sets convert from utf8mb4.
    std::string list, set;
    bool any_set = false;
    for (CellKind k : kinds_) any_set |= k == CellKind::kBit || k == CellKind::kTextConverted;
    for (size_t i = 0; i < columns.size(); ++i) {
      std::string col = QuoteIdent(columns[i]);
      std::string var = "@v" + std::to_string(i);
      list += (i ? ", " : "");
      if (kinds_[i] == CellKind::kBit) {
        list += var;
        set += (set.empty() ? " SET " : ", ") + col + " = CAST(" + var + " AS UNSIGNED)";
      } else if (kinds_[i] == CellKind::kTextConverted) {
        list += var;
        set += (set.empty() ? " SET " : ", ") + col + " = CONVERT(" + var + " USING utf8mb4)";
      } else if (any_set && static_cast<int>(i) == auto_increment) {
        // MariaDB 10.11 forgets NO_AUTO_VALUE_ON_ZERO for a column read
        // directly when the statement has a SET clause: a 0 would become the
        // next counter value. Through a variable it stays 0.
        list += var;
        set += (set.empty() ? " SET " : ", ") + col + " = " + var;
      } else {
        list += col;
      }
    }
    statement_ = "LOAD DATA LOCAL INFILE 'decant' INTO TABLE " + QuoteIdent(table) +
                 " CHARACTER SET binary FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (" +
                 list + ")" + set;
  }
  Status AppendRow(const Value* row, std::string* out) override {
    for (size_t c = 0; c < kinds_.size(); ++c) {
      if (c) out->push_back('\t');
      const Value& v = row[c];
      if (v.is_null()) {
        out->append("\\N");
        continue;
      }
      bool handled = false;
      DECANT_RETURN_IF_ERROR(AppendScalar(v, kinds_[c], out, &handled));
      if (handled) continue;
      std::string_view payload;
      DECANT_RETURN_IF_ERROR(PayloadFor(v, kinds_[c], &scratch_, &payload));
      AppendEscaped(payload, out);
    }
    out->push_back('\n');
    return Status::OK();
  }
  bool streams() const override { return true; }
  std::string Statement() const override { return statement_; }
  size_t flush_bytes() const override { return kStatementBytes; }

 private:
  std::vector<CellKind> kinds_;
  std::string statement_;
  std::string scratch_;
};

class InsertEncoder : public Encoder {
 public:
  InsertEncoder(MYSQL* mysql, const std::string& table, const std::vector<std::string>& columns,
                std::vector<CellKind> kinds)
      : mysql_(mysql), kinds_(std::move(kinds)) {
    head_ = "INSERT INTO " + QuoteIdent(table) + " (";
    for (size_t i = 0; i < columns.size(); ++i) head_ += (i ? ", " : "") + QuoteIdent(columns[i]);
    head_ += ") VALUES ";
  }
  Status AppendRow(const Value* row, std::string* out) override {
    out->append(out->empty() ? head_ + "(" : ",(");
    for (size_t c = 0; c < kinds_.size(); ++c) {
      if (c) out->push_back(',');
      const Value& v = row[c];
      if (v.is_null()) {
        out->append("NULL");
        continue;
      }
      bool handled = false;
      if (kinds_[c] == CellKind::kYear && v.kind() == Value::Kind::kInt) out->push_back('\'');
      DECANT_RETURN_IF_ERROR(AppendScalar(v, kinds_[c], out, &handled));
      if (kinds_[c] == CellKind::kYear && v.kind() == Value::Kind::kInt) out->push_back('\'');
      if (handled) continue;
      std::string_view payload;
      DECANT_RETURN_IF_ERROR(PayloadFor(v, kinds_[c], &scratch_, &payload));
      // Text is a utf8mb4 literal (converted to the column's charset);
      // bytes and geometry are binary literals, never converted.
      bool binary = v.kind() == Value::Kind::kBytes || kinds_[c] == CellKind::kBinary ||
                    kinds_[c] == CellKind::kGeometry;
      if (binary) out->append("_binary");
      size_t at = out->size();
      out->resize(at + payload.size() * 2 + 2);
      (*out)[at] = '\'';
      unsigned long n = mysql_real_escape_string(mysql_, out->data() + at + 1, payload.data(), payload.size());
      out->resize(at + 1 + n);
      out->push_back('\'');
    }
    out->push_back(')');
    return Status::OK();
  }
  bool streams() const override { return false; }
  std::string Statement() const override { return ""; }
  size_t flush_bytes() const override { return kInsertBytes; }

 private:
  MYSQL* mysql_;
  std::vector<CellKind> kinds_;
  std::string head_;
  std::string scratch_;
};

// Feeds one buffer to LOAD DATA LOCAL INFILE (libmariadb's infile callbacks).
struct InfileSource {
  const std::string* data = nullptr;
  size_t pos = 0;
};
int InfileInit(void** ptr, const char*, void* userdata) {
  *ptr = userdata;
  return 0;
}
int InfileRead(void* ptr, char* buf, unsigned int len) {
  auto* src = static_cast<InfileSource*>(ptr);
  size_t n = std::min<size_t>(len, src->data->size() - src->pos);
  std::memcpy(buf, src->data->data() + src->pos, n);
  src->pos += n;
  return static_cast<int>(n);
}
void InfileEnd(void*) {}
int InfileError(void*, char* msg, unsigned int len) {
  std::snprintf(msg, len, "decant: infile read failed");
  return 1;
}

class BulkWriter : public TableWriter {
 public:
  BulkWriter(Connection* conn, std::unique_ptr<Encoder> encoder, std::string table, std::vector<std::string> columns,
             std::function<void()> release)
      : conn_(conn), encoder_(std::move(encoder)), table_(std::move(table)), columns_(std::move(columns)),
        release_(std::move(release)) {
    loader_ = std::thread([this] { LoaderLoop(); });
  }
  ~BulkWriter() override {
    Stop();
    if (release_) release_();
  }

  Status Write(const RowBatch& batch) override {
    if (batch.num_columns() != columns_.size()) {
      return Status::Internal("table " + table_ + ": batch has " + std::to_string(batch.num_columns()) +
                              " columns, expected " + std::to_string(columns_.size()));
    }
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      Status st = encoder_->AppendRow(batch.row(r), &current_);
      if (!st.ok()) return Status(st.code(), "table " + table_ + ": " + st.message());
      if (current_.size() >= encoder_->flush_bytes()) DECANT_RETURN_IF_ERROR(Hand());
    }
    return LoaderStatus();
  }

  Status Close() override {
    if (!current_.empty()) DECANT_RETURN_IF_ERROR(Hand());
    Stop();
    return LoaderStatus();
  }

 private:
  // Gives the current buffer to the loader, waiting while it is kPending behind.
  Status Hand() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return queue_.size() < kPending || !error_.ok(); });
    if (!error_.ok()) return error_;
    queue_.push_back(std::move(current_));
    current_ = std::string();
    current_.reserve(encoder_->flush_bytes() + (1u << 20));
    cv_.notify_all();
    return Status::OK();
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
      cv_.notify_all();
    }
    if (loader_.joinable()) loader_.join();
  }

  Status LoaderStatus() {
    std::lock_guard lock(mu_);
    return error_;
  }

  void LoaderLoop() {
    for (;;) {
      std::string buf;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !queue_.empty() || done_; });
        if (queue_.empty() || !error_.ok()) return;
        buf = std::move(queue_.front());
        queue_.pop_front();
      }
      Status st = Run(buf);
      std::lock_guard lock(mu_);
      if (!st.ok() && error_.ok()) error_ = st;
      cv_.notify_all();
      if (!error_.ok()) return;
    }
  }

  // Runs one statement and turns any warning into an error: the server
  // changed or skipped something, so the copy would not be exact.
  Status Run(const std::string& buf) {
    MYSQL* mysql = conn_->get();
    int rc;
    if (encoder_->streams()) {
      InfileSource src{&buf, 0};
      mysql_set_local_infile_handler(mysql, InfileInit, InfileRead, InfileEnd, InfileError, &src);
      std::string sql = encoder_->Statement();
      rc = mysql_real_query(mysql, sql.data(), sql.size());
      mysql_set_local_infile_default(mysql);
    } else {
      rc = mysql_real_query(mysql, buf.data(), buf.size());
    }
    if (rc != 0) return conn_->Error("table " + table_);
    if (mysql_warning_count(mysql) == 0) return Status::OK();
    auto rows = conn_->Query("SHOW WARNINGS LIMIT 3");
    if (!rows.ok()) return rows.status().WithContext("table " + table_);
    StatusCode code = StatusCode::kOk;
    std::string msg;
    for (const Row& r : *rows) {
      if (r.size() < 3 || r[0].value_or("") == "Note") continue;
      unsigned err = static_cast<unsigned>(std::atoi(r[1].value_or("0").c_str()));
      bool constraint = err == ER_DUP_ENTRY || err == ER_BAD_NULL_ERROR || err == ER_NO_REFERENCED_ROW_2 ||
                        err == ER_WARN_NULL_TO_NOTNULL;
      if (code == StatusCode::kOk) code = constraint ? StatusCode::kFailedPrecondition : StatusCode::kDataLoss;
      msg += (msg.empty() ? "" : "; ") + r[2].value_or("");
    }
    if (code == StatusCode::kOk) return Status::OK();
    for (char& c : msg) {
      if (c == '\n') c = ' ';
    }
    return Status(code, "table " + table_ + ": the server did not take the rows as they are: " + msg);
  }

  Connection* conn_;
  std::unique_ptr<Encoder> encoder_;
  std::string table_;
  std::vector<std::string> columns_;
  std::function<void()> release_;
  std::string current_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool done_ = false;
  Status error_;
  std::thread loader_;
};

}  // namespace

LoadMethod DefaultLoadMethod() {
  const char* env = std::getenv("DECANT_MYSQL_LOAD");
  return env && std::strcmp(env, "insert") == 0 ? LoadMethod::kInsert : LoadMethod::kLoadData;
}

std::unique_ptr<TableWriter> NewTableWriter(Connection* conn, LoadMethod method, const std::string& table,
                                            std::vector<std::string> columns, std::vector<CellKind> kinds,
                                            int auto_increment, std::function<void()> release) {
  std::unique_ptr<Encoder> encoder;
  if (method == LoadMethod::kInsert) {
    encoder = std::make_unique<InsertEncoder>(conn->get(), table, columns, std::move(kinds));
  } else {
    encoder = std::make_unique<LoadDataEncoder>(table, columns, std::move(kinds), auto_increment);
  }
  return std::make_unique<BulkWriter>(conn, std::move(encoder), table, std::move(columns), std::move(release));
}

}  // namespace decant::mysql_internal

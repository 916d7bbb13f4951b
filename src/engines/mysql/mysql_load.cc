#include "engines/mysql/mysql_load.h"

#include <mysqld_error.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "core/ascii.h"

namespace decant::mysql_internal {
namespace {

constexpr size_t kStatementBytes = 8u << 20;  // LOAD DATA: one statement per ~8 MiB
constexpr int kDeadlockRetries = 5;
constexpr size_t kInsertBytes = 4u << 20;  // INSERT: below the 16 MiB max_allowed_packet default
constexpr size_t kPending = 2;             // encoded statements waiting for the loader

// Integers and doubles in their shortest exact text form.
template <typename T>
void AppendNumber(T v, std::string* out) {
  char buf[32];
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

// Encodes rows into statements: LOAD DATA's tab-separated lines (the
// statement streams the buffer through the infile handler), or the VALUES
// of a multi-row INSERT (the buffer is the statement).
class Encoder {
 public:
  Encoder(const Connection* conn, LoadMethod method, const std::string& table, const std::vector<std::string>& columns,
          std::vector<CellKind> kinds, int auto_increment, const std::vector<std::string>& key)
      : conn_(conn), insert_(method != LoadMethod::kLoadData), kinds_(std::move(kinds)) {
    if (insert_) {
      head_ = "INSERT INTO " + QuoteIdent(table) + " (";
      for (size_t i = 0; i < columns.size(); ++i) head_ += (i ? ", " : "") + QuoteIdent(columns[i]);
      head_ += ") VALUES (";
      if (method == LoadMethod::kUpsert) {
        // VALUES(c): the row's value (MariaDB's only spelling; MySQL 8.0.20+
        // warns that it is deprecated, which Run lets pass).
        for (const std::string& c : columns) {
          if (std::find(key.begin(), key.end(), c) != key.end()) continue;
          tail_ +=
              (tail_.empty() ? " ON DUPLICATE KEY UPDATE " : ", ") + QuoteIdent(c) + " = VALUES(" + QuoteIdent(c) + ")";
        }
        if (tail_.empty() && !key.empty()) {  // every column is key
          tail_ = " ON DUPLICATE KEY UPDATE " + QuoteIdent(key.front()) + " = VALUES(" + QuoteIdent(key.front()) + ")";
        }
      }
      return;
    }
    // CHARACTER SET binary: the server reads the bytes as they are (text is
    // UTF-8 already); columns in other character sets convert from utf8mb4.
    std::string list, set;
    bool any_set = false;
    for (CellKind k : kinds_) any_set |= k == CellKind::kBit || k == CellKind::kTextConverted;
    for (size_t i = 0; i < columns.size(); ++i) {
      std::string col = QuoteIdent(columns[i]);
      std::string var = "@v" + std::to_string(i);
      std::string value;  // what the column is SET to from `var`, if it is read into one
      if (kinds_[i] == CellKind::kBit) {
        value = "CAST(" + var + " AS UNSIGNED)";
      } else if (kinds_[i] == CellKind::kTextConverted) {
        value = "CONVERT(" + var + " USING utf8mb4)";
      } else if (any_set && static_cast<int>(i) == auto_increment) {
        // MariaDB 10.11 forgets NO_AUTO_VALUE_ON_ZERO for a column read
        // directly when the statement has a SET clause: a 0 would become the
        // next counter value. Through a variable it stays 0.
        value = var;
      }
      list += (i ? ", " : "") + (value.empty() ? col : var);
      if (!value.empty()) set += (set.empty() ? " SET " : ", ") + col + " = " + value;
    }
    statement_ = "LOAD DATA LOCAL INFILE 'decant' INTO TABLE " + QuoteIdent(table) +
                 " CHARACTER SET binary FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (" +
                 list + ")" + set;
  }

  // Appends one row to `out` (which may already hold earlier rows).
  Status AppendRow(const Value* row, std::string* out) {
    if (insert_) out->append(out->empty() ? std::string_view(head_) : std::string_view(",("));
    for (size_t c = 0; c < kinds_.size(); ++c) {
      if (c) out->push_back(insert_ ? ',' : '\t');
      DECANT_RETURN_IF_ERROR(AppendCell(row[c], kinds_[c], out));
    }
    out->push_back(insert_ ? ')' : '\n');
    return Status::OK();
  }

  // The statement that loads a buffer streamed as its infile; empty when the
  // buffer is a statement itself (INSERT).
  const std::string& statement() const { return statement_; }
  // What ends an INSERT statement after its last row ("" but for kUpsert).
  const std::string& tail() const { return tail_; }
  bool upsert() const { return !tail_.empty(); }
  size_t flush_bytes() const { return insert_ ? kInsertBytes : kStatementBytes; }

 private:
  Status AppendCell(const Value& v, CellKind kind, std::string* out) {
    switch (v.kind()) {
      case Value::Kind::kNull: out->append(insert_ ? "NULL" : "\\N"); return Status::OK();
      case Value::Kind::kBool: out->push_back(v.as_bool() ? '1' : '0'); return Status::OK();
      case Value::Kind::kInt:
        if (kind != CellKind::kYear) {
          AppendNumber(v.as_int(), out);
          return Status::OK();
        }
        if (insert_) out->push_back('\'');
        if (v.as_int() >= 0 && v.as_int() <= 9999) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "%04d", static_cast<int>(v.as_int()));
          out->append(buf);  // "0" would read as the year 2000, "0000" is the zero year
        } else {
          AppendNumber(v.as_int(), out);
        }
        if (insert_) out->push_back('\'');
        return Status::OK();
      case Value::Kind::kUInt: AppendNumber(v.as_uint(), out); return Status::OK();
      case Value::Kind::kFloat:
        if (!std::isfinite(v.as_float())) return Status::DataLoss("MySQL cannot store NaN or infinity");
        AppendNumber(v.as_float(), out);
        return Status::OK();
      case Value::Kind::kText:
      case Value::Kind::kBytes: break;
    }
    // The bytes a text or bytes value is stored as: geometry WKB becomes
    // MySQL's stored form.
    std::string_view payload = v.as_string();
    if (kind == CellKind::kGeometry) {
      DECANT_RETURN_IF_ERROR(WkbToGeometry(payload, &scratch_));
      payload = scratch_;
    }
    if (!insert_) {
      AppendEscaped(payload, out);
      return Status::OK();
    }
    // Text is a utf8mb4 literal (converted to the column's charset);
    // bytes and geometry are binary literals, never converted.
    if (v.kind() == Value::Kind::kBytes || kind == CellKind::kBinary || kind == CellKind::kGeometry) {
      out->append("_binary");
    }
    conn_->AppendQuoted(payload, out);
    return Status::OK();
  }

  const Connection* conn_;
  bool insert_;
  std::vector<CellKind> kinds_;
  std::string head_;       // INSERT: "INSERT INTO t (...) VALUES ("
  std::string statement_;  // LOAD DATA: the statement
  std::string tail_;       // kUpsert: " ON DUPLICATE KEY UPDATE ..."
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
  BulkWriter(Connection* conn, Encoder encoder, std::string table, size_t num_columns, std::function<void()> release,
             std::vector<std::string> reproduced)
      : conn_(conn),
        encoder_(std::move(encoder)),
        table_(std::move(table)),
        num_columns_(num_columns),
        release_(std::move(release)),
        reproduced_(std::move(reproduced)) {
    loader_ = std::thread([this] { LoaderLoop(); });
  }
  ~BulkWriter() override {
    Stop();
    if (release_) release_();
  }

  Status Write(const RowBatch& batch) override {
    if (batch.num_columns() != num_columns_) {
      return Status::Internal("table " + table_ + ": batch has " + std::to_string(batch.num_columns()) +
                              " columns, expected " + std::to_string(num_columns_));
    }
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      Status st = encoder_.AppendRow(batch.row(r), &current_);
      if (!st.ok()) return st.WithContext("table " + table_);
      ++current_rows_;
      if (current_.size() >= encoder_.flush_bytes()) DECANT_RETURN_IF_ERROR(Hand());
    }
    return LoaderStatus();
  }

  Status Close() override {
    if (!current_.empty()) DECANT_RETURN_IF_ERROR(Hand());
    Stop();
    return LoaderStatus();
  }

  uint64_t Updated() const override { return updated_; }

 private:
  // Gives the current buffer to the loader, waiting while it is kPending behind.
  Status Hand() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return queue_.size() < kPending || !error_.ok(); });
    if (!error_.ok()) return error_;
    current_ += encoder_.tail();
    queue_.push_back({std::move(current_), current_rows_});
    current_rows_ = 0;
    current_ = std::string();
    current_.reserve(encoder_.flush_bytes() + (1u << 20));
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
      std::pair<std::string, uint64_t> buf;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !queue_.empty() || done_; });
        if (queue_.empty() || !error_.ok()) return;
        buf = std::move(queue_.front());
        queue_.pop_front();
      }
      Status st = Run(buf.first, buf.second);
      std::lock_guard lock(mu_);
      if (!st.ok() && error_.ok()) error_ = st;
      cv_.notify_all();
      if (!error_.ok()) return;
    }
  }

  // Runs one statement and turns any warning into an error: the server
  // changed or skipped something, so the copy would not be exact.
  // `row_count`: how many rows the buffer holds.
  Status Run(const std::string& buf, uint64_t row_count) {
    MYSQL* mysql = conn_->get();
    // Several writers of one table (a table read in slices) can deadlock in
    // InnoDB; the server then rolls back the victim's transaction. When the
    // statement is its own transaction (autocommit, none open), that is
    // exactly this statement, so it is run again; inside a transaction the
    // rollback took earlier statements too, and the error stands.
    bool own_transaction =
        (mysql->server_status & SERVER_STATUS_AUTOCOMMIT) && !(mysql->server_status & SERVER_STATUS_IN_TRANS);
    int rc;
    for (int attempt = 0;; ++attempt) {
      if (const std::string& sql = encoder_.statement(); !sql.empty()) {
        InfileSource src{&buf, 0};
        mysql_set_local_infile_handler(mysql, InfileInit, InfileRead, InfileEnd, InfileError, &src);
        rc = mysql_real_query(mysql, sql.data(), sql.size());
        mysql_set_local_infile_default(mysql);
      } else {
        rc = mysql_real_query(mysql, buf.data(), buf.size());
      }
      if (rc == 0 || !own_transaction || mysql_errno(mysql) != ER_LOCK_DEADLOCK || attempt >= kDeadlockRetries) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20 << attempt));
    }
    if (rc != 0) return conn_->Error("table " + table_);
    if (encoder_.upsert()) DECANT_RETURN_IF_ERROR(CountUpdated(mysql, row_count));
    unsigned count = mysql_warning_count(mysql);
    if (count == 0) return Status::OK();
    // Every warning is read when some may pass (max_error_count is raised
    // for the session); one that was not kept cannot be checked and fails.
    auto rows = conn_->Query(reproduced_.empty() ? "SHOW WARNINGS LIMIT 3" : "SHOW WARNINGS");
    if (!rows.ok()) return rows.status().WithContext("table " + table_);
    StatusCode code = !reproduced_.empty() && rows->size() < count ? StatusCode::kDataLoss : StatusCode::kOk;
    std::string msg = code == StatusCode::kOk ? "" : std::to_string(count) + " warnings, too many to check";
    for (const Row& r : *rows) {
      if (r.size() < 3 || r[0].value_or("") == "Note") continue;
      unsigned err = static_cast<unsigned>(std::atoi(r[1].value_or("0").c_str()));
      if (Reproduced(err, r[2].value_or(""))) continue;
      if (encoder_.upsert() && err == ER_WARN_DEPRECATED_SYNTAX) continue;  // VALUES(c) on MySQL 8.0.20+
      bool constraint = err == ER_DUP_ENTRY || err == ER_BAD_NULL_ERROR || err == ER_NO_REFERENCED_ROW_2 ||
                        err == ER_WARN_NULL_TO_NOTNULL;
      if (code == StatusCode::kOk) code = constraint ? StatusCode::kFailedPrecondition : StatusCode::kDataLoss;
      msg += (msg.empty() ? "" : "; ") + r[2].value_or("");
    }
    if (code == StatusCode::kOk) return Status::OK();
    return Status(code, "table " + table_ + ": the server did not take the rows as they are: " + OneLine(msg));
  }

  // After an upsert statement of `rows` rows: adds the rows that found their
  // key to updated_ (mysql_load.h, kUpsert).
  Status CountUpdated(MYSQL* mysql, uint64_t rows) {
    uint64_t affected = mysql_affected_rows(mysql);
    uint64_t changed = 0;
    const char* info = mysql_info(mysql);
    if (info) {
      const char* d = std::strstr(info, "Duplicates:");
      if (d) changed = std::strtoull(d + 11, nullptr, 10);
    } else if (rows != 1) {
      return Status::Internal("table " + table_ + ": the server did not say how many rows an upsert inserted");
    } else {
      changed = affected == 2 ? 1 : 0;
    }
    uint64_t inserted = affected - 2 * changed;
    if (affected < 2 * changed || inserted > rows) {
      return Status::Internal("table " + table_ + ": upsert counts do not add up (" + std::to_string(rows) + " rows, " +
                              std::to_string(affected) + " affected, " + std::to_string(changed) + " changed)");
    }
    updated_ += rows - inserted;
    return Status::OK();
  }

  // A value change the source had made too: a warning of that kind about a
  // column of reproduced_ (named 'c' or `db`.`t`.`c` in the message).
  bool Reproduced(unsigned err, const std::string& message) const {
    if (err != WARN_DATA_TRUNCATED && err != ER_WARN_DATA_OUT_OF_RANGE && err != ER_TRUNCATED_WRONG_VALUE &&
        err != ER_TRUNCATED_WRONG_VALUE_FOR_FIELD && err != ER_DATA_OUT_OF_RANGE) {
      return false;
    }
    size_t at = message.rfind(" column ");
    if (at == std::string::npos) return false;
    std::string_view rest = std::string_view(message).substr(at + 8);
    char quote = rest.empty() ? '\0' : rest[0];
    if (quote != '\'' && quote != '`') return false;
    size_t end = rest.find(quote, 1);
    // `db`.`t`.`c`: the last quoted part is the column.
    while (end != std::string_view::npos && quote == '`' && end + 2 < rest.size() && rest[end + 1] == '.' &&
           rest[end + 2] == '`') {
      rest.remove_prefix(end + 2);
      end = rest.find(quote, 1);
    }
    if (end == std::string_view::npos) return false;
    std::string column = AsciiLower(rest.substr(1, end - 1));
    return std::find(reproduced_.begin(), reproduced_.end(), column) != reproduced_.end();
  }

  Connection* conn_;
  Encoder encoder_;
  std::string table_;
  size_t num_columns_;
  std::function<void()> release_;
  std::vector<std::string> reproduced_;
  std::string current_;
  uint64_t current_rows_ = 0;  // rows in current_
  uint64_t updated_ = 0;       // upsert: rows that found their key (loader thread until Stop)

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::string, uint64_t>> queue_;  // statements and their rows
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
                                            const std::vector<std::string>& columns, std::vector<CellKind> kinds,
                                            int auto_increment, std::function<void()> release,
                                            std::vector<std::string> reproduced, const std::vector<std::string>& key) {
  Encoder encoder(conn, method, table, columns, std::move(kinds), auto_increment, key);
  return std::make_unique<BulkWriter>(conn, std::move(encoder), table, columns.size(), std::move(release),
                                      std::move(reproduced));
}

}  // namespace decant::mysql_internal

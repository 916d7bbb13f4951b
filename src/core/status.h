// Status and Result<T>: how errors cross module boundaries in decant.
//
// Every fallible function returns a Status (or a Result<T> holding either a
// value or a non-OK Status). Exceptions thrown by third-party libraries are
// caught at the adapter's edge and turned into a Status there. The CLI maps
// each StatusCode to a documented exit code (see cli/exit_codes.h).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace decant {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad URI, bad option, unknown scheme
  kNotFound,            // file, table or database that does not exist
  kCorruption,          // archive damaged, truncated, malformed or not an archive
  kUnsupportedVersion,  // archive written by a newer format version
  kIOError,             // local file-system failure
  kNoSpace,             // local disk full
  kUnavailable,         // cannot reach or lost the source/target server
  kFailedPrecondition,  // target not empty, wrong state
  kDataLoss,            // a value the target cannot hold exactly
  kCancelled,           // interrupted by a signal
  kRefused,             // the target refused the DDL of a table, key or foreign key
  kNotCarried,          // --strict-objects: an object the target will not get (or refused)
  kInternal,            // a bug in decant
};

// Human-readable name of a code, e.g. "Corruption".
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status UnsupportedVersion(std::string m) { return {StatusCode::kUnsupportedVersion, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status NoSpace(std::string m) { return {StatusCode::kNoSpace, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status Refused(std::string m) { return {StatusCode::kRefused, std::move(m)}; }
  static Status NotCarried(std::string m) { return {StatusCode::kNotCarried, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // One line, no trailing newline; never contains a password.
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Returns a copy whose message is "<prefix>: <message>".
  Status WithContext(const std::string& prefix) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value of type T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(data_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace decant

#define DECANT_CONCAT_INNER(a, b) a##b
#define DECANT_CONCAT(a, b) DECANT_CONCAT_INNER(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define DECANT_RETURN_IF_ERROR(expr)         \
  do {                                       \
    ::decant::Status _decant_st = (expr);    \
    if (!_decant_st.ok()) return _decant_st; \
  } while (0)

// `lhs` = value of `rexpr` (a Result<T>), or returns its Status.
#define DECANT_ASSIGN_OR_RETURN(lhs, rexpr) \
  DECANT_ASSIGN_OR_RETURN_IMPL(DECANT_CONCAT(_decant_res_, __LINE__), lhs, rexpr)
#define DECANT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                 \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

// RowBatch: a bounded group of rows of one table, the unit that flows from a
// Source to a Sink. A batch is "full" once it holds kMaxRows rows or about
// kMaxBytes bytes of payload, whichever comes first, so the memory one batch
// needs does not depend on the table's size. Batches are reused: Clear() keeps
// the allocated cells so a steady-state copy allocates almost nothing.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/value.h"

namespace decant {

class RowBatch {
 public:
  static constexpr size_t kMaxRows = 8192;
  static constexpr size_t kMaxBytes = 4u << 20;  // 4 MiB of payload

  explicit RowBatch(size_t num_columns = 0) : num_columns_(num_columns) {}

  // Empties the batch and sets its width; keeps allocated cells.
  void Reset(size_t num_columns) {
    num_columns_ = num_columns;
    Clear();
  }
  // Empties the batch. Cells keep their string buffers for reuse, but only up
  // to kMaxBytes in total: a cell that once held a large value would otherwise
  // keep that memory for the rest of the table.
  void Clear() {
    num_rows_ = 0;
    payload_bytes_ = 0;
    static const size_t kInline = std::string().capacity();  // small-string buffer, not on the heap
    size_t budget = kMaxBytes;
    for (Value& cell : cells_) {
      size_t held = cell.buffer_capacity();
      if (held <= kInline) continue;
      if (held > budget) {
        cell.ReleaseBuffer();
      } else {
        budget -= held;
      }
    }
  }

  size_t num_columns() const { return num_columns_; }
  size_t num_rows() const { return num_rows_; }
  bool empty() const { return num_rows_ == 0; }
  bool full() const { return num_rows_ >= kMaxRows || payload_bytes_ >= kMaxBytes; }
  // Approximate payload bytes held (text/bytes lengths, 8 per scalar).
  size_t payload_bytes() const { return payload_bytes_; }

  // Appends a row and returns its num_columns() cells for the caller to fill
  // (their previous contents are unspecified). Call AddPayload() with the
  // bytes written so full() stays accurate.
  Value* AppendRow() {
    size_t need = (num_rows_ + 1) * num_columns_;
    if (cells_.size() < need) cells_.resize(need);
    return &cells_[num_rows_++ * num_columns_];
  }
  void AddPayload(size_t bytes) { payload_bytes_ += bytes; }

  const Value* row(size_t r) const { return &cells_[r * num_columns_]; }
  Value* mutable_row(size_t r) { return &cells_[r * num_columns_]; }
  const Value& at(size_t r, size_t c) const { return cells_[r * num_columns_ + c]; }

 private:
  size_t num_columns_;
  size_t num_rows_ = 0;
  size_t payload_bytes_ = 0;
  std::vector<Value> cells_;
};

}  // namespace decant

#include "core/row_batch.h"

#include <gtest/gtest.h>

namespace decant {
namespace {

size_t RetainedBytes(RowBatch& batch, size_t rows) {
  // Re-append `rows` rows to reach the kept cells and sum their buffers.
  size_t total = 0;
  for (size_t r = 0; r < rows; ++r) total += batch.AppendRow()->buffer_capacity();
  return total;
}

TEST(RowBatch, FullByRowsOrBytes) {
  RowBatch b(2);
  for (size_t i = 0; i < RowBatch::kMaxRows - 1; ++i) b.AppendRow();
  EXPECT_FALSE(b.full());
  b.AppendRow();
  EXPECT_TRUE(b.full());
  b.Clear();
  EXPECT_TRUE(b.empty());
  b.AppendRow()->SetText(std::string(10, 'x'));
  b.AddPayload(RowBatch::kMaxBytes);
  EXPECT_TRUE(b.full());
}

TEST(RowBatch, ClearBoundsTheMemoryCellsKeep) {
  RowBatch b(1);
  const std::string big(1 << 20, 'x');  // 1 MiB values, one per row, 64 rows
  for (int i = 0; i < 64; ++i) b.AppendRow()->SetText(big);
  b.Clear();
  EXPECT_LE(RetainedBytes(b, 64), RowBatch::kMaxBytes + size_t{64} * 32);
  // Small values keep their buffers for reuse.
  b.Clear();
  for (int i = 0; i < 64; ++i) b.AppendRow()->SetText(std::string(100, 'y'));
  b.Clear();
  EXPECT_GE(RetainedBytes(b, 64), 64u * 100);
}

TEST(Value, ExactEqualityIsBitwise) {
  EXPECT_FALSE(Value::Float(0.0) == Value::Float(-0.0));
  EXPECT_TRUE(Value::Text("") == Value::Text(""));
  EXPECT_FALSE(Value::Text("") == Value::Null());
  EXPECT_FALSE(Value::Text("a") == Value::Bytes("a"));
  EXPECT_FALSE(Value::Int(1) == Value::UInt(1));
}

}  // namespace
}  // namespace decant

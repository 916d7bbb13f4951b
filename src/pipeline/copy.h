// CopyDatabase: the one pipeline behind export, import and migrate.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/endpoint.h"
#include "pipeline/progress.h"

namespace decant {

struct CopyOptions {
  SinkOptions sink;
  Progress* progress = nullptr;  // may be null
  // Tables copied at once, each by its own reader and writer; capped by what
  // the source and the sink allow (MaxParallelTables).
  size_t jobs = 1;
};

struct TableCopyStats {
  std::string table;  // qualified name
  uint64_t rows = 0;
  uint64_t bytes = 0;
};

struct CopySummary {
  std::vector<TableCopyStats> tables;
  size_t indexes = 0, views = 0, triggers = 0, sequences = 0;
  uint64_t rows = 0;
  uint64_t bytes = 0;
  double seconds = 0;
};

// Reads the schema and every table of `source` and writes them to `sink`.
// Each table's rows are read on a worker thread and handed to the sink
// through a bounded queue, so memory stays bounded whatever the table size.
// On any error the sink is aborted (nothing is left looking complete) and the
// error is returned with the table it happened in.
Result<CopySummary> CopyDatabase(Source& source, Sink& sink, const CopyOptions& options);

}  // namespace decant

// An interrupted export's journal (docs/archive-format.md, "An interrupted
// export"): ARCHIVE.partial/journal.jsonl, JSON lines the directory form's
// sink appends (and syncs) as it goes, so that `decant export --resume`
// continues in ARCHIVE.partial. Never part of a published archive.
//   line 1: {"journal":1,"uuid":U,"source":S,"source_identity":I,
//            "units":[{"table":T,"target":W,"slice":i,"slices":n,"bounds":B,"label":L},...]}
//   then one line per unit whose writer closed, once its chunks were synced:
//            {"unit":k,"chunks":[[seq,rows,compressed_bytes,uncompressed_bytes,checksum],...]}
// A last line cut short (the process died while writing it) is ignored.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "archive/metadata.h"
#include "core/endpoint.h"
#include "core/status.h"

namespace decant {

inline constexpr std::string_view kExportJournalFile = "journal.jsonl";

struct JournalChunk {
  uint32_t seq = 0;
  ManifestChunk chunk;
};

struct ExportJournal {
  std::string uuid;                               // the archive's, which its chunks carry
  LoadJournal load;                               // units' rows set for those done
  std::vector<std::vector<JournalChunk>> chunks;  // per unit: the chunks it wrote (done units)
};

// The first line (with its newline).
std::string ExportJournalHead(const std::string& uuid, const LoadJournal& journal);
// A done unit's line (with its newline).
std::string ExportJournalUnit(size_t unit, const std::vector<JournalChunk>& chunks);
// Corruption for a journal that is not one (a bad first line, a unit out of
// range); a torn last line is left out.
Result<ExportJournal> ParseExportJournal(std::string_view text);

}  // namespace decant

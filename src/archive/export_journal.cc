#include "archive/export_journal.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace decant {
namespace {

using Json = nlohmann::ordered_json;
constexpr int kVersion = 1;

std::string Line(const Json& j) { return j.dump(-1, ' ', false, nlohmann::detail::error_handler_t::replace) + "\n"; }

}  // namespace

std::string ExportJournalHead(const std::string& uuid, const LoadJournal& journal) {
  Json units = Json::array();
  for (const JournalUnit& u : journal.units) {
    units.push_back({{"table", u.table_name},
                     {"target", u.target_table},
                     {"slice", u.slice.index},
                     {"slices", u.slice.count},
                     {"bounds", u.slice.bounds},
                     {"label", u.slice.label}});
  }
  return Line({{"journal", kVersion},
               {"uuid", uuid},
               {"source", journal.source},
               {"source_identity", journal.source_identity},
               {"units", units}});
}

std::string ExportJournalUnit(size_t unit, const std::vector<JournalChunk>& chunks) {
  Json list = Json::array();
  for (const JournalChunk& c : chunks) {
    list.push_back({c.seq, c.chunk.rows, c.chunk.compressed_bytes, c.chunk.uncompressed_bytes, c.chunk.checksum});
  }
  return Line({{"unit", unit}, {"chunks", list}});
}

Result<ExportJournal> ParseExportJournal(std::string_view text) {
  ExportJournal out;
  size_t pos = 0;
  bool head = true;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) break;  // torn: the process died writing it
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    Json j = Json::parse(line, nullptr, false);
    std::string what = std::string(kExportJournalFile);
    try {
      if (head) {
        if (j.is_discarded() || j.value("journal", 0) != kVersion) {
          return Status::Corruption(what + ": not an export journal this decant reads");
        }
        out.uuid = j.at("uuid").get<std::string>();
        out.load.source = j.at("source").get<std::string>();
        out.load.source_identity = j.at("source_identity").get<std::string>();
        for (const Json& u : j.at("units")) {
          JournalUnit unit;
          unit.table_name = u.at("table").get<std::string>();
          unit.target_table = u.at("target").get<std::string>();
          unit.slice.index = u.at("slice").get<size_t>();
          unit.slice.count = u.at("slices").get<size_t>();
          unit.slice.bounds = u.at("bounds").get<std::string>();
          unit.slice.label = u.at("label").get<std::string>();
          out.load.units.push_back(std::move(unit));
        }
        out.chunks.resize(out.load.units.size());
        head = false;
        continue;
      }
      if (j.is_discarded()) return Status::Corruption(what + ": a line is not JSON");
      size_t unit = j.at("unit").get<size_t>();
      if (unit >= out.load.units.size())
        return Status::Corruption(fmt::format("{}: unit {} is not planned", what, unit));
      std::vector<JournalChunk> chunks;
      uint64_t rows = 0;
      for (const Json& c : j.at("chunks")) {
        JournalChunk jc;
        jc.seq = c.at(0).get<uint32_t>();
        jc.chunk.rows = c.at(1).get<uint64_t>();
        jc.chunk.compressed_bytes = c.at(2).get<uint64_t>();
        jc.chunk.uncompressed_bytes = c.at(3).get<uint64_t>();
        jc.chunk.checksum = c.at(4).get<uint64_t>();
        rows += jc.chunk.rows;
        chunks.push_back(jc);
      }
      out.chunks[unit] = std::move(chunks);
      out.load.units[unit].rows = rows;
    } catch (const nlohmann::json::exception& e) {
      return Status::Corruption(what + ": " + e.what());
    }
  }
  if (head) return Status::Corruption(std::string(kExportJournalFile) + ": empty");
  return out;
}

}  // namespace decant

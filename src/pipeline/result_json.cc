#include "pipeline/result_json.h"

#include <algorithm>

#include "archive/archive.h"
#include "core/redact.h"
#include "core/schema.h"
#include "pipeline/plan.h"
#include "pipeline/row_converter.h"
#include "pipeline/scan.h"
#include "pipeline/verify.h"

namespace decant {

using Json = nlohmann::ordered_json;

std::string DumpJson(const Json& doc, int indent) {
  return doc.dump(indent, ' ', false, Json::error_handler_t::replace);
}

nlohmann::ordered_json RedactStrings(const nlohmann::ordered_json& doc) {
  if (doc.is_string()) return RedactSecrets(doc.get_ref<const std::string&>());
  if (doc.is_array()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& item : doc) out.push_back(RedactStrings(item));
    return out;
  }
  if (doc.is_object()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const auto& [key, value] : doc.items()) out[RedactSecrets(key)] = RedactStrings(value);
    return out;
  }
  return doc;
}

const char* LossKey(Loss loss) {
  switch (loss) {
    case Loss::kExact: return "exact";
    case Loss::kSomeValues: return "some_values";
    case Loss::kAllValues: return "all_values";
  }
  return "exact";
}

Json PlanJson(const MigrationPlan& plan, const Schema& source) {
  Json tables = Json::array();
  for (const TablePlan& t : plan.tables) {
    Json columns = Json::array();
    size_t lossy = 0;
    for (const ColumnPlan& c : t.columns) {
      Loss worst = Loss::kExact;
      Json risks = Json::array();
      for (const Risk& r : c.risks) {
        worst = std::max(worst, r.loss);
        risks.push_back({{"loss", LossKey(r.loss)}, {"what", r.what}});
      }
      if (worst != Loss::kExact) ++lossy;
      columns.push_back({{"name", c.name},
                         {"target_name", c.target_name},
                         {"source_type", c.source_type},
                         {"target_type", c.target_type},
                         {"loss", LossKey(worst)},
                         {"risks", std::move(risks)}});
    }
    tables.push_back({{"table", QualifiedName(t.read->schema, t.read->name)},
                      {"target", QualifiedName(t.write.schema, t.write.name)},
                      {"lossy_columns", lossy},
                      {"columns", std::move(columns)}});
  }
  return Json{
      {"source", {{"engine", plan.source_engine}, {"version", source.server_version}, {"database", source.database}}},
      {"target", {{"engine", plan.target_engine}}},
      {"data_only", plan.data_only},
      {"tables", std::move(tables)},
      {"not_carried", plan.not_carried},
      {"changed", plan.changed},
      {"notes", plan.notes}};
}

Json ConversionJson(const ColumnConversions& c) {
  Json out = {{"table", c.table}, {"column", c.column}, {"count", c.count}, {"reason", c.reason}, {"keys", c.keys}};
  if (c.null_in_not_null) out["null_in_not_null"] = c.null_in_not_null;
  return out;
}

Json PlanScanJson(const PlanScan& scan) {
  Json conversions = Json::array();
  for (const ColumnConversions& c : scan.columns) conversions.push_back(ConversionJson(c));
  return Json{{"rows", scan.rows},
              {"tables_read", scan.tables_read},
              {"tables_skipped", scan.tables_skipped},
              {"conversions", std::move(conversions)}};
}

Json VerifyJson(const VerifyReport& report, const std::string& a, const std::string& b) {
  auto side = [](const std::string& describe, const std::vector<TableDigest>& digests) {
    Json tables = Json::array();
    uint64_t rows = 0;
    for (const TableDigest& d : digests) {
      rows += d.rows;
      tables.push_back({{"table", d.table}, {"rows", d.rows}, {"hash", DigestHex(d.hash)}});
    }
    return Json{{"source", describe}, {"rows", rows}, {"tables", std::move(tables)}};
  };
  Json differences = Json::array();
  for (const TableDifference& d : report.differences) {
    differences.push_back(
        {{"table", d.table}, {"reason", d.reason}, {"details", d.details}, {"differing_rows", d.differing_rows}});
  }
  return Json{{"a", side(a, report.a)},
              {"b", side(b, report.b)},
              {"equal", report.equal()},
              {"differences", std::move(differences)}};
}

Json ArchiveInfoJson(const ArchiveInfo& info, const std::string& path, bool checked) {
  Json tables = Json::array();
  uint64_t rows = 0, chunks = 0, compressed = 0, raw = 0;
  for (const ArchiveTableInfo& t : info.tables) {
    uint64_t t_compressed = 0, t_raw = 0;
    Json checksums = Json::array();
    for (const ArchiveChunkInfo& c : t.chunks) {
      t_compressed += c.compressed_bytes;
      t_raw += c.uncompressed_bytes;
      checksums.push_back(c.checksum);
    }
    rows += t.rows;
    chunks += t.chunks.size();
    compressed += t_compressed;
    raw += t_raw;
    tables.push_back({{"table", QualifiedName(t.schema, t.name)},
                      {"rows", t.rows},
                      {"chunks", t.chunks.size()},
                      {"compressed_bytes", t_compressed},
                      {"uncompressed_bytes", t_raw},
                      {"checksums", std::move(checksums)}});
  }
  return Json{
      {"archive", path},
      {"form", info.form},
      {"bytes", info.total_bytes},
      {"format_version", info.format_version},
      {"decant_version", info.decant_version},
      {"source", {{"engine", info.source_engine}, {"version", info.server_version}, {"database", info.database}}},
      {"created_at", info.created_at},
      {"rows", rows},
      {"chunks", chunks},
      {"compressed_bytes", compressed},
      {"uncompressed_bytes", raw},
      {"checked", checked},
      {"tables", std::move(tables)}};
}

}  // namespace decant

#include "archive/dump_index.h"

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <nlohmann/json.hpp>

#include "archive/metadata.h"
#include "core/hex.h"
#include "core/utf8.h"

namespace decant {
namespace {

using Json = nlohmann::ordered_json;

// Thrown only inside this file; DumpIndexFromJson turns it into a Status.
struct IndexError {
  std::string message;
};

[[noreturn]] void Fail(const std::string& message) { throw IndexError{message}; }

// The archive's convention for strings from a database: the string itself when
// valid UTF-8 (nlohmann refuses anything else), else {"hex": "..."}.
Json Str(const std::string& s) {
  if (IsValidUtf8(s)) return s;
  return Json{{"hex", ToHex(s)}};
}

std::string GetStr(const Json& o, const char* key, const std::string& where, bool required) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) {
    if (required) Fail(where + key + ": missing");
    return {};
  }
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object() && it->size() == 1 && it->contains("hex") && it->at("hex").is_string()) {
    std::string hex = it->at("hex").get<std::string>();
    if (hex.size() % 2 != 0) Fail(where + key + ": odd number of hex digits");
    std::string out;
    if (!AppendDecodedHex(hex, &out)) Fail(where + key + ": not hex digits");
    return out;
  }
  Fail(where + key + ": expected a string");
}

}  // namespace

std::string DumpIndexToJson(const DumpIndex& index) {
  Json databases = Json::array();
  for (const DumpIndexEntry& e : index.databases) {
    databases.push_back(Json{{"name", Str(e.database)}, {"archive", Str(e.archive)}});
  }
  Json j = {{"format", kDumpIndexFormatName},
            {"format_version", fmt::format("{}.{}", index.format_major, index.format_minor)},
            {"decant_version", Str(index.decant_version)},
            {"created_at", Str(index.created_at)},
            {"databases", std::move(databases)}};
  return j.dump(2) + "\n";
}

Status DumpIndexFromJson(std::string_view text, const std::string& what, DumpIndex* out) {
  try {
    Json j = Json::parse(text);
    if (!j.is_object()) Fail("not a JSON object");
    auto format = j.find("format");
    if (format == j.end() || !format->is_string() || format->get<std::string>() != kDumpIndexFormatName) {
      return Status::Corruption(what + " is not a decant dump index");
    }
    DumpIndex index;
    std::string version = GetStr(j, "format_version", "", true);
    unsigned major = 0, minor = 0;
    char tail = 0;
    if (std::sscanf(version.c_str(), "%u.%u%c", &major, &minor, &tail) != 2 || major == 0) {
      Fail("format_version: expected MAJOR.MINOR, got \"" + version + "\"");
    }
    if (major > kDumpIndexFormatMajor) {
      return Status::UnsupportedVersion(
          fmt::format("dump format version {} is newer than this decant reads ({}.x); "
                      "use a newer decant",
                      version, kDumpIndexFormatMajor));
    }
    index.format_major = major;
    index.format_minor = minor;
    index.decant_version = GetStr(j, "decant_version", "", false);
    index.created_at = GetStr(j, "created_at", "", false);
    auto databases = j.find("databases");
    if (databases == j.end() || !databases->is_array()) Fail("databases: expected an array");
    for (size_t i = 0; i < databases->size(); ++i) {
      const Json& d = (*databases)[i];
      std::string where = fmt::format("databases[{}].", i);
      if (!d.is_object()) Fail(where.substr(0, where.size() - 1) + ": expected an object");
      DumpIndexEntry e;
      e.database = GetStr(d, "name", where, true);
      e.archive = GetStr(d, "archive", where, true);
      // Never a path: the index only names files inside its own directory.
      if (e.archive.empty() || e.archive.find('/') != std::string::npos || e.archive.starts_with(".") ||
          e.archive.find('\0') != std::string::npos) {
        return Status::Corruption(what + ": archive name '" + e.archive + "' is not a file in the dump");
      }
      index.databases.push_back(std::move(e));
    }
    *out = std::move(index);
    return Status::OK();
  } catch (const IndexError& e) {
    return Status::Corruption("malformed " + what + ": " + e.message);
  } catch (const std::exception& e) {
    return Status::Corruption("malformed " + what + ": " + e.what());
  }
}

Status WriteDumpIndex(FileSystem* fs, const std::string& dir, const DumpIndex& index) {
  std::string text = DumpIndexToJson(index);
  DECANT_ASSIGN_OR_RETURN(auto f, fs->NewWritableFile(JoinPath(dir, kDumpIndexFileName)));
  DECANT_RETURN_IF_ERROR(f->Append(text));
  DECANT_RETURN_IF_ERROR(f->Sync());
  return f->Close();
}

Result<DumpIndex> ReadDumpIndex(FileSystem* fs, const std::string& dir) {
  if (!fs->IsDirectory(dir)) {
    return Status::NotFound("dump " + dir + " is not a directory (restore reads what decant dump wrote)");
  }
  std::string path = JoinPath(dir, kDumpIndexFileName);
  if (!fs->Exists(path)) {
    return Status::Corruption("dump " + dir + " is incomplete: no " + kDumpIndexFileName +
                              " (dumping did not finish?)");
  }
  DECANT_ASSIGN_OR_RETURN(auto f, fs->NewSequentialFile(path));
  std::string text;
  char buf[1 << 16];
  for (;;) {
    size_t got = 0;
    DECANT_RETURN_IF_ERROR(f->Read(sizeof buf, buf, &got));
    if (got == 0) break;
    text.append(buf, got);
    if (text.size() > kMaxDumpIndexBytes) return Status::Corruption(path + " is too large to be a dump index");
  }
  DumpIndex index;
  DECANT_RETURN_IF_ERROR(DumpIndexFromJson(text, path, &index));
  return index;
}

}  // namespace decant

// A TypeDB or Grakn export file: a protobuf delimited stream of items, each
// a base-128 varint byte length followed by that many bytes of one
// serialised Item. No magic number, no trailer: the file ends where the
// stream ends (docs/formats/typedb.md).
//
// ExportFile walks the stream once (Scan) and reads any item again by the
// place Scan gave it (ReadItem, from any thread), so memory stays bounded
// whatever the file size.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "formats/typedb/proto/typedb_v3.pb.h"
#include "io/file_system.h"

namespace decant::typedb {

// The largest item read; a longer length is Corruption naming the item.
inline constexpr uint64_t kMaxItemBytes = uint64_t{64} << 20;

// Where one item lies in the file.
struct ItemPlace {
  uint64_t number = 0;  // 0-based, in file order
  uint64_t offset = 0;  // of its length prefix
  uint32_t length = 0;  // of the serialised Item (after the prefix)
  uint8_t prefix = 0;   // bytes of the length prefix

  uint64_t body() const { return offset + prefix; }
};

class ExportFile {
 public:
  virtual ~ExportFile() = default;
  // Opens `path` ("-": standard input, first copied to a private temporary
  // file, mode 0600 under $TMPDIR, removed when the ExportFile is
  // destroyed). IOError naming the input when it cannot be opened.
  static Result<std::unique_ptr<ExportFile>> Open(const std::string& path, FileSystem* fs);
  // Calls `item` with each item in file order: its place and its bytes
  // (valid during the call). Stops at the first error `item` returns.
  // Corruption, one line naming the input, the item number and the byte
  // offset: a length prefix cut short by the end of the file or longer than
  // 10 bytes, a length above kMaxItemBytes, a length running past the end.
  virtual Status Scan(const std::function<Status(const ItemPlace& place, std::string_view bytes)>& item) = 0;
  // The bytes of the item at `place` (from Scan). Thread-safe.
  virtual Status ReadItem(const ItemPlace& place, std::string* bytes) const = 0;
  // ParseItem (below), its error prefixed with the input's name.
  Status Parse(std::string_view bytes, const ItemPlace& place, v3::Item* item) const;
  // The input as the user named it.
  virtual std::string Describe() const = 0;
  virtual uint64_t size() const = 0;
};

// Parses one item's bytes (any generation: typedb_v3.proto reads 2.x
// streams too). Corruption "item N at byte offset M: ..." when the bytes are
// not an Item, or when no case of the item is set (an unknown case: a
// newer generation's item, or not an export at all).
Status ParseItem(std::string_view bytes, const ItemPlace& place, v3::Item* item);

// "item N at byte offset M" for messages (N 1-based, as a user counts).
std::string ItemWhere(const ItemPlace& place);

}  // namespace decant::typedb

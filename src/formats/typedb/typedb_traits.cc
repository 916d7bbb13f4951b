#include "formats/typedb/typedb_format.h"

namespace decant::typedb {

// STUB (the writer's helper completes this file: what the layout's columns
// hold when written to a stream).
const EngineTraits* Traits() {
  static const EngineTraits kTraits = [] {
    EngineTraits t;
    t.name = "typedb";
    t.display_name = "TypeDB";
    return t;
  }();
  return &kTraits;
}

}  // namespace decant::typedb

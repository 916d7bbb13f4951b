// Internal to the Django fixture reader and its tests: FixtureFile::Open with
// a smaller record limit, so the limit's error is tested without a 256 MiB
// record.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "formats/django/fixture_file.h"

namespace decant::django::internal {

// FixtureFile::Open, refusing records longer than `max_record_bytes`.
Result<std::unique_ptr<FixtureFile>> OpenWithLimit(const std::string& path, FileSystem* fs, uint64_t max_record_bytes);

}  // namespace decant::django::internal

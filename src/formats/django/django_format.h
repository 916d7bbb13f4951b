// Django fixtures (dumpdata / loaddata) and InvenTree's export-records file,
// as one row of the format registry (formats/format_registry.cc).
//
// Read: JSON (as `manage.py dumpdata` writes it, indented or not) and JSONL,
// plain or compressed as loaddata takes them (.gz, .bz2, .xz/.lzma, .zip;
// recognised by their bytes, not their names), and InvenTree's
// `invoke export-records` file (a metadata record first, non-ASCII escaped).
// A fixture's records load into the tables an application's migrations
// made: the Source is fitted to the target's schema (Source::FitTo) and
// every load is a data-only load. Written: a fixture that `loaddata` reads.
// The mapping of models to tables and back, values, natural keys and what is
// named instead of carried: docs/formats/django.md.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/endpoint.h"
#include "core/engine_traits.h"
#include "formats/format_registry.h"
#include "io/file_system.h"

namespace decant::django {

// True for a file whose first non-blank byte is '[' followed (after blanks)
// by ']' or a '{' whose first key is "model", "pk", "fields" or "metadata";
// for a file whose first line is a JSON object with such a key (JSONL); and
// for gzip, bzip2, xz, lzma or zip data whose decompressed head is one of those.
bool Recognise(const FileProbe& probe, FileSystem* fs);

// A Source over the fixture at `path` ("-": standard input, copied to a
// private temporary file first). Until FitTo is called its schema is one
// loose table per model (columns typed from the JSON values, for inspect);
// after FitTo, the target's tables that the records load into.
Result<std::unique_ptr<Source>> OpenSource(const std::string& path, const EndpointOptions& options, FileSystem* fs);

// A Sink writing a fixture at `path` ("-": stdout): JSON, or JSONL when the
// name ends in .jsonl (options.django says the rest).
Result<std::unique_ptr<Sink>> OpenSink(const std::string& path, const FileWriteOptions& options, FileSystem* fs);

// The system a fixture's schemas name (Schema::engine "django"): JSON values
// in Django's serialized forms; every value a target column holds can be
// written, so the policy keeps everything.
const EngineTraits* Traits();

}  // namespace decant::django

// The engines this build reads and writes: one row each, in one place.
//
// Each row is the engine folder's own EngineTraits (engines/<name>/*_traits.cc);
// this file only lists them. Everything above the engines (pipeline/, cli/)
// finds an engine here, by the name a schema or archive carries or by a
// location's URI, and then asks its traits; nothing compares engine names.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/engine_traits.h"

namespace decant {

// Every engine, in the order messages list them. The pointers are to static
// traits that live for the whole program.
std::span<const EngineTraits* const> Engines();

// The engine whose stable name (Schema::engine) is `name`; nullptr when this
// build does not know it.
const EngineTraits* FindEngine(std::string_view name);

// As FindEngine, but an unknown name resolves to UnknownEngineTraits()
// (never to another engine's rules).
const EngineTraits& EngineNamed(std::string_view name);

// The engine whose URIs `location` is one of; nullptr when none recognises it.
const EngineTraits* EngineForLocation(const std::string& location);

// "sqlite, postgresql, mysql": the names, for messages and option help; with
// `with_schema_ddl`, only the engines `decant schema --dialect` can print DDL for.
std::string EngineNames(bool with_schema_ddl = false);

}  // namespace decant

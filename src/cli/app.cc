#include "cli/app.h"

#include <fmt/format.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>

#include "archive/archive.h"
#include "archive/format.h"
#include "archive/signature.h"
#include "cli/docgen.h"
#include "cli/exit_codes.h"
#include "cli/suggest.h"
#include "core/ascii.h"
#include "core/hex.h"
#include "core/plural.h"
#include "core/printable.h"
#include "core/redact.h"
#include "core/version.h"
#include "engines/registry.h"
#include "formats/format_registry.h"
#include "formats/typedb/labels.h"
#include "pipeline/copy.h"
#include "pipeline/endpoints.h"
#include "pipeline/events.h"
#include "pipeline/interrupt.h"
#include "pipeline/progress.h"
#include "pipeline/report.h"
#include "pipeline/result_json.h"
#include "pipeline/scan.h"
#include "pipeline/schema_adapt.h"
#include "pipeline/server_dump.h"
#include "pipeline/shards.h"
#include "pipeline/verify.h"

namespace decant {
namespace {

struct GlobalOptions {
  std::string progress = "auto";
  bool quiet = false;
  std::string json_log;  // --json-log FILE|- (docs/events.md)
  std::string report;    // --report FILE.html (docs/report.md)
};

// The run's --json-log (or the log without a file that feeds --report), open
// from just after the command line is parsed to the end of RunDecant; null
// without one. A file-wide pointer, because every
// command's failure goes through Fail() and every warning through spdlog.
EventLog* g_events = nullptr;
// The --report's data: the events (fed by g_events) and verify's result; null without one.
ReportInput* g_report = nullptr;

ProgressStyle StyleFor(const GlobalOptions& g) {
  if (g.quiet || g.progress == "none") return ProgressStyle::kQuiet;
  if (g.progress == "terminal") return ProgressStyle::kTerminal;
  if (g.progress == "log") return ProgressStyle::kLog;
  return ProgressStyle::kAuto;
}

// Prints a one-line error and returns its exit code. After Ctrl-C or
// SIGTERM the line is the signal's, whatever it interrupted; after SIGPIPE
// nothing is printed (as for any filter whose reader went away).
// `left`: what a failed load left in its target, added to the line (LeftSentence).
int Fail(const Status& failed, const std::string& left = "") {
  // The last net (docs/security.md): a message built from a string that was
  // never parsed may still hold a password.
  std::string tail = left.empty() ? "" : "; " + left;
  const Status st(failed.code(), RedactSecrets(failed.message() + tail));
  int sig = InterruptSignal();
  if (sig != SIGPIPE) {
    std::string shown = sig ? RedactSecrets(CheckInterrupted().message() + tail) : st.message();
    std::fprintf(stderr, "decant: error: %s\n", Printable(shown).c_str());
  }
  if (g_events) g_events->Error(st, ExitCodeFor(st));
  return ExitCodeFor(st);
}

// export, dump and migrate --format (docs/cli.md, "Safe defaults"): what is
// at the output path is refused unless --force, which replaces it once the
// new output is complete (the sink publishes over it); a format that is not
// text is not written to a terminal unless --force, as gzip refuses to.
Status CheckOutput(const std::string& path, bool force, const FormatRow* format) {
  if (path == "-") {
    if (!force && (!format || !format->text) && ::isatty(STDOUT_FILENO)) {
      return Status::InvalidArgument(fmt::format(
          "not writing {} to a terminal: redirect standard output (-o - > FILE, or | decant import - ...) or give "
          "--force",
          format ? "a binary " + std::string(format->name) + " file" : "binary data"));
    }
    return Status::OK();
  }
  if (!force && FileSystem::Default()->Exists(path)) {
    return Status::FailedPrecondition(path +
                                      " already exists; give --force to replace it once the new output is complete");
  }
  return Status::OK();
}

// --report FILE (docs/report.md), before anything connects: a file of the
// commands that copy or verify, and, as every output, not one that exists
// unless `replace` (the command's --force).
Status CheckReportOption(const std::string& path, const std::string& command, bool replace) {
  if (command != "export" && command != "import" && command != "migrate" && command != "verify") {
    return Status::InvalidArgument("--report goes with export, import, migrate and verify");
  }
  if (path == "-") return Status::InvalidArgument("--report writes a file: give it a name (e.g. --report run.html)");
  FileSystem* fs = FileSystem::Default();
  if (fs->IsDirectory(path)) return Status::FailedPrecondition("--report " + path + ": it is a directory");
  if (!replace && fs->Exists(path)) {
    return Status::FailedPrecondition(fmt::format(
        "--report {} already exists; {}", path,
        command == "export" || command == "migrate"
            ? "give --force to replace it once the new report is complete (migrate: with --format) or name another"
            : "remove it or name another report file"));
  }
  // Where the page will be built (WriteReport: FILE.partial, then renamed):
  // found unwritable now, not after the run.
  std::string partial = PartialPath(path);
  auto probe = fs->NewWritableFile(partial);
  if (!probe.ok()) return probe.status().WithContext("--report " + path);
  Status closed = (*probe)->Close();
  Status removed = fs->Remove(partial);
  if (!closed.ok()) return closed.WithContext("--report " + path);
  return removed.WithContext("--report " + path);
}

// Warnings (and errors logged on the way) as warning events in the --json-log.
class EventLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (g_events) g_events->Warning(RedactSecrets(std::string_view(msg.payload.data(), msg.payload.size())));
  }
  void flush_() override {}
};

// Warnings on stderr, above the live progress display when one is drawn.
// Every message is escaped here, once, whoever logged it: a name from the
// data (a table called "a\nb", an escape sequence) keeps the line one line.
class StderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string payload = Printable(std::string(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg escaped = msg;
    escaped.payload = payload;
    spdlog::memory_buf_t text;
    formatter_->format(escaped, text);
    std::string line = RedactSecrets(std::string_view(text.data(), text.size()));
    if (!line.empty() && line.back() == '\n') line.pop_back();
    WriteLineAbove(line);
  }
  void flush_() override {}
};

// Warnings from the engines go to stderr (stdout may be carrying an archive),
// and to the --json-log when there is one, -q or not.
void SetUpLogging(bool quiet) {
  auto stderr_sink = std::make_shared<StderrSink>();
  stderr_sink->set_level(quiet ? spdlog::level::err : spdlog::level::info);
  auto events_sink = std::make_shared<EventLogSink>();
  events_sink->set_level(spdlog::level::warn);
  auto logger = std::make_shared<spdlog::logger>("decant", spdlog::sinks_init_list{stderr_sink, events_sink});
  logger->set_pattern("decant: %l: %v");
  logger->set_level(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

// One line on stderr, escaped (Printable leaves what is escaped already as it is).
void Say(const GlobalOptions& g, const std::string& line) {
  if (!g.quiet) std::fprintf(stderr, "%s\n", Printable(RedactSecrets(line)).c_str());
}

// A report of several lines on `out` (plan, inspect, verify), each line
// escaped (names from the data cannot add a line or drive the terminal)
// and redacted (docs/security.md).
void PutLines(const std::string& text, FILE* out = stdout) {
  for (size_t start = 0; start < text.size();) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::fprintf(out, "%s\n", Printable(RedactSecrets(text.substr(start, nl - start))).c_str());
    start = nl + 1;
  }
}

// A --json result on stdout: {"document": NAME, "v": version, then `body`}.
void PrintJsonDocument(const char* name, const nlohmann::ordered_json& body) {
  nlohmann::ordered_json doc = {{"document", name}, {"v", kResultJsonVersion}};
  for (const auto& [key, value] : body.items()) doc[key] = value;
  std::fputs((DumpJson(RedactStrings(doc), 2) + "\n").c_str(), stdout);
}

std::string SummaryLine(const char* verb, const CopySummary& s, const std::string& from, const std::string& to) {
  // A resumed load's bytes are those copied now (the journal keeps rows only).
  std::string bytes = HumanBytes(s.bytes) + (s.resumed_units ? " copied now" : "");
  std::string rows = s.upsert ? fmt::format("{} inserted, {} updated; {}", s.inserted, s.updated, bytes) : bytes;
  return fmt::format("{} {}, {} ({}), {}, {}, {}, {} from {} to {} in {:.2f} s", verb,
                     Counted(s.tables.size(), "table"), Counted(s.rows, "row"), rows,
                     Counted(s.indexes, "index", "indexes"), Counted(s.views, "view"), Counted(s.triggers, "trigger"),
                     Counted(s.sequences, "sequence"), from, to, s.seconds);
}

// ---- the command line's own rules (docs/cli.md) -------------------------------

// A choice among `names` (--dialect, --format, --compress, --progress): listed
// in --help, matched ignoring case and replaced by the name as listed, so
// what follows sees one spelling. `what` names the choice in the error.
CLI::Validator OneOf(const std::string& what, const std::vector<std::string>& names) {
  std::string listed;
  for (const std::string& n : names) listed += (listed.empty() ? "" : ",") + n;
  auto choose = [what, names](std::string& value) -> std::string {
    for (const std::string& n : names) {
      if (EqualsIgnoreCaseAscii(value, n)) {
        value = n;
        return "";
      }
    }
    std::string near = ClosestName(AsciiLower(value), names);
    if (!near.empty()) return fmt::format("unknown {} '{}'; did you mean {}?", what, value, near);
    std::string all;
    for (const std::string& n : names) all += (all.empty() ? "" : ", ") + n;
    return fmt::format("unknown {} '{}' (choose {})", what, value, all);
  };
  return CLI::Validator(choose, "{" + listed + "}");
}

// The names of the engines with a DDL printer (--dialect).
std::vector<std::string> DialectNames() {
  std::vector<std::string> names;
  for (const EngineTraits* e : Engines()) {
    if (e->schema_ddl) names.emplace_back(e->name);
  }
  return names;
}

// The names of the formats decant writes (--format).
std::vector<std::string> WrittenFormatNames() {
  std::vector<std::string> names;
  for (const FormatRow& f : Formats()) {
    if (f.open_sink) names.emplace_back(f.name);
  }
  return names;
}

// Every option that takes a list (--table, --rename, --primary-keys, ...)
// takes one value per occurrence, so `--table Album SOURCE` leaves SOURCE to
// the command: CLI11 would otherwise give the option every word up to the
// next option.
void OneValuePerOccurrence(CLI::App* app) {
  for (CLI::Option* opt : app->get_options()) {
    if (!opt->get_positional() && opt->get_items_expected_max() > 1) opt->allow_extra_args(false);
  }
  for (CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; })) OneValuePerOccurrence(sub);
}

// The end of a command's --help: a few real command lines and where the rest is.
void AddExamples(CLI::App* cmd, std::initializer_list<const char*> examples) {
  std::string text = "Examples:\n";
  for (const char* e : examples) text += std::string("  ") + e + "\n";
  if (cmd->get_parent()) {
    text += "\nEvery command also takes -q and --progress MODE, before or after the command (decant --help).\n";
  }
  text += "The options, exit codes and more examples: docs/cli.md";
  cmd->footer(text);
}

// The options `cmd` knows, as they are typed ("--table", "-j").
std::vector<std::string> OptionNames(const CLI::App& cmd) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : cmd.get_options()) {
    if (opt->get_positional() || opt->get_group().empty()) continue;  // hidden: --generate-docs
    for (const std::string& l : opt->get_lnames()) names.push_back("--" + l);
    for (const std::string& s : opt->get_snames()) names.push_back("-" + s);
  }
  return names;
}

bool LooksLikeOption(const std::string& arg) { return arg.size() > 1 && arg[0] == '-'; }

// What the parse left over (CLI11 keeps it, allow_extras) as one usage error
// naming it: an unknown command or option with the closest real name, or an
// argument too many. OK when nothing is left over. `command` is the command
// parsed, or null.
Status LeftOver(const CLI::App& app, const CLI::App* command) {
  std::vector<std::string> left = app.remaining();
  if (command) {
    std::vector<std::string> more = command->remaining();
    left.insert(left.end(), more.begin(), more.end());
  }
  if (left.empty()) return Status::OK();
  std::string help = command ? "decant " + command->get_name() + " --help" : "decant --help";
  if (!command && !LooksLikeOption(left.front())) {
    std::vector<std::string> commands;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
      commands.push_back(sub->get_name());
    std::string near = ClosestName(left.front(), commands);
    if (!near.empty()) {
      return Status::InvalidArgument(
          fmt::format("unknown command '{}'; did you mean {}? (see decant --help)", left.front(), near));
    }
    std::string all;
    for (const std::string& c : commands) all += (all.empty() ? "" : ", ") + c;
    return Status::InvalidArgument(fmt::format("unknown command '{}' (commands: {})", left.front(), all));
  }
  for (const std::string& arg : left) {
    if (!LooksLikeOption(arg)) continue;
    std::string name = arg.substr(0, arg.find('='));
    std::vector<std::string> known = OptionNames(app);
    if (command) {
      std::vector<std::string> own = OptionNames(*command);
      known.insert(known.begin(), own.begin(), own.end());
    }
    std::string near = ClosestName(name, known);
    return Status::InvalidArgument(fmt::format("unknown option {}{}{} (see {})", name,
                                               command ? " for " + command->get_name() : "",
                                               near.empty() ? "" : "; did you mean " + near + "?", help));
  }
  return Status::InvalidArgument(fmt::format("unexpected argument '{}' (see {})", left.front(), help));
}

// --table / --exclude-table / --rename (docs/cli.md, "Choosing and renaming tables").
struct SelectArgs {
  std::vector<std::string> tables, exclude_tables, renames;

  Result<SelectOptions> Options() const {
    SelectOptions o;
    o.tables = tables;
    o.exclude_tables = exclude_tables;
    for (const std::string& r : renames) {
      DECANT_ASSIGN_OR_RETURN(auto pair, ParseRename(r));
      o.renames.push_back(std::move(pair));
    }
    return o;
  }
};

void AddSelectOptions(CLI::App* cmd, SelectArgs* s) {
  cmd->add_option("--table", s->tables, "copy only tables matching this name or pattern (* and ?); repeatable");
  cmd->add_option("--exclude-table", s->exclude_tables, "leave out tables matching this name or pattern; repeatable");
  cmd->add_option(
      "--rename", s->renames,
      "OLD=NEW: rename a table, column (table.column) or schema (with a TypeDB file at either end: an entity, "
      "relation, attribute or role label); repeatable");
}

// TypeDB and Grakn export files (docs/formats/typedb.md). On a command with
// such a file at one end, --rename OLD=NEW renames the graph's labels
// (entity, relation, attribute and role labels) rather than tables: the
// file's reader applies them when the file is read, else its writer.
struct TypeDbArgs {
  int version = 0;  // --typedb-version: 2 or 3; 0 when not given

  // TypeDbOptions with `renames` (each OLD=NEW); InvalidArgument, one line,
  // for one that is not a rename of labels (typedb::LabelMap::Make).
  Result<TypeDbOptions> Options(const std::vector<std::string>& renames) const {
    TypeDbOptions o;
    o.version = version;
    for (const std::string& r : renames) {
      std::pair<std::string, std::string> pair;
      if (!typedb::LabelMap::Split(r, &pair)) {
        return Status::InvalidArgument("--rename takes OLD=NEW, not '" + r + "'");
      }
      o.renames.push_back(std::move(pair));
    }
    DECANT_RETURN_IF_ERROR(typedb::LabelMap::Make(o.renames).status());
    return o;
  }
};

void AddTypeDbVersion(CLI::App* cmd, TypeDbArgs* t) {
  cmd->add_option("--typedb-version", t->version,
                  "--format typedb: the generation written, 2 (Grakn 1.8 to TypeDB 2.x) or 3 (TypeDB 3.x); default: "
                  "the generation read, else 3")
      ->check(CLI::IsMember({2, 3}));
}

// inspect and schema, which rename nothing else: --rename for a TypeDB file.
void AddTypeDbRename(CLI::App* cmd, std::vector<std::string>* renames) {
  cmd->add_option("--rename", *renames,
                  "TypeDB files: OLD=NEW: rename an entity, relation, attribute or role label; repeatable");
}

// True when `location` is a TypeDB or Grakn export. The input is peeked, so
// this may run before a source reads standard input.
bool IsTypeDbFile(const std::string& location) {
  if (IsDatabaseLocation(location)) return false;
  auto format = RecogniseFile(location);
  return format.ok() && (*format)->name == "typedb";
}

// True when `format` (a --format value) names the TypeDB format.
bool IsTypeDbFormat(const std::string& format) {
  auto row = FindFormat(format);
  return row.ok() && (*row)->name == "typedb";
}

// How Django fixtures map onto an application's tables, read or written
// (docs/formats/django.md).
struct DjangoArgs {
  std::vector<std::string> model_tables;  // APP.MODEL[.FIELD]=TABLE
  std::vector<std::string> natural_keys;  // APP.MODEL=FIELD,FIELD
  std::vector<std::string> exclude_models;
  std::vector<std::string> field_types;  // APP.MODEL.FIELD=duration|uuid|json
  bool ignore_nonexistent = false;
  bool inventree = false;
  bool keep_permissions = false;
  bool natural_foreign = false;
  bool naive_datetimes = false;

  Result<DjangoOptions> Options() const {
    DjangoOptions o;
    auto split = [](const std::string& entry, const char* option, int dots_min, int dots_max, const char* form,
                    std::string* key, std::string* value) -> Status {
      size_t eq = entry.find('=');
      std::string k = entry.substr(0, eq);
      int dots = static_cast<int>(std::count(k.begin(), k.end(), '.'));
      if (eq == std::string::npos || eq + 1 == entry.size() || dots < dots_min || dots > dots_max || k.front() == '.' ||
          k.back() == '.') {
        return Status::InvalidArgument(fmt::format("{} takes {}, not '{}'", option, form, entry));
      }
      *key = k;
      *value = entry.substr(eq + 1);
      return Status::OK();
    };
    std::string key, value;
    for (const std::string& e : model_tables) {
      DECANT_RETURN_IF_ERROR(split(e, "--model-table", 1, 2, "APP.MODEL=TABLE or APP.MODEL.FIELD=TABLE", &key, &value));
      o.model_tables[key] = value;
    }
    for (const std::string& e : natural_keys) {
      DECANT_RETURN_IF_ERROR(split(e, "--natural-key", 1, 1, "APP.MODEL=FIELD[,FIELD...]", &key, &value));
      std::vector<std::string> fields;
      for (size_t start = 0; start <= value.size();) {
        size_t comma = value.find(',', start);
        if (comma == std::string::npos) comma = value.size();
        if (comma == start) return Status::InvalidArgument("--natural-key: an empty field name in '" + e + "'");
        fields.push_back(value.substr(start, comma - start));
        start = comma + 1;
      }
      o.natural_keys[AsciiLower(key)] = std::move(fields);
    }
    for (const std::string& e : field_types) {
      DECANT_RETURN_IF_ERROR(split(e, "--field-type", 2, 2, "APP.MODEL.FIELD=duration|uuid|json", &key, &value));
      if (value != "duration" && value != "uuid" && value != "json") {
        return Status::InvalidArgument("--field-type " + e + ": the type is duration, uuid or json");
      }
      o.field_types[AsciiLower(key.substr(0, key.rfind('.'))) + key.substr(key.rfind('.'))] = value;
    }
    o.exclude_models = exclude_models;
    o.ignore_nonexistent = ignore_nonexistent;
    o.inventree = inventree;
    o.keep_permissions = keep_permissions;
    o.natural_foreign = natural_foreign;
    o.naive_datetimes = naive_datetimes;
    return o;
  }
};

// Reading a fixture: how its models map onto the target's tables.
void AddDjangoReadOptions(CLI::App* cmd, DjangoArgs* d) {
  cmd->add_option("--model-table", d->model_tables,
                  "Django fixtures: APP.MODEL=TABLE: the table of a model whose table is not named "
                  "<app>_<model>; APP.MODEL.FIELD=TABLE: a many-to-many field's table; repeatable");
  cmd->add_option("--natural-key", d->natural_keys,
                  "Django fixtures: APP.MODEL=FIELD[,FIELD...]: the natural key of a model other than Django's own; "
                  "repeatable");
  cmd->add_option("--exclude-model", d->exclude_models,
                  "Django fixtures: leave out the records of APP or APP.MODEL (as loaddata --exclude); repeatable");
  cmd->add_flag("--ignore-nonexistent", d->ignore_nonexistent,
                "Django fixtures: leave out (and count) fields without a column and models without a table");
  cmd->add_flag("--inventree", d->inventree,
                "InvenTree's rules: reading, leave out settings whose key starts with '_' and empty group and user "
                "permissions; writing, InvenTree's export-records form");
  cmd->add_flag("--keep-permissions", d->keep_permissions, "with --inventree: keep group and user permissions");
}

// Writing a fixture: the forms Django's dumpdata options choose.
void AddDjangoWriteOptions(CLI::App* cmd, DjangoArgs* d, bool with_shared) {
  cmd->add_flag("--natural-foreign", d->natural_foreign,
                "Django fixtures: foreign keys to content types, permissions, users, groups (and --natural-key "
                "models) as natural keys, as dumpdata --natural-foreign");
  cmd->add_option("--field-type", d->field_types,
                  "Django fixtures: APP.MODEL.FIELD=duration|uuid|json: what a column holds when its type does not "
                  "say (a DurationField or UUIDField outside PostgreSQL); repeatable");
  cmd->add_flag("--naive-datetimes", d->naive_datetimes,
                "Django fixtures: datetimes without an offset (in UTC), for a project with USE_TZ = False");
  if (!with_shared) return;
  cmd->add_option("--exclude-model", d->exclude_models,
                  "Django fixtures: leave out the records of APP or APP.MODEL (as dumpdata --exclude; their rows "
                  "still name what refers to them by natural key); repeatable");
  cmd->add_option("--model-table", d->model_tables,
                  "Django fixtures: APP.MODEL=TABLE: the model a table holds when it is not named <app>_<model>; "
                  "repeatable");
  cmd->add_option("--natural-key", d->natural_keys,
                  "Django fixtures: APP.MODEL=FIELD[,FIELD...]: the natural key of a model other than Django's own");
  cmd->add_flag("--inventree", d->inventree,
                "write InvenTree's export-records form: metadata record first, non-ASCII escaped, natural foreign "
                "keys, InvenTree's exclusions");
  cmd->add_flag("--keep-permissions", d->keep_permissions, "with --inventree: keep group and user permissions");
}

// How a file of documents (a RethinkDB dump or export, a Django fixture)
// becomes tables; taken by every command that reads a source
// (docs/formats/rethinkdb.md, docs/formats/django.md).
struct DocumentArgs {
  bool infer_columns = false;
  double rare_fields = 1.0;  // percent of a table's documents
  std::vector<std::string> primary_keys;
  DjangoArgs django;

  Result<DocumentOptions> Options() const {
    DocumentOptions o;
    o.infer_columns = infer_columns;
    o.rare_field_share = rare_fields / 100.0;
    for (const std::string& entry : primary_keys) {
      size_t eq = entry.find('=');
      size_t dot = entry.find('.');
      if (eq == std::string::npos || dot == std::string::npos || dot > eq || dot == 0 || dot + 1 == eq ||
          eq + 1 == entry.size()) {
        return Status::InvalidArgument("--primary-keys takes DB.TABLE=FIELD, not '" + entry + "'");
      }
      o.primary_keys[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    return o;
  }

  // EndpointOptions for a source read with `jobs` connections.
  Result<EndpointOptions> Endpoint(size_t jobs = 1) const {
    EndpointOptions eo;
    eo.jobs = jobs;
    DECANT_ASSIGN_OR_RETURN(eo.documents, Options());
    DECANT_ASSIGN_OR_RETURN(eo.django, django.Options());
    return eo;
  }
};

void AddDocumentOptions(CLI::App* cmd, DocumentArgs* d) {
  cmd->add_flag("--infer-columns", d->infer_columns,
                "documents (RethinkDB): a typed column per top-level field, what does not fit in a JSON column "
                "_rest (default: the key plus the whole document in a JSON column doc)");
  cmd->add_option("--rare-fields", d->rare_fields,
                  "with --infer-columns: a field in fewer than this percent of a table's documents stays in _rest "
                  "(default 1)")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--primary-keys", d->primary_keys,
                  "DB.TABLE=FIELD: the primary key of a table whose files do not record it (import_export.rb "
                  "directories; default id); repeatable");
  AddDjangoReadOptions(cmd, &d->django);
}

// --clean / --append / --jobs, taken by the commands that load a database.
struct LoadArgs {
  bool clean = false;
  bool append = false;
  bool strict = false;
  bool strict_objects = false;
  bool data_only = false;
  bool upsert = false;
  bool resume = false;
  bool not_consistent = false;
  size_t jobs = 1;
  CLI::Option* clean_option = nullptr;  // set by AddLoadOptions

  // Why the combination is refused, or null when it is not.
  const char* Refused() const {
    if (resume && data_only) return "--resume continues a load that created its tables: not with --data-only";
    if (resume && upsert) return "--upsert can simply run again: drop --resume";
    if (not_consistent && !resume) return "--not-consistent goes with --resume";
    return nullptr;
  }

  CopyOptions Copy() const {
    CopyOptions co;
    co.jobs = jobs;
    co.sink.resume = resume;
    co.not_consistent = not_consistent;
    co.strict = strict;
    co.sink.mode = clean ? LoadMode::kClean : append || upsert ? LoadMode::kAppend : LoadMode::kRefuseNonEmpty;
    co.sink.upsert = upsert;
    co.sink.data_only = data_only;
    co.sink.strict_objects = strict_objects;
    return co;
  }
};

void AddLoadOptions(CLI::App* cmd, LoadArgs* load, const char* jobs_help) {
  auto* c =
      cmd->add_flag("--clean", load->clean,
                    "drop the objects decant would create, then load (--data-only: delete the tables' rows first)");
  cmd->add_flag("--append", load->append, "keep what the target holds and add rows")->excludes(c);
  load->clean_option = c;
  cmd->add_option("-j,--jobs", load->jobs, jobs_help)->check(CLI::Range(1, 64));
  cmd->add_flag("--strict", load->strict,
                "stop at the first value the target cannot hold exactly, leaving the target as it was");
}

// import and migrate: what happens to objects the target will not get.
void AddStrictObjects(CLI::App* cmd, LoadArgs* load) {
  cmd->add_flag("--strict-objects", load->strict_objects,
                "fail before writing anything when an object (view, trigger, index, ...) would not be carried, "
                "and abort when the target refuses one");
}

// import and migrate (after AddLoadOptions): --upsert (docs/cli.md, "Upsert").
void AddUpsert(CLI::App* cmd, LoadArgs* load) {
  cmd->add_flag("--upsert", load->upsert,
                "replace the rows whose primary (or unique) key the target already holds, insert the others; "
                "keeps what the target holds, as --append (a table without a key is refused)")
      ->excludes(load->clean_option);
}

// import and migrate: --resume and --not-consistent (docs/reliability.md).
void AddResume(CLI::App* cmd, LoadArgs* load) {
  cmd->add_flag("--resume", load->resume,
                "continue an interrupted load from the units it committed (a target without one is loaded from "
                "the start)");
  cmd->add_flag("--not-consistent", load->not_consistent,
                "with --resume: continue even when the source cannot show it still holds what the interrupted "
                "load read (a live database's snapshot ends with its load)");
}

void AddDataOnly(CLI::App* cmd, LoadArgs* load) {
  cmd->add_flag("--data-only", load->data_only,
                "load rows into the tables the target already has (made by the application), "
                "matching tables and columns by name");
}

// End-to-end tests set DECANT_TEST_INTERRUPT_AFTER_BATCHES=N to raise SIGINT
// after the Nth batch written in this run (all copies counted together), so
// interruption is tested at a deterministic point, and
// DECANT_TEST_KILL_AFTER_BATCHES=N to raise SIGKILL there (kill -9: nothing
// runs after it, as when the machine or the OOM killer stops decant). The
// variables are read once, here; the copy only calls the hook.
void AddTestHooks(CopyOptions* co) {
  auto read = [](const char* name) {
    const char* env = std::getenv(name);
    return env ? std::strtol(env, nullptr, 10) : -1L;
  };
  static const long kInterrupt = read("DECANT_TEST_INTERRUPT_AFTER_BATCHES");
  static const long kKill = read("DECANT_TEST_KILL_AFTER_BATCHES");
  if (kInterrupt <= 0 && kKill <= 0) return;
  co->after_batch = [] {
    static std::atomic<long> written{0};
    long n = ++written;
    if (n == kInterrupt) std::raise(SIGINT);
    if (n == kKill) std::raise(SIGKILL);
  };
}

// With --data-only, the target's own schema, read before anything is written.
Result<Schema> ReadTargetSchema(const std::string& target) {
  DECANT_ASSIGN_OR_RETURN(auto source, OpenSource(target));
  DECANT_ASSIGN_OR_RETURN(Schema schema, source->ReadSchema());
  return schema;
}

// Fits a source whose records load into an application's tables (a Django
// fixture) to the database `target`: reads the target's schema and the rows
// the source matches, then closes that connection (a SQLite target could not
// be written while it is open). Null when `fit` is false.
Result<std::unique_ptr<FittedTarget>> FitSource(bool fit, Source& source, const std::string& target) {
  if (!fit) return std::unique_ptr<FittedTarget>();
  DECANT_ASSIGN_OR_RETURN(auto fitted, FitToTarget(source, target));
  DECANT_RETURN_IF_ERROR(source.ReadSchema().status());
  fitted->rows.reset();
  return fitted;
}

// The end of a copy: the one-line summary ("exported ... from FROM to TO"),
// notes, conversions and what was not carried; the exit code.
int SaySummary(const char* done, const CopySummary& summary, const std::string& from, const std::string& to,
               const GlobalOptions& g) {
  for (const auto& note : summary.notes) spdlog::warn("{}", Printable(note));
  Say(g, SummaryLine(done, summary, from, to));
  if (!summary.conversions.empty()) {
    uint64_t total = 0;
    for (const auto& c : summary.conversions) total += c.count;
    Say(g,
        fmt::format("converted {} the target could not hold exactly (docs/type-mapping.md):", Counted(total, "value")));
    for (const auto& c : summary.conversions) {
      Say(g, fmt::format("  {}.{}: {}; first: {}", Printable(c.table), Printable(c.column), Counted(c.count, "value"),
                         c.reason));
    }
  }
  if (!summary.not_carried.empty()) {
    Say(g, fmt::format("not carried ({}):", Counted(summary.not_carried.size(), "object")));
    for (const auto& line : summary.not_carried) Say(g, "  " + Printable(line));
  }
  // Not carried: complete, but not everything the source holds is there.
  int code = summary.not_carried.empty() ? kExitOk : kExitNotCarried;
  if (g_events) g_events->CopyFinished(summary, from, to, code);
  return code;
}

// The copy behind export, import and migrate, with progress named `verb`
// and the one-line summary ("exported ... from FROM to TO"). `target` is the
// database location, read first with --data-only. `fit`: the source loads
// into the target's own tables (FormatRow::into_existing_tables), data-only.
// `reopen`: opens the source again (null for one that cannot be: stdin), for
// a --resume that finds no interrupted load in a target that is not empty:
// when the target already holds every row of the source (the load finished
// before it was stopped), there is nothing to resume and the run succeeds.
int CopyAndSay(const std::string& verb, const char* done, Source& source, Sink& sink, CopyOptions co,
               const std::string& from, const std::string& to, const GlobalOptions& g, const SelectArgs& select,
               const std::string& target, bool fit = false,
               const std::function<Result<std::unique_ptr<Source>>()>& reopen = nullptr) {
  auto options = select.Options();
  if (!options.ok()) return Fail(options.status());
  co.select = std::move(*options);
  Result<Schema> existing = Schema{};
  auto fitted = FitSource(fit, source, target);
  if (!fitted.ok()) return Fail(fitted.status());
  if (*fitted) {
    co.sink.data_only = true;
    co.existing_target = &(*fitted)->schema;
  } else if (co.sink.data_only) {
    existing = ReadTargetSchema(target);
    if (!existing.ok()) return Fail(existing.status().WithContext("target"));
    co.existing_target = &*existing;
  }
  auto progress = MakeProgress(verb, StyleFor(g));
  co.progress = progress.get();
  co.events = g_events;
  AddTestHooks(&co);
  auto summary = CopyDatabase(source, sink, co);
  if (!summary.ok() && co.sink.resume && reopen &&
      summary.status().message().find(kNoLoadToResume) != std::string::npos) {
    auto a = reopen();
    auto b = a.ok() ? OpenSource(target) : Result<std::unique_ptr<Source>>(a.status());
    VerifyOptions vo;
    vo.select_a = co.select;
    auto report = b.ok() ? VerifySources(**a, **b, vo) : Result<VerifyReport>(b.status());
    if (report.ok() && report->equal()) {
      Say(g, fmt::format("nothing to resume: {} already holds every row of {} (compared as decant verify does)", to,
                         from));
      return kExitOk;
    }
  }
  if (!summary.ok()) return Fail(summary.status(), LeftSentence(sink));
  if (summary->units) {
    Say(g, fmt::format("resumed: {} of {} had committed before ({}); the rest were copied now", summary->resumed_units,
                       Counted(summary->units, "unit"), Counted(summary->resumed_rows, "row")));
  }
  return SaySummary(done, *summary, from, to, g);
}

// ---- shards (export and migrate) -------------------------------------------

// Shards (docs/scale.md): the options export and migrate share.
struct ShardArgs {
  bool coordinate = false;
  size_t shards = 0;         // --shards N, with --coordinate
  std::string shard;         // --shard I/N
  std::string snapshot;      // --snapshot ID
  double wait_timeout = -1;  // --wait-timeout SECONDS; < 0: none
  std::string state;         // --state DIR (migrate)

  // Whether this process is a coordinator or a worker.
  bool sharded() const { return coordinate || !shard.empty() || shards || wait_timeout >= 0 || !state.empty(); }
  // Why the combination is refused, or null when it is not.
  const char* Refused() const {
    if (coordinate && !shard.empty()) return "--coordinate and --shard are different processes: give one";
    if (coordinate && !snapshot.empty()) return "--coordinate takes its own snapshot: drop --snapshot";
    if (coordinate && shards == 0) return "--coordinate needs --shards N";
    if (!coordinate && shards) return "--shards goes with --coordinate (a worker gives --shard I/N)";
    if (!coordinate && wait_timeout >= 0) return "--wait-timeout goes with --coordinate";
    if (!coordinate && shard.empty()) return "--state goes with --coordinate or --shard I/N";
    return nullptr;
  }
};

// `what`: the shared place the help names (-o DIR, --state DIR).
void AddShardOptions(CLI::App* cmd, ShardArgs* sh, const std::string& what) {
  cmd->add_flag("--coordinate", sh->coordinate,
                "hold a snapshot, print its ID, plan --shards N workers' work into " + what +
                    ", wait for them and finish (docs/scale.md)");
  cmd->add_option("--shards", sh->shards, "with --coordinate: how many shard workers")->check(CLI::Range(1, 4096));
  cmd->add_option("--shard", sh->shard,
                  "I/N: be shard worker I (0..N-1) of the coordinator using " + what + " (docs/scale.md)");
  cmd->add_option("--snapshot", sh->snapshot,
                  "read this exported snapshot (PostgreSQL: what --coordinate printed); with --shard, "
                  "checked against the plan's, which is read when it is left out");
  cmd->add_option("--wait-timeout", sh->wait_timeout,
                  "with --coordinate: give up after this many seconds without every shard (default: wait)")
      ->check(CLI::NonNegativeNumber);
}

// A coordinator's first words: the snapshot ID as the one line on stdout
// (for scripts), then `hint` (how to start the workers) as a message.
void AnnounceSnapshot(const GlobalOptions& g, const std::string& snapshot, const std::string& hint) {
  std::printf("%s\n", snapshot.c_str());
  std::fflush(stdout);
  Say(g, fmt::format("decant: snapshot {} held; {}; waiting", snapshot, hint));
}

// A coordinator's error, with the reason when the source cannot share its snapshot.
Status ExplainCoordinateError(Status st) {
  if (st.code() == StatusCode::kInvalidArgument && st.message().find("snapshot") != std::string::npos) {
    return st.WithContext(
        "--coordinate needs a source whose snapshot other processes can read (PostgreSQL; "
        "docs/scale.md)");
  }
  return st;
}

// A worker's --shard I/N and --snapshot against the plan at `plan_path`:
// InvalidArgument when N or the snapshot is not the plan's.
Status CheckWorkerOptions(const ShardArgs& sh, size_t count, const ShardPlan& plan, const std::string& plan_path) {
  if (plan.shards != count) {
    return Status::InvalidArgument(
        fmt::format("--shard {}: the plan at {} is for {} shards", sh.shard, plan_path, plan.shards));
  }
  if (!sh.snapshot.empty() && sh.snapshot != plan.snapshot) {
    return Status::InvalidArgument(
        fmt::format("--snapshot {} is not the plan's snapshot {} ({})", sh.snapshot, plan.snapshot, plan_path));
  }
  return Status::OK();
}

// ---- export -----------------------------------------------------------------

struct ExportArgs {
  std::string source;
  std::string output;
  bool directory = false;
  int zstd_level = 3;
  std::string compress = "zstd";
  size_t jobs = 1;
  std::string format = "decant";
  bool force = false;           // replace an existing output; write binary data to a terminal
  bool resume = false;          // continue in OUTPUT.partial (--directory)
  bool not_consistent = false;  // with resume
  std::string sign;             // --sign: an Ed25519 private key file (PEM)
  SelectArgs select;
  DjangoArgs django;
  TypeDbArgs typedb;
  ShardArgs sh;
};

// "I/N" with 0 <= I < N.
Result<std::pair<size_t, size_t>> ParseShard(const std::string& text) {
  size_t slash = text.find('/');
  auto number = [](const std::string& digits, size_t* out) {
    if (digits.empty() || digits.size() > 6 || digits.find_first_not_of("0123456789") != std::string::npos) {
      return false;
    }
    *out = std::stoul(digits);
    return true;
  };
  size_t i = 0, n = 0;
  if (slash == std::string::npos || !number(text.substr(0, slash), &i) || !number(text.substr(slash + 1), &n) ||
      n == 0 || i >= n) {
    return Status::InvalidArgument("--shard takes I/N with 0 <= I < N (e.g. 0/3), not '" + text + "'");
  }
  return std::pair<size_t, size_t>{i, n};
}

// export --coordinate and export --shard I/N (docs/scale.md): the options
// were checked by RunExport.
int RunShardedExport(const ExportArgs& a, const GlobalOptions& g) {
  auto select = a.select.Options();
  if (!select.ok()) return Fail(select.status());
  if (a.sh.coordinate) {
    auto source = OpenSource(a.source, EndpointOptions{1});
    if (!source.ok()) return Fail(source.status());
    auto progress = MakeProgress("coordinate", StyleFor(g));
    ShardCoordinateOptions o;
    o.output = a.output;
    o.shards = a.sh.shards;
    o.jobs = a.jobs;
    o.copy.select = std::move(*select);
    o.copy.progress = progress.get();
    if (a.sh.wait_timeout >= 0) o.wait_seconds = a.sh.wait_timeout;
    o.planned = [&](const ShardPlan& plan) {
      AnnounceSnapshot(g, plan.snapshot,
                       fmt::format("{} planned in {}; start the {} shards: decant export {} --shard I/{} -o {} "
                                   "(I = 0..{})",
                                   Counted(plan.units.size(), "unit"), ShardPlanPath(a.output), plan.shards,
                                   RedactLocation(a.source), plan.shards, a.output, plan.shards - 1));
    };
    Status st = CoordinateShards(**source, o);
    if (!st.ok()) return Fail(ExplainCoordinateError(st));
    Say(g, fmt::format("joined {} shards into {}", a.sh.shards, a.output));
    return kExitOk;
  }
  auto shard = ParseShard(a.sh.shard);
  if (!shard.ok()) return Fail(shard.status());
  auto [index, count] = *shard;
  auto plan = ReadShardPlan(a.output);
  if (!plan.ok()) return Fail(plan.status());
  if (Status st = CheckWorkerOptions(a.sh, count, *plan, ShardPlanPath(a.output)); !st.ok()) return Fail(st);
  // Idempotent, so that a retried pod of an Indexed Job whose first run got as
  // far as its part file succeeds (docs/scale.md).
  if (FileSystem::Default()->Exists(ShardPartPath(a.output, index))) {
    Say(g,
        fmt::format("shard {}/{} is done already ({}); nothing to do", index, count, ShardPartPath(a.output, index)));
    return kExitOk;
  }
  EndpointOptions eo{a.jobs};
  eo.snapshot = plan->snapshot;
  auto source = OpenSource(a.source, eo);
  if (!source.ok()) return Fail(source.status());
  auto work = OpenShard(*plan, a.output, index, a.zstd_level);
  if (!work.ok()) return Fail(work.status());
  CopyOptions co;
  co.jobs = a.jobs;
  co.units = &work->units;
  return CopyAndSay("export", "exported", **source, *work->sink, co, (*source)->Describe(),
                    fmt::format("shard {}/{} of {}", index, count, a.output), g, a.select, "");
}

// Why a combination of the shard options is refused, or null when it is not.
const char* RefusedShardOptions(const ExportArgs& a) {
  if (const char* refused = a.sh.Refused()) return refused;
  if (a.format != "decant") return "shards write the decant archive's directory form: drop --format";
  if (a.output.empty() || a.output == "-") return "shards need -o DIR, the archive directory they share";
  if (a.force) return "shards never replace an archive directory: drop --force";
  if (!a.sign.empty()) return "shards do not sign the archive they share: drop --sign";
  return nullptr;
}

int RunExport(const ExportArgs& args, const GlobalOptions& g) {
  ExportArgs a = args;
  if (a.sh.sharded()) {
    if (const char* refused = RefusedShardOptions(a)) return Fail(Status::InvalidArgument(refused));
    return RunShardedExport(a, g);
  }
  auto format = FindFormat(a.format);
  if (!format.ok()) return Fail(format.status());
  if (a.output.empty()) {
    // The name the format's own tool gives its file, in the current directory.
    if (!(*format)->default_output) return Fail(Status::InvalidArgument("export needs -o FILE ('-' for stdout)"));
    a.output = (*format)->default_output();
  }
  // A file may be exported too: an archive to another format (decant export
  // app.decant --format rethinkdb), a file of another format to an archive
  // (decant export data.typedb -o graph.decant); an archive to an archive
  // would be a copy.
  if (!IsDatabaseLocation(a.source) && *format == &Formats().front()) {
    auto in = RecogniseFile(a.source);
    if (!in.ok()) return Fail(in.status());
    if (*in == &Formats().front()) {
      return Fail(Status::InvalidArgument("'" + RedactLocation(a.source) +
                                          "' is already a decant archive; export reads a database (e.g. "
                                          "sqlite:///path/app.db) or a file of another format"));
    }
  }
  if (a.directory && a.output == "-") {
    return Fail(Status::InvalidArgument("the directory form cannot be written to stdout; drop --directory"));
  }
  if (a.resume && (!a.directory || (*format)->name != "decant")) {
    return Fail(Status::InvalidArgument(
        "--resume continues a --directory archive in its .partial directory (a single file is written again)"));
  }
  if (a.not_consistent && !a.resume) return Fail(Status::InvalidArgument("--not-consistent goes with --resume"));
  const EngineTraits* engine = EngineForLocation(a.source);
  if (engine && engine->local_file && a.output != "-") {
    auto path = engine->local_file(a.source);
    std::error_code ec;
    if (path.ok() && std::filesystem::equivalent(*path, a.output, ec)) {
      return Fail(Status::InvalidArgument("refusing to write the archive over its own source database " + a.output));
    }
  }
  if (Status st = CheckOutput(a.output, a.force, *format); !st.ok()) return Fail(st);
  if (a.jobs > 1 && !a.directory) {
    return Fail(
        Status::InvalidArgument("--jobs needs --directory: the single-file form is written one table at a time"));
  }
  std::shared_ptr<const ArchiveKey> sign;
  if (!a.sign.empty()) {
    if ((*format)->name != "decant")
      return Fail(Status::InvalidArgument("--sign signs decant archives: drop --format"));
    auto key = ArchiveKey::Load(a.sign, true);
    if (!key.ok()) return Fail(key.status());
    sign = *key;
  }
  bool typedb_in = IsTypeDbFile(a.source), typedb_out = (*format)->name == "typedb";
  if (a.typedb.version && !typedb_out) return Fail(Status::InvalidArgument("--typedb-version needs --format typedb"));
  EndpointOptions eo{a.jobs};
  eo.snapshot = a.sh.snapshot;
  FileWriteOptions wo;
  if (typedb_in || typedb_out) {
    auto typedb = a.typedb.Options(a.select.renames);
    if (!typedb.ok()) return Fail(typedb.status());
    (typedb_in ? eo.typedb : wo.typedb) = *typedb;  // the labels are renamed once
    wo.typedb.version = a.typedb.version;
    a.select.renames.clear();
  }
  auto source = OpenSource(a.source, eo);
  if (!source.ok()) return Fail(source.status());
  wo.directory = a.directory;
  wo.zstd_level = a.zstd_level;
  wo.compress = a.compress != "none";
  wo.replace = a.force;
  wo.sign = sign;
  auto django = a.django.Options();
  if (!django.ok()) return Fail(django.status());
  wo.django = std::move(*django);
  auto sink = OpenFileSink(a.output, a.format, wo);
  if (!sink.ok()) return Fail(sink.status());
  CopyOptions co;
  co.jobs = a.jobs;
  co.sink.resume = a.resume;
  co.not_consistent = a.not_consistent;
  return CopyAndSay("export", "exported", **source, **sink, co, (*source)->Describe(),
                    a.output == "-" ? "stdout" : a.output, g, a.select, "");
}

// ---- import -----------------------------------------------------------------

// --verify-signature KEYFILE: the Ed25519 key (public or private, PEM) an
// archive's signature must verify with; null without the option.
Result<std::shared_ptr<const ArchiveKey>> VerifyKey(const std::string& path) {
  if (path.empty()) return std::shared_ptr<const ArchiveKey>();
  return ArchiveKey::Load(path, false);
}

struct ImportArgs {
  std::string archive;
  std::string target;
  std::string verify_signature;
  LoadArgs load;
  SelectArgs select;
  DocumentArgs documents;
};

int RunImport(const ImportArgs& args, const GlobalOptions& g) {
  ImportArgs a = args;
  if (const char* refused = a.load.Refused()) return Fail(Status::InvalidArgument(refused));
  if (IsDatabaseLocation(a.archive)) {
    return Fail(Status::InvalidArgument("import reads an archive; '" + RedactLocation(a.archive) +
                                        "' is a database URI (use migrate to copy between databases)"));
  }
  // Before the target is opened: an archive that fails is refused with nothing written.
  auto verify = VerifyKey(a.verify_signature);
  if (!verify.ok()) return Fail(verify.status());
  if (*verify) {
    if (Status st = VerifyArchiveSignature(a.archive, **verify); !st.ok()) return Fail(st);
  }
  auto sink = OpenDatabaseSink(a.target, EndpointOptions{a.load.jobs});
  if (!sink.ok()) return Fail(sink.status());
  auto read_options = a.documents.Endpoint(a.load.jobs);
  if (!read_options.ok()) return Fail(read_options.status());
  bool fit = LoadsIntoExistingTables(a.archive);  // before the source reads stdin
  if (IsTypeDbFile(a.archive)) {
    auto typedb = TypeDbArgs{}.Options(a.select.renames);
    if (!typedb.ok()) return Fail(typedb.status());
    read_options->typedb = *typedb;
    a.select.renames.clear();
  }
  auto source = OpenFileSource(a.archive, *read_options);
  if (!source.ok()) return Fail(source.status());
  auto reopen = [&]() { return OpenFileSource(a.archive, *read_options); };
  return CopyAndSay("import", "imported", **source, **sink, a.load.Copy(), a.archive == "-" ? "stdin" : a.archive,
                    (*sink)->Describe(), g, a.select, a.target, fit,
                    a.archive == "-" || fit ? nullptr : std::function(reopen));
}

// ---- migrate ----------------------------------------------------------------

struct MigrateArgs {
  std::string source;
  std::string target;
  std::string format;  // set: the target is a file written in this format
  bool force = false;  // with format: replace an existing file; write binary data to a terminal
  LoadArgs load;
  SelectArgs select;
  DocumentArgs documents;
  TypeDbArgs typedb;
  ShardArgs sh;
};

// migrate --coordinate and migrate --shard I/N (docs/scale.md, "Sharded migrate").
int RunShardedMigrate(const MigrateArgs& a, const GlobalOptions& g) {
  if (const char* refused = a.sh.Refused()) return Fail(Status::InvalidArgument(refused));
  const char* refused = a.sh.state.empty()  ? "shards need --state DIR, a directory every process reaches"
                        : !a.format.empty() ? "shards load a database: drop --format"
                        : a.force           ? "shards load a database, which --force never replaces: drop --force"
                        : a.load.upsert     ? "shards load new tables: drop --upsert"
                        : a.load.data_only  ? "shards create the tables they load: drop --data-only"
                        : !a.sh.coordinate && (a.load.clean || a.load.append)
                            ? "--clean and --append go with the coordinator, which creates the tables"
                            : nullptr;
  if (refused) return Fail(Status::InvalidArgument(refused));
  if (!IsDatabaseLocation(a.target)) {
    return Fail(Status::InvalidArgument("'" + RedactLocation(a.target) + "' is not a database URI"));
  }
  auto select = a.select.Options();
  if (!select.ok()) return Fail(select.status());
  ShardLoadOptions o;
  o.state = a.sh.state;
  o.jobs = a.load.jobs;
  o.copy = a.load.Copy();
  o.copy.select = std::move(*select);
  auto progress = MakeProgress(a.sh.coordinate ? "coordinate" : "migrate", StyleFor(g));
  o.copy.progress = progress.get();
  AddTestHooks(&o.copy);
  std::string target = RedactLocation(a.target);
  if (a.sh.coordinate) {
    auto source = OpenSource(a.source, EndpointOptions{1});
    if (!source.ok()) return Fail(source.status().WithContext("source"));
    auto sink = OpenDatabaseSink(a.target, EndpointOptions{a.load.jobs});
    if (!sink.ok()) return Fail(sink.status().WithContext("target"));
    o.shards = a.sh.shards;
    if (a.sh.wait_timeout >= 0) o.wait_seconds = a.sh.wait_timeout;
    o.planned = [&](const ShardPlan& plan) {
      AnnounceSnapshot(
          g, plan.snapshot,
          fmt::format("tables created in {}; {} planned in {}; start the {} shards: decant "
                      "migrate {} {} --shard I/{} --state {} (I = 0..{})",
                      (*sink)->Describe(), Counted(plan.units.size(), "unit"), LoadShardPlanPath(a.sh.state),
                      plan.shards, RedactLocation(a.source), target, plan.shards, a.sh.state, plan.shards - 1));
    };
    auto summary = CoordinateShardedLoad(**source, **sink, o);
    if (!summary.ok()) return Fail(ExplainCoordinateError(summary.status()));
    return SaySummary("migrated", *summary, (*source)->Describe(),
                      fmt::format("{} ({} shards)", (*sink)->Describe(), a.sh.shards), g);
  }
  auto shard = ParseShard(a.sh.shard);
  if (!shard.ok()) return Fail(shard.status());
  auto [index, count] = *shard;
  auto plan = ReadLoadShardPlan(a.sh.state);
  if (!plan.ok()) return Fail(plan.status());
  if (Status st = CheckWorkerOptions(a.sh, count, *plan, LoadShardPlanPath(a.sh.state)); !st.ok()) return Fail(st);
  if (FileSystem::Default()->Exists(LoadShardPartPath(a.sh.state, index))) {
    Say(g, fmt::format("shard {}/{} is done already ({}); nothing to do", index, count,
                       LoadShardPartPath(a.sh.state, index)));
    return kExitOk;
  }
  EndpointOptions eo{a.load.jobs};
  eo.snapshot = plan->snapshot;
  auto source = OpenSource(a.source, eo);
  if (!source.ok()) return Fail(source.status().WithContext("source"));
  auto sink = OpenDatabaseSink(a.target, EndpointOptions{a.load.jobs});
  if (!sink.ok()) return Fail(sink.status().WithContext("target"));
  auto summary = RunLoadShard(**source, **sink, *plan, index, o);
  if (!summary.ok()) return Fail(summary.status());
  return SaySummary("migrated", *summary, (*source)->Describe(),
                    fmt::format("shard {}/{} of {}", index, count, (*sink)->Describe()), g);
}

int RunMigrate(const MigrateArgs& args, const GlobalOptions& g) {
  MigrateArgs a = args;
  if (const char* refused = a.load.Refused()) return Fail(Status::InvalidArgument(refused));
  if (a.load.resume && a.sh.sharded()) {
    return Fail(Status::InvalidArgument("a sharded load cannot resume: drop --resume (docs/scale.md)"));
  }
  if (a.sh.sharded()) return RunShardedMigrate(a, g);
  bool to_file = !a.format.empty();
  if (to_file && a.load.resume) {
    return Fail(Status::InvalidArgument("--resume continues a load into a database: not with --format"));
  }
  if (to_file && IsDatabaseLocation(a.target)) {
    return Fail(Status::InvalidArgument("--format writes a file; '" + RedactLocation(a.target) +
                                        "' is a database URI (drop --format to load it)"));
  }
  if (to_file && a.load.upsert) return Fail(Status::InvalidArgument("--upsert loads a database: not with --format"));
  if (!to_file && !IsDatabaseLocation(a.target)) {
    return Fail(Status::InvalidArgument("'" + RedactLocation(a.target) +
                                        "' is not a database URI; to write a file give --format NAME (or use export)"));
  }
  if (!to_file && a.force) {
    return Fail(Status::InvalidArgument("--force replaces a file written with --format; a database takes --clean"));
  }
  if (to_file) {
    auto format = FindFormat(a.format);
    if (!format.ok()) return Fail(format.status());
    if (Status st = CheckOutput(a.target, a.force, *format); !st.ok()) return Fail(st);
  }
  auto read_options = a.documents.Endpoint(a.load.jobs);
  if (!read_options.ok()) return Fail(read_options.status());
  read_options->snapshot = a.sh.snapshot;
  EndpointOptions eo{a.load.jobs};
  bool fit = !to_file && LoadsIntoExistingTables(a.source);  // before the source reads stdin
  bool typedb_in = IsTypeDbFile(a.source), typedb_out = to_file && IsTypeDbFormat(a.format);
  if (a.typedb.version && !typedb_out) return Fail(Status::InvalidArgument("--typedb-version needs --format typedb"));
  FileWriteOptions wo;
  if (typedb_in || typedb_out) {
    auto typedb = a.typedb.Options(a.select.renames);
    if (!typedb.ok()) return Fail(typedb.status());
    (typedb_in ? read_options->typedb : wo.typedb) = *typedb;  // the labels are renamed once
    wo.typedb.version = a.typedb.version;
    a.select.renames.clear();
  }
  auto source = OpenSource(a.source, *read_options);
  if (!source.ok()) return Fail(source.status().WithContext("source"));
  wo.django = read_options->django;
  wo.replace = a.force;
  Result<std::unique_ptr<Sink>> sink = to_file ? OpenFileSink(a.target, a.format, wo) : OpenDatabaseSink(a.target, eo);
  if (!sink.ok()) return Fail(sink.status().WithContext("target"));
  auto reopen = [&]() { return OpenSource(a.source, *read_options); };
  return CopyAndSay("migrate", "migrated", **source, **sink, a.load.Copy(), (*source)->Describe(), (*sink)->Describe(),
                    g, a.select, a.target, fit, to_file ? nullptr : std::function(reopen));
}

// ---- dump / restore -----------------------------------------------------------

struct DumpArgs {
  std::string server;
  std::string output;
  int zstd_level = 3;
  std::string compress = "zstd";
  size_t jobs = 1;
  bool force = false;  // replace an existing dump directory
  std::string sign;    // --sign: an Ed25519 private key file (PEM)
};

uint64_t TotalRows(const ServerCopySummary& s) {
  uint64_t rows = 0;
  for (const auto& [_, copied] : s.databases) rows += copied.rows;
  return rows;
}

int RunDump(const DumpArgs& a, const GlobalOptions& g) {
  std::string out = a.output.empty() ? DefaultDumpName() : a.output;
  if (Status st = CheckOutput(out, a.force, nullptr); !st.ok()) return Fail(st);
  std::shared_ptr<const ArchiveKey> sign;
  if (!a.sign.empty()) {
    auto key = ArchiveKey::Load(a.sign, true);
    if (!key.ok()) return Fail(key.status());
    sign = *key;
  }
  auto server = OpenServer(a.server);
  if (!server.ok()) return Fail(server.status());
  auto progress = MakeProgress("dump", StyleFor(g));
  DumpOptions o;
  o.zstd_level = a.zstd_level;
  o.compress = a.compress != "none";
  o.copy.progress = progress.get();
  o.copy.events = g_events;
  AddTestHooks(&o.copy);
  o.endpoint.jobs = a.jobs;
  o.replace = a.force;
  o.sign = sign;
  auto summary = DumpServer(**server, out, o);
  if (!summary.ok()) return Fail(summary.status());
  Say(g, fmt::format("dumped {}, {} from {} to {} in {:.2f} s", Counted(summary->databases.size(), "database"),
                     Counted(TotalRows(*summary), "row"), (*server)->Describe(), out, summary->seconds));
  if (g_events) g_events->ServerCopyFinished(*summary, (*server)->Describe(), out, kExitOk);
  return kExitOk;
}

struct RestoreArgs {
  std::string dump;
  std::string server;
  std::string verify_signature;
  LoadArgs load;
};

int RunRestore(const RestoreArgs& a, const GlobalOptions& g) {
  if (const char* refused = a.load.Refused()) return Fail(Status::InvalidArgument(refused));
  auto verify = VerifyKey(a.verify_signature);
  if (!verify.ok()) return Fail(verify.status());
  auto server = OpenServer(a.server);
  if (!server.ok()) return Fail(server.status());
  auto progress = MakeProgress("restore", StyleFor(g));
  RestoreOptions o;
  o.copy = a.load.Copy();
  o.copy.progress = progress.get();
  o.copy.events = g_events;
  AddTestHooks(&o.copy);
  o.endpoint.jobs = a.load.jobs;
  o.verify = *verify;
  auto summary = RestoreServer(a.dump, **server, o);
  if (!summary.ok()) return Fail(summary.status());
  Say(g, fmt::format("restored {}, {} from {} to {} in {:.2f} s", Counted(summary->databases.size(), "database"),
                     Counted(TotalRows(*summary), "row"), a.dump, (*server)->Describe(), summary->seconds));
  // What a target older than the dumped server refused, per database, as import lists it.
  size_t not_carried = 0;
  for (const auto& [database, copied] : summary->databases) {
    if (copied.not_carried.empty()) continue;
    Say(g, fmt::format("{}: not carried ({}):", Printable(database), Counted(copied.not_carried.size(), "object")));
    for (const auto& line : copied.not_carried) Say(g, "  " + Printable(line));
    not_carried += copied.not_carried.size();
  }
  int code = not_carried ? kExitNotCarried : kExitOk;
  if (g_events) g_events->ServerCopyFinished(*summary, a.dump, (*server)->Describe(), code);
  return code;
}

// ---- inspect ----------------------------------------------------------------

struct InspectArgs {
  std::string archive;
  bool check = false;
  std::string verify_signature;
  bool json = false;
  DocumentArgs documents;
  std::vector<std::string> renames;  // TypeDB files
};

// inspect for a file in another format than the decant archive: what its
// Source makes of it (tables, keys, columns, indexes, what is not carried,
// the shaping notes); with --check every row is read.
int InspectForeign(const InspectArgs& a, const FormatRow& format) {
  auto read_options = a.documents.Endpoint();
  if (!read_options.ok()) return Fail(read_options.status());
  if (format.inspect) {  // the format says more than its tables (a TypeDB export)
    auto typedb = TypeDbArgs{}.Options(a.renames);
    if (!typedb.ok()) return Fail(typedb.status());
    read_options->typedb = *typedb;
  }
  if (format.inspect && !a.json) {  // its own report is text; --json: the tables it becomes
    auto text = format.inspect(a.archive, *read_options, a.check, FileSystem::Default());
    if (!text.ok()) return Fail(text.status());
    PutLines(*text);
    return kExitOk;
  }
  auto source = OpenFileSource(a.archive, *read_options);
  if (!source.ok()) return Fail(source.status());
  auto schema = (*source)->ReadSchema();
  if (!schema.ok()) return Fail(schema.status());
  std::string out = fmt::format("input:   {} ({})\n", Printable((*source)->Describe()), format.description);
  out += fmt::format("tables:  {}\n", schema->tables.size());
  uint64_t total = 0;
  nlohmann::ordered_json tables = nlohmann::ordered_json::array();
  for (const Table& t : schema->tables) {
    std::string key;
    if (t.primary_key) {
      for (const std::string& c : t.primary_key->columns) key += (key.empty() ? "" : ", ") + c;
    }
    std::string rows;
    if (a.check) {
      auto reader = (*source)->OpenTable(t);
      if (!reader.ok()) return Fail(reader.status());
      RowBatch batch;
      uint64_t n = 0;
      while (true) {
        auto more = (*reader)->Next(&batch);
        if (!more.ok()) return Fail(more.status());
        if (!*more) break;
        n += batch.num_rows();
      }
      total += n;
      rows = ", " + Counted(n, "row");
      tables.push_back({{"table", QualifiedName(t.schema, t.name)}, {"rows", n}});
    } else if (auto size = (*source)->EstimateSize(t); size.rows) {
      rows = ", about " + Counted(*size.rows, "row");
      tables.push_back({{"table", QualifiedName(t.schema, t.name)}, {"estimated_rows", *size.rows}});
    } else {
      tables.push_back({{"table", QualifiedName(t.schema, t.name)}});
    }
    nlohmann::ordered_json& table_json = tables.back();
    table_json["primary_key"] = t.primary_key ? t.primary_key->columns : std::vector<std::string>{};
    table_json["columns"] = nlohmann::ordered_json::array();
    for (const Column& c : t.columns) {
      table_json["columns"].push_back(
          {{"name", c.name}, {"type", LogicalTypeName(c.type.logical)}, {"nullable", c.nullable}});
    }
    out += fmt::format("\n  {} (primary key {}{})\n", Printable(QualifiedName(t.schema, t.name)), key, rows);
    for (const Column& c : t.columns) {
      out += fmt::format("    {:<24} {}{}\n", Printable(c.name), LogicalTypeName(c.type.logical),
                         c.nullable ? "" : " not null");
    }
    for (const Index& x : schema->indexes) {
      if (x.schema != t.schema || x.table != t.name) continue;
      std::string keys;
      for (const IndexKey& k : x.keys) {
        std::string key_text = k.column.empty() ? k.expression : k.column;
        for (const std::string& p : k.json_path) key_text += "." + p;
        keys += (keys.empty() ? "" : ", ") + key_text;
      }
      out += fmt::format("    index {} ({})\n", Printable(x.name), Printable(keys));
    }
  }
  if (!schema->objects.empty()) {
    out += fmt::format("\nnot carried to another engine ({}):\n", schema->objects.size());
    for (const NativeObject& o : schema->objects) {
      out += fmt::format("  {} {}{}: {}\n", o.kind, Printable(o.name),
                         o.table.empty() ? "" : " on " + Printable(QualifiedName(o.schema, o.table)),
                         Printable(o.native_ddl));
    }
  }
  std::vector<std::string> notes = (*source)->Notes();
  if (!notes.empty()) {
    out += fmt::format("\nnotes ({}):\n", notes.size());
    for (const std::string& n : notes) out += "  " + Printable(n) + "\n";
  }
  if (a.check) out += fmt::format("\ncheck: OK, every document read ({})\n", Counted(total, "row"));
  if (a.json) {
    nlohmann::ordered_json not_carried = nlohmann::ordered_json::array();
    for (const NativeObject& o : schema->objects) {
      not_carried.push_back({{"kind", o.kind},
                             {"name", o.name},
                             {"table", o.table.empty() ? "" : QualifiedName(o.schema, o.table)},
                             {"ddl", o.native_ddl}});
    }
    nlohmann::ordered_json body = {{"input", (*source)->Describe()},
                                   {"format", std::string(format.name)},
                                   {"description", std::string(format.description)},
                                   {"checked", a.check}};
    if (a.check) body["rows"] = total;
    body["tables"] = std::move(tables);
    body["not_carried"] = std::move(not_carried);
    body["notes"] = notes;
    PrintJsonDocument("inspect", body);
    return kExitOk;
  }
  PutLines(out);
  return kExitOk;
}

int RunInspect(const InspectArgs& a) {
  auto format = RecogniseFile(a.archive);  // a one-line answer for a file that is no archive
  if (!format.ok()) return Fail(format.status());
  if (!a.renames.empty() && (*format)->name != "typedb") {
    return Fail(Status::InvalidArgument("inspect takes --rename for TypeDB files only"));
  }
  if (*format != &Formats().front()) {
    if (!a.verify_signature.empty()) {
      return Fail(Status::InvalidArgument("--verify-signature checks decant archives; " + a.archive + " is a " +
                                          std::string((*format)->description)));
    }
    return InspectForeign(a, **format);
  }
  auto verify = VerifyKey(a.verify_signature);
  if (!verify.ok()) return Fail(verify.status());
  if (*verify) {
    if (Status st = VerifyArchiveSignature(a.archive, **verify); !st.ok()) return Fail(st);
  }
  auto info = InspectArchive(a.archive, a.check);
  if (!info.ok()) return Fail(info.status());
  if (a.json) {
    nlohmann::ordered_json body = ArchiveInfoJson(*info, a.archive, a.check);
    if (*verify || !info->signed_by.empty()) {
      body["signature"] = {{"key_id", *verify ? (*verify)->key_id() : info->signed_by},
                           {"verified", *verify != nullptr}};
    }
    PrintJsonDocument("inspect", body);
    return kExitOk;
  }
  uint64_t rows = 0, chunks = 0, compressed = 0, raw = 0;
  size_t width = 5;
  for (const auto& t : info->tables) {
    rows += t.rows;
    chunks += t.chunks.size();
    for (const auto& c : t.chunks) {
      compressed += c.compressed_bytes;
      raw += c.uncompressed_bytes;
    }
    width = std::max(width, QualifiedName(t.schema, t.name).size());
  }
  std::string out;
  // What the manifest says is the archive's data: escaped as every name is.
  out += fmt::format("archive:        {} ({} form, {})\n", Printable(a.archive), info->form,
                     HumanBytes(info->total_bytes));
  out += fmt::format("format version: {} (written by decant {})\n", Printable(info->format_version),
                     Printable(info->decant_version));
  out += fmt::format("source:         {} {}, database {}\n", Printable(info->source_engine),
                     Printable(info->server_version), Printable(info->database));
  out += fmt::format("created:        {}\n", Printable(info->created_at));
  if (*verify) {
    out += fmt::format("signature:      verified, Ed25519 key {} ({})\n", (*verify)->key_id(),
                       Printable(a.verify_signature));
  } else if (!info->signed_by.empty()) {
    out += fmt::format("signature:      Ed25519 key {}, not verified (--verify-signature KEY checks it)\n",
                       info->signed_by);
  }
  out += fmt::format("tables:         {} with {} in {} ({} compressed from {})\n", info->tables.size(),
                     Counted(rows, "row"), Counted(chunks, "chunk"), HumanBytes(compressed), HumanBytes(raw));
  out += fmt::format("\n  {:<{}}  {:>12}  {:>6}  {:>10}  {}\n", "table", width, "rows", "chunks", "bytes", "checksums");
  for (const auto& t : info->tables) {
    uint64_t bytes = 0;
    std::string sums;
    for (const auto& c : t.chunks) {
      bytes += c.compressed_bytes;
      if (sums.size() < 60) sums += (sums.empty() ? "" : ",") + c.checksum;
    }
    if (sums.size() >= 60) sums = sums.substr(0, 57) + "...";
    out += fmt::format("  {:<{}}  {:>12}  {:>6}  {:>10}  {}\n", Printable(QualifiedName(t.schema, t.name)), width,
                       t.rows, t.chunks.size(), HumanBytes(bytes), sums);
  }
  if (a.check)
    out += fmt::format("\ncheck: OK, {} read, checksums and row counts verified\n",
                       chunks == 1 ? "the one chunk" : "all " + Counted(chunks, "chunk"));
  PutLines(out);
  return kExitOk;
}

// ---- schema -----------------------------------------------------------------

struct SchemaArgs {
  std::string source;
  std::string dialect{Engines().front()->name};  // the first engine listed: SQLite
  DocumentArgs documents;
  std::vector<std::string> renames;  // TypeDB files
};

int RunSchema(const SchemaArgs& a) {
  const EngineTraits* dialect = FindEngine(a.dialect);
  if (!dialect || !dialect->schema_ddl) {
    return Fail(Status::InvalidArgument("dialect '" + a.dialect + "' is not known (" + EngineNames(true) + ")"));
  }
  auto read_options = a.documents.Endpoint();
  if (!read_options.ok()) return Fail(read_options.status());
  if (IsTypeDbFile(a.source)) {
    auto typedb = TypeDbArgs{}.Options(a.renames);
    if (!typedb.ok()) return Fail(typedb.status());
    read_options->typedb = *typedb;
  } else if (!a.renames.empty()) {
    return Fail(Status::InvalidArgument("schema takes --rename for TypeDB files only"));
  }
  auto source = OpenSource(a.source, *read_options);
  if (!source.ok()) return Fail(source.status());
  auto schema = (*source)->ReadSchema();
  if (!schema.ok()) return Fail(schema.status());
  Status finished = (*source)->Finish();  // a piped archive must be whole
  if (!finished.ok()) return Fail(finished);
  std::string notes;
  if (schema->engine != dialect->name) {  // what plan does to a schema from another engine (schema_adapt.h)
    std::vector<std::string> changed, dropped;
    AdaptSchema(&*schema, SystemNamed(schema->engine), *dialect, &changed, &dropped);
    for (const std::string& line : changed) notes += "-- created differently: " + line + "\n";
    for (const std::string& line : dropped) notes += "-- not carried: " + line + "\n";
    for (size_t at = notes.find("\n "); at != std::string::npos; at = notes.find("\n ", at + 3)) {
      notes.insert(at + 1, "--");
    }
  }
  std::string ddl = notes + dialect->schema_ddl(*schema, SystemNamed(schema->engine));
  // Exact SQL into a file or a pipe; on a terminal, a name's control
  // characters are shown escaped (its line breaks stay: they are the SQL's).
  if (::isatty(STDOUT_FILENO)) {
    PutLines(ddl);
  } else {
    std::fputs(ddl.c_str(), stdout);
  }
  return kExitOk;
}

// ---- plan -------------------------------------------------------------------

struct PlanArgs {
  std::string source;
  std::string target;
  bool data_only = false;
  bool scan = false;
  size_t jobs = 1;
  bool ddl = false;
  bool json = false;
  SelectArgs select;
  DocumentArgs documents;
};

// Prints what a migrate/import into `target` would declare and could lose
// (with --ddl, also the statements its sink would run, from the engine's
// own statement list). Connects to nothing but the source (and, with
// --data-only, reads the target's schema); with --scan, also reads the
// source's rows to count the conversions.
int RunPlan(const PlanArgs& a) {
  auto engine = EngineOfLocation(a.target);
  if (!engine.ok()) return Fail(engine.status());
  if ((*engine)->values.keeps_values_as_read) {
    return Fail(Status::InvalidArgument("plan needs a database target; '" + a.target +
                                        "' is an archive path (an archive keeps every value as read)"));
  }
  auto read_options = a.documents.Endpoint(a.scan ? a.jobs : 1);
  if (!read_options.ok()) return Fail(read_options.status());
  bool fit = LoadsIntoExistingTables(a.source);  // before the source reads stdin
  SelectArgs select_args = a.select;
  if (IsTypeDbFile(a.source)) {
    auto typedb = TypeDbArgs{}.Options(select_args.renames);
    if (!typedb.ok()) return Fail(typedb.status());
    read_options->typedb = *typedb;
    select_args.renames.clear();
  }
  auto source = OpenSource(a.source, *read_options);
  if (!source.ok()) return Fail(source.status().WithContext("source"));
  auto fitted = FitSource(fit, **source, a.target);
  if (!fitted.ok()) return Fail(fitted.status());
  bool data_only = a.data_only || *fitted;
  auto schema = (*source)->ReadSchema();
  if (!schema.ok()) return Fail(schema.status());
  Result<Schema> existing = Schema{};
  if (*fitted) {
    existing = (*fitted)->schema;
  } else if (data_only) {
    existing = ReadTargetSchema(a.target);
    if (!existing.ok()) return Fail(existing.status().WithContext("target"));
  }
  auto select = select_args.Options();
  if (!select.ok()) return Fail(select.status());
  auto plan = PlanMigration(*schema, *select, **engine, data_only ? &*existing : nullptr);
  if (!plan.ok()) return Fail(plan.status());
  std::vector<std::string> source_notes = (*source)->Notes();
  plan->notes.insert(plan->notes.begin(), source_notes.begin(), source_notes.end());
  std::string text;
  nlohmann::ordered_json json = PlanJson(*plan, *schema);
  if (a.scan) {
    auto scan = ScanPlan(**source, *plan, ScanOptions{a.jobs});
    if (!scan.ok()) return Fail(scan.status().WithContext("plan --scan"));
    text = FormatScannedPlan(*plan, *scan);
    json["scan"] = PlanScanJson(*scan);
  } else {
    text = FormatPlan(*plan);
  }
  if (a.json) {
    if (a.ddl) {
      json["ddl"] = plan->data_only || !(*engine)->schema_ddl
                        ? nlohmann::ordered_json()
                        : nlohmann::ordered_json((*engine)->schema_ddl(plan->target_schema, *plan->source_traits));
    }
    PrintJsonDocument("plan", json);
    return kExitOk;
  }
  if (a.ddl) {
    if (plan->data_only) {
      text += "\nDDL: none (--data-only loads into the tables already there)\n";
    } else if (!(*engine)->schema_ddl) {
      text += fmt::format("\nDDL: {} has no DDL printer\n", plan->target_engine);
    } else {
      text += fmt::format("\nDDL the {} sink will run:\n", plan->target_engine);
      text += (*engine)->schema_ddl(plan->target_schema, *plan->source_traits);
    }
  }
  PutLines(text);
  return kExitOk;
}

// ---- verify -----------------------------------------------------------------

struct VerifyArgs {
  std::string a, b;
  bool json = false;
  DocumentArgs documents;
  SelectArgs select;  // applied to A: what an import or migrate selected and renamed
};

int RunVerify(const VerifyArgs& args, const GlobalOptions& g) {
  if (args.a == "-" && args.b == "-") {
    return Fail(Status::InvalidArgument("verify can read only one of A and B from standard input"));
  }
  auto read_options = args.documents.Endpoint();
  if (!read_options.ok()) return Fail(read_options.status());
  // Before either source reads stdin.
  bool fit_a = LoadsIntoExistingTables(args.a), fit_b = LoadsIntoExistingTables(args.b);
  if (fit_b && !fit_a) {
    return Fail(Status::InvalidArgument("give the file first: decant verify " + args.b + " DATABASE"));
  }
  // --rename on a TypeDB file A renames its labels as it is read (an import
  // or export with the same renames wrote B); B is read as it is.
  SelectArgs select_args = args.select;
  EndpointOptions read_a = *read_options;
  if (!select_args.renames.empty() && IsTypeDbFile(args.a)) {
    auto typedb = TypeDbArgs{}.Options(select_args.renames);
    if (!typedb.ok()) return Fail(typedb.status());
    read_a.typedb = *typedb;
    select_args.renames.clear();
  } else if (!select_args.renames.empty() && IsTypeDbFile(args.b)) {
    return Fail(Status::InvalidArgument("--rename renames A's labels: give the TypeDB file first (decant verify " +
                                        args.b + " " + RedactLocation(args.a) + ")"));
  }
  auto a = OpenSource(args.a, read_a);
  if (!a.ok()) return Fail(a.status().WithContext("A"));
  // A file whose records load into an application's tables is compared with
  // the tables and columns it fills; what it matched by natural key in
  // tables the application filled itself (content types) is not compared.
  auto fitted = FitSource(fit_a, **a, args.b);
  if (!fitted.ok()) return Fail(fitted.status().WithContext("A"));
  auto b = OpenSource(args.b, *read_options);
  if (!b.ok()) return Fail(b.status().WithContext("B"));
  VerifyOptions vo;
  auto select = select_args.Options();
  if (!select.ok()) return Fail(select.status());
  vo.select_a = *select;
  if (*fitted) {
    vo.a_within_b = true;
    for (const std::string& merged : (*a)->MergedTables()) vo.select_a.exclude_tables.push_back(merged);
  }
  auto report = VerifySources(**a, **b, vo);
  if (!report.ok()) return Fail(report.status());
  if (g_report) g_report->verify = VerifyJson(*report, (*a)->Describe(), (*b)->Describe());
  if (args.json) {
    PrintJsonDocument("verify", VerifyJson(*report, (*a)->Describe(), (*b)->Describe()));
    return report->equal() ? kExitOk : kExitDifferent;
  }
  size_t width = 5;
  for (const auto& d : report->a) width = std::max(width, d.table.size());
  std::string out = fmt::format("A: {}\nB: {}\n\n", Printable((*a)->Describe()), Printable((*b)->Describe()));
  uint64_t rows = 0;
  for (const auto& d : report->a) {
    const TableDifference* diff = nullptr;
    for (const auto& x : report->differences) {
      if (x.table == d.table) diff = &x;
    }
    rows += d.rows;
    out += fmt::format("  {:<{}}  {:>12} rows  {}  {}\n", Printable(d.table), width, d.rows, DigestHex(d.hash),
                       diff ? "DIFFERENT: " + Printable(diff->reason) : "equal");
  }
  for (const auto& x : report->differences) {
    if (x.reason == "only in B") out += fmt::format("  {:<{}}  DIFFERENT: only in B\n", Printable(x.table), width);
  }
  // What differs inside the tables: columns on one side only, the first differing rows.
  std::string details;
  for (const auto& x : report->differences) {
    for (const auto& line : x.details) details += Printable(x.table) + ": " + Printable(line) + "\n";
  }
  if (!details.empty()) out += "\n" + details;
  if (report->equal()) {
    out +=
        fmt::format("\nequal: {}, {} hold the same data\n", Counted(report->a.size(), "table"), Counted(rows, "row"));
  } else {
    std::string names;
    for (const auto& x : report->differences) names += (names.empty() ? "" : ", ") + Printable(x.table);
    size_t differ = report->differences.size();
    out += fmt::format("\nDIFFERENT: {} of {} {}: {}\n", differ,
                       Counted(std::max(report->a.size(), report->b.size()), "table"),
                       Noun(differ, "differs", "differ"), names);
  }
  if (!g.quiet) PutLines(out);
  return report->equal() ? kExitOk : kExitDifferent;
}

}  // namespace

int ExitCodeFor(const Status& status) {
  if (!status.ok()) {
    switch (InterruptSignal()) {
      case SIGINT: return kExitInterrupted;
      case SIGTERM: return kExitTerminated;
      case SIGPIPE: return kExitBrokenPipe;
      default: break;
    }
  }
  switch (status.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInvalidArgument: return kExitUsage;
    case StatusCode::kCorruption: return kExitCorrupt;
    case StatusCode::kUnsupportedVersion: return kExitNewerFormat;
    case StatusCode::kFailedPrecondition: return kExitPrecondition;
    case StatusCode::kUnavailable: return kExitUnavailable;
    case StatusCode::kNotFound:
    case StatusCode::kIOError:
    case StatusCode::kNoSpace: return kExitIO;
    case StatusCode::kDataLoss: return kExitDataLoss;
    case StatusCode::kNotCarried: return kExitStrictObj;
    case StatusCode::kRefused: return kExitRefused;
    case StatusCode::kCancelled: return InterruptSignal() == SIGTERM ? kExitTerminated : kExitInterrupted;
    case StatusCode::kInternal: return kExitInternal;
  }
  return kExitInternal;
}

int RunDecant(int argc, char** raw_argv) {
  // What `ps` shows (/proc/PID/cmdline) is argv itself: each password in it
  // is overwritten in place once copied, as the mysql client does for -p
  // (docs/security.md); everything below reads the copies.
  std::vector<std::string> arguments(raw_argv, raw_argv + argc);
  for (int i = 1; i < argc; ++i) MaskSecretsInPlace(raw_argv[i]);
  std::vector<char*> argv_copy;
  for (std::string& a : arguments) argv_copy.push_back(a.data());
  argv_copy.push_back(nullptr);
  char** argv = argv_copy.data();
  CLI::App app{"decant: move a database between engines, versions and machines, exactly"};
  app.set_version_flag("-V,--version", fmt::format("decant {} (archive format {}.{})", DECANT_VERSION,
                                                   kArchiveFormatMajor, kArchiveFormatMinor));
  app.require_subcommand(1);
  // Global options work before or after the command (the commands fall
  // through to the app), and what no one knows is left over for LeftOver.
  app.fallthrough();
  app.allow_extras();
  GlobalOptions g;
  app.add_option("--progress", g.progress,
                 "progress display: auto (terminal on a terminal, else log), terminal (live lines of the running "
                 "tables and a total with ETA), log (timestamped lines, no escape codes), none (docs/cli.md, Progress)")
      ->transform(OneOf("progress display", {"auto", "terminal", "log", "none"}));
  app.add_flag("-q,--quiet", g.quiet, "print nothing but errors");
  app.add_option("--json-log", g.json_log,
                 "export, import, migrate: write the run's events to FILE as JSON lines ('-': stdout, when the "
                 "command writes no data there; docs/events.md)");
  app.add_option("--report", g.report,
                 "export, import, migrate, verify: write a self-contained HTML report of the run to FILE "
                 "(docs/report.md)");
  AddExamples(&app,
              {"decant export sqlite:///srv/app.db -o app.decant", "decant import app.decant postgresql://app@db2/shop",
               "decant migrate mysql://app@db1/shop postgresql://app@db2/shop -j 4"});

  ExportArgs ex;
  auto* export_cmd = app.add_subcommand("export", "one database -> archive");
  AddExamples(export_cmd, {"decant export sqlite:///srv/app.db -o app.decant",
                           "decant export postgresql://app@db1/shop --directory -j 4 -o shop.dcd",
                           "decant export sqlite:chinook.db --table Album --table Artist -o music.decant"});
  export_cmd->add_option("source", ex.source, "database URI, e.g. sqlite:///path/app.db")->required();
  export_cmd->add_option("-o,--output", ex.output,
                         "archive path; '-' writes the single-file form to stdout (--format rethinkdb: "
                         "rethinkdb_dump_<DATE>.tar.gz when left out)");
  export_cmd->add_flag("--directory", ex.directory, "write the directory form (a folder of chunk files)");
  export_cmd->add_flag("--resume", ex.resume,
                       "with --directory: continue an interrupted export in OUTPUT.partial, keeping the tables it "
                       "completed (their chunks checked)");
  export_cmd->add_flag("--not-consistent", ex.not_consistent,
                       "with --resume: continue even when the source cannot show it still holds what the "
                       "interrupted export read (a live database's snapshot ends with its export)");
  export_cmd->add_option("--zstd-level", ex.zstd_level, "zstd compression level (1-19, default 3)")
      ->check(CLI::Range(1, 19));
  export_cmd->add_option("--compress", ex.compress, "chunk compression (default zstd)")
      ->transform(OneOf("compression", {"zstd", "none"}));
  export_cmd->add_option("-j,--jobs", ex.jobs, "tables read at once, from one snapshot (needs --directory)")
      ->check(CLI::Range(1, 64));
  export_cmd->add_option("--format", ex.format, "file format to write (default decant)")
      ->transform(OneOf("format", WrittenFormatNames()));
  export_cmd->add_flag("--force", ex.force,
                       "replace an existing output once the new one is complete (a file, or an archive directory); "
                       "with -o -, write binary data to a terminal");
  export_cmd->add_option("--sign", ex.sign,
                         "sign the archive with this Ed25519 private key (PEM: openssl genpkey -algorithm ed25519)");
  AddSelectOptions(export_cmd, &ex.select);
  AddDjangoWriteOptions(export_cmd, &ex.django, true);
  AddTypeDbVersion(export_cmd, &ex.typedb);
  AddShardOptions(export_cmd, &ex.sh, "-o DIR");

  ImportArgs im;
  auto* import_cmd = app.add_subcommand("import", "archive -> database");
  AddExamples(import_cmd, {"decant import app.decant postgresql://app@db2/shop",
                           "decant import --clean -j 4 shop.dcd mysql://app@db2/shop",
                           "decant export sqlite:app.db -o - | decant import - sqlite:copy.db"});
  import_cmd->add_option("archive", im.archive, "archive or other file decant reads (file, directory; '-' reads stdin)")
      ->required();
  import_cmd->add_option("target", im.target, "database URI")->required();
  AddLoadOptions(import_cmd, &im.load, "tables loaded at once");
  import_cmd->add_option("--verify-signature", im.verify_signature,
                         "refuse the archive, before anything is written, unless it is signed by this Ed25519 key "
                         "(PEM, public or private)");
  AddStrictObjects(import_cmd, &im.load);
  AddDataOnly(import_cmd, &im.load);
  AddUpsert(import_cmd, &im.load);
  AddResume(import_cmd, &im.load);
  AddSelectOptions(import_cmd, &im.select);
  AddDocumentOptions(import_cmd, &im.documents);

  MigrateArgs mi;
  auto* migrate_cmd = app.add_subcommand("migrate", "database -> database, no file in between");
  AddExamples(migrate_cmd,
              {"decant migrate sqlite:///srv/app.db postgresql://app@db2/app",
               "decant migrate mysql://app@db1/shop postgresql://app@db2/shop -j 4 --exclude-table 'audit_*'",
               "decant migrate postgresql://app@db1/shop fixture.json --format django"});
  migrate_cmd->add_option("source", mi.source, "database URI, or a file in any format decant reads")->required();
  migrate_cmd->add_option("target", mi.target, "database URI, or a file with --format")->required();
  migrate_cmd->add_option("--format", mi.format, "write TARGET as a file in this format")
      ->transform(OneOf("format", WrittenFormatNames()));
  migrate_cmd->add_flag("--force", mi.force,
                        "with --format: replace an existing file once the new one is complete; with TARGET -, write "
                        "binary data to a terminal");
  AddLoadOptions(migrate_cmd, &mi.load, "tables copied at once");
  AddStrictObjects(migrate_cmd, &mi.load);
  AddDataOnly(migrate_cmd, &mi.load);
  AddUpsert(migrate_cmd, &mi.load);
  AddResume(migrate_cmd, &mi.load);
  AddSelectOptions(migrate_cmd, &mi.select);
  AddDocumentOptions(migrate_cmd, &mi.documents);
  AddDjangoWriteOptions(migrate_cmd, &mi.documents.django, false);
  AddTypeDbVersion(migrate_cmd, &mi.typedb);
  AddShardOptions(migrate_cmd, &mi.sh, "--state DIR");
  migrate_cmd->add_option("--state", mi.sh.state,
                          "with --coordinate or --shard: the directory of the sharded load's plan and parts, which "
                          "every process reaches (docs/scale.md)");

  DumpArgs du;
  auto* dump_cmd = app.add_subcommand("dump", "every database of a server -> dump directory");
  AddExamples(dump_cmd, {"decant dump postgresql://postgres@db1 -o nightly",
                         "decant dump mysql://root@db1 -j 4 --compress none"});
  dump_cmd->add_option("server", du.server, "server URI, e.g. postgresql://user@host:5432")->required();
  dump_cmd->add_option("-o,--output", du.output, "dump directory (default decant_dump_<UTC timestamp>)");
  dump_cmd->add_option("--zstd-level", du.zstd_level, "zstd compression level (1-19, default 3)")
      ->check(CLI::Range(1, 19));
  dump_cmd->add_option("--compress", du.compress, "chunk compression (default zstd)")
      ->transform(OneOf("compression", {"zstd", "none"}));
  dump_cmd->add_option("-j,--jobs", du.jobs, "connections reading each database")->check(CLI::Range(1, 64));
  dump_cmd->add_flag("--force", du.force, "replace an existing dump directory (or file) once the new dump is complete");
  dump_cmd->add_option("--sign", du.sign,
                       "sign every database's archive with this Ed25519 private key (PEM: openssl genpkey -algorithm "
                       "ed25519)");

  RestoreArgs re;
  auto* restore_cmd = app.add_subcommand("restore", "dump directory -> every database back onto a server");
  AddExamples(restore_cmd, {"decant restore nightly postgresql://postgres@db2",
                            "decant restore --clean -j 4 nightly mysql://root@db2"});
  restore_cmd->add_option("dump", re.dump, "dump directory written by decant dump")->required();
  restore_cmd->add_option("server", re.server, "server URI")->required();
  AddLoadOptions(restore_cmd, &re.load, "tables loaded at once");
  AddResume(restore_cmd, &re.load);
  restore_cmd->add_option("--verify-signature", re.verify_signature,
                          "refuse the dump, before any database is created, unless every archive is signed by this "
                          "Ed25519 key (PEM, public or private)");

  InspectArgs in;
  auto* inspect_cmd = app.add_subcommand("inspect", "show what an archive holds");
  AddExamples(inspect_cmd, {"decant inspect app.decant", "decant inspect --check shop.dcd",
                            "decant export sqlite:app.db -o - | decant inspect -"});
  inspect_cmd->add_option("archive", in.archive, "archive file or directory; '-' reads stdin")->required();
  inspect_cmd->add_flag("--check", in.check,
                        "read and verify every chunk (a TypeDB export: recount everything against its checksums)");
  inspect_cmd->add_option("--verify-signature", in.verify_signature,
                          "fail (exit 3) unless the archive is signed by this Ed25519 key (PEM, public or private)");
  inspect_cmd->add_flag("--json", in.json, "print what it holds as one JSON document (docs/events.md)");
  AddDocumentOptions(inspect_cmd, &in.documents);
  AddTypeDbRename(inspect_cmd, &in.renames);

  SchemaArgs sc;
  auto* schema_cmd = app.add_subcommand("schema", "print the schema as DDL");
  AddExamples(schema_cmd, {"decant schema app.decant", "decant schema sqlite:///srv/app.db --dialect postgresql",
                           "decant schema postgresql://app@db1/shop --dialect mysql > shop.sql"});
  schema_cmd->add_option("source", sc.source, "database URI or archive")->required();
  schema_cmd->add_option("--dialect", sc.dialect, "DDL dialect (default " + sc.dialect + ")")
      ->transform(OneOf("dialect", DialectNames()));
  AddDocumentOptions(schema_cmd, &sc.documents);
  AddTypeDbRename(schema_cmd, &sc.renames);

  PlanArgs pl;
  auto* plan_cmd =
      app.add_subcommand("plan", "what migrate/import into TARGET would declare and could lose; writes nothing");
  AddExamples(plan_cmd, {"decant plan sqlite:///srv/app.db postgresql://app@db2/app",
                         "decant plan mysql://app@db1/shop postgresql://app@db2/shop --scan -j 4",
                         "decant plan app.decant mysql://app@db2/shop --ddl"});
  plan_cmd->add_option("source", pl.source, "database URI or archive")->required();
  plan_cmd->add_option("target", pl.target, "database URI")->required();
  plan_cmd->add_flag("--data-only", pl.data_only, "plan a load into the tables the target already has");
  plan_cmd->add_flag("--scan", pl.scan,
                     "also read the source's rows: count, per column, the values that would be converted, "
                     "with the keys of the first ones");
  plan_cmd->add_option("-j,--jobs", pl.jobs, "with --scan: tables read at once")->check(CLI::Range(1, 64));
  plan_cmd->add_flag("--ddl", pl.ddl, "also print the DDL the target's sink would run, in its dialect");
  plan_cmd->add_flag("--json", pl.json, "print the plan as one JSON document (docs/events.md)");
  AddSelectOptions(plan_cmd, &pl.select);
  AddDocumentOptions(plan_cmd, &pl.documents);

  VerifyArgs ve;
  auto* verify_cmd = app.add_subcommand("verify", "do A and B hold the same data? exit 0 if so, 1 if not");
  AddExamples(verify_cmd, {"decant verify sqlite:///srv/app.db postgresql://app@db2/app",
                           "decant verify app.decant mysql://app@db2/shop --table 'Invoice*'"});
  verify_cmd->add_option("a", ve.a, "database URI or archive")->required();
  verify_cmd->add_option("b", ve.b, "database URI or archive")->required();
  AddDocumentOptions(verify_cmd, &ve.documents);
  verify_cmd->add_flag("--json", ve.json, "print the result as one JSON document, -q or not (docs/events.md)");
  verify_cmd->add_option("--table", ve.select.tables, "compare only A's tables matching this pattern; repeatable");
  verify_cmd->add_option("--exclude-table", ve.select.exclude_tables, "leave out A's tables matching this pattern");
  verify_cmd->add_option("--rename", ve.select.renames,
                         "OLD=NEW: A's table, column or schema as the import or migrate renamed it (A a TypeDB file: "
                         "its labels); repeatable");

  OneValuePerOccurrence(&app);
  AddGenerateDocs(&app);  // hidden: the man pages and completions the build installs (docs/install.md)

  // The --json-log, opened once the command line is parsed, or when parsing
  // failed after --json-log was read (the usage error is then its error event).
  std::unique_ptr<EventLog> log;
  auto open_log = [&](const std::string& path, const CLI::App* command) -> Status {
    auto opened = EventLog::Open(path);
    if (!opened.ok()) return opened.status();
    log = std::move(*opened);
    log->RunStarted(command ? command->get_name() : "", std::vector<std::string>(argv + 1, argv + argc));
    g_events = log.get();
    return Status::OK();
  };
  // After a usage error: `usage` in the log when --json-log was read before it.
  auto fail_usage = [&](const Status& usage, const CLI::App* command) {
    const CLI::Option* json_log = app.get_option("--json-log");
    if (!json_log->results().empty()) {
      const std::string& path = json_log->results().back();
      if (!path.empty()) static_cast<void>(open_log(path, command));
    }
    int code = Fail(usage);
    g_events = nullptr;
    return code;
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::vector<CLI::App*> parsed = app.get_subcommands();
    const CLI::App* command = parsed.empty() ? nullptr : parsed.front();
    Status left = LeftOver(app, command);  // an unknown name explains the rest ("source is required")
    if (!left.ok()) return fail_usage(left, command);
    if (!command && e.get_name() == "RequiredError") {
      return fail_usage(Status::InvalidArgument("a command is required (see decant --help)"), command);
    }
    return fail_usage(Status::InvalidArgument(fmt::format("{} (see decant{}{} --help)", e.what(), command ? " " : "",
                                                          command ? command->get_name() : "")),
                      command);
  }
  {
    std::vector<CLI::App*> parsed = app.get_subcommands();
    Status left = LeftOver(app, parsed.empty() ? nullptr : parsed.front());
    if (!left.ok()) return fail_usage(left, parsed.empty() ? nullptr : parsed.front());
  }
  SetUpLogging(g.quiet);
  InstallInterruptHandlers();

  if (!g.json_log.empty()) {
    CLI::App* command = app.get_subcommands().front();
    if (command != export_cmd && command != import_cmd && command != migrate_cmd && command != dump_cmd &&
        command != restore_cmd) {
      return Fail(
          Status::InvalidArgument("--json-log goes with export, import, migrate, dump and restore (plan, verify and "
                                  "inspect take --json)"));
    }
    if (g.json_log == "-" && ((command == export_cmd && ex.output == "-") ||
                              (command == migrate_cmd && !mi.format.empty() && mi.target == "-"))) {
      return Fail(Status::InvalidArgument("--json-log -: stdout carries the data; give the log a file"));
    }
    if (Status st = open_log(g.json_log, command); !st.ok()) return Fail(st);
  }
  // --report (docs/report.md): the run's events feed it, with or without --json-log.
  ReportInput report;
  CLI::App* command = app.get_subcommands().front();
  bool report_replace = (command == export_cmd && ex.force) || (command == migrate_cmd && mi.force);
  if (!g.report.empty()) {
    if (Status st = CheckReportOption(g.report, command->get_name(), report_replace); !st.ok()) return Fail(st);
    if (!log) {
      log = std::make_unique<EventLog>(nullptr, EventLog::Options{});
      log->RunStarted(command->get_name(), std::vector<std::string>(argv + 1, argv + argc));
      g_events = log.get();
    }
    log->SetListener([&report](const nlohmann::ordered_json& event) { report.events.push_back(event); });
    g_report = &report;
  }
  int code = kExitUsage;
  if (export_cmd->parsed()) code = RunExport(ex, g);
  if (import_cmd->parsed()) code = RunImport(im, g);
  if (migrate_cmd->parsed()) code = RunMigrate(mi, g);
  if (dump_cmd->parsed()) code = RunDump(du, g);
  if (restore_cmd->parsed()) code = RunRestore(re, g);
  if (inspect_cmd->parsed()) code = RunInspect(in);
  if (schema_cmd->parsed()) code = RunSchema(sc);
  if (verify_cmd->parsed()) code = RunVerify(ve, g);
  if (plan_cmd->parsed()) code = RunPlan(pl);
  // A report on stdout whose reader went away (decant plan ... | head -1)
  // is not a success: 141, as for a process SIGPIPE kills.
  std::fflush(stdout);
  if (InterruptSignal() == SIGPIPE) code = kExitBrokenPipe;
  if (log) {
    if (!log->ended()) log->RunFinished(code);
    g_events = nullptr;
    if (Status st = log->status(); !st.ok()) spdlog::warn("{}", Printable(st.message()));
  }
  if (g_report) {
    g_report = nullptr;
    // As a failed --json-log: a warning, and the run keeps its exit code.
    if (Status st = WriteReport(g.report, RenderReport(report), report_replace); !st.ok()) {
      spdlog::warn("{}", Printable(st.message()));
    } else {
      Say(g, "report written to " + g.report);
    }
  }
  return code;
}

}  // namespace decant

// The man pages and shell completions of the decant command, written from the
// CLI11 App it parses with, so they list exactly the commands, options and
// choices --help shows; a new option needs no second list (docs/install.md).
#pragma once

#include <string>

#include "core/status.h"

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11's own name
class App;
}  // namespace CLI

namespace decant {

// Adds the hidden option --generate-docs DIR to `app`, the top-level App with
// every command and option already added (it reads them when the option is
// given, during the parse). The option writes, creating directories:
//   DIR/man/man1/decant.1, DIR/man/man1/decant-<command>.1
//   DIR/bash-completion/completions/decant, DIR/zsh/vendor-completions/_decant
// and ends the parse with CLI::Success (exit 0, no command needed), or with a
// CLI::FileError naming the file it could not write. `app` must outlive the parse.
void AddGenerateDocs(CLI::App* app);

// Writes the files above for `app` into `dir`.
Status WriteDocs(const CLI::App& app, const std::string& dir);

// The man page (roff, man(7) macros) of `app`'s command `command` ("" for the
// top level, decant.1): synopsis, arguments, options with their value types
// and choices as --help prints them, the global options a command also takes,
// the commands (top level), and the examples of the command's help footer.
std::string ManPage(const CLI::App& app, const std::string& command);

// The bash completion script: commands, each command's options and the
// global ones, the choices of an option that has them; readline's file names
// for other values and for arguments. Defines _decant_reply and _decant, and
// runs `complete -o bashdefault -o default -F _decant decant`.
std::string BashCompletion(const CLI::App& app);

// The zsh completion function (#compdef decant), with the same knowledge as
// BashCompletion plus each option's and command's description.
std::string ZshCompletion(const CLI::App& app);

}  // namespace decant

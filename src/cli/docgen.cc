#include "cli/docgen.h"

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/ascii.h"
#include "core/version.h"
#include "io/file_system.h"

namespace decant {
namespace {

// One option or positional argument as --help shows it.
struct OptionDoc {
  std::vector<std::string> names;  // "-o", "--output"; a positional: its name
  std::string description;
  bool takes_value = false;          // not a flag
  std::string value;                 // what --help prints after the names ("TEXT:{a,b} ...", "Excludes: --x")
  std::vector<std::string> choices;  // the {a,b} of the value, when it has them
  bool text = false;                 // a TEXT value: zsh offers file names for it
  bool repeatable = false;
  bool required = false;
};

// A command (or the top level, name "") and what its --help shows.
struct CommandDoc {
  std::string name;
  std::string description;
  std::string footer;
  std::vector<OptionDoc> positionals;
  std::vector<OptionDoc> options;
  std::vector<OptionDoc> global_options;  // the top level's, which a command also takes (fallthrough)
};

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    parts.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

OptionDoc Describe(const CLI::Option& opt) {
  static const CLI::Formatter kFormatter;
  OptionDoc d;
  d.description = opt.get_description();
  d.required = opt.get_required();
  d.repeatable = opt.get_items_expected_max() > 1;
  if (opt.get_positional()) {
    d.names.push_back(opt.get_name());
  } else {
    for (const std::string& s : opt.get_snames()) d.names.push_back("-" + s);
    for (const std::string& l : opt.get_lnames()) d.names.push_back("--" + l);
  }
  d.value = std::string(TrimBlanks(kFormatter.make_option_opts(&opt)));
  d.takes_value = opt.get_expected_max() > 0;
  if (!d.takes_value) return d;
  // The type name is TYPE[:VALIDATOR...]; a validator listing choices says {a,b,c}.
  std::vector<std::string> parts = Split(opt.get_type_name(), ':');
  d.text = parts.front() == "TEXT";
  for (const std::string& part : parts) {
    if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
      d.choices = Split(part.substr(1, part.size() - 2), ',');
    }
  }
  return d;
}

bool Hidden(const CLI::Option& opt) { return opt.get_group().empty(); }

bool SharesAName(const OptionDoc& a, const std::vector<OptionDoc>& list) {
  for (const OptionDoc& b : list) {
    for (const std::string& n : a.names) {
      for (const std::string& m : b.names) {
        if (n == m) return true;
      }
    }
  }
  return false;
}

CommandDoc DescribeCommand(const CLI::App& cmd) {
  CommandDoc doc;
  doc.name = cmd.get_parent() ? cmd.get_name() : "";
  doc.description = cmd.get_description();
  doc.footer = cmd.get_footer();
  for (const CLI::Option* opt : cmd.get_options()) {
    if (Hidden(*opt)) continue;
    (opt->get_positional() ? doc.positionals : doc.options).push_back(Describe(*opt));
  }
  if (const CLI::App* parent = cmd.get_parent()) {
    for (const CLI::Option* opt : parent->get_options()) {
      if (Hidden(*opt) || opt->get_positional()) continue;
      OptionDoc d = Describe(*opt);
      if (!SharesAName(d, doc.options)) doc.global_options.push_back(std::move(d));
    }
  }
  return doc;
}

std::vector<const CLI::App*> Commands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* sub) { return !sub->get_name().empty(); });
}

// ---- man pages ----------------------------------------------------------

// Text as roff input: a backslash, a hyphen (minus signs, so options can be
// searched and copied) and a control character at a line's start escaped.
std::string Roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    line_start = c == '\n';
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  return out;
}

void AppendOptionList(const std::vector<OptionDoc>& options, bool positional, std::string* out) {
  for (const OptionDoc& o : options) {
    *out += ".TP\n";
    std::string names;
    for (const std::string& n : o.names) {
      names += (names.empty() ? "" : ", ") + std::string(positional ? "\\fI" : "\\fB") + Roff(n) + "\\fR";
    }
    *out += names;
    if (!o.value.empty()) *out += " " + Roff(o.value);
    *out += "\n" + Roff(o.description) + "\n";
  }
}

// The help footer: "Heading:" lines become sections, indented lines (command
// lines) are kept as they are, other lines are paragraphs.
void AppendFooter(const std::string& footer, std::string* out) {
  if (footer.empty()) return;
  bool in_section = false, in_block = false;
  auto end_block = [&] {
    if (in_block) *out += ".fi\n.RE\n";
    in_block = false;
  };
  for (const std::string& line : Split(footer, '\n')) {
    if (line.empty()) {
      end_block();
      continue;
    }
    if (line[0] != ' ' && line.back() == ':' && line.size() < 40) {
      end_block();
      *out += ".SH " + Roff(AsciiUpper(line.substr(0, line.size() - 1))) + "\n";
      in_section = true;
      continue;
    }
    if (!in_section) {
      *out += ".SH NOTES\n";
      in_section = true;
    }
    if (line.rfind("  ", 0) == 0) {
      if (!in_block) *out += ".RS 4\n.nf\n";
      in_block = true;
      *out += Roff(TrimBlanks(line)) + "\n";
    } else {
      end_block();
      *out += ".PP\n" + Roff(line) + "\n";
    }
  }
  end_block();
}

}  // namespace

std::string ManPage(const CLI::App& app, const std::string& command) {
  const CLI::App* cmd = &app;
  if (!command.empty()) {
    cmd = nullptr;
    for (const CLI::App* sub : Commands(app)) {
      if (sub->get_name() == command) cmd = sub;
    }
    if (!cmd) return "";
  }
  CommandDoc doc = DescribeCommand(*cmd);
  std::string page_name = command.empty() ? "decant" : "decant-" + command;
  std::string words = command.empty() ? "decant" : "decant " + command;
  std::string summary = doc.description;
  if (summary.rfind("decant: ", 0) == 0) summary = summary.substr(8);

  std::string out;
  out += ".\\\" Written by `decant --generate-docs` from decant's own command line (--help); do not edit.\n";
  out += ".TH " + Roff(AsciiUpper(page_name)) + " 1 \"\" \"decant " DECANT_VERSION "\" \"decant manual\"\n";
  out += ".nh\n.ad l\n";  // no hyphenation of option names, no justification
  out += ".SH NAME\n" + Roff(page_name) + " \\- " + Roff(summary) + "\n";

  out += ".SH SYNOPSIS\n.B " + Roff(words) + "\n";
  std::string synopsis = "[\\fIOPTIONS\\fR]";
  if (command.empty()) synopsis += " \\fICOMMAND\\fR [\\fIARGUMENTS\\fR]";
  for (const OptionDoc& p : doc.positionals) {
    std::string name = "\\fI" + Roff(p.names.front()) + "\\fR" + (p.repeatable ? "..." : "");
    synopsis += " " + (p.required ? name : "[" + name + "]");
  }
  out += synopsis + "\n";

  out += ".SH DESCRIPTION\n";
  if (command.empty()) {
    out += "\\fBdecant\\fR: " + Roff(summary) + ".\n.PP\nEach command has its own manual page, ";
    out += "\\fBdecant\\-\\fR\\fICOMMAND\\fR(1); \\fBdecant \\fR\\fICOMMAND\\fR \\fB\\-\\-help\\fR prints the same.\n";
  } else {
    out += "\\fB" + Roff(words) + "\\fR: " + Roff(summary) + ".\n";
    if (!doc.global_options.empty()) {
      out += ".PP\nThe global options (below) go before or after the command.\n";
    }
  }
  if (!doc.positionals.empty()) {
    out += ".SH ARGUMENTS\n";
    AppendOptionList(doc.positionals, true, &out);
  }
  out += ".SH OPTIONS\n";
  AppendOptionList(doc.options, false, &out);
  if (!doc.global_options.empty()) {
    out += ".SH GLOBAL OPTIONS\n";
    AppendOptionList(doc.global_options, false, &out);
  }
  if (command.empty()) {
    out += ".SH COMMANDS\n";
    for (const CLI::App* sub : Commands(app)) {
      out += ".TP\n\\fB" + Roff(sub->get_name()) + "\\fR\n" + Roff(sub->get_description()) + "; see \\fBdecant\\-" +
             Roff(sub->get_name()) + "\\fR(1).\n";
    }
  }
  AppendFooter(doc.footer, &out);
  out += ".SH SEE ALSO\n";
  if (command.empty()) {
    std::string refs;
    for (const CLI::App* sub : Commands(app)) {
      refs += std::string(refs.empty() ? "" : ",\n") + "\\fBdecant\\-" + Roff(sub->get_name()) + "\\fR(1)";
    }
    out += refs + "\n";
  } else {
    out += "\\fBdecant\\fR(1)\n";
  }
  return out;
}

namespace {

// ---- completions ----------------------------------------------------------

// `s` as one single-quoted shell word.
std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string Join(const std::vector<std::string>& words, const std::string& sep) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : sep) + w;
  return out;
}

std::vector<std::string> AllNames(const std::vector<OptionDoc>& options) {
  std::vector<std::string> names;
  for (const OptionDoc& o : options) names.insert(names.end(), o.names.begin(), o.names.end());
  return names;
}

// The bash `case` branches completing the value of `cmd`'s options that
// take one ("*" for the top level's, which every command also takes): their
// choices, or nothing (file names).
void AppendBashValueCases(const std::string& cmd, const std::vector<OptionDoc>& options, std::string* out) {
  for (const OptionDoc& o : options) {
    if (!o.takes_value) continue;
    std::vector<std::string> patterns;
    for (const std::string& n : o.names) patterns.push_back((cmd == "*" ? cmd : Quote(cmd)) + ":" + n);
    *out += "    " + Join(patterns, " | ") + ")\n      ";
    if (o.choices.empty()) {
      *out += "COMPREPLY=() ;;\n";  // a name, a URI, a number: readline's file names (-o default)
    } else {
      *out += "_decant_reply " + Quote(Join(o.choices, " ")) + " ;;\n";
    }
  }
}

// `s` for zsh's _arguments and _describe: brackets (they delimit an option's
// description) and backslashes escaped.
std::string ZshText(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// The _arguments specs of an option, one per name: "--name=" (a value in the
// same word after '=', or the next word) or "-n+" (the same word or the next),
// the names of a single-use option excluding each other, "*" when repeatable.
std::string ZshOptionSpecs(const OptionDoc& o, const std::string& indent) {
  std::string value;
  if (o.takes_value) {
    std::string message = o.names.back();
    while (!message.empty() && message.front() == '-') message.erase(0, 1);
    std::string action = o.choices.empty() ? (o.text ? "_files" : " ") : "(" + Join(o.choices, " ") + ")";
    value = ":" + message + ":" + action;
  }
  std::string prefix = o.repeatable ? "*" : o.names.size() > 1 ? "(" + Join(o.names, " ") + ")" : "";
  std::string out;
  for (const std::string& n : o.names) {
    std::string form = !o.takes_value ? "" : n.rfind("--", 0) == 0 ? "=" : "+";
    out += indent + Quote(prefix + n + form + "[" + ZshText(o.description) + "]" + value) + " \\\n";
  }
  return out;
}

std::string ZshPositionalSpec(const OptionDoc& p) {
  if (p.repeatable) return Quote("*:" + p.names.front() + ":_files");
  return Quote((p.required ? ":" : "::") + p.names.front() + ":_files");
}

}  // namespace

std::string BashCompletion(const CLI::App& app) {
  CommandDoc top = DescribeCommand(app);
  std::vector<std::string> commands;
  for (const CLI::App* sub : Commands(app)) commands.push_back(sub->get_name());
  std::vector<std::string> global_valued;
  for (const OptionDoc& o : top.options) {
    if (o.takes_value) global_valued.insert(global_valued.end(), o.names.begin(), o.names.end());
  }

  std::string out;
  out += "# bash completion for decant(1). Written by `decant --generate-docs` from decant's own\n";
  out += "# command line (the commands, options and choices --help shows); do not edit.\n\n";
  out += "# Sets COMPREPLY to the words of the list $1 that begin with $cur; none leaves\n";
  out += "# the word to readline's file names (complete -o default).\n";
  out += "_decant_reply() {\n";
  out += "  mapfile -t COMPREPLY < <(compgen -W \"$1\" -- \"$cur\")\n";
  out += "}\n\n";
  out += "_decant() {\n";
  out += "  local cur=${COMP_WORDS[COMP_CWORD]} prev=\"\" command=\"\" options i\n";
  out += "  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}\n";
  out += "  # --option=VALUE: bash splits the word at '='.\n";
  out += "  if [[ $cur == \"=\" ]]; then\n";
  out += "    cur=\"\"\n";
  out += "  elif [[ $prev == \"=\" ]] && ((COMP_CWORD > 1)); then\n";
  out += "    prev=${COMP_WORDS[COMP_CWORD - 2]}\n";
  out += "  fi\n";
  out += "  # The command: the first word that is neither an option nor a global option's value.\n";
  out += "  for ((i = 1; i < COMP_CWORD; i++)); do\n";
  out += "    case ${COMP_WORDS[i]} in\n";
  if (!global_valued.empty()) {
    out += "      " + Join(global_valued, " | ") + ")\n";
    out += "        [[ ${COMP_WORDS[i + 1]:-} == \"=\" ]] && i=$((i + 1))\n";
    out += "        i=$((i + 1)) ;;\n";
  }
  out += "      -*) ;;\n";
  out += "      *)\n";
  out += "        command=${COMP_WORDS[i]}\n";
  out += "        break ;;\n";
  out += "    esac\n";
  out += "  done\n";
  out += "  case $command:$prev in\n";
  for (const CLI::App* sub : Commands(app)) AppendBashValueCases(sub->get_name(), DescribeCommand(*sub).options, &out);
  AppendBashValueCases("*", top.options, &out);
  out += "    *)\n";
  out += "      case $command in\n";
  out += "        \"\") options=" + Quote(Join(AllNames(top.options), " ")) + " ;;\n";
  for (const CLI::App* sub : Commands(app)) {
    CommandDoc doc = DescribeCommand(*sub);
    std::vector<std::string> names = AllNames(doc.options);
    std::vector<std::string> globals = AllNames(doc.global_options);
    names.insert(names.end(), globals.begin(), globals.end());
    out += "        " + Quote(sub->get_name()) + ") options=" + Quote(Join(names, " ")) + " ;;\n";
  }
  out += "        *) options=\"\" ;;\n";
  out += "      esac\n";
  out += "      if [[ $cur == -* ]]; then\n";
  out += "        _decant_reply \"$options\"\n";
  out += "      elif [[ -z $command ]]; then\n";
  out += "        _decant_reply " + Quote(Join(commands, " ")) + "\n";
  out += "      else\n";
  out += "        COMPREPLY=()\n";
  out += "      fi ;;\n";
  out += "  esac\n";
  out += "}\n\n";
  out += "complete -o bashdefault -o default -F _decant decant\n";
  return out;
}

std::string ZshCompletion(const CLI::App& app) {
  CommandDoc top = DescribeCommand(app);
  std::string out;
  out += "#compdef decant\n";
  out += "# zsh completion for decant(1). Written by `decant --generate-docs` from decant's own\n";
  out += "# command line (the commands, options and choices --help shows); do not edit.\n\n";
  out += "_decant() {\n";
  out += "  local curcontext=$curcontext state line ret=1\n";
  out += "  typeset -A opt_args\n";
  out += "  _arguments -C \\\n";
  for (const OptionDoc& o : top.options) out += ZshOptionSpecs(o, "    ");
  out += "    ': :->command' \\\n";
  out += "    '*:: :->argument' && ret=0\n";
  out += "  case $state in\n";
  out += "    command)\n";
  out += "      local -a commands\n";
  out += "      commands=(\n";
  for (const CLI::App* sub : Commands(app)) {
    out += "        " + Quote(ZshText(sub->get_name()) + ":" + ZshText(sub->get_description())) + "\n";
  }
  out += "      )\n";
  out += "      _describe -t commands 'decant command' commands && ret=0 ;;\n";
  out += "    argument)\n";
  out += "      curcontext=${curcontext%:*:*}:decant-$words[1]:\n";
  out += "      case $words[1] in\n";
  for (const CLI::App* sub : Commands(app)) {
    CommandDoc doc = DescribeCommand(*sub);
    out += "        " + Quote(sub->get_name()) + ")\n";
    out += "          _arguments \\\n";
    for (const OptionDoc& o : doc.options) out += ZshOptionSpecs(o, "            ");
    for (const OptionDoc& o : doc.global_options) out += ZshOptionSpecs(o, "            ");
    for (const OptionDoc& p : doc.positionals) out += "            " + ZshPositionalSpec(p) + " \\\n";
    out += "            && ret=0 ;;\n";
  }
  out += "      esac ;;\n";
  out += "  esac\n";
  out += "  return ret\n";
  out += "}\n\n";
  out += "_decant \"$@\"\n";
  return out;
}

Status WriteDocs(const CLI::App& app, const std::string& dir) {
  FileSystem* fs = FileSystem::Default();
  auto make_dirs = [&](const std::vector<std::string>& parts) -> Result<std::string> {
    std::string path = dir;
    DECANT_RETURN_IF_ERROR(fs->CreateDir(path));
    for (const std::string& p : parts) {
      path = JoinPath(path, p);
      DECANT_RETURN_IF_ERROR(fs->CreateDir(path));
    }
    return path;
  };
  DECANT_ASSIGN_OR_RETURN(std::string man1, make_dirs({"man", "man1"}));
  DECANT_RETURN_IF_ERROR(WriteFileSynced(fs, JoinPath(man1, "decant.1"), ManPage(app, "")));
  for (const CLI::App* sub : Commands(app)) {
    DECANT_RETURN_IF_ERROR(
        WriteFileSynced(fs, JoinPath(man1, "decant-" + sub->get_name() + ".1"), ManPage(app, sub->get_name())));
  }
  DECANT_ASSIGN_OR_RETURN(std::string bash, make_dirs({"bash-completion", "completions"}));
  DECANT_RETURN_IF_ERROR(WriteFileSynced(fs, JoinPath(bash, "decant"), BashCompletion(app)));
  DECANT_ASSIGN_OR_RETURN(std::string zsh, make_dirs({"zsh", "vendor-completions"}));
  return WriteFileSynced(fs, JoinPath(zsh, "_decant"), ZshCompletion(app));
}

void AddGenerateDocs(CLI::App* app) {
  app->add_option_function<std::string>(
         "--generate-docs",
         [app](const std::string& dir) {
           Status st = WriteDocs(*app, dir);
           if (!st.ok()) throw CLI::FileError("--generate-docs: " + st.message());
           throw CLI::Success();
         },
         "write the man pages and shell completions into DIR (the build does; docs/install.md)")
      ->group("");
}

}  // namespace decant

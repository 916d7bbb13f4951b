// The man pages and completions the build writes (decant --generate-docs into
// DECANT_DOCS_DIR, what `cmake --install` and the package install) against what
// the binary's --help says: every command has a page, every option and every
// choice shows in its page and in both completions, the bash completion offers
// them when run, man renders every page without a warning.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace decant {
namespace {

using testing_util::RunDecantBinary;
using testing_util::RunShell;
using testing_util::ShellQuote;

const std::string kDocs = DECANT_DOCS_DIR;

// What one --help shows: the options (each name, "-o" and "--output") with their
// choices ({a,b} in the value), and the commands (top level).
struct Help {
  std::map<std::string, std::vector<std::string>> choices;  // by every name of the option
  std::vector<std::vector<std::string>> options;            // the names of each option
  std::vector<std::string> commands;
};

std::vector<std::string> SplitOn(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t at; (at = s.find(sep, start)) != std::string::npos; start = at + 1)
    parts.push_back(s.substr(start, at - start));
  parts.push_back(s.substr(start));
  return parts;
}

Help ReadHelp(const std::string& command) {
  std::vector<std::string> args;
  if (!command.empty()) args.push_back(command);
  args.emplace_back("--help");
  auto run = RunDecantBinary(args);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  Help help;
  std::string section;
  for (const std::string& line : SplitOn(run.out, '\n')) {
    if (!line.empty() && line[0] != ' ') section = line;
    if (line.rfind("  ", 0) != 0 || line.size() < 3 || line[2] == ' ') continue;
    // "  -o,--output TEXT:{a,b}   description": the names, the value up to the description.
    std::string head = line.substr(2, line.find("  ", 2) - 2);
    std::string first = head.substr(0, head.find(' '));
    if (section == "Subcommands:") {
      help.commands.push_back(first);
    } else if (section == "Options:") {
      std::vector<std::string> names = SplitOn(first, ',');
      help.options.push_back(names);
      size_t open = head.find(":{");
      if (open != std::string::npos) {
        std::string list = head.substr(open + 2, head.find('}', open) - open - 2);
        for (const std::string& n : names) help.choices[n] = SplitOn(list, ',');
      }
    }
  }
  EXPECT_FALSE(help.options.empty()) << run.out;
  return help;
}

std::vector<std::string> Commands() {
  static const std::vector<std::string> kCommands = ReadHelp("").commands;
  return kCommands;
}

// The page of `command` ("" for decant.1), as roff, gzip'ed or not.
std::string ManPage(const std::string& command) {
  std::string path = kDocs + "/man/man1/" + (command.empty() ? "decant" : "decant-" + command) + ".1";
  if (std::filesystem::exists(path + ".gz")) path += ".gz";
  auto run = RunShell("gzip -dcf " + ShellQuote(path));
  EXPECT_EQ(run.exit_code, 0) << run.out;
  return run.out;
}

std::string Roff(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

std::string BashFile() { return kDocs + "/bash-completion/completions/decant"; }
std::string ZshFile() { return kDocs + "/zsh/vendor-completions/_decant"; }

// What the bash completion offers for the words `words` (the last is the one completed).
std::set<std::string> BashComplete(const std::vector<std::string>& words) {
  std::string array;
  for (const std::string& w : words) array += " " + ShellQuote(w);
  std::string script = "source " + ShellQuote(BashFile()) + "; COMP_WORDS=(" + array +
                       "); COMP_CWORD=" + std::to_string(words.size() - 1) +
                       "; _decant; printf '%s\\n' \"${COMPREPLY[@]}\"";
  auto run = RunShell("bash -c " + ShellQuote(script));
  EXPECT_EQ(run.exit_code, 0) << run.out;
  std::set<std::string> offered;
  for (const std::string& line : SplitOn(run.out, '\n')) {
    if (!line.empty()) offered.insert(line);
  }
  return offered;
}

TEST(DocgenTest, EveryCommandHasAManPage) {
  std::set<std::string> expected{"decant.1"};
  for (const std::string& c : Commands()) expected.insert("decant-" + c + ".1");
  std::set<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator(kDocs + "/man/man1")) {
    std::string name = entry.path().filename().string();
    if (name.size() > 3 && name.substr(name.size() - 3) == ".gz") name.resize(name.size() - 3);
    found.insert(name);
  }
  EXPECT_EQ(found, expected);
  EXPECT_GE(Commands().size(), 9U);
}

TEST(DocgenTest, ManPagesShowEveryOptionAndChoice) {
  std::vector<std::string> commands = Commands();
  commands.insert(commands.begin(), "");
  for (const std::string& c : commands) {
    SCOPED_TRACE("command '" + c + "'");
    Help help = ReadHelp(c);
    std::string page = ManPage(c);
    for (const auto& names : help.options) {
      for (const std::string& n : names) EXPECT_NE(page.find("\\fB" + Roff(n) + "\\fR"), std::string::npos) << n;
    }
    for (const auto& [name, choices] : help.choices) {
      std::string list = "{";
      for (const std::string& choice : choices) list += (list.size() > 1 ? "," : "") + choice;
      EXPECT_NE(page.find(Roff(list + "}")), std::string::npos) << name;
    }
    if (c.empty()) {
      for (const std::string& sub : Commands())
        EXPECT_NE(page.find("\\fBdecant\\-" + Roff(sub) + "\\fR(1)"), std::string::npos);
    } else {
      // The global options (-q, --progress) are a command's too.
      EXPECT_NE(page.find("\\fB\\-\\-progress\\fR"), std::string::npos);
      EXPECT_NE(page.find(".SH EXAMPLES"), std::string::npos);
    }
  }
}

TEST(DocgenTest, ManRendersEveryPageWithoutAWarning) {
  if (RunShell("command -v man").exit_code != 0) GTEST_SKIP() << "man (man-db) is not installed";
  for (const auto& entry : std::filesystem::directory_iterator(kDocs + "/man/man1")) {
    SCOPED_TRACE(entry.path().string());
    auto run =
        RunShell("MANWIDTH=80 man --warnings -E UTF-8 -l " + ShellQuote(entry.path().string()) + " 2>&1 >/dev/null");
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_EQ(run.out, "");
  }
}

TEST(DocgenTest, BashCompletionOffersEveryCommandOptionAndChoice) {
  std::vector<std::string> commands = Commands();
  std::set<std::string> all(commands.begin(), commands.end());
  EXPECT_EQ(BashComplete({"decant", ""}), all);
  EXPECT_EQ(BashComplete({"decant", "-q", "--progress", "log", ""}), all);
  EXPECT_EQ(BashComplete({"decant", "--progress", "=", "log", "exp"}), std::set<std::string>{"export"});
  Help top = ReadHelp("");
  for (const std::string& c : commands) {
    SCOPED_TRACE("command '" + c + "'");
    Help help = ReadHelp(c);
    std::set<std::string> offered = BashComplete({"decant", c, "-"});
    for (const auto& names : help.options) {
      for (const std::string& n : names) EXPECT_TRUE(offered.count(n)) << n;
    }
    for (const char* global : {"-q", "--progress"}) EXPECT_TRUE(offered.count(global)) << global;
    for (const auto& [name, choices] : help.choices) {
      std::set<std::string> expected(choices.begin(), choices.end());
      EXPECT_EQ(BashComplete({"decant", c, name, ""}), expected) << name;
      EXPECT_EQ(BashComplete({"decant", "-q", c, name, "=", ""}), expected) << name << "=";
    }
  }
  for (const auto& [name, choices] : top.choices) {
    std::set<std::string> expected(choices.begin(), choices.end());
    EXPECT_EQ(BashComplete({"decant", name, ""}), expected) << name;
    EXPECT_EQ(BashComplete({"decant", "export", name, ""}), expected) << name;
  }
  auto run = RunShell("bash -c " + ShellQuote("source " + ShellQuote(BashFile()) + " && complete -p decant"));
  EXPECT_EQ(run.out, "complete -o bashdefault -o default -F _decant decant\n");
}

TEST(DocgenTest, ZshCompletionListsEveryCommandOptionAndChoice) {
  std::string zsh;
  {
    auto run = RunShell("cat " + ShellQuote(ZshFile()));
    ASSERT_EQ(run.exit_code, 0) << run.out;
    zsh = run.out;
  }
  EXPECT_EQ(zsh.rfind("#compdef decant\n", 0), 0U);
  for (const std::string& c : Commands()) {
    SCOPED_TRACE("command '" + c + "'");
    size_t start = zsh.find("\n        '" + c + "')\n");
    ASSERT_NE(start, std::string::npos);
    std::string block = zsh.substr(start, zsh.find("&& ret=0", start) - start);
    EXPECT_NE(zsh.find("'" + c + ":"), std::string::npos);  // in the list of commands
    Help help = ReadHelp(c);
    for (const auto& names : help.options) {
      for (const std::string& n : names) {
        bool listed = false;
        for (const char* form : {"[", "=[", "+["}) {
          for (const char* before : {"'", "*", ")"})
            listed = listed || block.find(before + n + form) != std::string::npos;
        }
        EXPECT_TRUE(listed) << n;
      }
    }
    for (const auto& [name, choices] : help.choices) {
      std::string list = "(";
      for (const std::string& choice : choices) list += (list.size() > 1 ? " " : "") + choice;
      EXPECT_NE(block.find(list + ")'"), std::string::npos) << name;
    }
  }
}

TEST(DocgenTest, ZshParsesTheZshCompletion) {
  if (RunShell("command -v zsh").exit_code != 0) GTEST_SKIP() << "zsh is not installed";
  auto run = RunShell("zsh -n " + ShellQuote(ZshFile()) + " 2>&1");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(run.out, "");
}

}  // namespace
}  // namespace decant

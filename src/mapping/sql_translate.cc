#include "mapping/sql_translate.h"

#include <algorithm>
#include <cctype>

namespace decant {
namespace {

bool IdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80; }
bool IdentChar(char c) { return IdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$'; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Tok {
  enum Kind { kWord, kQuoted, kString, kNumber, kCast, kOther, kSpace } kind;
  std::string text;  // kQuoted: the unquoted name; kCast: the whole "::type"
};

// Splits SQL into tokens; returns false on an unterminated quote.
bool Lex(std::string_view s, const Dialect& from, std::vector<Tok>* out) {
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
      out->push_back({Tok::kSpace, " "});
      i = j;
    } else if (c == '\'') {
      std::string lit = "'";
      size_t j = i + 1;
      for (;; ++j) {
        if (j >= s.size()) return false;
        if (s[j] == '\\' && from.backslash_escapes && j + 1 < s.size()) {
          // MySQL escapes: turn \' and \\ into the standard forms.
          char n = s[++j];
          if (n == '\'') lit += "''";
          else if (n == '\\') lit += "\\";
          else if (n == 'n') lit += "\n";
          else if (n == 't') lit += "\t";
          else lit += n;
          continue;
        }
        if (s[j] == '\'') {
          if (j + 1 < s.size() && s[j + 1] == '\'') {
            lit += "''";
            ++j;
            continue;
          }
          break;
        }
        lit.push_back(s[j]);
      }
      out->push_back({Tok::kString, lit + "'"});
      i = j + 1;
    } else if (c == '"' || c == '`' || (c == '[' && from.bracket_names)) {
      char close = c == '[' ? ']' : c;
      std::string name;
      size_t j = i + 1;
      for (;; ++j) {
        if (j >= s.size()) return false;
        if (s[j] == close) {
          if (close != ']' && j + 1 < s.size() && s[j + 1] == close) {
            name.push_back(close);
            ++j;
            continue;
          }
          break;
        }
        name.push_back(s[j]);
      }
      out->push_back({Tok::kQuoted, name});
      i = j + 1;
    } else if (c == ':' && i + 1 < s.size() && s[i + 1] == ':') {
      // A PostgreSQL cast: "::name[(args)][ varying| precision| with(out) time zone][[]]".
      size_t j = i + 2;
      while (j < s.size() && (IdentChar(s[j]) || s[j] == '.' || s[j] == '"')) ++j;
      for (;;) {
        size_t k = j;
        while (k < s.size() && s[k] == ' ') ++k;
        if (k < s.size() && s[k] == '(') {
          size_t e = s.find(')', k);
          j = e == std::string_view::npos ? s.size() : e + 1;
          continue;
        }
        if (k + 1 < s.size() && s[k] == '[' && s[k + 1] == ']') {
          j = k + 2;
          continue;
        }
        bool more = false;
        for (std::string_view w : {"varying", "precision", "without", "with", "time", "zone"}) {
          if (s.substr(k, w.size()) == w && (k + w.size() == s.size() || !IdentChar(s[k + w.size()]))) {
            j = k + w.size();
            more = true;
            break;
          }
        }
        if (!more) break;
      }
      out->push_back({Tok::kCast, std::string(s.substr(i, j - i))});
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
      out->push_back({Tok::kNumber, std::string(s.substr(i, j - i))});
      i = j;
    } else if (IdentStart(c)) {
      size_t j = i;
      while (j < s.size() && IdentChar(s[j])) ++j;
      out->push_back({Tok::kWord, std::string(s.substr(i, j - i))});
      i = j;
    } else {
      out->push_back({Tok::kOther, std::string(1, c)});
      ++i;
    }
  }
  return true;
}

std::string Quote(const std::string& name, const Dialect& to) {
  char q = to.identifier_quote;
  std::string out(1, q);
  for (char c : name) {
    if (c == q) out.push_back(q);
    out.push_back(c);
  }
  out.push_back(q);
  return out;
}

// Next non-space token index after i, or tokens.size().
size_t NextSolid(const std::vector<Tok>& toks, size_t i) {
  ++i;
  while (i < toks.size() && toks[i].kind == Tok::kSpace) ++i;
  return i;
}

}  // namespace

std::vector<std::string> DefaultQualifiers(const Dialect& from, const std::string& database) {
  if (!from.default_schema.empty()) return {std::string(from.default_schema)};
  if (!database.empty()) return {database};
  return {};
}

std::optional<std::string> TranslateSql(std::string_view sql, const Dialect& from, const Dialect& to,
                                        const std::vector<std::string>& drop_qualifiers) {
  std::vector<Tok> toks;
  if (!Lex(sql, from, &toks)) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < toks.size(); ++i) {
    const Tok& t = toks[i];
    bool name = t.kind == Tok::kWord || t.kind == Tok::kQuoted;
    if (name) {
      size_t n = i + 1;
      bool qualifies = n < toks.size() && toks[n].kind == Tok::kOther && toks[n].text == ".";
      if (qualifies) {
        bool drop = std::any_of(drop_qualifiers.begin(), drop_qualifiers.end(), [&](const std::string& q) {
          return t.kind == Tok::kQuoted ? t.text == q : Lower(t.text) == Lower(q);
        });
        if (drop) {
          i = n;  // skip the qualifier and its dot
          continue;
        }
      }
    }
    if (t.kind == Tok::kWord) {
      std::string w = Lower(t.text);
      size_t n = NextSolid(toks, i);
      bool call = n < toks.size() && toks[n].kind == Tok::kOther && toks[n].text == "(";
      if (call && (w == "nextval" || w == "currval" || w == "setval" || w == "pg_get_serial_sequence")) return std::nullopt;
      if (call && (w == "now" || w == "current_timestamp" || w == "localtimestamp")) {
        size_t close = NextSolid(toks, n);
        if (close < toks.size() && toks[close].text == ")") {
          out += "CURRENT_TIMESTAMP";
          i = close;
          continue;
        }
      }
      if (call && w == "datetime" && from.datetime_now_function) {
        size_t arg = NextSolid(toks, n), close = arg < toks.size() ? NextSolid(toks, arg) : toks.size();
        if (arg < toks.size() && Lower(toks[arg].text) == "'now'" && close < toks.size() && toks[close].text == ")") {
          out += "CURRENT_TIMESTAMP";
          i = close;
          continue;
        }
      }
      if (w == "current_timestamp" || w == "current_date" || w == "current_time") {
        out += t.text;
        continue;
      }
      // Keywords and function names pass as written; a plain identifier that
      // needs quotes on the target (none here) would be quoted by its source.
      out += t.text;
    } else if (t.kind == Tok::kQuoted) {
      out += Quote(t.text, to);
    } else if (t.kind == Tok::kCast) {
      if (to.double_colon_casts && from.double_colon_casts) out += t.text;
      // other targets: the cast is dropped; the value keeps its literal form
    } else {
      out += t.text;
    }
  }
  while (!out.empty() && (out.back() == ';' || out.back() == ' ')) out.pop_back();
  size_t start = out.find_first_not_of(' ');
  return start == std::string::npos ? std::string() : out.substr(start);
}

std::optional<std::string> TranslateDefault(std::string_view expr, const Dialect& from, const Dialect& to) {
  std::optional<std::string> e = TranslateSql(expr, from, to, {});
  if (!e) return std::nullopt;
  // Strip redundant outer parentheses: "(0)", "('x')", "(-1)".
  std::string s = *e;
  while (s.size() >= 2 && s.front() == '(' && s.back() == ')') s = s.substr(1, s.size() - 2);
  std::vector<Tok> toks;
  if (!Lex(s, to, &toks)) return std::nullopt;
  std::vector<Tok> solid;
  for (const Tok& t : toks) {
    if (t.kind != Tok::kSpace) solid.push_back(t);
  }
  if (solid.size() == 1) {
    const Tok& t = solid[0];
    if (t.kind == Tok::kString || t.kind == Tok::kNumber) return s;
    std::string w = Lower(t.text);
    if (t.kind == Tok::kWord && (w == "null" || w == "current_timestamp" || w == "current_date" || w == "current_time")) {
      std::string up = t.text;
      for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return up;
    }
    if (t.kind == Tok::kWord && (w == "true" || w == "false")) {
      if (to.boolean_words) return w;
      return std::string(w == "true" ? "1" : "0");
    }
  }
  if (solid.size() == 2 && (solid[0].text == "-" || solid[0].text == "+") && solid[1].kind == Tok::kNumber) {
    return solid[0].text + solid[1].text;
  }
  return std::nullopt;
}

}  // namespace decant

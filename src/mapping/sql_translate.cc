#include "mapping/sql_translate.h"

#include <algorithm>
#include <cctype>

#include "core/ascii.h"
#include "core/dialect.h"
#include "sql/lexer.h"

namespace decant {
namespace {

struct Tok {
  enum Kind { kWord, kQuoted, kString, kNumber, kCast, kOther, kSpace } kind;
  std::string text;  // kQuoted: the unquoted name; kString: a standard '...' literal; kCast: the whole "::type"
};

// True if toks[i] is a run of spaces (not of other whitespace).
bool IsSpaces(const std::vector<sql::Token>& toks, size_t i) {
  return i < toks.size() && toks[i].kind == sql::Token::Kind::kSpace &&
         toks[i].text.find_first_not_of(' ') == std::string::npos;
}

// The index just past the type of the cast at toks[i]:
// "::name[(args)][ varying| precision| with(out) time zone][[]]".
size_t CastEnd(const std::vector<sql::Token>& toks, size_t i) {
  using K = sql::Token::Kind;
  size_t j = i + 1;
  while (j < toks.size() && (toks[j].kind == K::kWord || (toks[j].kind == K::kQuoted && toks[j].quote == '"') ||
                             sql::IsPunct(toks[j], '.'))) {
    ++j;
  }
  for (;;) {
    size_t k = IsSpaces(toks, j) ? j + 1 : j;
    if (k < toks.size() && sql::IsPunct(toks[k], '(')) {
      while (k < toks.size() && !sql::IsPunct(toks[k], ')')) ++k;
      j = k < toks.size() ? k + 1 : k;
      continue;
    }
    if (k + 1 < toks.size() && sql::IsPunct(toks[k], '[') && sql::IsPunct(toks[k + 1], ']')) {
      j = k + 2;
      continue;
    }
    bool more = false;
    for (std::string_view w : {"varying", "precision", "without", "with", "time", "zone"}) {
      if (k < toks.size() && toks[k].kind == K::kWord && toks[k].text == w) {
        j = k + 1;
        more = true;
        break;
      }
    }
    if (!more) break;
  }
  return j;
}

// Reads `s` in dialect `d` with the shared lexer into translation tokens:
// whitespace and comments become one space, strings standard '...' literals,
// a cast one token with its type. False if a quote or comment is unterminated.
bool Lex(std::string_view s, const Dialect& d, std::vector<Tok>* out) {
  using K = sql::Token::Kind;
  std::vector<sql::Token> toks = sql::LexAll(s, d);
  if (sql::AnyUnterminated(toks)) return false;
  auto raw = [&](size_t b, size_t e) { return std::string(s.substr(b, e - b)); };
  for (size_t i = 0; i < toks.size(); ++i) {
    const sql::Token& t = toks[i];
    switch (t.kind) {
      case K::kSpace:
      case K::kComment:
        if (out->empty() || out->back().kind != Tok::kSpace) out->push_back({Tok::kSpace, " "});
        break;
      case K::kString:
        if (s[t.begin] == '\'' && !d.backslash_escapes) {
          out->push_back({Tok::kString, raw(t.begin, t.end)});  // already standard
        } else {
          std::string lit = "'";
          for (char c : t.text) lit += c == '\'' ? std::string("''") : std::string(1, c);
          out->push_back({Tok::kString, lit + "'"});
        }
        break;
      case K::kQuoted: out->push_back({Tok::kQuoted, t.text}); break;
      case K::kWord: out->push_back({Tok::kWord, t.text}); break;
      case K::kNumber: out->push_back({Tok::kNumber, t.text}); break;
      case K::kCast: {
        size_t end = CastEnd(toks, i);
        out->push_back({Tok::kCast, raw(t.begin, toks[end - 1].end)});
        i = end - 1;
        break;
      }
      case K::kBlob:
      case K::kVariable:
      case K::kPunct: out->push_back({Tok::kOther, raw(t.begin, t.end)}); break;
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

std::optional<std::string> TranslateSql(std::string_view sql, const Dialect& from_dialect, const Dialect& to_dialect,
                                        const std::vector<std::string>& drop_qualifiers) {
  std::vector<Tok> toks;
  if (!Lex(sql, from_dialect, &toks)) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < toks.size(); ++i) {
    const Tok& t = toks[i];
    bool name = t.kind == Tok::kWord || t.kind == Tok::kQuoted;
    if (name) {
      size_t n = i + 1;
      bool qualifies = n < toks.size() && toks[n].kind == Tok::kOther && toks[n].text == ".";
      if (qualifies) {
        bool drop = std::any_of(drop_qualifiers.begin(), drop_qualifiers.end(), [&](const std::string& q) {
          return t.kind == Tok::kQuoted ? t.text == q : AsciiLower(t.text) == AsciiLower(q);
        });
        if (drop) {
          i = n;  // skip the qualifier and its dot
          continue;
        }
      }
    }
    if (t.kind == Tok::kWord) {
      std::string w = AsciiLower(t.text);
      size_t n = NextSolid(toks, i);
      bool call = n < toks.size() && toks[n].kind == Tok::kOther && toks[n].text == "(";
      if (call && (w == "nextval" || w == "currval" || w == "setval" || w == "pg_get_serial_sequence"))
        return std::nullopt;
      if (call && (w == "now" || w == "current_timestamp" || w == "localtimestamp")) {
        size_t close = NextSolid(toks, n);
        if (close < toks.size() && toks[close].text == ")") {
          out += "CURRENT_TIMESTAMP";
          i = close;
          continue;
        }
        // now(6), current_timestamp(3): a target without the precision argument gets the plain form.
        size_t after = close < toks.size() ? NextSolid(toks, close) : toks.size();
        if (!to_dialect.timestamp_precision_argument && close < toks.size() && toks[close].kind == Tok::kNumber &&
            after < toks.size() && toks[after].text == ")") {
          out += "CURRENT_TIMESTAMP";
          i = after;
          continue;
        }
      }
      if (call && w == "datetime" && from_dialect.datetime_now_function) {
        size_t arg = NextSolid(toks, n), close = arg < toks.size() ? NextSolid(toks, arg) : toks.size();
        if (arg < toks.size() && AsciiLower(toks[arg].text) == "'now'" && close < toks.size() &&
            toks[close].text == ")") {
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
      out += Quote(t.text, to_dialect);
    } else if (t.kind == Tok::kCast) {
      if (to_dialect.double_colon_casts) out += t.text;
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
    std::string w = AsciiLower(t.text);
    if (t.kind == Tok::kWord &&
        (w == "null" || w == "current_timestamp" || w == "current_date" || w == "current_time")) {
      return AsciiUpper(t.text);
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

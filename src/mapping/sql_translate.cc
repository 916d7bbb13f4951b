#include "mapping/sql_translate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "core/ascii.h"
#include "core/civil_date.h"
#include "core/dialect.h"
#include "sql/lexer.h"

namespace decant {
namespace {

struct Tok {
  enum Kind { kWord, kQuoted, kString, kNumber, kCast, kOther, kSpace } kind;
  std::string text;  // kQuoted: the unquoted name; kString: the decoded value; kCast: the whole "::type"
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
// whitespace and comments become one space, a cast one token with its type.
// False if a quote or comment is unterminated.
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
        if (t.quote == '$') return false;  // a dollar-quoted body: a function's, not a value
        out->push_back({Tok::kString, t.text});
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

// A string literal as `to` reads it: '' for a quote, and a doubled backslash
// where backslashes escape.
std::string StringLiteral(std::string_view value, const Dialect& to) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    if (c == '\\' && to.backslash_escapes) out += '\\';
    out += c;
  }
  return out + "'";
}

// The meaning `name` has in `d`, if d lists it.
std::optional<SqlFunction> MeaningOf(std::string_view name, const Dialect& d) {
  std::string lower = AsciiLower(name);
  for (const FunctionSpelling& f : d.functions) {
    if (f.name == lower) return f.meaning;
  }
  return std::nullopt;
}

// What `d` calls `meaning`, or nullopt.
std::optional<std::string_view> NameOf(SqlFunction meaning, const Dialect& d) {
  for (const FunctionSpelling& f : d.functions) {
    if (f.meaning == meaning) return f.name;
  }
  return std::nullopt;
}

bool IsKeyword(std::string_view lower) {
  static const char* const kKeywords[] = {
      "select",    "from",      "where",     "group",     "by",     "order",     "having",  "limit",     "offset",
      "as",        "on",        "join",      "inner",     "outer",  "cross",     "full",    "natural",   "and",
      "or",        "not",       "in",        "exists",    "any",    "all",       "some",    "is",        "like",
      "ilike",     "between",   "case",      "when",      "then",   "else",      "end",     "distinct",  "union",
      "except",    "intersect", "values",    "using",     "over",   "partition", "filter",  "within",    "asc",
      "desc",      "with",      "recursive", "lateral",   "escape", "rows",      "range",   "preceding", "following",
      "unbounded", "current",   "row",       "separator", "window", "cast",      "extract", "nulls",     "first",
      "last",      "collate",   "glob",      "regexp"};
  for (const char* k : kKeywords) {
    if (lower == k) return true;
  }
  return false;
}

// A parse tree of the tokens: parenthesised and bracketed groups nested.
struct Node {
  Tok tok;
  bool group = false;  // tok.text is "(" or "["
  std::vector<Node> kids;
};

// Builds nodes from toks[*i] up to `close` (0: the end). False on unbalanced brackets.
bool Build(const std::vector<Tok>& toks, size_t* i, char close, std::vector<Node>* out) {
  for (; *i < toks.size(); ++*i) {
    const Tok& t = toks[*i];
    if (t.kind == Tok::kOther && (t.text == "(" || t.text == "[")) {
      Node g{t, true, {}};
      ++*i;
      if (!Build(toks, i, t.text == "(" ? ')' : ']', &g.kids)) return false;
      out->push_back(std::move(g));
      continue;
    }
    if (t.kind == Tok::kOther && (t.text == ")" || t.text == "]")) return close == t.text[0];
    out->push_back({t, false, {}});
  }
  return close == 0;
}

bool IsSpace(const Node& n) { return !n.group && n.tok.kind == Tok::kSpace; }
bool IsWord(const Node& n, std::string_view w) {
  return !n.group && n.tok.kind == Tok::kWord && EqualsIgnoreCaseAscii(n.tok.text, w);
}
bool IsPunct(const Node& n, std::string_view p) { return !n.group && n.tok.kind == Tok::kOther && n.tok.text == p; }
bool IsParen(const Node& n) { return n.group && n.tok.text == "("; }

// The next non-space index after i.
size_t Next(const std::vector<Node>& list, size_t i) {
  ++i;
  while (i < list.size() && IsSpace(list[i])) ++i;
  return i;
}

using Range = std::vector<Node>;

// `list` cut at commas outside groups; spaces at either end of a part dropped.
std::vector<Range> SplitArgs(const std::vector<Node>& list) {
  std::vector<Range> out(1);
  for (const Node& n : list) {
    if (IsPunct(n, ",")) {
      out.emplace_back();
    } else {
      out.back().push_back(n);
    }
  }
  for (Range& r : out) {
    while (!r.empty() && IsSpace(r.front())) r.erase(r.begin());
    while (!r.empty() && IsSpace(r.back())) r.pop_back();
  }
  if (out.size() == 1 && out[0].empty()) out.clear();
  return out;
}

// One piece of translated output; || chains are joined from the pieces.
struct Piece {
  enum Kind { kOperand, kOperator, kKeyword, kSpace, kConcat } kind;
  std::string text;
};

// The date/time units the translator maps, with SQLite's strftime format.
struct Unit {
  std::string_view name;
  std::string_view strftime;
};
constexpr Unit kUnits[] = {{"YEAR", "%Y"}, {"MONTH", "%m"}, {"DAY", "%d"}, {"HOUR", "%H"}, {"MINUTE", "%M"}};

class Translator {
 public:
  Translator(const Dialect& from, const Dialect& to, const std::vector<std::string>& drop)
      : from_(from), to_(to), drop_(drop) {}

  std::optional<std::string> Run(const std::vector<Node>& list) {
    std::string out = Text(list);
    if (!ok_) return std::nullopt;
    return out;
  }

 private:
  std::string Fail() {
    ok_ = false;
    return {};
  }

  // The translated text of a node list, trimmed.
  std::string Text(const std::vector<Node>& list) {
    std::vector<Piece> pieces = Pieces(list);
    std::string out;
    for (const Piece& p : pieces) out += p.text;
    size_t b = out.find_first_not_of(' ');
    if (b == std::string::npos) return {};
    return out.substr(b, out.find_last_not_of(' ') - b + 1);
  }

  // An argument as an operand: in parentheses unless it is one already.
  std::string Operand(const Range& arg) {
    std::vector<Piece> pieces = Pieces(arg);
    size_t solid = 0;
    bool operand = true;
    std::string out;
    for (const Piece& p : pieces) {
      out += p.text;
      if (p.kind == Piece::kSpace) continue;
      ++solid;
      operand = operand && p.kind == Piece::kOperand;
    }
    size_t b = out.find_first_not_of(' ');
    out = b == std::string::npos ? "" : out.substr(b, out.find_last_not_of(' ') - b + 1);
    return solid == 1 && operand ? out : "(" + out + ")";
  }

  std::vector<std::string> Args(const std::vector<Node>& group) {
    std::vector<std::string> out;
    for (const Range& r : SplitArgs(group)) out.push_back(Text(r));
    return out;
  }

  std::vector<Piece> Pieces(const std::vector<Node>& list);
  std::string Call(SqlFunction meaning, std::string_view name, const Node& group);
  std::string GroupConcat(const std::vector<Node>& kids);
  std::string DatePart(std::string unit, const std::string& expr);
  std::string CastCall(const std::vector<Node>& kids);
  std::string ExtractCall(const std::vector<Node>& kids);
  void JoinConcat(std::vector<Piece>* pieces);

  const Dialect& from_;
  const Dialect& to_;
  const std::vector<std::string>& drop_;
  bool ok_ = true;
};

std::vector<Piece> Translator::Pieces(const std::vector<Node>& list) {
  std::vector<Piece> out;
  auto push = [&](Piece::Kind k, std::string text) { out.push_back({k, std::move(text)}); };
  for (size_t i = 0; i < list.size() && ok_; ++i) {
    const Node& n = list[i];
    const Tok& t = n.tok;
    if (IsSpace(n)) {
      push(Piece::kSpace, " ");
      continue;
    }
    if (n.group) {
      if (t.text == "[") {
        Fail();  // an array
        break;
      }
      push(Piece::kOperand, "(" + Text(n.kids) + ")");
      continue;
    }
    switch (t.kind) {
      case Tok::kSpace: break;
      case Tok::kString: push(Piece::kOperand, StringLiteral(t.text, to_)); break;
      case Tok::kNumber: push(Piece::kOperand, t.text); break;
      case Tok::kCast:
        // PostgreSQL's x::type: kept where the target reads it, else the value keeps its form.
        if (to_.double_colon_casts) {
          if (!out.empty() && out.back().kind == Piece::kOperand) {
            out.back().text += t.text;
          } else {
            push(Piece::kOperator, t.text);
          }
        }
        break;
      case Tok::kOther: {
        size_t n1 = i + 1;
        if (t.text == "|" && n1 < list.size() && IsPunct(list[n1], "|")) {
          ++i;
          if (from_.concat_operator) {
            push(Piece::kConcat, "||");
          } else {
            push(Piece::kKeyword, "OR");
          }
        } else if (from_.tilde_like_operators && t.text == "~" && n1 < list.size() && IsPunct(list[n1], "~")) {
          i = n1;
          if (i + 1 < list.size() && IsPunct(list[i + 1], "*")) {
            Fail();  // ~~* is ILIKE
            return out;
          }
          push(Piece::kKeyword, "LIKE");
        } else if (from_.tilde_like_operators && t.text == "!" && n1 + 1 < list.size() && IsPunct(list[n1], "~") &&
                   IsPunct(list[n1 + 1], "~")) {
          i = n1 + 1;
          if (i + 1 < list.size() && IsPunct(list[i + 1], "*")) {
            Fail();
            return out;
          }
          push(Piece::kKeyword, "NOT LIKE");
        } else if (t.text == "<" && n1 + 1 < list.size() && IsPunct(list[n1], "=") && IsPunct(list[n1 + 1], ">")) {
          {
            Fail();
            return out;
          }  // MySQL's null-safe equality
        } else if (t.text == "=" || t.text == "<") {
          // "= ANY (ARRAY[...])" and "<> ALL (ARRAY[...])": IN and NOT IN a list.
          size_t k = i + 1;
          bool ne = t.text == "<" && k < list.size() && IsPunct(list[k], ">");
          if (ne) ++k;
          size_t w = k < list.size() && IsSpace(list[k]) ? k + 1 : k;
          size_t g = w < list.size() ? Next(list, w) : list.size();
          bool quantified =
              w < list.size() && (IsWord(list[w], ne ? "all" : "any")) && g < list.size() && IsParen(list[g]);
          // The list, without casts and parentheses around it: = ANY ((ARRAY[...])::text[]).
          std::vector<Node> inner;
          if (quantified) {
            std::vector<Node> kids = list[g].kids;
            for (;;) {
              inner.clear();
              for (const Node& c : kids) {
                if (!IsSpace(c) && !(!c.group && c.tok.kind == Tok::kCast)) inner.push_back(c);
              }
              if (inner.size() != 1 || !IsParen(inner[0])) break;
              kids = std::move(inner[0].kids);
            }
          }
          if (quantified && inner.size() == 2 && IsWord(inner[0], "array") && inner[1].group &&
              inner[1].tok.text == "[") {
            push(Piece::kKeyword, ne ? "NOT IN" : "IN");
            push(Piece::kSpace, " ");
            push(Piece::kOperand, "(" + Text(inner[1].kids) + ")");
            i = g;
          } else {
            push(Piece::kOperator, t.text);
          }
        } else {
          push(t.text == "," ? Piece::kKeyword : Piece::kOperator, t.text);
        }
        break;
      }
      case Tok::kQuoted:
      case Tok::kWord: {
        size_t n1 = i + 1;
        // A qualifier of the source's own database or schema is dropped.
        if (n1 < list.size() && IsPunct(list[n1], ".")) {
          bool drop = std::any_of(drop_.begin(), drop_.end(), [&](const std::string& q) {
            return t.kind == Tok::kQuoted ? t.text == q : EqualsIgnoreCaseAscii(t.text, q);
          });
          if (drop) {
            i = n1;
            break;
          }
        }
        bool after_dot = out.size() >= 2 && out.back().kind == Piece::kOperator && out.back().text == "." &&
                         out[out.size() - 2].kind == Piece::kOperand;
        if (t.kind == Tok::kQuoted) {
          // PostgreSQL quotes function names that are keywords: "substring"(...).
          if (n1 < list.size() && IsParen(list[n1]) && !after_dot) {
            std::optional<SqlFunction> m = MeaningOf(t.text, from_);
            if (!m) {
              Fail();  // a function the translator does not know
              return out;
            }
            push(Piece::kOperand, Call(*m, t.text, list[n1]));
            i = n1;
            break;
          }
          std::string name = Quote(t.text, to_);
          if (after_dot) {
            out.pop_back();
            out.back().text += "." + name;
          } else {
            push(Piece::kOperand, name);
          }
          break;
        }
        std::string lower = AsciiLower(t.text);
        if (after_dot) {
          out.pop_back();
          out.back().text += "." + t.text;
          break;
        }
        // A charset introducer: _utf8mb4'x' is the string 'x'.
        if (from_.charset_introducers && lower.size() > 1 && lower[0] == '_' && n1 < list.size() && !list[n1].group &&
            list[n1].tok.kind == Tok::kString) {
          break;
        }
        size_t next = Next(list, i);
        bool call = next < list.size() && IsParen(list[next]);
        if (call && lower == "cast") {
          push(Piece::kOperand, CastCall(list[next].kids));
          i = next;
          break;
        }
        if (call && lower == "extract") {
          push(Piece::kOperand, ExtractCall(list[next].kids));
          i = next;
          break;
        }
        if (lower == "case") {
          // CASE ... END is one operand.
          size_t depth = 1, j = i + 1;
          for (; j < list.size(); ++j) {
            if (IsWord(list[j], "case")) ++depth;
            if (IsWord(list[j], "end") && --depth == 0) break;
          }
          if (j >= list.size()) {
            Fail();
            return out;
          }
          std::vector<Node> inner(list.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                  list.begin() + static_cast<std::ptrdiff_t>(j));
          push(Piece::kOperand, "CASE " + Text(inner) + " END");
          i = j;
          break;
        }
        if (lower == "limit" || lower == "offset") {
          // LIMIT a, b and OFFSET a LIMIT b are written LIMIT b OFFSET a.
          std::vector<size_t> at;
          for (size_t j = Next(list, i); j < list.size() && at.size() < 3; j = Next(list, j)) at.push_back(j);
          auto value = [&](size_t k) {
            return k < at.size() && !list[at[k]].group && list[at[k]].tok.kind == Tok::kNumber;
          };
          if (lower == "limit" && at.size() == 3 && value(0) && IsPunct(list[at[1]], ",") && value(2)) {
            push(Piece::kKeyword, "LIMIT " + list[at[2]].tok.text + " OFFSET " + list[at[0]].tok.text);
            i = at[2];
            break;
          }
          if (lower == "offset" && value(0)) {
            if (at.size() >= 3 && IsWord(list[at[1]], "limit") && value(2)) {
              push(Piece::kKeyword, "LIMIT " + list[at[2]].tok.text + " OFFSET " + list[at[0]].tok.text);
              i = at[2];
              break;
            }
            if (!to_.offset_without_limit) {
              Fail();
              return out;
            }
          }
        }
        if (lower == "current_timestamp" || lower == "localtimestamp" || lower == "localtime" ||
            lower == "current_date" || lower == "current_time") {
          if (!call) {
            push(Piece::kOperand, lower == "current_date"   ? "CURRENT_DATE"
                                  : lower == "current_time" ? "CURRENT_TIME"
                                                            : "CURRENT_TIMESTAMP");
            break;
          }
        }
        if (call && !IsKeyword(lower)) {
          std::optional<SqlFunction> m = MeaningOf(lower, from_);
          if (!m) {
            Fail();
            return out;
          }  // a function the translator does not know
          push(Piece::kOperand, Call(*m, t.text, list[next]));
          i = next;
          break;
        }
        bool operand = !IsKeyword(lower) || lower == "null" || lower == "true" || lower == "false";
        push(operand ? Piece::kOperand : Piece::kKeyword, t.text);
        break;
      }
    }
  }
  if (ok_) JoinConcat(&out);
  return out;
}

// a || b || c: kept where || joins strings, else CONCAT(a, b, c). An operand
// next to an arithmetic operator is refused (|| binds differently per engine).
void Translator::JoinConcat(std::vector<Piece>* pieces) {
  std::vector<Piece>& p = *pieces;
  auto solid_before = [&](size_t i) -> std::optional<size_t> {
    while (i > 0) {
      --i;
      if (p[i].kind != Piece::kSpace) return i;
    }
    return std::nullopt;
  };
  auto solid_after = [&](size_t i) -> std::optional<size_t> {
    for (++i; i < p.size(); ++i) {
      if (p[i].kind != Piece::kSpace) return i;
    }
    return std::nullopt;
  };
  auto arithmetic = [&](std::optional<size_t> i) {
    if (!i) return false;
    const Piece& x = p[*i];
    return x.kind == Piece::kOperator && x.text != "," && x.text != "=" && x.text != "<" && x.text != ">" &&
           x.text != "!";
  };
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i].kind != Piece::kConcat) continue;
    std::optional<size_t> first = solid_before(i);
    if (!first || p[*first].kind != Piece::kOperand || arithmetic(solid_before(*first))) {
      ok_ = false;
      return;
    }
    std::vector<std::string> operands = {p[*first].text};
    size_t last = *first;
    for (size_t k = i; k < p.size() && p[k].kind == Piece::kConcat;) {
      std::optional<size_t> o = solid_after(k);
      if (!o || p[*o].kind != Piece::kOperand) {
        ok_ = false;
        return;
      }
      operands.push_back(p[*o].text);
      last = *o;
      std::optional<size_t> n = solid_after(*o);
      if (!n || p[*n].kind != Piece::kConcat) break;
      k = *n;
    }
    if (arithmetic(solid_after(last))) {
      ok_ = false;
      return;
    }
    std::string joined;
    for (size_t k = 0; k < operands.size(); ++k) {
      if (to_.concat_operator) {
        joined += (k ? " || " : "") + operands[k];
      } else {
        joined += (k ? ", " : "CONCAT(") + operands[k];
      }
    }
    if (!to_.concat_operator) joined += ")";
    p[*first] = {Piece::kOperand, joined};
    p.erase(p.begin() + static_cast<std::ptrdiff_t>(*first) + 1, p.begin() + static_cast<std::ptrdiff_t>(last) + 1);
    i = *first;
  }
}

std::string Translator::Call(SqlFunction meaning, std::string_view name, const Node& group) {
  using F = SqlFunction;
  std::vector<Range> ranges = SplitArgs(group.kids);
  auto is_now_string = [&](size_t k) {
    return ranges.size() == 1 && !ranges[0].empty() && !ranges[0][0].group && ranges[0][0].tok.kind == Tok::kString &&
           EqualsIgnoreCaseAscii(ranges[0][0].tok.text, "now") &&
           (ranges[0].size() == 1 || (ranges[0].size() == 2 && ranges[0][1].tok.kind == Tok::kCast)) && k == 0;
  };
  switch (meaning) {
    case F::kSequence: return Fail();
    case F::kConcat:
    case F::kConcatSkipNulls: {
      std::vector<std::string> args;
      for (const Range& r : ranges) {
        std::string a = Operand(r);
        args.push_back(meaning == F::kConcatSkipNulls ? "COALESCE(" + a + ", '')" : a);
      }
      if (args.empty()) return Fail();
      std::string out;
      for (size_t k = 0; k < args.size(); ++k) {
        out += to_.concat_operator ? (k ? " || " : "(") + args[k] : (k ? ", " : "CONCAT(") + args[k];
      }
      return out + ")";
    }
    case F::kGroupConcat: return GroupConcat(group.kids);
    case F::kIfNull: {
      if (ranges.size() != 2) return Fail();
      std::vector<std::string> a = Args(group.kids);
      return "COALESCE(" + a[0] + ", " + a[1] + ")";
    }
    case F::kIf: {
      if (ranges.size() != 3) return Fail();
      std::vector<std::string> a = Args(group.kids);
      return "CASE WHEN " + a[0] + " THEN " + a[1] + " ELSE " + a[2] + " END";
    }
    case F::kNow: {
      if (ranges.empty()) return "CURRENT_TIMESTAMP";
      if (ranges.size() == 1 && ranges[0].size() == 1 && ranges[0][0].tok.kind == Tok::kNumber) {
        return to_.timestamp_precision_argument ? std::string(name) + "(" + ranges[0][0].tok.text + ")"
                                                : "CURRENT_TIMESTAMP";
      }
      return Fail();
    }
    case F::kCurrentDate: return ranges.empty() ? "CURRENT_DATE" : Fail();
    case F::kCurrentTime: return ranges.empty() ? "CURRENT_TIME" : Fail();
    case F::kDateTimeOf:
      if (is_now_string(0)) return "CURRENT_TIMESTAMP";
      break;
    case F::kDateOf:
      if (is_now_string(0)) return "CURRENT_DATE";
      break;
    case F::kYear:
    case F::kMonth:
    case F::kDay:
      if (ranges.size() != 1) return Fail();
      return DatePart(meaning == F::kYear ? "year" : meaning == F::kMonth ? "month" : "day", Text(ranges[0]));
    case F::kDatePart: {
      if (ranges.size() != 2 || ranges[0].empty() || ranges[0][0].group || ranges[0][0].tok.kind != Tok::kString ||
          ranges[0].size() > 2)
        return Fail();
      return DatePart(ranges[0][0].tok.text, Text(ranges[1]));
    }
    default: break;
  }
  std::optional<std::string_view> spelled = NameOf(meaning, to_);
  if (!spelled) return Fail();
  return std::string(*spelled) + "(" + Text(group.kids) + ")";
}

std::string Translator::DatePart(std::string unit, const std::string& expr) {
  unit = AsciiUpper(unit);
  for (const Unit& u : kUnits) {
    if (u.name != unit) continue;
    if (to_.date_part == DatePartForm::kStrftime) {
      return "CAST(strftime('" + std::string(u.strftime) + "', " + expr + ") AS INTEGER)";
    }
    return "EXTRACT(" + unit + " FROM " + expr + ")";
  }
  return Fail();
}

// EXTRACT(unit FROM x).
std::string Translator::ExtractCall(const std::vector<Node>& kids) {
  std::vector<size_t> solid;
  for (size_t i = 0; i < kids.size(); ++i) {
    if (!IsSpace(kids[i])) solid.push_back(i);
  }
  if (solid.size() < 3 || kids[solid[0]].group || kids[solid[0]].tok.kind != Tok::kWord ||
      !IsWord(kids[solid[1]], "from"))
    return Fail();
  Range rest(kids.begin() + static_cast<std::ptrdiff_t>(solid[2]), kids.end());
  return DatePart(kids[solid[0]].tok.text, Text(rest));
}

// CAST(x AS type): the type by meaning (text, integer, decimal, date, timestamp).
std::string Translator::CastCall(const std::vector<Node>& kids) {
  size_t as = kids.size();
  for (size_t i = 0; i < kids.size(); ++i) {
    if (IsWord(kids[i], "as")) as = i;
  }
  if (as == kids.size()) return Fail();
  Range expr(kids.begin(), kids.begin() + static_cast<std::ptrdiff_t>(as));
  std::vector<const Node*> type;
  for (size_t i = as + 1; i < kids.size(); ++i) {
    if (!IsSpace(kids[i])) type.push_back(&kids[i]);
  }
  if (type.empty() || type[0]->group || type[0]->tok.kind != Tok::kWord) return Fail();
  std::string w = AsciiLower(type[0]->tok.text);
  std::string_view spelled;
  std::string args;
  if (w == "char" || w == "varchar" || w == "text" || w == "character" || w == "nchar" || w == "nvarchar") {
    spelled = to_.cast_text;  // a length or charset after it is dropped: the cast is to the text itself
  } else if (w == "signed" || w == "int" || w == "integer" || w == "bigint" || w == "smallint" || w == "int4" ||
             w == "int8" || w == "int2") {
    spelled = to_.cast_integer;
  } else if (w == "decimal" || w == "numeric" || w == "dec") {
    spelled = to_.cast_decimal;
    if (type.size() > 1 && type[1]->group) args = "(" + Text(type[1]->kids) + ")";
  } else if (w == "date") {
    spelled = to_.cast_date;
  } else if (w == "datetime" || w == "timestamp") {
    spelled = to_.cast_timestamp;
  }
  if (spelled.empty()) return Fail();
  return "CAST(" + Text(expr) + " AS " + std::string(spelled) + args + ")";
}

// String aggregation, read in the source's form and written in the target's.
std::string Translator::GroupConcat(const std::vector<Node>& kids) {
  std::vector<Node> body = kids;
  while (!body.empty() && IsSpace(body.front())) body.erase(body.begin());
  bool distinct = !body.empty() && IsWord(body.front(), "distinct");
  if (distinct) body.erase(body.begin());
  size_t order = body.size(), sep = body.size();
  for (size_t i = 0; i < body.size(); ++i) {
    if (IsWord(body[i], "order") && Next(body, i) < body.size() && IsWord(body[Next(body, i)], "by") &&
        order == body.size()) {
      order = i;
    }
    if (from_.group_concat == GroupConcatForm::kSeparatorKeyword && IsWord(body[i], "separator")) sep = i;
  }
  size_t main_end = std::min(order, sep);
  std::vector<Range> args = SplitArgs(Range(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(main_end)));
  auto text_of = [&](size_t begin, size_t end) {
    return Text(
        Range(body.begin() + static_cast<std::ptrdiff_t>(begin), body.begin() + static_cast<std::ptrdiff_t>(end)));
  };
  std::string order_by;
  if (order < body.size()) order_by = text_of(Next(body, order) + 1, sep > order ? sep : body.size());
  std::string separator = "','";
  std::vector<std::string> values;
  if (from_.group_concat == GroupConcatForm::kSeparatorKeyword) {
    if (sep < body.size()) separator = text_of(sep + 1, order > sep ? order : body.size());
    for (const Range& r : args) values.push_back(Operand(r));
  } else {
    if (args.empty() || args.size() > 2) return Fail();
    values.push_back(Operand(args[0]));
    if (args.size() == 2) separator = Text(args[1]);
  }
  if (!ok_ || values.empty()) return Fail();
  // Several values (MySQL) are one concatenation.
  std::string value = values[0];
  if (values.size() > 1) {
    value.clear();
    for (size_t k = 0; k < values.size(); ++k) {
      value += to_.concat_operator ? (k ? " || " : "(") + values[k] : (k ? ", " : "CONCAT(") + values[k];
    }
    value += ")";
  }
  std::string d = distinct ? "DISTINCT " : "";
  switch (to_.group_concat) {
    case GroupConcatForm::kSeparatorKeyword:
      return "GROUP_CONCAT(" + d + value + (order_by.empty() ? "" : " ORDER BY " + order_by) + " SEPARATOR " +
             separator + ")";
    case GroupConcatForm::kSeparatorArgument:
      if (!order_by.empty() && !to_.aggregate_order_by) return Fail();  // SQLite before 3.44
      if (distinct && separator != "','") return Fail();                // DISTINCT takes one argument here
      return "group_concat(" + d + value + (separator == "','" ? "" : ", " + separator) +
             (order_by.empty() ? "" : " ORDER BY " + order_by) + ")";
    case GroupConcatForm::kStringAgg: {
      std::string text = "CAST(" + value + " AS " + std::string(to_.cast_text) + ")";
      if (distinct && !order_by.empty()) {
        // With DISTINCT the order must be by the value itself.
        std::string key = order_by, dir;
        for (std::string_view s : {" ASC", " DESC", " asc", " desc"}) {
          if (key.size() > s.size() && key.compare(key.size() - s.size(), s.size(), s) == 0) {
            dir = AsciiUpper(s);
            key.resize(key.size() - s.size());
          }
        }
        if (key != value && "(" + key + ")" != value) return Fail();
        order_by = text + dir;
      }
      return "string_agg(" + d + text + ", " + separator + (order_by.empty() ? "" : " ORDER BY " + order_by) + ")";
    }
  }
  return Fail();
}

// A default's tokens without spaces, parentheses that do not belong to a call
// removed.
std::vector<Tok> DefaultTokens(const std::vector<Tok>& toks) {
  std::vector<Tok> out;
  std::vector<bool> call_parens;
  for (const Tok& t : toks) {
    if (t.kind == Tok::kSpace) continue;
    if (t.kind == Tok::kOther && t.text == "(") {
      bool call = !out.empty() && out.back().kind == Tok::kWord;
      call_parens.push_back(call);
      if (call) out.push_back(t);
      continue;
    }
    if (t.kind == Tok::kOther && t.text == ")") {
      bool call = !call_parens.empty() && call_parens.back();
      if (!call_parens.empty()) call_parens.pop_back();
      if (call) out.push_back(t);
      continue;
    }
    out.push_back(t);
  }
  return out;
}

// The type a cast names: "::character varying(10)" -> "character varying".
std::string CastType(const std::string& cast) {
  std::string t = AsciiLower(cast.substr(2));
  size_t p = t.find('(');
  if (p != std::string::npos) t.resize(p);
  while (!t.empty() && t.back() == ' ') t.pop_back();
  if (size_t dot = t.rfind('.'); dot != std::string::npos) t = t.substr(dot + 1);
  return t;
}

bool IsDateTime(LogicalType t) {
  return t == LogicalType::kDate || t == LogicalType::kTime || t == LogicalType::kTimestamp ||
         t == LogicalType::kTimestampTz;
}

// "YYYY-MM-DD HH:MM:SS[.f]" with a zone offset ("+00", "-05:30", "Z") as the
// same instant in UTC without one; the text as it is when it has no offset;
// nullopt when it is not of that form.
std::optional<std::string> WithoutOffset(const std::string& v) {
  auto digits = [&](size_t at, size_t n) {
    if (at + n > v.size()) return -1;
    int x = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(v[i]))) return -1;
      x = x * 10 + (v[i] - '0');
    }
    return x;
  };
  int y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2), mi = digits(14, 2), s = digits(17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || mi < 0 || s < 0 || v.size() < 19) return std::nullopt;
  size_t end = 19;
  while (end < v.size() && (v[end] == '.' || std::isdigit(static_cast<unsigned char>(v[end])))) ++end;
  std::string offset = v.substr(end);
  while (!offset.empty() && offset.front() == ' ') offset.erase(offset.begin());
  if (offset.empty()) return v;
  int minutes = 0;
  if (offset != "Z" && offset != "UTC") {
    // +HH, +HHMM or +HH:MM
    size_t at = v.size() - offset.size();
    int oh = digits(at + 1, 2), om = 0;
    size_t rest = at + 3;
    if (rest < v.size() && v[rest] == ':') ++rest;
    if (rest < v.size()) om = v.size() - rest == 2 ? digits(rest, 2) : -1;
    if ((offset[0] != '+' && offset[0] != '-') || oh < 0 || om < 0) return std::nullopt;
    minutes = (oh * 60 + om) * (offset[0] == '-' ? -1 : 1);
  }
  int64_t seconds = DaysFromCivil(y, mo, d) * 86400 + int64_t{h} * 3600 + int64_t{mi} * 60 + s - int64_t{minutes} * 60;
  int64_t days = FloorDiv(seconds, 86400), rem = seconds - days * 86400;
  CivilDate c = CivilFromDays(days);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", c.year, c.month, c.day, rem / 3600, rem / 60 % 60,
                     rem % 60) +
         v.substr(19, end - 19);
}

// A string default of a date/time column as `to` takes it, or nullopt: the
// zero date only where it exists, a zone offset only where a literal takes
// one (else the instant in UTC, as such a target stores it), and no words
// ('infinity', 'epoch').
std::optional<std::string> DateTimeLiteral(const std::string& v, LogicalType type, const Dialect& to) {
  if (v.empty() || !std::isdigit(static_cast<unsigned char>(v[0]))) return std::nullopt;
  if (v.rfind("0000-00-00", 0) == 0) {
    if (!to.zero_date_literals) return std::nullopt;
    return StringLiteral(v, to);
  }
  if ((type == LogicalType::kTimestamp || type == LogicalType::kTimestampTz) && !to.timestamp_literal_offsets &&
      v.size() > 19) {
    std::optional<std::string> utc = WithoutOffset(v);
    if (!utc) return std::nullopt;
    return StringLiteral(*utc, to);
  }
  return StringLiteral(v, to);
}

bool IsNumberType(const std::string& t) {
  for (std::string_view n : {"numeric", "decimal", "integer", "int", "int2", "int4", "int8", "bigint", "smallint",
                             "real", "double precision", "float4", "float8"}) {
    if (t == n) return true;
  }
  return false;
}

bool IsNumber(std::string_view s) {
  size_t i = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  bool digit = false, dot = false;
  for (; i < s.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i]))) {
      digit = true;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digit;
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
  while (!toks.empty() &&
         (toks.back().kind == Tok::kSpace || (toks.back().kind == Tok::kOther && toks.back().text == ";")))
    toks.pop_back();
  std::vector<Node> nodes;
  size_t i = 0;
  if (!Build(toks, &i, 0, &nodes)) return std::nullopt;
  return Translator(from_dialect, to_dialect, drop_qualifiers).Run(nodes);
}

std::optional<std::string> TranslateView(const Schema& schema, const View& view, const Dialect& from,
                                         const Dialect& to) {
  return TranslateSql(view.definition, from, to, DefaultQualifiers(from, schema.database));
}

std::optional<std::string> TranslateCheck(const Schema& schema, const CheckConstraint& check, const Dialect& from,
                                          const Dialect& to) {
  return TranslateSql(check.expression, from, to, DefaultQualifiers(from, schema.database));
}

std::optional<std::string> TranslateDefault(std::string_view expr, LogicalType type, const Dialect& from,
                                            const Dialect& to) {
  std::vector<Tok> lexed;
  if (!Lex(expr, from, &lexed)) return std::nullopt;
  std::vector<Tok> toks = DefaultTokens(lexed);
  std::vector<std::string> casts;
  while (!toks.empty() && toks.back().kind == Tok::kCast) {
    casts.insert(casts.begin(), CastType(toks.back().text));
    toks.pop_back();
  }
  std::string cast = casts.empty() ? "" : casts.back();
  auto boolean = [&](bool b) -> std::string {
    if (to.boolean_words) return b ? "true" : "false";
    return b ? "1" : "0";
  };
  // The current date or time, written for the column's type.
  enum class Now { kNone, kTimestamp, kDate, kTime } now = Now::kNone;
  std::string precision;
  auto now_from_string = [&](const std::string& value) {
    std::string v = AsciiLower(value);
    if (v != "now" && v != "today") return Now::kNone;
    if (cast == "date" || v == "today") return Now::kDate;
    if (cast.rfind("timestamp", 0) == 0) return Now::kTimestamp;
    if (cast.rfind("time", 0) == 0) return Now::kTime;
    return Now::kNone;
  };
  if (toks.size() == 1 && toks[0].kind == Tok::kString) {
    now = now_from_string(toks[0].text);
    if (now == Now::kNone) {
      const std::string& v = toks[0].text;
      if ((IsNumberType(cast) || type == LogicalType::kBool) && IsNumber(v)) {
        if (type == LogicalType::kBool && (v == "0" || v == "1")) return boolean(v == "1");
        return v;
      }
      if (v.find('\0') != std::string::npos) {
        // MySQL pads a BINARY(n) default with NULs: a bytes literal, not text.
        if (type != LogicalType::kBytes) return std::nullopt;
        static const char kHex[] = "0123456789abcdef";
        std::string hex;
        for (unsigned char c : v) hex += std::string{kHex[c >> 4], kHex[c & 15]};
        return std::string(to.bytes_literal_prefix) + hex + std::string(to.bytes_literal_suffix);
      }
      if (IsDateTime(type)) return DateTimeLiteral(v, type, to);
      if (cast == "boolean" || cast == "bool") {
        std::string b = AsciiLower(v);
        if (b == "t" || b == "true") return boolean(true);
        if (b == "f" || b == "false") return boolean(false);
        return std::nullopt;
      }
      return StringLiteral(v, to);
    }
  } else if ((toks.size() == 1 && toks[0].kind == Tok::kNumber) ||
             (toks.size() == 2 && toks[0].kind == Tok::kOther && (toks[0].text == "-" || toks[0].text == "+") &&
              toks[1].kind == Tok::kNumber)) {
    std::string n = toks.size() == 1 ? toks[0].text : toks[0].text + toks[1].text;
    if (type == LogicalType::kBool && (n == "0" || n == "1")) return boolean(n == "1");
    // A number in a date/time column: MySQL's 0 is its zero date; elsewhere not a date.
    if (IsDateTime(type)) return to.zero_date_literals && n == "0" ? std::optional<std::string>("0") : std::nullopt;
    return n;
  } else if (toks.size() == 1 && toks[0].kind == Tok::kWord) {
    std::string w = AsciiLower(toks[0].text);
    if (w == "null") return std::string("NULL");
    if (w == "true" || w == "false") return boolean(w == "true");
    if (w == "current_timestamp" || w == "localtimestamp") now = Now::kTimestamp;
    if (w == "current_date") now = Now::kDate;
    if (w == "current_time" || w == "localtime") now = Now::kTime;
    if (now == Now::kNone) return std::nullopt;
  } else if (toks.size() == 2 && toks[0].kind == Tok::kWord && EqualsIgnoreCaseAscii(toks[0].text, "b") &&
             toks[1].kind == Tok::kString && toks[1].text.find_first_not_of("01") == std::string::npos &&
             !toks[1].text.empty() && toks[1].text.size() <= 64) {
    // A bit literal b'0101'.
    const std::string& bits = toks[1].text;
    uint64_t v = 0;
    for (char c : bits) v = v * 2 + static_cast<uint64_t>(c - '0');
    if (type == LogicalType::kBool) return boolean(v != 0);
    if (type == LogicalType::kBitString && to.bit_string_literals) return "B'" + bits + "'";
    return std::to_string(v);
  } else if (toks.size() >= 3 && toks[0].kind == Tok::kWord && toks[1].text == "(" && toks.back().text == ")" &&
             toks.size() <= 5) {
    std::optional<SqlFunction> m = MeaningOf(toks[0].text, from);
    if (!m) return std::nullopt;
    std::vector<Tok> args(toks.begin() + 2, toks.end() - 1);
    bool none = args.empty();
    bool now_arg = args.size() == 1 && args[0].kind == Tok::kString && AsciiLower(args[0].text) == "now";
    if (args.size() == 2 && args[0].kind == Tok::kString && args[1].kind == Tok::kCast) {
      now_arg = AsciiLower(args[0].text) == "now";
    }
    switch (*m) {
      case SqlFunction::kNow:
        if (none) {
          now = Now::kTimestamp;
        } else if (args.size() == 1 && args[0].kind == Tok::kNumber) {
          now = Now::kTimestamp;
          precision = args[0].text;
        }
        break;
      case SqlFunction::kCurrentDate: now = none ? Now::kDate : Now::kNone; break;
      case SqlFunction::kCurrentTime: now = none ? Now::kTime : Now::kNone; break;
      case SqlFunction::kDateTimeOf: now = now_arg ? Now::kTimestamp : Now::kNone; break;
      case SqlFunction::kDateOf: now = now_arg ? Now::kDate : Now::kNone; break;
      default: break;
    }
    if (now == Now::kNone) return std::nullopt;
    // A cast after the call: now()::date is the current date.
    if (cast == "date") now = Now::kDate;
  }
  if (now == Now::kNone) return std::nullopt;
  // A date column gets the date, a time column the time.
  if (type == LogicalType::kDate) now = Now::kDate;
  if (type == LogicalType::kTime) now = Now::kTime;
  std::string out = now == Now::kDate ? "CURRENT_DATE" : now == Now::kTime ? "CURRENT_TIME" : "CURRENT_TIMESTAMP";
  if (now == Now::kTimestamp && !precision.empty() && to.timestamp_precision_argument) out += "(" + precision + ")";
  bool timestamp_column = type == LogicalType::kTimestamp || type == LogicalType::kTimestampTz;
  if (to.parenthesized_expression_defaults && !(now == Now::kTimestamp && timestamp_column)) out = "(" + out + ")";
  return out;
}

}  // namespace decant

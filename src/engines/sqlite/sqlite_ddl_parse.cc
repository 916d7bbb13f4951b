#include "engines/sqlite/sqlite_ddl_parse.h"

#include <cctype>

#include "core/ascii.h"
#include "core/engine_traits.h"
#include "engines/sqlite/sqlite_endpoint.h"

namespace decant::sqlite_internal {
namespace {

using sql::IsPunct;
using sql::IsWord;
using sql::MatchParen;
using sql::SplitCommas;

bool IsName(const Token& t) {
  return t.kind == Token::Kind::kWord || t.kind == Token::Kind::kQuoted || t.kind == Token::Kind::kString;
}

std::string TextBetween(std::string_view sql, const std::vector<Token>& toks, size_t first, size_t last_exclusive) {
  if (first >= last_exclusive) return {};
  size_t b = toks[first].begin;
  size_t e = toks[last_exclusive - 1].end;
  return std::string(sql.substr(b, e - b));
}

// Names in "( a, b COLLATE x DESC )" starting at the '(' token `open`.
std::vector<std::string> NameList(const std::vector<Token>& toks, size_t open, size_t* close_out) {
  std::vector<std::string> names;
  size_t close = MatchParen(toks, open);
  for (auto [b, e] : SplitCommas(toks, open + 1, close)) {
    if (b < e && IsName(toks[b])) names.push_back(toks[b].text);
  }
  *close_out = close;
  return names;
}

// Skips "name" or "schema.name" at i; returns the index after it.
size_t SkipQualifiedName(const std::vector<Token>& toks, size_t i) {
  if (i < toks.size() && IsName(toks[i])) ++i;
  if (i + 1 < toks.size() && IsPunct(toks[i], '.')) i += 2;
  return i;
}

// Reads DEFERRABLE clauses anywhere in toks[b, e) (depth 0).
void ReadDeferrable(const std::vector<Token>& toks, size_t b, size_t e, ParsedForeignKey* fk) {
  for (size_t i = b; i < e; ++i) {
    if (IsWord(toks[i], "DEFERRABLE")) {
      fk->deferrable = !(i > b && IsWord(toks[i - 1], "NOT"));
      if (i + 2 < e && IsWord(toks[i + 1], "INITIALLY")) {
        fk->initially_deferred = fk->deferrable && IsWord(toks[i + 2], "DEFERRED");
      }
    }
  }
}

bool IsConstraintStart(const Token& t) {
  static constexpr std::string_view kWords[] = {"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"};
  for (auto w : kWords) {
    if (IsWord(t, w)) return true;
  }
  return false;
}

void ParseTableConstraint(std::string_view sql, const std::vector<Token>& toks, size_t b, size_t e, ParsedTable* out) {
  std::string name;
  size_t i = b;
  if (IsWord(toks[i], "CONSTRAINT") && i + 1 < e) {
    name = toks[i + 1].text;
    i += 2;
  }
  if (i >= e) return;
  size_t close = 0;
  if (IsWord(toks[i], "PRIMARY")) {
    out->primary_key_name = name;
  } else if (IsWord(toks[i], "UNIQUE")) {
    if (i + 1 < e && IsPunct(toks[i + 1], '(')) {
      out->uniques.push_back({name, NameList(toks, i + 1, &close)});
    }
  } else if (IsWord(toks[i], "CHECK")) {
    if (i + 1 < e && IsPunct(toks[i + 1], '(')) {
      close = MatchParen(toks, i + 1);
      out->checks.push_back({name, TextBetween(sql, toks, i + 2, close)});
    }
  } else if (IsWord(toks[i], "FOREIGN")) {
    ParsedForeignKey fk;
    fk.name = name;
    size_t j = i + 1;
    if (j < e && IsWord(toks[j], "KEY")) ++j;
    if (j < e && IsPunct(toks[j], '(')) {
      fk.columns = NameList(toks, j, &close);
      j = close + 1;
    }
    if (j + 1 < e && IsWord(toks[j], "REFERENCES")) fk.ref_table = toks[j + 1].text;
    ReadDeferrable(toks, j, e, &fk);
    out->foreign_keys.push_back(std::move(fk));
  }
}

void ParseColumnDef(std::string_view sql, const std::vector<Token>& toks, size_t b, size_t e, ParsedTable* out) {
  ParsedColumn col;
  col.name = toks[b].text;
  std::string pending_name;
  for (size_t i = b + 1; i < e; ++i) {
    const Token& t = toks[i];
    if (IsPunct(t, '(')) {  // type arguments or DEFAULT (expr): not a constraint
      i = MatchParen(toks, i);
      continue;
    }
    if (IsWord(t, "CONSTRAINT") && i + 1 < e) {
      pending_name = toks[++i].text;
      continue;
    }
    if (IsWord(t, "CHECK") && i + 1 < e && IsPunct(toks[i + 1], '(')) {
      size_t close = MatchParen(toks, i + 1);
      out->checks.push_back({pending_name, TextBetween(sql, toks, i + 2, close)});
      pending_name.clear();
      i = close;
    } else if (IsWord(t, "AS") && i + 1 < e && IsPunct(toks[i + 1], '(')) {
      size_t close = MatchParen(toks, i + 1);
      col.generated_expr = TextBetween(sql, toks, i + 2, close);
      if (close + 1 < e && IsWord(toks[close + 1], "STORED")) col.generated_stored = true;
      pending_name.clear();
      i = close;
    } else if (IsWord(t, "REFERENCES") && i + 1 < e) {
      ParsedForeignKey fk;
      fk.name = pending_name;
      fk.columns = {col.name};
      fk.ref_table = toks[i + 1].text;
      // The clause runs to the next column constraint keyword.
      size_t j = i + 2;
      while (j < e && !IsWord(toks[j], "CONSTRAINT") && !IsWord(toks[j], "CHECK") && !IsWord(toks[j], "PRIMARY") &&
             !IsWord(toks[j], "UNIQUE") && !IsWord(toks[j], "COLLATE") && !IsWord(toks[j], "GENERATED") &&
             !IsWord(toks[j], "DEFAULT") && !IsWord(toks[j], "AS")) {
        if (IsPunct(toks[j], '(')) j = MatchParen(toks, j);
        ++j;
      }
      ReadDeferrable(toks, i + 2, j, &fk);
      out->foreign_keys.push_back(std::move(fk));
      pending_name.clear();
      i = j - 1;
    } else if (IsWord(t, "UNIQUE")) {
      out->uniques.push_back({pending_name, {col.name}});
      pending_name.clear();
    } else if (IsWord(t, "PRIMARY")) {
      out->primary_key_name = pending_name;
      pending_name.clear();
    } else if (IsWord(t, "NOT") || IsWord(t, "NULL") || IsWord(t, "DEFAULT") || IsWord(t, "COLLATE") ||
               IsWord(t, "GENERATED")) {
      if (!IsWord(t, "GENERATED")) pending_name.clear();
    }
  }
  out->columns.push_back(std::move(col));
}

}  // namespace

const Dialect& SqliteDialect() { return SqliteTraits().dialect; }

std::vector<Token> Tokenize(std::string_view sql) { return sql::Lex(sql, SqliteDialect()); }

bool ParseCreateTable(std::string_view sql, ParsedTable* out) {
  std::vector<Token> toks = Tokenize(sql);
  size_t i = 0;
  while (i < toks.size() && !IsWord(toks[i], "TABLE")) ++i;
  ++i;
  if (i + 2 < toks.size() && IsWord(toks[i], "IF") && IsWord(toks[i + 1], "NOT") && IsWord(toks[i + 2], "EXISTS")) {
    i += 3;
  }
  i = SkipQualifiedName(toks, i);
  if (i >= toks.size() || !IsPunct(toks[i], '(')) return false;
  size_t close = MatchParen(toks, i);
  for (auto [b, e] : SplitCommas(toks, i + 1, close)) {
    if (b >= e) continue;
    if (toks[b].kind == Token::Kind::kWord && IsConstraintStart(toks[b])) {
      ParseTableConstraint(sql, toks, b, e, out);
    } else {
      ParseColumnDef(sql, toks, b, e, out);
    }
  }
  return true;
}

bool ParseCreateIndex(std::string_view sql, ParsedIndex* out) {
  std::vector<Token> toks = Tokenize(sql);
  size_t i = 0;
  while (i < toks.size() && !IsWord(toks[i], "ON")) ++i;
  while (i < toks.size() && !IsPunct(toks[i], '(')) ++i;
  if (i >= toks.size()) return false;
  size_t close = MatchParen(toks, i);
  for (auto [b, e] : SplitCommas(toks, i + 1, close)) {
    if (e > b && (IsWord(toks[e - 1], "ASC") || IsWord(toks[e - 1], "DESC"))) --e;
    if (e >= b + 2 && IsWord(toks[e - 2], "COLLATE")) e -= 2;
    out->items.push_back(TextBetween(sql, toks, b, e));
  }
  size_t j = close + 1;
  if (j < toks.size() && IsWord(toks[j], "WHERE")) {
    size_t e = toks.size();
    while (e > j + 1 && IsPunct(toks[e - 1], ';')) --e;
    out->where = TextBetween(sql, toks, j + 1, e);
  }
  return true;
}

std::string ParseViewDefinition(std::string_view sql) {
  std::vector<Token> toks = Tokenize(sql);
  size_t i = 0;
  while (i < toks.size() && !IsWord(toks[i], "VIEW")) ++i;
  int depth = 0;
  for (; i < toks.size(); ++i) {
    if (IsPunct(toks[i], '(')) ++depth;
    if (IsPunct(toks[i], ')')) --depth;
    if (depth == 0 && IsWord(toks[i], "AS")) break;
  }
  if (i + 1 >= toks.size()) return {};
  size_t e = toks.size();
  while (e > i + 2 && IsPunct(toks[e - 1], ';')) --e;
  return TextBetween(sql, toks, i + 1, e);
}

std::optional<ParsedVirtualTable> ParseCreateVirtualTable(std::string_view sql) {
  const std::vector<Token> toks = Tokenize(sql);
  auto word = [&](size_t i, std::string_view w) {
    return i < toks.size() && toks[i].kind == Token::Kind::kWord && EqualsIgnoreCaseAscii(toks[i].text, w);
  };
  auto punct = [&](size_t i, std::string_view p) {
    return i < toks.size() && toks[i].kind == Token::Kind::kPunct && toks[i].text == p;
  };
  if (!word(0, "CREATE") || !word(1, "VIRTUAL") || !word(2, "TABLE")) return std::nullopt;
  size_t i = 3;
  if (word(i, "IF") && word(i + 1, "NOT") && word(i + 2, "EXISTS")) i += 3;
  if (i >= toks.size()) return std::nullopt;
  ParsedVirtualTable out;
  out.name = toks[i].text;
  if (punct(i + 1, ".") && i + 2 < toks.size()) {
    i += 2;
    out.name = toks[i].text;
  }
  ++i;
  if (!word(i, "USING") || i + 1 >= toks.size()) return std::nullopt;
  ++i;
  out.module = AsciiLower(toks[i].text);
  ++i;
  if (!punct(i, "(")) return out;
  // Top-level arguments of the form "content = value".
  int depth = 0;
  bool arg_start = true;
  for (; i < toks.size(); ++i) {
    const Token& t = toks[i];
    if (t.kind == Token::Kind::kPunct && t.text == "(") {
      ++depth;
      arg_start = depth == 1;
      continue;
    }
    if (t.kind == Token::Kind::kPunct && t.text == ")") {
      if (--depth == 0) break;
      continue;
    }
    if (depth == 1 && t.kind == Token::Kind::kPunct && t.text == ",") {
      arg_start = true;
      continue;
    }
    if (depth == 1 && arg_start && EqualsIgnoreCaseAscii(t.text, "content") && punct(i + 1, "=") &&
        i + 2 < toks.size()) {
      out.content = toks[i + 2].text;
    }
    arg_start = false;
  }
  return out;
}

bool IsShadowTableOf(std::string_view module, std::string_view vtab, std::string_view name) {
  if (name.size() <= vtab.size() + 1 || !EqualsIgnoreCaseAscii(name.substr(0, vtab.size()), vtab) ||
      name[vtab.size()] != '_') {
    return false;
  }
  std::string_view suffix = name.substr(vtab.size() + 1);
  static constexpr std::string_view kFts5[] = {"data", "idx", "content", "docsize", "config"};
  static constexpr std::string_view kFts34[] = {"content", "segments", "segdir", "docsize", "stat"};
  static constexpr std::string_view kRtree[] = {"node", "rowid", "parent"};
  auto in = [&](const auto& list) {
    for (std::string_view s : list) {
      if (EqualsIgnoreCaseAscii(suffix, s)) return true;
    }
    return false;
  };
  if (EqualsIgnoreCaseAscii(module, "fts5")) return in(kFts5);
  if (EqualsIgnoreCaseAscii(module, "fts3") || EqualsIgnoreCaseAscii(module, "fts4")) return in(kFts34);
  if (EqualsIgnoreCaseAscii(module, "rtree") || EqualsIgnoreCaseAscii(module, "rtree_i32") ||
      EqualsIgnoreCaseAscii(module, "geopoly")) {
    return in(kRtree);
  }
  return false;
}

}  // namespace decant::sqlite_internal

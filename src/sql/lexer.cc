#include "sql/lexer.h"

#include <cctype>
#include <cstdint>

#include "core/ascii.h"
#include "core/hex.h"

namespace decant::sql {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool IsOctal(char c) { return c >= '0' && c <= '7'; }

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// How a backslash inside a quoted run is read.
enum class Backslash {
  kLiteral,   // a byte like any other (standard SQL)
  kMysql,     // MySQL's escapes: \0 \b \n \r \t \Z, \% and \_ kept as written, \x for any other x
  kPostgres,  // PostgreSQL's E'...': \b \f \n \r \t, \ooo, \xhh, \uXXXX, \UXXXXXXXX, \x for any other x
};

// Decodes the escape at s[i] == '\\' (i + 1 < s.size()) into `out`; returns
// the index just past it.
size_t ReadEscape(std::string_view s, size_t i, Backslash mode, std::string* out) {
  char c = s[i + 1];
  size_t j = i + 2;
  if (mode == Backslash::kMysql) {
    switch (c) {
      case '0': out->push_back('\0'); break;
      case 'b': out->push_back('\b'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'Z': out->push_back('\x1a'); break;
      case '%':
      case '_':  // LIKE wildcards keep their backslash
        out->push_back('\\');
        out->push_back(c);
        break;
      default: out->push_back(c); break;
    }
    return j;
  }
  switch (c) {
    case 'b': out->push_back('\b'); return j;
    case 'f': out->push_back('\f'); return j;
    case 'n': out->push_back('\n'); return j;
    case 'r': out->push_back('\r'); return j;
    case 't': out->push_back('\t'); return j;
    default: break;
  }
  if (IsOctal(c)) {
    unsigned v = 0;
    size_t k = i + 1;
    for (; k < s.size() && k < i + 4 && IsOctal(s[k]); ++k) v = v * 8 + static_cast<unsigned>(s[k] - '0');
    out->push_back(static_cast<char>(v & 0xFF));
    return k;
  }
  if (c == 'x' && j < s.size() && HexDigitValue(s[j]) >= 0) {
    unsigned v = 0;
    size_t k = j;
    for (; k < s.size() && k < j + 2 && HexDigitValue(s[k]) >= 0; ++k)
      v = v * 16 + static_cast<unsigned>(HexDigitValue(s[k]));
    out->push_back(static_cast<char>(v));
    return k;
  }
  if (c == 'u' || c == 'U') {
    size_t digits = c == 'u' ? 4 : 8;
    if (j + digits <= s.size()) {
      uint32_t cp = 0;
      size_t k = j;
      for (; k < j + digits && HexDigitValue(s[k]) >= 0; ++k) cp = cp * 16 + static_cast<uint32_t>(HexDigitValue(s[k]));
      if (k == j + digits && cp <= 0x10FFFF) {
        AppendUtf8(cp, out);
        return k;
      }
    }
  }
  out->push_back(c);
  return j;
}

// Reads the quoted run whose opening quote is s[open], up to `close`, into
// t->text; a doubled close character stands for itself (not for ']').
// Returns the index just past the closing quote, or s.size() with
// t->unterminated set.
size_t ReadQuoted(std::string_view s, size_t open, char close, Backslash mode, Token* t) {
  size_t j = open + 1;
  const size_t n = s.size();
  while (j < n) {
    char c = s[j];
    if (mode != Backslash::kLiteral && c == '\\' && j + 1 < n) {
      j = ReadEscape(s, j, mode, &t->text);
      continue;
    }
    if (c == close) {
      if (close != ']' && j + 1 < n && s[j + 1] == close) {
        t->text.push_back(close);
        j += 2;
        continue;
      }
      return j + 1;
    }
    t->text.push_back(c);
    ++j;
  }
  t->unterminated = true;
  return n;
}

// PostgreSQL's $tag$...$tag$ string starting at s[i] == '$': fills `t` and
// returns true; false if s[i] starts no such string (a $1 parameter).
bool ReadDollarQuoted(std::string_view s, size_t i, Token* t) {
  const size_t n = s.size();
  size_t j = i + 1;
  while (j < n && s[j] != '$' && IsWordChar(s[j])) ++j;
  if (j >= n || s[j] != '$') return false;
  if (j > i + 1 && !IsWordStart(s[i + 1])) return false;
  std::string_view tag = s.substr(i, j - i + 1);
  size_t close = s.find(tag, j + 1);
  t->kind = Token::Kind::kString;
  t->quote = '$';
  if (close == std::string_view::npos) {
    t->text = std::string(s.substr(j + 1));
    t->unterminated = true;
    t->end = n;
  } else {
    t->text = std::string(s.substr(j + 1, close - j - 1));
    t->end = close + tag.size();
  }
  return true;
}

// The end of the block comment starting at s[i] == '/', s[i + 1] == '*'.
size_t ReadBlockComment(std::string_view s, size_t i, bool nested, bool* unterminated) {
  const size_t n = s.size();
  int depth = 1;
  size_t j = i + 2;
  while (j < n) {
    if (s[j] == '*' && j + 1 < n && s[j + 1] == '/') {
      j += 2;
      if (--depth == 0) return j;
    } else if (nested && s[j] == '/' && j + 1 < n && s[j + 1] == '*') {
      j += 2;
      ++depth;
    } else {
      ++j;
    }
  }
  *unterminated = true;
  return n;
}

size_t ReadNumber(std::string_view s, size_t i) {
  const size_t n = s.size();
  const bool hex = s[i] == '0' && i + 1 < n && (s[i + 1] == 'x' || s[i + 1] == 'X');
  size_t j = i;
  while (j < n && (IsAlnum(s[j]) || s[j] == '.' || s[j] == '_' ||
                   (!hex && j > i && (s[j] == '+' || s[j] == '-') && (s[j - 1] == 'e' || s[j - 1] == 'E')))) {
    ++j;
  }
  return j;
}

void LexInto(std::string_view s, const Dialect& d, bool keep_trivia, std::vector<Token>* out) {
  const size_t n = s.size();
  const Backslash string_backslash = d.backslash_escapes ? Backslash::kMysql : Backslash::kLiteral;
  size_t i = 0;
  while (i < n) {
    const char c = s[i];
    const char next = i + 1 < n ? s[i + 1] : '\0';
    Token t;
    t.begin = i;
    if (IsSpace(c)) {
      t.kind = Token::Kind::kSpace;
      while (i < n && IsSpace(s[i])) ++i;
      t.end = i;
    } else if ((c == '-' && next == '-') || (c == '#' && d.hash_comments)) {
      t.kind = Token::Kind::kComment;
      size_t e = s.find('\n', i);
      t.end = i = e == std::string_view::npos ? n : e;
    } else if (c == '/' && next == '*') {
      t.kind = Token::Kind::kComment;
      t.end = i = ReadBlockComment(s, i, d.nested_block_comments, &t.unterminated);
    } else if (c == '\'') {
      t.kind = Token::Kind::kString;
      t.quote = c;
      t.end = i = ReadQuoted(s, i, '\'', string_backslash, &t);
    } else if (c == '"') {
      t.kind = d.double_quote_names ? Token::Kind::kQuoted : Token::Kind::kString;
      t.quote = c;
      t.end = i = ReadQuoted(s, i, '"', d.double_quote_names ? Backslash::kLiteral : string_backslash, &t);
    } else if (c == '`' && d.backquote_names) {
      t.kind = Token::Kind::kQuoted;
      t.quote = c;
      t.end = i = ReadQuoted(s, i, '`', Backslash::kLiteral, &t);
    } else if (c == '[' && d.bracket_names) {
      t.kind = Token::Kind::kQuoted;
      t.quote = c;
      t.end = i = ReadQuoted(s, i, ']', Backslash::kLiteral, &t);
    } else if (c == '$' && d.dollar_quoting && ReadDollarQuoted(s, i, &t)) {
      i = t.end;
    } else if (c == ':' && next == ':' && d.double_colon_casts) {
      t.kind = Token::Kind::kCast;
      t.text = std::string(s.substr(i, 2));  // "::" (assigning the literal trips GCC 12's -Wmaybe-uninitialized at -O2)
      t.end = i = i + 2;
    } else if (d.variable_prefixes.find(c) != std::string_view::npos) {
      t.kind = Token::Kind::kVariable;
      ++i;
      while (i < n && IsWordChar(s[i])) ++i;
      t.end = i;
      t.text = std::string(s.substr(t.begin, i - t.begin));
    } else if ((c == 'x' || c == 'X') && next == '\'') {
      t.kind = Token::Kind::kBlob;
      t.end = i = ReadQuoted(s, i + 1, '\'', Backslash::kLiteral, &t);
    } else if ((c == 'e' || c == 'E') && next == '\'' && d.escape_string_prefix) {
      t.kind = Token::Kind::kString;
      t.quote = '\'';
      t.end = i = ReadQuoted(s, i + 1, '\'', Backslash::kPostgres, &t);
    } else if (IsWordStart(c)) {
      t.kind = Token::Kind::kWord;
      while (i < n && IsWordChar(s[i])) ++i;
      t.end = i;
      t.text = std::string(s.substr(t.begin, i - t.begin));
    } else if (IsDigit(c) || (c == '.' && IsDigit(next))) {
      t.kind = Token::Kind::kNumber;
      t.end = i = ReadNumber(s, i);
      t.text = std::string(s.substr(t.begin, i - t.begin));
    } else {
      t.kind = Token::Kind::kPunct;
      t.end = ++i;
      t.text = std::string(1, c);
    }
    if (keep_trivia || (t.kind != Token::Kind::kSpace && t.kind != Token::Kind::kComment)) {
      if (t.kind == Token::Kind::kSpace || t.kind == Token::Kind::kComment) {
        t.text = std::string(s.substr(t.begin, t.end - t.begin));
      }
      out->push_back(std::move(t));
    }
  }
}

}  // namespace

bool IsWordStart(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalpha(u) || c == '_' || u >= 0x80;
}

bool IsWordChar(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || c == '$' || u >= 0x80;
}

std::vector<Token> Lex(std::string_view sql, const Dialect& dialect) {
  std::vector<Token> out;
  LexInto(sql, dialect, false, &out);
  return out;
}

std::vector<Token> LexAll(std::string_view sql, const Dialect& dialect) {
  std::vector<Token> out;
  LexInto(sql, dialect, true, &out);
  return out;
}

bool AnyUnterminated(const std::vector<Token>& tokens) {
  for (const Token& t : tokens) {
    if (t.unterminated) return true;
  }
  return false;
}

bool IsWord(const Token& t, std::string_view word) {
  return t.kind == Token::Kind::kWord && EqualsIgnoreCaseAscii(t.text, word);
}

bool IsPunct(const Token& t, char c) { return t.kind == Token::Kind::kPunct && t.text.size() == 1 && t.text[0] == c; }

size_t MatchParen(const std::vector<Token>& tokens, size_t open) {
  int depth = 0;
  for (size_t i = open; i < tokens.size(); ++i) {
    if (IsPunct(tokens[i], '(')) ++depth;
    if (IsPunct(tokens[i], ')') && --depth == 0) return i;
  }
  return tokens.size();
}

std::vector<std::pair<size_t, size_t>> SplitCommas(const std::vector<Token>& tokens, size_t begin, size_t end) {
  std::vector<std::pair<size_t, size_t>> out;
  int depth = 0;
  size_t start = begin;
  for (size_t i = begin; i < end; ++i) {
    if (IsPunct(tokens[i], '(')) ++depth;
    if (IsPunct(tokens[i], ')')) --depth;
    if (depth == 0 && IsPunct(tokens[i], ',')) {
      out.emplace_back(start, i);
      start = i + 1;
    }
  }
  if (start < end) out.emplace_back(start, end);
  return out;
}

}  // namespace decant::sql

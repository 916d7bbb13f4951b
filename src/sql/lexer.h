// The one SQL lexer: splits SQL text into tokens the way an engine's dialect
// (core/dialect.h) reads it. Renames, view and default translation and the
// SQLite DDL parser all work on these tokens and rewrite text by their spans.
//
// Lexing never fails. The one rule for what is not closed: an unterminated
// quoted name, string, dollar-quoted string or block comment runs to the end
// of the input, and its token has `unterminated` set. A caller that needs a
// well-formed statement treats such a token as an error (TranslateSql returns
// nullopt); the others take the token as it is.
//
// Tokens are byte-oriented: bytes >= 0x80 are name characters, so UTF-8
// names are words; no encoding is checked.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/dialect.h"

namespace decant::sql {

struct Token {
  enum class Kind {
    kWord,      // a keyword or bare name: letters, digits, '_', '$', bytes >= 0x80
    kQuoted,    // a quoted name: "x", `x`, [x], as the dialect allows
    kString,    // '...', E'...', $tag$...$tag$, or "..." where " quotes no names
    kNumber,    // 12, 1.5, .5, 1e-3, 0x1F
    kBlob,      // x'0A1B' (X'...' too)
    kVariable,  // a parameter: one of Dialect::variable_prefixes and the name characters after it
    kCast,      // "::" where the dialect has double_colon_casts
    kPunct,     // any other single byte: ( ) , ; . + - * / = < > and the like
    kSpace,     // a run of whitespace (LexAll only)
    kComment,   // -- or # to the end of the line (newline excluded), /* ... */ (LexAll only)
  };
  Kind kind = Kind::kPunct;
  // The token's bytes are input[begin, end): quotes, prefixes and escapes
  // included, so a caller can replace exactly this token in the text.
  size_t begin = 0;
  size_t end = 0;
  // The value: kQuoted the name without its quotes (a doubled quote undone);
  // kString the string decoded (quotes removed, '' undone, backslash escapes
  // applied where the dialect or an E prefix has them; a dollar-quoted body as
  // written); kBlob the hex digits; every other kind its bytes as written.
  std::string text;
  // kQuoted and kString: the opening quote character ('"', '`', '[', '\'', or
  // '$' for a dollar-quoted string); 0 otherwise. E'...' has '\''.
  char quote = 0;
  // True when the input ended inside this quote or comment (see above).
  bool unterminated = false;
};

// Splits `sql` into tokens, dropping whitespace and comments.
std::vector<Token> Lex(std::string_view sql, const Dialect& dialect);

// Splits `sql` into tokens, whitespace (kSpace) and comments (kComment)
// included: the tokens tile the input, each one beginning where the last ended.
std::vector<Token> LexAll(std::string_view sql, const Dialect& dialect);

// True if any token is unterminated.
bool AnyUnterminated(const std::vector<Token>& tokens);

// Name characters: a word starts with IsWordStart and continues with IsWordChar.
bool IsWordStart(char c);
bool IsWordChar(char c);

// True if `t` is the word `word` (ASCII case ignored).
bool IsWord(const Token& t, std::string_view word);
// True if `t` is the punctuation byte `c`.
bool IsPunct(const Token& t, char c);
// Index of the ')' matching the '(' at tokens[open], or tokens.size() when it
// is not closed. Requires tokens[open] to be '('.
size_t MatchParen(const std::vector<Token>& tokens, size_t open);
// tokens[begin, end) cut at the commas outside parentheses, as [begin, end)
// ranges (a column list, a CREATE TABLE body). Empty input gives no range.
std::vector<std::pair<size_t, size_t>> SplitCommas(const std::vector<Token>& tokens, size_t begin, size_t end);

}  // namespace decant::sql

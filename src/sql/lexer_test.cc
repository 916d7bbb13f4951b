#include "sql/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace decant::sql {
namespace {

using Kind = Token::Kind;

// The three engines' dialects as the engine folders define them.
Dialect SqliteLike() {
  Dialect d;
  d.backquote_names = d.bracket_names = true;
  d.default_schema = "main";
  d.variable_prefixes = "?:@$";
  return d;
}

Dialect PostgresLike() {
  Dialect d;
  d.escape_string_prefix = d.dollar_quoting = d.nested_block_comments = true;
  d.folding = NameFolding::kLower;
  d.case_sensitive_names = true;
  d.default_schema = "public";
  d.double_colon_casts = true;
  d.variable_prefixes = "$";
  return d;
}

Dialect MysqlLike() {
  Dialect d;
  d.identifier_quote = '`';
  d.double_quote_names = false;
  d.backquote_names = true;
  d.backslash_escapes = d.hash_comments = true;
  d.variable_prefixes = "?@";
  return d;
}

// "kind:text" for each token, for compact expectations.
std::vector<std::string> Show(const std::vector<Token>& toks) {
  std::vector<std::string> out;
  for (const Token& t : toks) {
    const char* k = "?";
    switch (t.kind) {
      case Kind::kWord: k = "word"; break;
      case Kind::kQuoted: k = "name"; break;
      case Kind::kString: k = "str"; break;
      case Kind::kNumber: k = "num"; break;
      case Kind::kBlob: k = "blob"; break;
      case Kind::kVariable: k = "var"; break;
      case Kind::kCast: k = "cast"; break;
      case Kind::kPunct: k = "punct"; break;
      case Kind::kSpace: k = "space"; break;
      case Kind::kComment: k = "comment"; break;
    }
    out.push_back(std::string(k) + ":" + t.text + (t.unterminated ? "!" : ""));
  }
  return out;
}

using V = std::vector<std::string>;

TEST(Lexer, WordsNumbersPunctAndSpans) {
  std::string sql = "SELECT a1, $x_2 FROM t WHERE b >= 1.5e-3 + .5";
  std::vector<Token> toks = Lex(sql, SqliteLike());
  EXPECT_EQ(Show(toks), (V{"word:SELECT", "word:a1", "punct:,", "var:$x_2", "word:FROM", "word:t", "word:WHERE",
                           "word:b", "punct:>", "punct:=", "num:1.5e-3", "punct:+", "num:.5"}));
  for (const Token& t : toks) {
    if (t.kind == Kind::kWord || t.kind == Kind::kNumber) {
      EXPECT_EQ(sql.substr(t.begin, t.end - t.begin), t.text);
    }
  }
  EXPECT_EQ(Show(Lex("0xE+1 1_000", SqliteLike())), (V{"num:0xE", "punct:+", "num:1", "num:1_000"}));
  EXPECT_EQ(Show(Lex("caf\xc3\xa9", SqliteLike())), (V{"word:caf\xc3\xa9"}));
}

TEST(Lexer, LexAllTilesTheInput) {
  std::string sql = "a  /* c */ b -- end\n'x'";
  std::vector<Token> toks = LexAll(sql, SqliteLike());
  EXPECT_EQ(Show(toks), (V{"word:a", "space:  ", "comment:/* c */", "space: ", "word:b", "space: ", "comment:-- end",
                           "space:\n", "str:x"}));
  size_t at = 0;
  for (const Token& t : toks) {
    EXPECT_EQ(t.begin, at);
    at = t.end;
  }
  EXPECT_EQ(at, sql.size());
}

TEST(Lexer, SqliteQuoting) {
  std::string sql = R"("a""b" `c``d` [e"]f] 'it''s' x'0aFF')";
  std::vector<Token> toks = Lex(sql, SqliteLike());
  EXPECT_EQ(Show(toks), (V{"name:a\"b", "name:c`d", "name:e\"", "word:f", "punct:]", "str:it's", "blob:0aFF"}));
  EXPECT_EQ(toks[0].quote, '"');
  EXPECT_EQ(toks[1].quote, '`');
  EXPECT_EQ(toks[2].quote, '[');
  EXPECT_EQ(toks[5].quote, '\'');
  // The span keeps the quotes; the text does not.
  EXPECT_EQ(sql.substr(toks[0].begin, toks[0].end - toks[0].begin), R"("a""b")");
  EXPECT_EQ(sql.substr(toks[6].begin, toks[6].end - toks[6].begin), "x'0aFF'");
  // No backslash escapes, no # comments, no nesting.
  EXPECT_EQ(Show(Lex(R"('a\' b)", SqliteLike())), (V{"str:a\\", "word:b"}));
  EXPECT_EQ(Show(Lex("#x", SqliteLike())), (V{"punct:#", "word:x"}));
  EXPECT_EQ(Show(Lex("/* /* */ a */", SqliteLike())), (V{"word:a", "punct:*", "punct:/"}));
  EXPECT_EQ(Show(Lex("?1 :n @m", SqliteLike())), (V{"var:?1", "var::n", "var:@m"}));
}

TEST(Lexer, PostgresQuoting) {
  Dialect pg = PostgresLike();
  EXPECT_EQ(Show(Lex(R"("Mixed""Case" `x` [y])", pg)),
            (V{"name:Mixed\"Case", "punct:`", "word:x", "punct:`", "punct:[", "word:y", "punct:]"}));
  // Standard strings keep backslashes; E'' strings decode them.
  EXPECT_EQ(Show(Lex(R"('a\b' E'it\'s\n\x41\101\u00e9' e'\\')", pg)),
            (V{"str:a\\b", "str:it's\nAA\xc3\xa9", "str:\\"}));
  std::string sql = "E'x' || 'y'";
  std::vector<Token> toks = Lex(sql, pg);
  EXPECT_EQ(toks[0].begin, 0u);
  EXPECT_EQ(toks[0].end, 4u);
  EXPECT_EQ(toks[0].quote, '\'');
  // Dollar quotes, with and without a tag; $1 is a parameter.
  toks = Lex("$$it's$$ $fn$ a $$ b $fn$ $1", pg);
  EXPECT_EQ(Show(toks), (V{"str:it's", "str: a $$ b ", "var:$1"}));
  EXPECT_EQ(toks[0].quote, '$');
  // Nested comments, :: casts.
  EXPECT_EQ(Show(Lex("a /* x /* y */ z */ b", pg)), (V{"word:a", "word:b"}));
  EXPECT_EQ(Show(Lex("'t'::regclass", pg)), (V{"str:t", "cast:::", "word:regclass"}));
  EXPECT_EQ(Show(Lex("a::b", SqliteLike())), (V{"word:a", "var::", "var::b"}));
}

TEST(Lexer, MysqlQuoting) {
  Dialect my = MysqlLike();
  // " is a string; only backquotes quote names; backslash escapes apply in strings.
  EXPECT_EQ(Show(Lex(R"(`a``b` "c\"d" 'it\'s' 'x''y' '\0\n\t\Z\%\_\q\\')", my)),
            (V{"name:a`b", "str:c\"d", "str:it's", "str:x'y", std::string("str:\0\n\t\x1a\\%\\_q\\", 14)}));
  EXPECT_EQ(Show(Lex("[a] a # comment\nb -- c\n@v ?", my)),
            (V{"punct:[", "word:a", "punct:]", "word:a", "word:b", "var:@v", "var:?"}));
  // No E'' strings, no dollar quotes.
  EXPECT_EQ(Show(Lex("E'a' $$", my)), (V{"word:E", "str:a", "punct:$", "punct:$"}));
}

TEST(Lexer, UnterminatedRunsToTheEnd) {
  struct Case {
    const char* sql;
    Dialect dialect;
    V want;
  };
  const Case cases[] = {
      {"a 'open", SqliteLike(), {"word:a", "str:open!"}},
      {"a \"open", SqliteLike(), {"word:a", "name:open!"}},
      {"a [open", SqliteLike(), {"word:a", "name:open!"}},
      {"a `op``en", MysqlLike(), {"word:a", "name:op`en!"}},
      {R"(a 'it\'s)", MysqlLike(), {"word:a", "str:it's!"}},
      {R"(a 'ends in \)", MysqlLike(), {"word:a", "str:ends in \\!"}},
      {"a E'x\\'", PostgresLike(), {"word:a", "str:x'!"}},
      {"a $t$ body", PostgresLike(), {"word:a", "str: body!"}},
      {"x'0a", SqliteLike(), {"blob:0a!"}},
  };
  for (const Case& c : cases) {
    std::vector<Token> toks = Lex(c.sql, c.dialect);
    EXPECT_EQ(Show(toks), c.want) << c.sql;
    EXPECT_EQ(toks.back().end, std::string(c.sql).size()) << c.sql;
    EXPECT_TRUE(AnyUnterminated(toks)) << c.sql;
  }
  // Comments: dropped by Lex, marked in LexAll.
  std::vector<Token> toks = LexAll("a /* open", SqliteLike());
  EXPECT_EQ(Show(toks), (V{"word:a", "space: ", "comment:/* open!"}));
  EXPECT_TRUE(Lex("a /* open", SqliteLike()).size() == 1);
  toks = LexAll("a /* /* */ still open", PostgresLike());
  EXPECT_TRUE(toks.back().unterminated);
  EXPECT_FALSE(AnyUnterminated(LexAll("a /* /* */ closed", SqliteLike())));
  // A line comment at the end is complete.
  EXPECT_FALSE(AnyUnterminated(LexAll("a -- no newline", SqliteLike())));
}

TEST(Lexer, Helpers) {
  std::vector<Token> toks = Lex("f(a, (b), c) d", SqliteLike());
  EXPECT_TRUE(IsWord(toks[0], "F"));
  EXPECT_FALSE(IsWord(toks[1], "("));
  EXPECT_TRUE(IsPunct(toks[1], '('));
  EXPECT_EQ(MatchParen(toks, 1), 9u);
  EXPECT_EQ(MatchParen(Lex("(a", SqliteLike()), 0), 2u);
  EXPECT_TRUE(IsWordStart('_'));
  EXPECT_FALSE(IsWordStart('1'));
  EXPECT_TRUE(IsWordChar('$'));
}

TEST(Lexer, SplitCommasCutsOnlyOutsideParentheses) {
  Dialect d;
  std::vector<Token> t = Lex("a INT, b NUMERIC(10, 2), CHECK (f(x, y) > 0)", d);
  auto items = SplitCommas(t, 0, t.size());
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(t[items[0].first].text, "a");
  EXPECT_EQ(t[items[1].first].text, "b");
  EXPECT_EQ(t[items[2].first].text, "CHECK");
  EXPECT_EQ(items[2].second, t.size());
  EXPECT_TRUE(SplitCommas(t, 0, 0).empty());
}

}  // namespace
}  // namespace decant::sql

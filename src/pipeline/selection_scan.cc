#include <algorithm>
#include <cctype>

#include "pipeline/selection_internal.h"

namespace decant::selection_internal {

// ---------------------------------------------------------------- names

bool SameName(const std::string& a, const std::string& b, const SourceDialect& d) {
  return d.sql.case_sensitive_names ? a == b : EqualsIgnoreCaseAscii(a, b);
}

bool IsIdent(const Token& t) { return t.kind == Token::Kind::kWord || t.kind == Token::Kind::kQuoted; }

bool TokNames(const Token& t, std::string_view name, const SourceDialect& d) {
  if (t.kind == Token::Kind::kWord) return EqualsIgnoreCaseAscii(t.text, name);
  if (t.kind == Token::Kind::kQuoted) {
    return d.sql.case_sensitive_names ? t.text == name : EqualsIgnoreCaseAscii(t.text, name);
  }
  return false;
}

std::string ApplyEdits(std::string text, std::vector<Edit> edits) {
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.begin > b.begin; });
  for (const Edit& e : edits) text.replace(e.begin, e.end - e.begin, e.text);
  return text;
}

std::vector<std::string> SplitQualified(const std::string& s) {
  std::vector<std::string> parts(1);
  bool in_quotes = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {
      if (in_quotes && i + 1 < s.size() && s[i + 1] == '"') {
        parts.back().push_back('"');
        ++i;
      } else {
        in_quotes = !in_quotes;
      }
    } else if (c == '.' && !in_quotes) {
      parts.emplace_back();
    } else {
      parts.back().push_back(c);
    }
  }
  return parts;
}

// ---------------------------------------------------------------- TextScan

bool TextScan::QualifierIsSchema(const Token& q, const std::string& schema) const {
  if (!schema.empty()) return TokNames(q, schema, d_);
  const std::string_view main = d_.sql.default_schema;  // SQLite's "main"
  return (!main.empty() && TokNames(q, std::string(main), d_)) ||
         (!d_.database.empty() && TokNames(q, d_.database, d_));
}

int TextScan::TableAt(size_t i) const {
  if (!IsIdent(toks_[i])) return -1;
  int q = Qualifier(i);
  if (PrevDot(i) && q < 0) return -1;
  for (size_t t = 0; t < s_.tables.size(); ++t) {
    const Table& table = s_.tables[t];
    if (!TokNames(toks_[i], table.name, d_)) continue;
    if (q >= 0 ? QualifierIsSchema(toks_[q], table.schema) : table.schema == ctx_.schema) {
      return static_cast<int>(t);
    }
  }
  return -1;
}

void TextScan::FindReferences() {
  static const std::set<std::string> kNotAlias = {
      "where",   "join",   "on",     "left",    "right",         "inner",   "outer",     "cross",     "full",
      "natural", "group",  "order",  "limit",   "union",         "except",  "intersect", "using",     "having",
      "window",  "set",    "values", "select",  "from",          "offset",  "for",       "returning", "default",
      "begin",   "end",    "when",   "each",    "row",           "instead", "of",        "after",     "before",
      "insert",  "update", "delete", "lateral", "straight_join", "use",     "force",     "ignore",    "partition",
      "as",      "and",    "or",     "not",     "into",          "with",    "fetch"};
  for (size_t i = 0; i < toks_.size(); ++i) {
    int t = TableAt(i);
    if (t < 0) continue;
    referenced_.insert(t);
    if (NextDot(i)) continue;
    size_t j = i + 1;
    if (j < toks_.size() && IsWord(toks_[j], "AS")) ++j;
    if (j < toks_.size() && IsIdent(toks_[j]) && !NextDot(j) && !(j + 1 < toks_.size() && IsPunct(toks_[j + 1], '(')) &&
        !(toks_[j].kind == Token::Kind::kWord && kNotAlias.count(AsciiLower(toks_[j].text)))) {
      aliases_[AsciiLower(toks_[j].text)] = t;
    }
  }
}

int TextScan::Alias(const Token& t) const {
  auto it = aliases_.find(AsciiLower(t.text));
  return it == aliases_.end() ? -1 : it->second;
}

std::vector<int> TextScan::ReferencesLists() const {
  std::vector<int> out(toks_.size(), -2);
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (!IsWord(toks_[i], "REFERENCES")) continue;
    size_t j = i + 1;
    if (j + 2 < toks_.size() && IsPunct(toks_[j + 1], '.')) j += 2;
    if (j + 1 >= toks_.size() || !IsPunct(toks_[j + 1], '(')) continue;
    int t = TableAt(j);
    size_t close = MatchParen(toks_, j + 1);
    for (size_t k = j + 2; k < close; ++k) out[k] = t;
  }
  return out;
}

}  // namespace decant::selection_internal

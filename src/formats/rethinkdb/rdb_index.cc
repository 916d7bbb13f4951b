#include "formats/rethinkdb/rdb_index.h"

namespace decant::rethinkdb {
namespace {

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  void Blanks() {
    while (at_ < s_.size() && (s_[at_] == ' ' || s_[at_] == '\t' || s_[at_] == '\n' || s_[at_] == '\r')) ++at_;
  }
  // Consumes `token` (after blanks) if it is next.
  bool Eat(std::string_view token) {
    Blanks();
    if (s_.substr(at_, token.size()) != token) return false;
    at_ += token.size();
    return true;
  }
  // An identifier: letters, digits, '_' and '$', not starting with a digit.
  bool Ident(std::string* out) {
    Blanks();
    size_t start = at_;
    while (at_ < s_.size()) {
      char c = s_[at_];
      bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
      if (!letter && !(at_ > start && c >= '0' && c <= '9')) break;
      ++at_;
    }
    *out = std::string(s_.substr(start, at_ - start));
    return at_ > start;
  }
  // A string in double or single quotes, without escapes.
  bool Str(std::string* out) {
    Blanks();
    if (at_ >= s_.size() || (s_[at_] != '"' && s_[at_] != '\'')) return false;
    char q = s_[at_];
    size_t end = s_.find(q, at_ + 1);
    if (end == std::string_view::npos) return false;
    std::string_view body = s_.substr(at_ + 1, end - at_ - 1);
    if (body.find('\\') != std::string_view::npos || body.find('"') != std::string_view::npos ||
        body.find('\'') != std::string_view::npos) {
      return false;
    }
    *out = std::string(body);
    at_ = end + 1;
    return true;
  }
  bool AtEnd() {
    Blanks();
    return at_ == s_.size();
  }

 private:
  std::string_view s_;
  size_t at_ = 0;
};

// var("a")("b") or var.getField("a"), ...: one path of at least one field.
bool Key(Cursor* c, const std::string& var, std::vector<std::string>* path) {
  if (!c->Eat(var)) return false;
  path->clear();
  while (true) {
    std::string field;
    if (c->Eat("(")) {
      if (!c->Str(&field) || !c->Eat(")")) return false;
    } else if (c->Eat(".getField(")) {
      if (!c->Str(&field) || !c->Eat(")")) return false;
    } else {
      break;
    }
    path->push_back(std::move(field));
  }
  return !path->empty();
}

// One key, or an array of keys (bare or in r.expr(...)).
bool Body(Cursor* c, const std::string& var, IndexQuery* out) {
  bool wrapped = c->Eat("r.expr(");
  if (c->Eat("[")) {
    do {
      std::vector<std::string> path;
      if (!Key(c, var, &path)) return false;
      out->keys.push_back(std::move(path));
    } while (c->Eat(","));
    if (!c->Eat("]")) return false;
  } else {
    if (wrapped) return false;
    std::vector<std::string> path;
    if (!Key(c, var, &path)) return false;
    out->keys.push_back(std::move(path));
  }
  return !wrapped || c->Eat(")");
}

bool Options(Cursor* c, IndexQuery* out) {
  if (!c->Eat("{")) return false;
  if (c->Eat("}")) return true;
  do {
    std::string name;
    if (!c->Ident(&name) && !c->Str(&name)) return false;
    if (!c->Eat(":")) return false;
    bool value = false;
    if (c->Eat("true")) {
      value = true;
    } else if (!c->Eat("false")) {
      return false;
    }
    if (name == "multi") {
      out->multi = value;
    } else if (name == "geo") {
      out->geo = value;
    } else {
      return false;
    }
  } while (c->Eat(","));
  return c->Eat("}");
}

}  // namespace

std::optional<IndexQuery> ParseIndexQuery(std::string_view query) {
  Cursor c(query);
  std::string name;
  if (!c.Eat("indexCreate(") || !c.Str(&name) || !c.Eat(",")) return std::nullopt;
  IndexQuery out;
  std::string var;
  if (c.Eat("function")) {
    if (!c.Eat("(") || !c.Ident(&var) || !c.Eat(")") || !c.Eat("{") || !c.Eat("return")) return std::nullopt;
    if (!Body(&c, var, &out)) return std::nullopt;
    c.Eat(";");
    if (!c.Eat("}")) return std::nullopt;
  } else {
    if (!Body(&c, "r.row", &out)) return std::nullopt;
  }
  if (c.Eat(",") && !Options(&c, &out)) return std::nullopt;
  if (!c.Eat(")") || !c.AtEnd()) return std::nullopt;
  return out;
}

}  // namespace decant::rethinkdb

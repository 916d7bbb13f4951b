#include "core/redact.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace decant {

namespace {

constexpr std::string_view kMask = "****";

bool IsKeyChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; }

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool IsSecretKey(std::string_view key) {
  std::string k;
  for (char c : key) k.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return k.find("pass") != std::string::npos || k.find("pwd") != std::string::npos ||
         k.find("secret") != std::string::npos || k.starts_with("pas") || k.starts_with("pw");
}

// An unquoted password with a space ("password=my secret dbname=d", which no
// parser accepts) goes on over the words that are no "key=value": returns
// where it ends, from `end`, where its first word ends. In a message the
// words stop after one that ends with ':', ',' or a quote (the punctuation of
// the message around the location).
size_t WordsOfTheValue(std::string_view text, size_t end, bool in_message) {
  if (end < text.size() && (text[end] == '&' || text[end] == ';')) return end;
  while (true) {
    size_t word = end;
    while (word < text.size() && IsSpace(text[word])) ++word;
    size_t word_end = word;
    while (word_end < text.size() && !IsSpace(text[word_end])) ++word_end;
    std::string_view w = text.substr(word, word_end - word);
    if (w.empty() || w.find('=') != std::string_view::npos) return end;
    if (in_message && std::strchr(":,'\"", w.back())) return word_end - 1;
    end = word_end;
  }
}

// The value of every "key=value" whose key reads as a password, found by the
// keys alone (no parsing: the string may be malformed). Spaces may stand
// around '=' as libpq allows.
void AddKeywordRanges(std::string_view text, bool in_message, std::vector<SecretRange>* out) {
  size_t eq = 0;
  for (; (eq = text.find('=', eq)) != std::string_view::npos; ++eq) {
    size_t key_end = eq;
    while (key_end > 0 && IsSpace(text[key_end - 1])) --key_end;
    size_t key_begin = key_end;
    while (key_begin > 0 && IsKeyChar(text[key_begin - 1])) --key_begin;
    if (key_begin == key_end || !IsSecretKey(text.substr(key_begin, key_end - key_begin))) continue;
    size_t start = eq + 1;
    while (start < text.size() && IsSpace(text[start])) ++start;
    size_t end = start;
    if (end < text.size() && (text[end] == '\'' || text[end] == '"')) {
      char quote = text[end];
      for (++end; end < text.size() && text[end] != quote; ++end) {
        if (text[end] == '\\') ++end;
      }
      end = std::min(end + 1, text.size());  // an unbalanced quote hides the rest
    } else {
      while (end < text.size() && !IsSpace(text[end]) && text[end] != '&' && text[end] != ';') ++end;
      end = WordsOfTheValue(text, end, in_message);
    }
    if (end > start) out->push_back({start, end - start});
  }
}

// A password key with its '=' forgotten ("host=h password S3cret dbname=d"):
// the words after it up to the next "key=value" are hidden. In a message only
// inside a conninfo string (the word before the key holds a '='), so that
// "password authentication failed" stays as it is.
void AddForgottenEqualsRanges(std::string_view text, bool in_message, std::vector<SecretRange>* out) {
  size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && !IsKeyChar(text[pos])) ++pos;
    size_t key_begin = pos;
    while (pos < text.size() && IsKeyChar(text[pos])) ++pos;
    if (key_begin == pos ||
        (key_begin > 0 && !IsSpace(text[key_begin - 1]) && text[key_begin - 1] != '\'' && text[key_begin - 1] != '"')) {
      continue;
    }
    if (pos >= text.size() || !IsSpace(text[pos]) || !IsSecretKey(text.substr(key_begin, pos - key_begin))) continue;
    size_t value = pos;
    while (value < text.size() && IsSpace(text[value])) ++value;
    if (value >= text.size() || text[value] == '=') continue;  // "password = x": a key=value
    if (in_message) {
      size_t prev_end = key_begin;
      while (prev_end > 0 && IsSpace(text[prev_end - 1])) --prev_end;
      size_t prev_begin = prev_end;
      while (prev_begin > 0 && !IsSpace(text[prev_begin - 1])) --prev_begin;
      if (text.substr(prev_begin, prev_end - prev_begin).find('=') == std::string_view::npos) continue;
    }
    size_t end = WordsOfTheValue(text, pos, in_message);
    if (end > value) out->push_back({value, end - value});
    pos = std::max(pos, end);
  }
}

// The password of each "scheme://user:password@...". In a whole location the
// userinfo runs to the string's last '@'; in a message (`in_message`) to the
// last '@' before the next space or quote.
void AddUserinfoRanges(std::string_view text, bool in_message, std::vector<SecretRange>* out) {
  size_t pos = 0;
  while ((pos = text.find("://", pos)) != std::string_view::npos) {
    size_t begin = pos + 3;
    size_t end = text.size();
    if (in_message) {
      end = begin;
      while (end < text.size() && !IsSpace(text[end]) && text[end] != '\'' && text[end] != '"') ++end;
    }
    size_t next = text.find("://", begin);  // another URI has its own userinfo
    if (next != std::string_view::npos && next < end) end = next;
    std::string_view token = text.substr(begin, end - begin);
    size_t at = token.rfind('@');
    size_t colon = at == std::string_view::npos ? at : token.substr(0, at).find(':');
    if (colon != std::string_view::npos && at > colon + 1) out->push_back({begin + colon + 1, at - colon - 1});
    pos = begin;
  }
}

// Sorted, overlapping ranges merged.
std::vector<SecretRange> Merged(std::vector<SecretRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const SecretRange& a, const SecretRange& b) { return a.offset < b.offset; });
  std::vector<SecretRange> out;
  for (const SecretRange& r : ranges) {
    if (!out.empty() && r.offset <= out.back().offset + out.back().size) {
      size_t end = std::max(out.back().offset + out.back().size, r.offset + r.size);
      out.back().size = end - out.back().offset;
    } else {
      out.push_back(r);
    }
  }
  return out;
}

std::vector<SecretRange> Ranges(std::string_view text, bool in_message) {
  std::vector<SecretRange> ranges;
  AddUserinfoRanges(text, in_message, &ranges);
  AddKeywordRanges(text, in_message, &ranges);
  AddForgottenEqualsRanges(text, in_message, &ranges);
  return Merged(std::move(ranges));
}

std::string Masked(std::string_view text, bool in_message) {
  std::string out;
  size_t done = 0;
  for (const SecretRange& r : Ranges(text, in_message)) {
    out.append(text.substr(done, r.offset - done)).append(kMask);
    done = r.offset + r.size;
  }
  out.append(text.substr(done));
  return out;
}

}  // namespace

std::vector<SecretRange> SecretRanges(std::string_view location) { return Ranges(location, false); }

std::string RedactUri(std::string_view location) { return Masked(location, false); }

std::string RedactSecrets(std::string_view text) { return Masked(text, true); }

std::string RedactSecretsOf(std::string_view text, std::string_view location) {
  std::string out(text);
  std::vector<std::string> pieces;
  for (const SecretRange& r : SecretRanges(location)) {
    std::string_view secret = location.substr(r.offset, r.size);
    pieces.emplace_back(secret);
    size_t start = 0;
    for (size_t i = 0; i <= secret.size(); ++i) {
      if (i == secret.size() || std::strchr("@/:?#&;'\" ", secret[i]) || IsSpace(secret[i])) {
        if (i - start >= 3) pieces.emplace_back(secret.substr(start, i - start));
        start = i + 1;
      }
    }
  }
  // Longest first, so that a whole secret goes before its pieces.
  std::sort(pieces.begin(), pieces.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const std::string& piece : pieces) {
    if (piece.size() < 3) continue;
    for (size_t pos = 0; (pos = out.find(piece, pos)) != std::string::npos;) {
      out.replace(pos, piece.size(), kMask);
      pos += kMask.size();
    }
  }
  return RedactSecrets(out);
}

bool MaskSecretsInPlace(char* location) {
  std::vector<SecretRange> ranges = SecretRanges(location);
  for (const SecretRange& r : ranges) std::memset(location + r.offset, '*', r.size);
  return !ranges.empty();
}

}  // namespace decant

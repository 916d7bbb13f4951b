#include "engines/postgresql/pg_copy.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstring>

#include "core/hex.h"

namespace decant::pg_internal {
namespace {

// Undoes COPY's backslash escapes.
void Unescape(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c != '\\' || i + 1 == in.size()) {
      out->push_back(c);
      continue;
    }
    char e = in[++i];
    switch (e) {
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'v': out->push_back('\v'); break;
      case 'x': {
        int v = 0, digits = 0;
        while (digits < 2 && i + 1 < in.size() && HexDigitValue(in[i + 1]) >= 0)
          v = v * 16 + HexDigitValue(in[++i]), ++digits;
        if (digits == 0)
          out->push_back('x');
        else
          out->push_back(static_cast<char>(v));
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          int v = e - '0', digits = 1;
          while (digits < 3 && i + 1 < in.size() && in[i + 1] >= '0' && in[i + 1] <= '7')
            v = v * 8 + (in[++i] - '0'), ++digits;
          out->push_back(static_cast<char>(v));
        } else {
          out->push_back(e);
        }
    }
  }
}

}  // namespace

Decode DecodeFor(const DataType& type) {
  switch (type.logical) {
    case LogicalType::kBool: return Decode::kBool;
    case LogicalType::kInt16:
    case LogicalType::kInt32:
    case LogicalType::kInt64: return Decode::kInt;
    case LogicalType::kFloat32:
    case LogicalType::kFloat64: return Decode::kFloat;
    case LogicalType::kBytes: return Decode::kBytes;
    default: return Decode::kText;
  }
}

Status DecodeCopyRow(std::string_view line, const std::vector<Decode>& kinds, Value* row, size_t* payload,
                     std::string* scratch) {
  size_t pos = 0;
  for (size_t c = 0; c < kinds.size(); ++c) {
    if (pos > line.size()) return Status::Corruption("COPY row has fewer fields than columns");
    size_t end = line.find('\t', pos);
    if (end == std::string_view::npos) end = line.size();
    if (c + 1 == kinds.size() && end != line.size()) return Status::Corruption("COPY row has more fields than columns");
    std::string_view field = line.substr(pos, end - pos);
    pos = end + 1;
    Value& v = row[c];
    if (field == "\\N") {
      v.SetNull();
      *payload += 1;
      continue;
    }
    switch (kinds[c]) {
      case Decode::kBool:
        v = Value::Bool(field == "t");
        *payload += 1;
        break;
      case Decode::kInt: {
        int64_t i = 0;
        auto r = std::from_chars(field.data(), field.data() + field.size(), i);
        if (r.ec != std::errc() || r.ptr != field.data() + field.size()) {
          return Status::Corruption("COPY returned '" + std::string(field) + "' for an integer column");
        }
        v.SetInt(i);
        *payload += 8;
        break;
      }
      case Decode::kFloat: {
        double d = 0;
        if (field == "NaN")
          d = std::nan("");
        else if (field == "Infinity")
          d = HUGE_VAL;
        else if (field == "-Infinity")
          d = -HUGE_VAL;
        else {
          auto r = std::from_chars(field.data(), field.data() + field.size(), d);
          if (r.ec != std::errc() || r.ptr != field.data() + field.size()) {
            return Status::Corruption("COPY returned '" + std::string(field) + "' for a float column");
          }
        }
        v.SetFloat(d);
        *payload += 8;
        break;
      }
      case Decode::kBytes: {
        Unescape(field, scratch);
        if (scratch->size() < 2 || (*scratch)[0] != '\\' || (*scratch)[1] != 'x' || scratch->size() % 2) {
          return Status::Corruption("COPY returned bytea not in hex format");
        }
        // Decoded in place: byte k is written behind the digits it comes from.
        size_t n = (scratch->size() - 2) / 2;
        if (!DecodeHex(std::string_view(*scratch).substr(2), scratch->data())) {
          return Status::Corruption("COPY returned bytea with a bad hex digit");
        }
        v.SetBytes(std::string_view(scratch->data(), n));
        *payload += n;
        break;
      }
      case Decode::kText:
        if (field.find('\\') == std::string_view::npos) {
          v.SetText(field);
        } else {
          Unescape(field, scratch);
          v.SetText(*scratch);
        }
        *payload += field.size();
        break;
    }
  }
  return Status::OK();
}

void EncodeCopyValue(const Value& v, std::string* out) {
  switch (v.kind()) {
    case Value::Kind::kNull: out->append("\\N"); return;
    case Value::Kind::kBool: out->push_back(v.as_bool() ? 't' : 'f'); return;
    case Value::Kind::kInt: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, v.as_int());
      out->append(buf, r.ptr);
      return;
    }
    case Value::Kind::kUInt: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, v.as_uint());
      out->append(buf, r.ptr);
      return;
    }
    case Value::Kind::kFloat: {
      double d = v.as_float();
      if (std::isnan(d))
        out->append("NaN");
      else if (std::isinf(d))
        out->append(d > 0 ? "Infinity" : "-Infinity");
      else {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, d);  // shortest form that reads back exactly
        out->append(buf, r.ptr);
      }
      return;
    }
    case Value::Kind::kText: {
      const std::string& s = v.as_string();
      size_t start = 0;
      for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        const char* esc = c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : nullptr;
        if (!esc) continue;
        out->append(s, start, i - start);
        out->append(esc);
        start = i + 1;
      }
      out->append(s, start, std::string::npos);
      return;
    }
    case Value::Kind::kBytes: {
      out->append("\\\\x");
      AppendHex(v.as_string(), out);
      return;
    }
  }
}

}  // namespace decant::pg_internal

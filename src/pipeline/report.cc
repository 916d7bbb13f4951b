#include "pipeline/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <utility>

#include "core/plural.h"
#include "core/utf8.h"
#include "pipeline/progress.h"

namespace decant {
namespace {

using Json = nlohmann::ordered_json;

// Text as HTML (element content, or an attribute value in double quotes):
// &, <, > and " escaped, bytes that are not
// UTF-8 and control characters (but tab and newline) as U+FFFD, so a name
// can neither end an element nor break the page's encoding.
std::string Html(std::string_view text) {
  static constexpr const char* kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t len = Utf8SequenceLength(text, i);  // 0: not UTF-8 here
    if (len > 1) {
      out.append(text.substr(i, len));
    } else if (len == 0 || (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
      out += kReplacement;
    } else {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += static_cast<char>(c);
      }
    }
    i += len > 0 ? len : 1;
  }
  return out;
}

// A field as text: a string as it is, a number or anything else as JSON.
std::string Str(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "";
  const Json& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

uint64_t U64(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return 0;
  return j[key].is_number_unsigned() ? j[key].get<uint64_t>()
                                     : static_cast<uint64_t>(std::max(0.0, j[key].get<double>()));
}

double Num(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return 0;
  return j[key].get<double>();
}

// 1234567 -> "1,234,567".
std::string Grouped(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string Rate(double per_second, const char* unit) {
  if (per_second <= 0) return "&ndash;";
  return fmt::format("{}&nbsp;{}/s", Grouped(static_cast<uint64_t>(std::llround(per_second))), unit);
}

// A command-line word as a shell would need it quoted.
std::string ShellWord(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                              "@%+=:,./_-*") == std::string::npos) {
    return word;
  }
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The events a report draws from, each kind gathered once.
struct Run {
  const Json* started = nullptr;
  const Json* plan = nullptr;
  const Json* finished = nullptr;
  const Json* error = nullptr;
  std::vector<const Json*> tables;  // table_finished
  std::vector<const Json*> phases, conversions, not_carried, warnings;
  // Rows copied by all tables together over the run's elapsed seconds: a
  // point at the first table's start, then one at each progress and end.
  std::vector<std::pair<double, uint64_t>> rows_over_time;
  std::vector<std::pair<double, uint64_t>> bytes_over_time;
};

Run Gather(const std::vector<Json>& events) {
  Run run;
  std::map<std::string, std::pair<uint64_t, uint64_t>> latest;  // table -> rows, bytes
  uint64_t rows = 0, bytes = 0;
  for (const Json& e : events) {
    std::string name = Str(e, "event");
    double at = Num(e, "elapsed");
    if (name == "run_started") run.started = &e;
    if (name == "plan") run.plan = &e;
    if (name == "run_finished") run.finished = &e;
    if (name == "error") run.error = &e;
    if (name == "phase_finished") run.phases.push_back(&e);
    if (name == "conversion") run.conversions.push_back(&e);
    if (name == "not_carried") run.not_carried.push_back(&e);
    if (name == "warning") run.warnings.push_back(&e);
    if (name == "table_finished") run.tables.push_back(&e);
    if (name == "table_started" && run.rows_over_time.empty()) {
      run.rows_over_time.emplace_back(at, 0);
      run.bytes_over_time.emplace_back(at, 0);
    }
    if (name == "table_progress" || name == "table_finished") {
      auto& [r, b] = latest[Str(e, "table")];
      rows += U64(e, "rows") - std::min(r, U64(e, "rows"));
      bytes += U64(e, "bytes") - std::min(b, U64(e, "bytes"));
      r = std::max(r, U64(e, "rows"));
      b = std::max(b, U64(e, "bytes"));
      if (run.rows_over_time.empty()) {
        run.rows_over_time.emplace_back(at, 0);
        run.bytes_over_time.emplace_back(at, 0);
      }
      run.rows_over_time.emplace_back(at, rows);
      run.bytes_over_time.emplace_back(at, bytes);
    }
  }
  return run;
}

constexpr const char* kStyle = R"(
:root{--ink:#1d2430;--muted:#5b6577;--line:#d9dee7;--bg:#f6f7f9;--ok:#1b7f3b;--bad:#b42318;--warn:#b54708;
--lossy:#fff4d6;--lost:#fde2e1}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 "DejaVu Sans",Arial,sans-serif;color:var(--ink);background:var(--bg)}
header{background:#1d2430;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:22px}
header .sub{color:#c9d1de;margin:0}
.badge{display:inline-block;padding:1px 9px;border-radius:10px;font-size:13px;vertical-align:middle;margin-left:8px}
.badge.ok{background:var(--ok)}.badge.bad{background:var(--bad)}.badge.warn{background:var(--warn)}
main{max-width:1100px;margin:0 auto;padding:12px 28px 40px}
section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:14px 18px;margin:16px 0}
h2{font-size:17px;margin:0 0 10px}
h3{font-size:14px;margin:14px 0 6px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:120px}
.card .v{font-size:20px;font-weight:bold}.card .k{color:var(--muted);font-size:12px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:normal;font-size:12px}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
pre,code{font-family:"DejaVu Sans Mono",monospace;font-size:13px}
pre{background:var(--bg);padding:8px 10px;border-radius:4px;white-space:pre-wrap;word-break:break-all;margin:0}
.bar{height:9px;background:#8aa4c8;border-radius:2px;min-width:1px}
tr.lossy td,li.lossy{background:var(--lossy)}
tr.lost td,li.lost,tr.failed td{background:var(--lost)}
.mark{font-size:11px;font-weight:bold;padding:0 5px;border-radius:3px;white-space:nowrap}
.mark.lossy{background:#f5c542;color:#3b2a00}.mark.lost{background:var(--bad);color:#fff}
.mark.ok{background:var(--ok);color:#fff}
ul.objects{margin:4px 0;padding-left:0;list-style:none}ul.objects li{padding:3px 8px;margin:2px 0;border-radius:3px}
.muted{color:var(--muted)}
.error{border-color:var(--bad)}.error h2{color:var(--bad)}
svg text{font:11px "DejaVu Sans",Arial,sans-serif;fill:#5b6577}
details>summary{cursor:pointer}
#plan table{table-layout:fixed}#plan th:nth-child(1){width:22%}#plan th:nth-child(2),#plan th:nth-child(3){width:18%}
)";

// The summary's figures as cards.
std::string Cards(const std::vector<std::pair<std::string, std::string>>& cards) {
  std::string out = "<div class=\"cards\">";
  for (const auto& [k, v] : cards)
    out += fmt::format(R"(<div class="card"><div class="v">{}</div><div class="k">{}</div></div>)", v, k);
  return out + "</div>\n";
}

// Rows over time as an area chart: its slope is the throughput.
std::string Chart(const Run& run) {
  // A long run reports progress every 2 s per table: at most kMaxPoints are
  // drawn (the first, the last, and evenly spaced ones between), so the page
  // stays small whatever the run's length.
  constexpr size_t kMaxPoints = 400;
  std::vector<std::pair<double, uint64_t>> points;
  const auto& all = run.rows_over_time;
  if (all.size() <= kMaxPoints) {
    points = all;
  } else {
    for (size_t j = 0; j < kMaxPoints; ++j) points.push_back(all[j * (all.size() - 1) / (kMaxPoints - 1)]);
  }
  if (points.size() < 2 || points.back().second == 0) {
    return "<p class=\"muted\">No rows were copied in this run.</p>\n";
  }
  constexpr double kW = 720, kH = 220, kLeft = 64, kRight = 16, kTop = 14, kBottom = 30;
  double t0 = points.front().first, t1 = points.back().first;
  if (t1 - t0 < 0.001) t1 = t0 + 0.001;
  uint64_t max_rows = points.back().second;
  auto x = [&](double t) { return kLeft + (t - t0) / (t1 - t0) * (kW - kLeft - kRight); };
  auto y = [&](uint64_t rows) {
    return kTop + (1.0 - static_cast<double>(rows) / static_cast<double>(max_rows)) * (kH - kTop - kBottom);
  };
  std::string area = fmt::format("M{:.1f},{:.1f}", x(t0), y(0)), line;
  for (const auto& [t, rows] : points) {
    area += fmt::format(" L{:.1f},{:.1f}", x(t), y(rows));
    line += fmt::format("{}{:.1f},{:.1f}", line.empty() ? "M" : " L", x(t), y(rows));
  }
  area += fmt::format(" L{:.1f},{:.1f} Z", x(t1), y(0));
  // The fastest stretch of a second or more between two points (a long run's), beside the average.
  double peak = 0;
  for (size_t i = 1; i < points.size(); ++i) {
    double dt = points[i].first - points[i - 1].first;
    if (dt >= 1.0) peak = std::max(peak, static_cast<double>(points[i].second - points[i - 1].second) / dt);
  }
  double seconds = points.back().first - points.front().first;
  uint64_t bytes = run.bytes_over_time.empty() ? 0 : run.bytes_over_time.back().second;
  std::string out = fmt::format(
      R"(<svg id="chart" role="img" aria-label="rows copied over time" viewBox="0 0 {} {}" width="{}" height="{}" )"
      R"(style="max-width:100%;height:auto">)"
      "\n",
      kW, kH, kW, kH);
  for (int i = 0; i <= 4; ++i) {  // grid and the rows axis
    double gy = kTop + i * (kH - kTop - kBottom) / 4;
    out +=
        fmt::format(R"(<line x1="{}" y1="{:.1f}" x2="{}" y2="{:.1f}" stroke="#e3e7ee"/>)", kLeft, gy, kW - kRight, gy);
    out += fmt::format(R"(<text x="{}" y="{:.1f}" text-anchor="end">{}</text>)", kLeft - 6, gy + 4,
                       Grouped(max_rows - max_rows * i / 4));
  }
  out += fmt::format(R"(<path d="{}" fill="{}" stroke="none"/>)", area, kReportChartColour);
  out += fmt::format(R"(<path d="{}" fill="none" stroke="#1d5f57" stroke-width="2"/>)", line);
  for (const auto& [t, rows] : points) {
    out += fmt::format(
        R"(<circle cx="{:.1f}" cy="{:.1f}" r="2.5" fill="#1d5f57"><title>{:.3f} s: {} rows</title></circle>)", x(t),
        y(rows), t - t0, Grouped(rows));
  }
  for (int i = 0; i <= 4; ++i) {  // the time axis
    out +=
        fmt::format(R"(<text x="{:.1f}" y="{}" text-anchor="{}">{:.{}f} s</text>)", x(t0 + (t1 - t0) * i / 4), kH - 10,
                    i == 0   ? "start"
                    : i == 4 ? "end"
                             : "middle",
                    (t1 - t0) * i / 4,
                    t1 - t0 >= 10  ? 0
                    : t1 - t0 >= 1 ? 1
                                   : 3);
  }
  out += "</svg>\n";
  out += fmt::format(
      "<p class=\"muted\">Rows copied since the first table started ({} points: the start, then each table's "
      "progress and end). Average while copying {} ({}){}.</p>\n",
      points.size(), seconds > 0 ? Rate(static_cast<double>(max_rows) / seconds, "rows") : "&ndash;",
      seconds > 0 ? Html(HumanBytes(static_cast<uint64_t>(static_cast<double>(bytes) / seconds))) + "/s" : "&ndash;",
      peak > 0 ? "; fastest stretch " + Rate(peak, "rows") : "");
  return out;
}

std::string Versions(const Run& run) {
  std::string out = "<table>\n";
  auto row = [&](const std::string& k, const std::string& v) {
    out += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", Html(k),
                       v.empty() ? "<span class=\"muted\">not known</span>" : Html(v));
  };
  const Json none;
  const Json& started = run.started ? *run.started : none;
  row("decant", Str(started, "decant_version"));
  row("archive format", Str(started, "archive_format"));
  if (run.plan) {
    const Json& source = (*run.plan)["source"];
    const Json& target = (*run.plan)["target"];
    row("source", Str(source, "engine") + (Str(source, "version").empty() ? "" : " " + Str(source, "version")));
    std::string target_version = Str(target, "version");
    if (target_version.empty() && run.finished) target_version = Str(*run.finished, "to_version");
    row("target", Str(target, "engine") + (target_version.empty() ? "" : " " + target_version));
  }
  return out + "</table>\n";
}

std::string Tables(const Run& run) {
  if (run.tables.empty()) return "";
  uint64_t most = 1;
  for (const Json* t : run.tables) most = std::max(most, U64(*t, "rows"));
  std::string out =
      "<section id=\"tables\"><h2>Tables</h2>\n<table>\n<tr><th>table</th><th class=\"n\">rows</th><th></th>"
      "<th class=\"n\">bytes</th><th class=\"n\">seconds</th><th class=\"n\">throughput</th><th></th></tr>\n";
  for (const Json* t : run.tables) {
    uint64_t rows = U64(*t, "rows");
    double seconds = Num(*t, "seconds");
    bool ok = t->contains("ok") && (*t)["ok"].is_boolean() && (*t)["ok"].get<bool>();
    out += fmt::format(
        "<tr{}><td>{}</td><td class=\"n\">{}</td><td style=\"width:22%\"><div class=\"bar\" style=\"width:{:.1f}%\">"
        "</div></td><td class=\"n\">{}</td><td class=\"n\">{:.3f}</td><td class=\"n\">{}</td><td>{}</td></tr>\n",
        ok ? "" : " class=\"failed\"", Html(Str(*t, "table")), Grouped(rows),
        100.0 * static_cast<double>(rows) / static_cast<double>(most), Html(HumanBytes(U64(*t, "bytes"))), seconds,
        seconds >= 0.001 ? Rate(static_cast<double>(rows) / seconds, "rows") : "&ndash;",
        ok ? "<span class=\"mark ok\">ok</span>" : "<span class=\"mark lost\">failed</span>");
  }
  return out + "</table></section>\n";
}

std::string Phases(const Run& run) {
  if (run.phases.empty()) return "";
  double total = 0;
  for (const Json* p : run.phases) total += Num(*p, "seconds");
  std::string out = "<section id=\"phases\"><h2>Phases</h2>\n<table>\n";
  for (const Json* p : run.phases) {
    double s = Num(*p, "seconds");
    out += fmt::format(
        "<tr><td style=\"width:20%\">{}</td><td class=\"n\" style=\"width:14%\">{:.3f} s</td><td><div class=\"bar\" "
        "style=\"width:{:.1f}%\"></div></td></tr>\n",
        Html(Str(*p, "phase")), s, total > 0 ? 100.0 * s / total : 0.0);
  }
  return out + "</table></section>\n";
}

// The plan: per table its columns, source and target types, lossy ones
// marked with what they may lose; then what is not carried.
std::string Plan(const Run& run) {
  if (!run.plan) return "";
  const Json& plan = *run.plan;
  std::string out = "<section id=\"plan\"><h2>Plan</h2>\n";
  // The values converted in this run, by source table and column.
  std::map<std::pair<std::string, std::string>, uint64_t> converted;
  for (const Json* c : run.conversions) converted[{Str(*c, "table"), Str(*c, "column")}] += U64(*c, "count");
  size_t lossy_total = 0;
  if (plan.contains("tables") && plan["tables"].is_array()) {
    for (const Json& t : plan["tables"]) lossy_total += U64(t, "lossy_columns");
    out += fmt::format(
        "<p>{}; {} that may lose values {} marked <span class=\"mark lossy\">lossy</span>"
        ", objects the target does not get <span class=\"mark lost\">not carried</span>. Tables with values "
        "converted in this run, or a column that loses all its values, are shown open.</p>\n",
        Counted(plan["tables"].size(), "table"), Counted(lossy_total, "column"), Noun(lossy_total, "is", "are"));
    for (const Json& t : plan["tables"]) {
      uint64_t lossy = U64(t, "lossy_columns");
      std::string name = Str(t, "table"), target = Str(t, "target");
      bool open = false;
      if (t.contains("columns") && t["columns"].is_array()) {
        for (const Json& c : t["columns"]) {
          open = open || Str(c, "loss") == "all_values" || converted.count({name, Str(c, "name")});
        }
      }
      out += fmt::format("<details{}><summary><b>{}</b>{}{}</summary>\n", open ? " open" : "", Html(name),
                         target != name && !target.empty() ? " &rarr; " + Html(target) : "",
                         lossy ? fmt::format(" <span class=\"mark lossy\">{} lossy</span>", lossy) : "");
      out += "<table><tr><th>column</th><th>source type</th><th>target type</th><th>loss</th></tr>\n";
      if (t.contains("columns") && t["columns"].is_array()) {
        for (const Json& c : t["columns"]) {
          std::string loss = Str(c, "loss");
          std::string risks;
          if (c.contains("risks") && c["risks"].is_array()) {
            for (const Json& r : c["risks"]) risks += "<div>" + Html(Str(r, "what")) + "</div>";
          }
          std::string col = Str(c, "name"), target_col = Str(c, "target_name");
          if (auto it = converted.find({name, col}); it != converted.end()) {
            risks = fmt::format("<div><span class=\"mark lost\">{} converted in this run</span></div>",
                                Grouped(it->second)) +
                    risks;
          }
          out += fmt::format("<tr{}><td>{}{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}{}</td></tr>\n",
                             loss == "exact" || loss.empty() ? ""
                             : loss == "all_values"          ? " class=\"lost\""
                                                             : " class=\"lossy\"",
                             Html(col), target_col != col && !target_col.empty() ? " &rarr; " + Html(target_col) : "",
                             Html(Str(c, "source_type")), Html(Str(c, "target_type")),
                             loss == "exact" || loss.empty() ? "exact"
                             : loss == "all_values"          ? "<span class=\"mark lost\">all values</span>"
                                                             : "<span class=\"mark lossy\">lossy</span>",
                             risks);
        }
      }
      out += "</table></details>\n";
    }
  }
  // What the plan and the target's sink did not carry, each once.
  std::vector<std::string> lost;
  if (plan.contains("not_carried") && plan["not_carried"].is_array()) {
    for (const Json& l : plan["not_carried"]) {
      if (l.is_string()) lost.push_back(l.get<std::string>());
    }
  }
  for (const Json* e : run.not_carried) {
    std::string line = Str(*e, "object");
    if (std::find(lost.begin(), lost.end(), line) == lost.end()) lost.push_back(line);
  }
  out += fmt::format("<h3>Not carried ({})</h3>\n", lost.size());
  if (lost.empty()) out += "<p class=\"muted\">Every object of the source was carried.</p>\n";
  if (!lost.empty()) {
    out += "<ul class=\"objects\">";
    for (const std::string& l : lost)
      out += "<li class=\"lost\"><span class=\"mark lost\">not carried</span> " + Html(l) + "</li>";
    out += "</ul>\n";
  }
  for (const char* key : {"changed", "notes"}) {
    if (!plan.contains(key) || !plan[key].is_array() || plan[key].empty()) continue;
    out += fmt::format("<h3>{}</h3><ul class=\"objects\">", key == std::string("changed") ? "Changed" : "Notes");
    for (const Json& l : plan[key]) out += "<li>" + Html(l.is_string() ? l.get<std::string>() : l.dump()) + "</li>";
    out += "</ul>\n";
  }
  return out + "</section>\n";
}

std::string Conversions(const Run& run) {
  // A copy's section (its run_finished has the summary's figures), not verify's.
  if (run.conversions.empty() && !(run.finished && run.finished->contains("rows"))) return "";
  std::string out = "<section id=\"conversions\"><h2>Conversions</h2>\n";
  if (run.conversions.empty()) return out + "<p class=\"muted\">No value was converted.</p></section>\n";
  out += "<table><tr><th>column</th><th class=\"n\">values</th><th>first reason</th><th>sample keys</th></tr>\n";
  for (const Json* c : run.conversions) {
    std::string keys;
    if (c->contains("keys") && (*c)["keys"].is_array()) {
      for (const Json& k : (*c)["keys"]) {
        keys += "<code>" +
                Html(k.is_string() ? k.get<std::string>() : k.dump(-1, ' ', false, Json::error_handler_t::replace)) +
                "</code> ";
      }
    }
    out += fmt::format("<tr class=\"lossy\"><td>{}.{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>\n",
                       Html(Str(*c, "table")), Html(Str(*c, "column")), Grouped(U64(*c, "count")),
                       Html(Str(*c, "reason")), keys.empty() ? "<span class=\"muted\">none recorded</span>" : keys);
  }
  return out + "</table></section>\n";
}

std::string Verify(const Json& v) {
  if (!v.is_object()) return "";
  bool equal = v.contains("equal") && v["equal"].is_boolean() && v["equal"].get<bool>();
  std::string out =
      fmt::format("<section id=\"verify\"><h2>Verify: {}</h2>\n",
                  equal ? "<span class=\"mark ok\">equal</span>" : "<span class=\"mark lost\">DIFFERENT</span>");
  const Json& a = v["a"];
  const Json& b = v["b"];
  out += fmt::format("<p>A: <code>{}</code> ({} rows)<br>B: <code>{}</code> ({} rows)</p>\n", Html(Str(a, "source")),
                     Grouped(U64(a, "rows")), Html(Str(b, "source")), Grouped(U64(b, "rows")));
  std::map<std::string, const Json*> diffs;
  if (v.contains("differences") && v["differences"].is_array()) {
    for (const Json& d : v["differences"]) diffs[Str(d, "table")] = &d;
  }
  std::map<std::string, const Json*> in_b;
  if (b.contains("tables") && b["tables"].is_array()) {
    for (const Json& t : b["tables"]) in_b[Str(t, "table")] = &t;
  }
  out +=
      "<table><tr><th>table</th><th class=\"n\">rows in A</th><th class=\"n\">rows in B</th><th>content hash "
      "(A)</th><th>result</th></tr>\n";
  auto row = [&](const std::string& table, const std::string& rows_a, const std::string& rows_b,
                 const std::string& hash) {
    auto d = diffs.find(table);
    std::string result = d == diffs.end()
                             ? "<span class=\"mark ok\">equal</span>"
                             : "<span class=\"mark lost\">different</span> " + Html(Str(*d->second, "reason"));
    if (d != diffs.end() && d->second->contains("details") && (*d->second)["details"].is_array()) {
      for (const Json& line : (*d->second)["details"])
        result += "<div><code>" + Html(line.is_string() ? line.get<std::string>() : "") + "</code></div>";
    }
    out += fmt::format(
        "<tr{}><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td><code>{}</code></td><td>{}</td></tr>\n",
        d == diffs.end() ? "" : " class=\"lost\"", Html(table), rows_a, rows_b, Html(hash), result);
  };
  // B's table as verify matched it: the same name, else the same name
  // outside its schema ("Album" and "public.Album").
  auto unqualified = [](const std::string& n) {
    return n.substr(n.rfind('.') == std::string::npos ? 0 : n.rfind('.') + 1);
  };
  auto find_b = [&](const std::string& name) -> const Json* {
    if (auto it = in_b.find(name); it != in_b.end()) return it->second;
    for (const auto& [other, t] : in_b) {
      if (unqualified(other) == unqualified(name)) return t;
    }
    return nullptr;
  };
  if (a.contains("tables") && a["tables"].is_array()) {
    for (const Json& t : a["tables"]) {
      std::string name = Str(t, "table");
      const Json* other = find_b(name);
      row(name, Grouped(U64(t, "rows")), other ? Grouped(U64(*other, "rows")) : "&ndash;", Str(t, "hash"));
    }
  }
  for (const auto& [name, d] : diffs) {
    if (Str(*d, "reason") == "only in B") {
      row(name, "&ndash;", in_b.count(name) ? Grouped(U64(*in_b[name], "rows")) : "", "");
    }
  }
  return out + "</table></section>\n";
}

}  // namespace

std::string RenderReport(const ReportInput& input) {
  Run run = Gather(input.events);
  const Json none;
  const Json& started = run.started ? *run.started : none;
  const Json& finished = run.finished ? *run.finished : none;
  std::string command = Str(started, "command");
  if (command.empty()) command = input.verify.is_object() ? "verify" : "run";
  int exit_code =
      run.error ? static_cast<int>(Num(*run.error, "exit_code")) : static_cast<int>(Num(finished, "exit_code"));
  bool ok = !run.error && (run.finished || input.verify.is_object()) && exit_code == 0;
  std::string status = run.error                                    ? fmt::format("failed, exit {}", exit_code)
                       : !run.finished && !input.verify.is_object() ? "did not finish"
                       : exit_code == 0                             ? "complete"
                       : exit_code == 9                             ? "complete, objects not carried (exit 9)"
                                                                    : fmt::format("exit {}", exit_code);
  if (input.verify.is_object() && !run.error) {
    bool equal =
        input.verify.contains("equal") && input.verify["equal"].is_boolean() && input.verify["equal"].get<bool>();
    status = equal ? "equal" : "different (exit 1)";
    ok = equal;
  }
  std::string words;
  if (started.contains("arguments") && started["arguments"].is_array()) {
    words = "decant";
    for (const Json& a : started["arguments"]) words += " " + ShellWord(a.is_string() ? a.get<std::string>() : "");
  }

  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<title>decant {}: {}</title>\n<style>{}</style>\n</head>\n<body>\n", Html(command), Html(status),
                     kStyle);
  std::string from = Str(finished, "from"), to = Str(finished, "to");
  if (from.empty() && input.verify.is_object()) {
    from = Str(input.verify["a"], "source");
    to = Str(input.verify["b"], "source");
  }
  out += fmt::format(
      "<header><h1>decant {}<span class=\"badge {}\">{}</span></h1><p class=\"sub\">{}{}</p></header>\n", Html(command),
      ok                            ? "ok"
      : run.error || exit_code != 9 ? "bad"
                                    : "warn",
      Html(status), from.empty() ? "" : Html(from) + " &rarr; " + Html(to) + " &middot; ", Html(Str(started, "time")));
  out += "<main>\n";
  if (run.error) {
    out += fmt::format("<section id=\"error\" class=\"error\"><h2>Error ({})</h2><pre>{}</pre></section>\n",
                       Html(Str(*run.error, "category")), Html(Str(*run.error, "message")));
  }
  if (run.finished && finished.contains("rows")) {
    double seconds = Num(finished, "seconds");
    std::vector<std::pair<std::string, std::string>> cards = {
        {"tables", Grouped(U64(finished, "tables"))},
        {"rows", Grouped(U64(finished, "rows"))},
        {"bytes", Html(HumanBytes(U64(finished, "bytes")))},
        {"seconds", fmt::format("{:.2f}", seconds)},
        {"rows per second", seconds > 0 ? Grouped(static_cast<uint64_t>(Num(finished, "rows") / seconds)) : "&ndash;"},
        {"converted values", Grouped(U64(finished, "converted_values"))},
        {"not carried", Grouped(U64(finished, "not_carried"))},
        {"indexes", Grouped(U64(finished, "indexes"))},
        {"views", Grouped(U64(finished, "views"))},
        {"triggers", Grouped(U64(finished, "triggers"))},
        {"sequences", Grouped(U64(finished, "sequences"))}};
    out += "<section id=\"summary\"><h2>Summary</h2>\n" + Cards(cards) + "</section>\n";
  }
  out += "<section id=\"command\"><h2>Command and versions</h2>\n";
  out +=
      words.empty() ? "<p class=\"muted\">not recorded</p>\n" : "<pre id=\"command-line\">" + Html(words) + "</pre>\n";
  out += "<h3>Versions</h3>\n" + Versions(run) + "</section>\n";
  if (!run.rows_over_time.empty()) {
    out += "<section id=\"throughput\"><h2>Rows over time</h2>\n" + Chart(run) + "</section>\n";
  }
  out += Tables(run);
  out += Phases(run);
  out += Verify(input.verify);
  out += Conversions(run);
  out += Plan(run);
  if (!run.warnings.empty()) {
    out += "<section id=\"warnings\"><h2>Warnings</h2><ul class=\"objects\">";
    for (const Json* w : run.warnings) out += "<li class=\"lossy\">" + Html(Str(*w, "message")) + "</li>";
    out += "</ul></section>\n";
  }
  out +=
      fmt::format("</main>\n<footer><p class=\"muted\" style=\"text-align:center\">written by decant {}</p></footer>\n",
                  Html(Str(started, "decant_version")));
  out += "</body>\n</html>\n";
  return out;
}

Status WriteReport(const std::string& path, const std::string& html, bool replace, FileSystem* fs) {
  if (path == "-") return Status::InvalidArgument("--report writes a file, not standard output");
  std::string partial = PartialPath(path);
  Status st = WriteFileSynced(fs, partial, html);
  if (st.ok()) st = Publish(fs, partial, path, replace);
  if (!st.ok()) {
    if (fs->Exists(partial)) static_cast<void>(fs->Remove(partial));
    return st.WithContext("--report " + path);
  }
  return Status::OK();
}

}  // namespace decant

// RenderReport: every section from its events, names as text, nothing
// outside the page; WriteReport: the output rules; EventLog feeds a report.
#include "pipeline/report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "pipeline/events.h"

namespace decant {
namespace {

using Json = nlohmann::ordered_json;

const char* kEvil = "<script>alert(1)</script></title>";

// A migrate's events, as EventLog writes them (docs/events.md).
std::vector<Json> MigrateEvents(const std::string& table) {
  return {
      Json::parse(R"({"v":1,"event":"run_started","elapsed":0,"time":"2026-11-26T09:41:02.101Z","command":"migrate",
        "arguments":["migrate","sqlite:src.db","postgresql://app:****@db/shop","--table","it's"],
        "decant_version":"9.8.7","archive_format":"1.2"})"),
      Json{{"v", 1},
           {"event", "plan"},
           {"elapsed", 0.01},
           {"source", {{"engine", "sqlite"}, {"version", "3.40.1"}, {"database", "src.db"}}},
           {"target", {{"engine", "postgresql"}}},
           {"data_only", false},
           {"tables",
            Json::array({Json{
                {"table", table},
                {"target", table},
                {"lossy_columns", 1},
                {"columns", Json::array({Json{{"name", "id"},
                                              {"target_name", "id"},
                                              {"source_type", "INTEGER"},
                                              {"target_type", "bigint"},
                                              {"loss", "exact"},
                                              {"risks", Json::array()}},
                                         Json{{"name", "price"},
                                              {"target_name", "price"},
                                              {"source_type", "REAL"},
                                              {"target_type", "numeric(4,1)"},
                                              {"loss", "some_values"},
                                              {"risks", Json::array({Json{{"loss", "some_values"},
                                                                          {"what", "rounded to 1 digit"}}})}}})}}})},
           {"not_carried", Json::array({"trigger audit_t on items: not carried"})},
           {"changed", Json::array()},
           {"notes", Json::array()}},
      Json::parse(R"({"v":1,"event":"phase_finished","elapsed":0.02,"phase":"schema","seconds":0.011})"),
      Json{{"v", 1}, {"event", "table_started"}, {"elapsed", 0.02}, {"table", table}},
      Json{{"v", 1},
           {"event", "table_progress"},
           {"elapsed", 2.02},
           {"table", table},
           {"rows", 600000},
           {"bytes", 6000000},
           {"seconds", 2.0}},
      Json{{"v", 1},
           {"event", "table_finished"},
           {"elapsed", 3.02},
           {"table", table},
           {"ok", true},
           {"rows", 1234567},
           {"bytes", 12345678},
           {"seconds", 3.0}},
      Json::parse(R"({"v":1,"event":"phase_finished","elapsed":3.03,"phase":"data","seconds":3.01})"),
      Json::parse(R"({"v":1,"event":"phase_finished","elapsed":3.5,"phase":"post_data","seconds":0.47})"),
      Json{{"v", 1},
           {"event", "conversion"},
           {"table", table},
           {"column", "price"},
           {"count", 42},
           {"reason", "1.25 rounded to 1.3"},
           {"keys", Json::array({"id=7", "id=9"})}},
      Json::parse(R"({"v":1,"event":"not_carried","object":"trigger audit_t on items: not carried"})"),
      Json::parse(R"({"v":1,"event":"warning","message":"a <b>warning</b>"})"),
      Json::parse(R"({"v":1,"event":"run_finished","elapsed":3.6,"exit_code":9,"from":"sqlite src.db",
        "to":"postgresql app@db/shop","tables":1,"rows":1234567,"bytes":12345678,"indexes":2,"views":0,"triggers":0,
        "sequences":1,"seconds":3.6,"converted_values":42,"not_carried":1,"to_version":"18.1","per_table":[]})")};
}

std::string Render(const std::string& table = "items") { return RenderReport({MigrateEvents(table), nullptr}); }

TEST(Report, ShowsEverySectionOfACopy) {
  std::string html = Render();
  for (const char* id : {"summary", "command", "throughput", "tables", "phases", "conversions", "plan", "warnings"}) {
    EXPECT_NE(html.find(std::string("<section id=\"") + id + "\""), std::string::npos) << id;
  }
  EXPECT_NE(html.find("1,234,567"), std::string::npos);  // rows
  EXPECT_NE(html.find("decant migrate sqlite:src.db postgresql://app:****@db/shop --table 'it'\\''s'"),
            std::string::npos)
      << "the command as typed, quoted for a shell, as the event masked it";
  EXPECT_NE(html.find("9.8.7"), std::string::npos);
  EXPECT_NE(html.find("sqlite 3.40.1"), std::string::npos);
  EXPECT_NE(html.find("postgresql 18.1"), std::string::npos) << "the target's version (run_finished to_version)";
  EXPECT_NE(html.find("<code>id=7</code> <code>id=9</code>"), std::string::npos) << "sample keys";
  EXPECT_NE(html.find("<tr class=\"lossy\"><td>price"), std::string::npos) << "the lossy cell is marked";
  EXPECT_NE(html.find("rounded to 1 digit"), std::string::npos);
  EXPECT_NE(html.find("42 converted in this run"), std::string::npos) << "the plan names the run's conversions";
  EXPECT_NE(html.find("<details open><summary><b>items</b>"), std::string::npos) << "converted: open";
  EXPECT_NE(html.find("<li class=\"lost\"><span class=\"mark lost\">not carried</span> trigger audit_t"),
            std::string::npos);
  // Listed once, though both the plan and the not_carried event name it.
  EXPECT_EQ(html.find("trigger audit_t", html.find("trigger audit_t") + 1), std::string::npos);
  EXPECT_NE(html.find("post_data"), std::string::npos);
  EXPECT_NE(html.find("objects not carried (exit 9)"), std::string::npos);
}

TEST(Report, TheChartHasAPointPerProgressAndEnd) {
  std::string html = Render();
  size_t svg = html.find("<svg id=\"chart\"");
  ASSERT_NE(svg, std::string::npos);
  std::string chart = html.substr(svg, html.find("</svg>", svg) - svg);
  EXPECT_NE(chart.find(std::string("fill=\"") + kReportChartColour + "\""), std::string::npos);
  size_t points = 0;
  for (size_t at = chart.find("<circle"); at != std::string::npos; at = chart.find("<circle", at + 1)) ++points;
  EXPECT_EQ(points, 3u) << "the start, the progress event, the end";
  // The chart's colour is the chart's alone (the screenshot test counts it).
  EXPECT_EQ(html.find(kReportChartColour), html.find(kReportChartColour, svg));
}

TEST(Report, AShortRunStillDrawsItsChart) {
  std::vector<Json> events = MigrateEvents("t");
  events.erase(events.begin() + 4);  // no progress event: a start and an end
  events[4]["elapsed"] = 0.02;       // the same millisecond as the start
  std::string html = RenderReport({events, nullptr});
  size_t svg = html.find("<svg id=\"chart\"");
  ASSERT_NE(svg, std::string::npos);
  std::string chart = html.substr(svg, html.find("</svg>", svg) - svg);
  EXPECT_NE(chart.find(std::string("fill=\"") + kReportChartColour + "\""), std::string::npos);
  EXPECT_EQ(chart.find("nan"), std::string::npos);
  EXPECT_EQ(chart.find("inf"), std::string::npos);
}

TEST(Report, ALongRunDrawsABoundedChart) {
  std::vector<Json> events = MigrateEvents("t");
  std::vector<Json> progress;
  for (int i = 1; i <= 20000; ++i) {
    progress.push_back(Json{{"event", "table_progress"}, {"elapsed", 0.02 + i}, {"table", "t"}, {"rows", i * 50}});
  }
  events.insert(events.begin() + 4, progress.begin(), progress.end());
  events[4 + progress.size()]["elapsed"] = 20001.0;  // table_progress (the fixture's), then table_finished
  events[5 + progress.size()]["elapsed"] = 20002.0;
  std::string html = RenderReport({events, nullptr});
  size_t svg = html.find("<svg id=\"chart\"");
  ASSERT_NE(svg, std::string::npos);
  std::string chart = html.substr(svg, html.find("</svg>", svg) - svg);
  size_t points = 0;
  for (size_t at = chart.find("<circle"); at != std::string::npos; at = chart.find("<circle", at + 1)) ++points;
  EXPECT_LE(points, 400u);
  EXPECT_GE(points, 300u);
  EXPECT_NE(chart.find("1,234,567 rows"), std::string::npos) << "the last point is kept";
}

TEST(Report, NamesAndMessagesAreText) {
  std::vector<Json> events = MigrateEvents(kEvil);
  events.push_back(Json{{"event", "warning"}, {"message", std::string("bad \xff\xfe bytes \x1b[31m")}});
  std::string html = RenderReport({events, nullptr});
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find(kEvil), std::string::npos);
  EXPECT_EQ(html.find("</title>"), html.find("</title>\n<style>")) << "the page's own title ends first";
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;&lt;/title&gt;"), std::string::npos);
  EXPECT_NE(html.find("a &lt;b&gt;warning&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("bad \xEF\xBF\xBD\xEF\xBF\xBD bytes \xEF\xBF\xBD[31m"), std::string::npos);
  EXPECT_EQ(html.find('\x1b'), std::string::npos);
}

TEST(Report, NothingOutsideThePage) {
  std::vector<Json> events = MigrateEvents("t");
  std::string html = RenderReport({events, nullptr});
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("//"), html.find("postgresql://") + 11) << "no protocol-relative reference";
  std::regex external(R"((src|href|xlink:href|action)\s*=|url\(|@import|<link|<script|<iframe|<img)",
                      std::regex::icase);
  EXPECT_FALSE(std::regex_search(html, external));
}

TEST(Report, AFailedRunShowsItsError) {
  std::vector<Json> events = MigrateEvents("t");
  events.resize(4);
  events.push_back(
      Json{{"event", "error"}, {"message", "table t: value too long"}, {"category", "data_loss"}, {"exit_code", 8}});
  std::string html = RenderReport({events, nullptr});
  EXPECT_NE(html.find("<section id=\"error\""), std::string::npos);
  EXPECT_NE(html.find("table t: value too long"), std::string::npos);
  EXPECT_NE(html.find("failed, exit 8"), std::string::npos);
  EXPECT_EQ(html.find("<section id=\"summary\""), std::string::npos);
}

TEST(Report, VerifyShowsEachTable) {
  Json doc = Json::parse(R"({
    "a":{"source":"sqlite a.db","rows":13,"tables":[{"table":"Album","rows":3,"hash":"aa"},{"table":"x<y>","rows":10,"hash":"bb"}]},
    "b":{"source":"postgresql db/b","rows":14,"tables":[{"table":"public.Album","rows":3,"hash":"aa"},{"table":"public.x<y>","rows":11,"hash":"cc"}]},
    "equal":false,
    "differences":[{"table":"x<y>","reason":"rows 10 vs 11","details":["id=11 only in B"],"differing_rows":1}]})");
  std::vector<Json> events = {
      Json::parse(
          R"({"event":"run_started","command":"verify","arguments":["verify","sqlite:a.db","postgresql://u:****@db/b"],"decant_version":"1"})"),
      Json::parse(R"({"event":"run_finished","exit_code":1})")};
  std::string html = RenderReport({events, doc});
  EXPECT_NE(html.find("<section id=\"verify\""), std::string::npos);
  EXPECT_NE(html.find("DIFFERENT"), std::string::npos);
  EXPECT_NE(html.find("<tr><td>Album</td><td class=\"n\">3</td><td class=\"n\">3</td>"), std::string::npos);
  EXPECT_NE(html.find("<tr class=\"lost\"><td>x&lt;y&gt;</td><td class=\"n\">10</td><td class=\"n\">11</td>"),
            std::string::npos);
  EXPECT_NE(html.find("id=11 only in B"), std::string::npos);
  EXPECT_NE(html.find("rows 10 vs 11"), std::string::npos);
  EXPECT_EQ(html.find("<svg"), std::string::npos) << "no rows were copied";
  EXPECT_EQ(html.find("<section id=\"conversions\""), std::string::npos) << "a copy's section";
  EXPECT_NE(html.find("sqlite a.db &rarr; postgresql db/b"), std::string::npos);
}

TEST(Report, EventLogFeedsItsListenerWithoutAFile) {
  ReportInput input;
  EventLog log(nullptr, {});
  log.RunStarted("export", {"export", "postgresql://u:secret@h/db", "host=h password=secret", "-o", "x"});
  // Set late (a log opened by --json-log first): run_started comes first all the same.
  log.SetListener([&](const Json& e) { input.events.push_back(e); });
  log.TableStarted("t");
  log.TableFinished("t", true, 5, 50);
  log.RunFinished(0);
  ASSERT_EQ(input.events.size(), 4u);
  EXPECT_EQ(input.events[0]["event"], "run_started");
  EXPECT_TRUE(log.status().ok());
  EXPECT_TRUE(log.ended());
  std::string html = RenderReport(input);
  EXPECT_EQ(html.find("secret"), std::string::npos);
  EXPECT_NE(html.find("u:****@h/db"), std::string::npos);
  EXPECT_NE(html.find("password=****"), std::string::npos);
}

class WriteReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("r16_report_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::filesystem::path dir_;
};

TEST_F(WriteReportTest, RefusesWhatIsThereUnlessReplace) {
  std::string path = (dir_ / "r.html").string();
  ASSERT_TRUE(WriteReport(path, "one", false).ok());
  EXPECT_EQ(Read(path), "one");
  Status st = WriteReport(path, "two", false);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_EQ(Read(path), "one");
  EXPECT_FALSE(std::filesystem::exists(path + ".partial"));
  ASSERT_TRUE(WriteReport(path, "two", true).ok());
  EXPECT_EQ(Read(path), "two");
  EXPECT_EQ(WriteReport("-", "x", true).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace decant

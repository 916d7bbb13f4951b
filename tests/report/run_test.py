#!/usr/bin/env python3
"""--report end to end (issue 16 point 4, docs/report.md), through the decant
binary and Debian's headless Chromium.

A real `decant migrate --report` from SQLite into PostgreSQL 15 (a column that
converts lossily, a trigger that is not carried, a table named like an HTML
tag), a `decant verify --report` of the two, an `export --report` beside
`--json-log`, and, when the shared samples are there, Chinook. Each page is
opened in Chromium with no network (every host name resolves to nothing):
  (a) its DOM shows the run's figures: table names, row counts, the command
      with the password masked, and no password anywhere;
  (b) it logs no console message (Chromium's CONSOLE lines on stderr); the
      check is first shown to fail on a page with a deliberate JavaScript error;
  (c) a screenshot shows the chart drawn: enough pixels of the chart's colour
      (kReportChartColour) in a region of a chart's size; the check is first
      shown to fail on the same report with its chart's area removed.
Then the output rules: an existing --report file is refused (exit 5) and
left as it was, export --force replaces it, other commands refuse --report.

Usage: run_test.py DECANT_BINARY SHARED_DIR. Exit 77 (skip), one line, without
chromium, python3-pil or DECANT_TEST_PG15_URI (source "$(bash
scripts/servers/postgresql.sh env)"). DECANT_REPORT_SCREENSHOT=PATH keeps the
screenshot of the Chinook report there.
"""
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from scriptlib import SKIP, check, failures, psql  # noqa: E402

CHART_RGB = (0x2A, 0x9D, 0x8F)  # kReportChartColour, src/pipeline/report.h
EVIL = "<script>alert(1)</script>"


def fresh_db(base, name):
    psql(base, f"DROP DATABASE IF EXISTS {name}")
    psql(base, f"CREATE DATABASE {name}")
    return base.rpartition("/")[0] + "/" + name


def decant(binary, *args):
    return subprocess.run([binary, "--progress", "none", *args], capture_output=True, text=True, timeout=600)


class Chromium:
    """Headless Chromium as root (--no-sandbox), without GPU or network."""

    def __init__(self, exe, work):
        self.exe = exe
        self.work = work
        self.runs = 0

    def _run(self, page, *args):
        self.runs += 1
        profile = os.path.join(self.work, f"chromium-profile-{self.runs}")
        cmd = [self.exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=" + profile,
               "--enable-logging=stderr", "--v=0", *args, "file://" + os.path.abspath(page)]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)

    def dom(self, page):
        """The page's DOM once loaded, and its console messages."""
        r = self._run(page, "--dump-dom")
        console = [l for l in r.stderr.splitlines() if ":CONSOLE" in l]
        return r.stdout, console

    def screenshot(self, page, png):
        self._run(page, "--hide-scrollbars", "--window-size=1280,2200", "--screenshot=" + png)
        return os.path.exists(png)


def chart_drawn(png):
    """Whether the screenshot shows a drawn chart: at least 3,000 pixels of the
    chart's colour, spread over at least 300 x 60 pixels (a chart, not a dot)."""
    from PIL import Image
    img = Image.open(png).convert("RGB")
    w, h = img.size
    px = img.load()
    n, xs, ys = 0, [], []
    for y in range(0, h):
        for x in range(0, w):
            r, g, b = px[x, y]
            if abs(r - CHART_RGB[0]) <= 4 and abs(g - CHART_RGB[1]) <= 4 and abs(b - CHART_RGB[2]) <= 4:
                n += 1
                xs.append(x)
                ys.append(y)
    if not n:
        return False, "no pixel of the chart's colour"
    box = (max(xs) - min(xs) + 1, max(ys) - min(ys) + 1)
    return n >= 3000 and box[0] >= 300 and box[1] >= 60, f"{n} pixels over {box[0]}x{box[1]}"


def text_of(dom):
    """The DOM's visible text, roughly: tags dropped, entities decoded."""
    import html
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", dom, flags=re.S)))


def with_password(uri):
    """`uri` with its password in it: the test servers' URIs leave it to
    PGPASSFILE (scripts/servers/postgresql.sh), and the reports must be seen
    hiding one that was given on the command line."""
    parsed = urllib.parse.urlparse(uri)
    if parsed.password or not os.environ.get("PGPASSFILE"):
        return uri
    try:
        with open(os.environ["PGPASSFILE"]) as f:
            for line in f:
                host, port, _, user, pw = line.rstrip("\n").split(":", 4)
                if host == parsed.hostname and port == str(parsed.port) and user == parsed.username:
                    netloc = f"{user}:{urllib.parse.quote(pw, safe='')}@{parsed.hostname}:{parsed.port}"
                    return parsed._replace(netloc=netloc).geturl()
    except (OSError, ValueError):
        pass
    return uri


def check_page(chrome, page, label, password, must_show):
    html_text = open(page, encoding="utf-8").read()
    check(password not in html_text, f"{label}: the file holds no password")
    check("http://" not in html_text and "https://" not in html_text, f"{label}: no http(s) reference")
    check(not re.search(r"\b(src|href)\s*=|<link|url\(|@import", html_text, re.I),
          f"{label}: no external src, href, stylesheet or url()")
    dom, console = chrome.dom(page)
    text = " ".join(text_of(dom).split())
    check("<section" in dom, f"{label}: Chromium rendered the page")
    check(not console, f"{label}: no console message" + ("" if not console else ": " + console[0][:200]))
    check("<script" not in dom, f"{label}: no script element in the DOM")
    check(password not in dom, f"{label}: the DOM shows no password")
    for want in must_show:
        check(want in text, f"{label}: the page shows {want!r}")
    return dom


def make_source(path):
    db = sqlite3.connect(path)
    db.executescript(f"""
        CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price NUMERIC(5,1), qty INTEGER);
        CREATE TABLE "{EVIL}" (id INTEGER PRIMARY KEY, "</title>" TEXT);
        CREATE TABLE audit (id INTEGER PRIMARY KEY, item INTEGER, at TEXT);
        CREATE TRIGGER items_audit AFTER UPDATE ON items BEGIN
          INSERT INTO audit (item, at) VALUES (new.id, datetime('now'));
        END;
    """)
    rows = []
    for i in range(1, 5001):
        price = 1.25 if i % 1000 == 7 else round(i / 10, 1)  # 1.25 does not fit NUMERIC(5,1): rounded
        qty = "many" if i % 1000 == 11 else i % 50  # text in an INTEGER column: NULL
        rows.append((i, f"item {i}", price, qty))
    db.executemany("INSERT INTO items VALUES (?, ?, ?, ?)", rows)
    db.executemany(f'INSERT INTO "{EVIL}" VALUES (?, ?)', [(i, f"</title>{i}") for i in range(1, 4)])
    db.commit()
    db.close()


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    binary, shared = os.path.abspath(sys.argv[1]), sys.argv[2]
    exe = shutil.which("chromium")
    if not exe:
        print("skip: Debian's chromium is not installed (scripts/setup.sh --tests installs it)")
        return SKIP
    try:
        import PIL  # noqa: F401
    except ImportError:
        # Debian's python3-pil is for Debian's python3, which CMake may not
        # have found first (a pyenv shim on PATH).
        system = "/usr/bin/python3"
        if os.path.realpath(sys.executable) != os.path.realpath(system) and os.path.exists(system) and \
                subprocess.run([system, "-c", "import PIL"], capture_output=True).returncode == 0:
            os.execv(system, [system, os.path.abspath(__file__), *sys.argv[1:]])
        print("skip: python3-pil is not installed (scripts/setup.sh --tests installs it)")
        return SKIP
    base = os.environ.get("DECANT_TEST_PG15_URI")
    if not base:
        print("skip: DECANT_TEST_PG15_URI is not set (source scripts/servers/postgresql.sh env)")
        return SKIP
    base = with_password(base)
    password = urllib.parse.urlparse(base).password or ""
    check(len(password) >= 4, "the server's URI has a password to hide")

    work = tempfile.mkdtemp(prefix="r16_report_")
    chrome = Chromium(exe, work)
    try:
        # The checks themselves can fail: a page with a JavaScript error.
        bad = os.path.join(work, "r16_bad.html")
        with open(bad, "w") as f:
            f.write("<!DOCTYPE html><html><head><meta charset='utf-8'><title>bad</title></head>"
                    "<body><section>x</section><script>undefinedFunction();</script></body></html>")
        _, console = chrome.dom(bad)
        check(any("undefinedFunction" in l for l in console), "the console check sees a deliberate error")

        src = os.path.join(work, "r16_src.db")
        make_source(src)
        target = fresh_db(base, "r16_report")
        report = os.path.join(work, "r16_migrate.html")
        r = decant(binary, "--report", report, "migrate", "sqlite:" + src, target)
        check(r.returncode == 9, f"migrate exits 9 (a trigger not carried): {r.returncode} {r.stderr[-300:]}")
        check("report written to " + report in r.stderr, "migrate says where the report is")
        dom = check_page(chrome, report, "migrate", password,
                         ["items", EVIL, "</title>", "5,003", "5,000", "items.price", "items.qty",
                          "trigger items_audit", "not carried", "****@", "--report " + report + " migrate", "postgresql",
                          "sqlite 3.", "schema", "data", "post_data"])
        check(re.search(r"items\.price\s*</td>\s*<td[^>]*>\s*5\s*<", dom) is not None,
              "migrate: 5 values of items.price converted")
        check(re.search(r"id=7\b", dom) is not None, "migrate: a sample key of a converted value (id=7)")

        png = os.path.join(work, "r16_migrate.png")
        check(chrome.screenshot(report, png), "migrate: a screenshot was taken")
        drawn, how = chart_drawn(png)
        check(drawn, f"migrate: the chart is drawn ({how})")
        # The chart check can fail: the same page with its chart's area removed.
        empty = os.path.join(work, "r16_empty_chart.html")
        with open(report, encoding="utf-8") as f:
            page = f.read()
        with open(empty, "w", encoding="utf-8") as f:
            f.write(re.sub(r'<path d="[^"]*" fill="#2a9d8f"[^>]*>', "", page))
        empty_png = os.path.join(work, "r16_empty.png")
        chrome.screenshot(empty, empty_png)
        drawn, how = chart_drawn(empty_png)
        check(not drawn, f"the chart check fails on an empty chart ({how})")

        # verify --report: the per-table result.
        vreport = os.path.join(work, "r16_verify.html")
        r = decant(binary, "verify", "sqlite:" + src, target, "--report", vreport)
        check(r.returncode in (0, 1), f"verify ran: {r.returncode} {r.stderr[-300:]}")
        check_page(chrome, vreport, "verify", password,
                   ["Verify", "items", EVIL, "5,000", "decant verify", "****@",
                    "DIFFERENT" if r.returncode == 1 else "equal"])

        # export with --report and --json-log together; the refusals.
        ereport = os.path.join(work, "r16_export.html")
        log = os.path.join(work, "r16_export.jsonl")
        r = decant(binary, "--json-log", log, "export", target, "-o", os.path.join(work, "r16.decant"),
                   "--report", ereport)
        check(r.returncode == 0, f"export with --report and --json-log: {r.returncode} {r.stderr[-300:]}")
        check(os.path.getsize(log) > 0, "export: the event log is written too")
        check_page(chrome, ereport, "export", password, ["public.items", "5,000", "--json-log " + log + " export"])
        before = open(ereport, "rb").read()
        r = decant(binary, "export", "sqlite:" + src, "-o", os.path.join(work, "r16b.decant"), "--report", ereport)
        check(r.returncode == 5 and "already exists" in r.stderr and open(ereport, "rb").read() == before
              and not os.path.exists(os.path.join(work, "r16b.decant")),
              f"an existing --report file is refused before anything is written: {r.returncode} {r.stderr.strip()}")
        r = decant(binary, "export", "sqlite:" + src, "-o", os.path.join(work, "r16b.decant"), "--report", ereport,
                   "--force")
        check(r.returncode == 0 and open(ereport, "rb").read() != before, "export --force replaces the report")
        r = decant(binary, "--report", os.path.join(work, "r16_i.html"), "inspect", os.path.join(work, "r16.decant"))
        check(r.returncode == 2 and "--report goes with" in r.stderr, f"inspect refuses --report: {r.stderr.strip()}")

        chinook = os.path.join(shared, "samples", "chinook", "Chinook_Sqlite.sqlite")
        if os.path.exists(chinook):
            target = fresh_db(base, "r16_chinook")
            creport = os.path.join(work, "r16_chinook.html")
            r = decant(binary, "migrate", "sqlite:" + chinook, target, "--report", creport)
            check(r.returncode in (0, 9), f"Chinook migrate: {r.returncode} {r.stderr[-300:]}")
            check_page(chrome, creport, "Chinook", password, ["Track", "InvoiceLine", "3,503", "2,240", "****@"])
            cpng = os.path.join(work, "r16_chinook.png")
            check(chrome.screenshot(creport, cpng), "Chinook: a screenshot was taken")
            drawn, how = chart_drawn(cpng)
            check(drawn, f"Chinook: the chart is drawn ({how})")
            keep = os.environ.get("DECANT_REPORT_SCREENSHOT")
            if keep:
                shutil.copyfile(cpng, keep)
        else:
            print("note: no Chinook sample at " + chinook + "; its report is not checked")
    finally:
        for db in ("r16_report", "r16_chinook"):
            try:
                psql(base, f"DROP DATABASE IF EXISTS {db}")
            except subprocess.CalledProcessError:
                pass
        if failures or os.environ.get("DECANT_TEST_KEEP_DIR"):
            print("kept for a look: " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

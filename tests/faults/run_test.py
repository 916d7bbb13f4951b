#!/usr/bin/env python3
"""Fault injection (issue 17 point 3, docs/reliability.md), through the decant
binary against real SQLite files and real servers.

  kill -9  decant is killed (SIGKILL) at seeded random points of export,
           import and migrate into SQLite, PostgreSQL and MariaDB, with one job
           and with -j 2 (and Chinook, when ../shared/samples has it): at
           the k-th event of its --json-log or at a random moment of a
           complete run's time. The state the kill left is asserted exactly
           (which tables exist, how many rows each holds, against what each
           engine promises today), then the follow-up: a rerun without
           --resume is refused (exit 5, target unchanged; once --resume exists
           its line says --resume), `--resume` completes, the target holds the
           source's rows and a complete load's indexes, foreign keys and views,
           and `decant verify` finds it equal; until --resume exists, a rerun
           with --clean does, and the resume part prints one SKIP line.
  server   the target server restarted (a private PostgreSQL and a private
           MariaDB this script starts) and decant's backend killed
           (pg_terminate_backend, KILL CONNECTION on the shared servers) while
           it loads; the source server (private PostgreSQL) restarted mid-export:
           exit 6, one line, no archive published; then resume (export:
           --resume --not-consistent) or a clean rerun, and verify.
  disk     a small tmpfs, full, for the archive (a previous archive at that
           path stays intact; nothing is left at ARCHIVE.partial; the directory
           form with two writers, three times) and for a SQLite target (a new
           file is not created; an existing one is byte-for-byte unchanged, no
           journal left): exit 7, one line.
  resume   once --resume exists: on an empty target with nothing to resume it
           loads from the start (exit 0).

Every failure is asserted to be one `decant: error:` line on stderr with the
exit code of docs/cli.md. The end prints one table of the cases.

Usage: run_test.py DECANT_BINARY SHARED_DIR. The servers' environment
(source "$(bash scripts/servers/postgresql.sh env)" and mariadb.sh's) enables
the PostgreSQL and MariaDB cases, root the private servers and the tmpfs; each
missing part is skipped with one line. DECANT_FAULT_SEED=N replays a run (the
seed is printed first), DECANT_FAULT_POINTS=N sets the kill points per
configuration (default 1), DECANT_FAULT_ROWS the big table's rows (default
250000).
"""
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faultlib import (Cases, Decant, MysqlServer, MysqlTarget, PgTarget, PrivateMariadb,  # noqa: E402
                      PrivatePostgres, SqliteTarget, can_run_private_servers, check_one_line_error, expect,
                      failures, loaded, pg_rows, sigkill)

PREFIX = "flt_"  # every database this script creates (COMMON17.md)


# ------------------------------------------------------------ what can resume
# The one place that says whether this build has --resume (issue 17): the
# resume steps run where `decant COMMAND --help` offers it and print one SKIP
# line otherwise. The commands they run are built by resume_args below.
def resume_support(decant):
    return {c: "--resume" in decant.help_of(c) for c in ("import", "migrate", "export")}


def resume_args(command, source, target, live_source):
    """The resume command line of the contract: `import --resume ARCHIVE
    TARGET`, `migrate --resume SRC TARGET` (with --not-consistent when SRC is a
    live database), `export --resume SRC -o ARCHIVE` (continues in
    ARCHIVE.partial)."""
    extra = ["--not-consistent"] if live_source else []
    if command == "export":
        return ["export", "--resume", *extra, source, "-o", target]
    return [command, "--resume", *extra, source, target]


# ------------------------------------------------------------ the data


def make_source(path, big_rows):
    """Five tables: `event` (big_rows rows, a foreign key to customer, an
    index), customer (a foreign key to region), region (a text primary key),
    tag (a two-column primary key), empty_table (no rows); and a view."""
    db = sqlite3.connect(path)
    db.executescript(f"""
        CREATE TABLE region (code TEXT PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE customer (id INTEGER PRIMARY KEY, region TEXT NOT NULL REFERENCES region (code),
                               name TEXT NOT NULL, joined TEXT);
        CREATE TABLE event (id INTEGER PRIMARY KEY, customer INTEGER NOT NULL REFERENCES customer (id),
                            kind TEXT, amount REAL, note TEXT);
        CREATE INDEX event_customer ON event (customer);
        CREATE TABLE tag (item TEXT NOT NULL, lang TEXT NOT NULL, label TEXT, PRIMARY KEY (item, lang));
        CREATE TABLE empty_table (k TEXT PRIMARY KEY, v BLOB);
        CREATE VIEW region_customers AS SELECT region, count(*) AS customers FROM customer GROUP BY region;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)
          INSERT INTO region SELECT printf('r%02d', i), 'region ' || i FROM n;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
          INSERT INTO customer SELECT i, printf('r%02d', 1 + i % 40), 'customer ' || i,
                                      printf('2025-%02d-%02d', 1 + i % 12, 1 + i % 28) FROM n;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {big_rows})
          INSERT INTO event SELECT i, 1 + (i * 7919) % 20000, 'k' || (i % 7), i * 0.25,
                                   printf('%08x-%08x', (i * 2654435761) % 4294967296, (i * 40503) % 65536) FROM n;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)
          INSERT INTO tag SELECT 'item' || i, lang, lang || ' label ' || i FROM n, (SELECT 'en' AS lang UNION ALL
                                                                                    SELECT 'fr');
    """)
    db.commit()
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("region", "customer", "event", "tag", "empty_table")}
    db.close()
    return counts


def sqlite_counts(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                          "'sqlite\\_%' ESCAPE '\\'")]
        return {n: db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        db.close()


def sha256(path):
    h = hashlib.sha256()
    if os.path.isdir(path):
        for root, _, files in sorted(os.walk(path)):
            for name in sorted(files):
                with open(os.path.join(root, name), "rb") as f:
                    h.update(name.encode() + f.read())
    else:
        with open(path, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def remove(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.exists(path):
        os.remove(path)


class Dataset:
    def __init__(self, name, source_uri, archive, counts, live=False):
        self.name = name
        self.source_uri = source_uri  # what migrate and export read
        self.archive = archive  # what import reads (an archive of the same rows)
        self.counts = counts  # {table: rows}
        self.live = live  # a live database source: resume needs --not-consistent
        self.big = None  # the table the server faults wait for


# ------------------------------------------------------------ the state a kill leaves


def describe(state, counts):
    if state is None:
        return "no target file"
    if not state:
        return "no table"
    if state == counts:
        return "complete"
    half = [t for t, n in state.items() if 0 < n < counts.get(t, 0)]
    return (f"{len(state)}/{len(counts)} tables, {sum(state.values())}/{sum(counts.values())} rows"
            + (f", half-loaded: {', '.join(sorted(half))}" if half else ""))


def check_load_state(label, kind, jobs, state, counts):
    """What a kill -9 mid-load leaves, by what each engine promises today
    (docs/cli.md, the engines' README.md)."""
    complete = state == counts
    seen = describe(state, counts)
    extra = [t for t in (state or {}) if t not in counts]
    over = [t for t, n in (state or {}).items() if t in counts and n > counts[t]]
    expect(not extra, f"{label}: no table the load does not create", extra)
    expect(not over, f"{label}: no table holds more rows than the source", over)
    if kind == "sqlite":
        # A new file is built at PATH.partial and renamed when complete.
        expect(state is None or complete, f"{label}: the SQLite target is absent or complete", seen)
    elif kind == "postgresql" and jobs == 1:
        # One transaction: nothing, or everything once committed.
        expect(not state or complete, f"{label}: one transaction: no table, or all complete", seen)
    elif kind == "postgresql":
        # -j N: the tables are created and committed first, all at once; each
        # slice's writer then commits on its own.
        expect(not state or set(state) == set(counts), f"{label}: -j {jobs}: the tables were created together", seen)
    # MariaDB: DDL and each LOAD DATA commit as they go: any prefix, checked above.


# ------------------------------------------------------------ kill -9 during a load


class Reference:
    """A complete run into one engine: its events, its time, and what
    post-data created there (what every follow-up must end with)."""

    def __init__(self, events, seconds, objects):
        self.events = events
        self.seconds = seconds
        self.objects = objects


class Suite:
    def __init__(self, decant, cases, rng, work, resume):
        self.decant = decant
        self.cases = cases
        self.rng = rng
        self.work = work
        self.resume = resume
        self.refs = {}

    def reference(self, data, command, target):
        """The Reference of `data` into `target`'s engine, made once (it leaves `target` loaded)."""
        key = (data.name, target.kind)
        if key not in self.refs:
            source = data.archive if command == "import" else data.source_uri
            target.reset()
            began = time.monotonic()
            r = self.decant.faulted([command, source, target.uri], lambda ev: False, None)
            seconds = time.monotonic() - began
            expect(r.rc == 0, f"reference {data.name} -> {target.kind}: a complete {command}", r.stderr)
            target.settle()
            expect(target.state() == data.counts, f"reference {data.name} -> {target.kind}: the source's rows",
                   target.state())
            self.refs[key] = Reference(len(r.events), seconds, target.objects())
            print(f"     reference {data.name} -> {target.kind}: {len(r.events)} events, {seconds:.1f} s, "
                  f"{self.refs[key].objects}", flush=True)
        return self.refs[key]

    def kill_point(self, ref):
        """A random kill point: half the time at the k-th event of a complete
        run (run_finished left out), half the time at a random moment of a
        complete run's time (mostly mid-table). Returns (when, fault, note)."""
        if self.rng.random() < 0.5:
            k = self.rng.randint(1, max(1, ref.events - 1))
            return (lambda ev: len(ev) >= k), sigkill(0), f"at event {k}"
        delay = round(self.rng.uniform(0.0, ref.seconds), 3)
        return (lambda ev: len(ev) >= 1), sigkill(delay), f"at {delay} s"

    def kill_load(self, data, command, target, jobs, label):
        """kill -9 of `decant COMMAND SOURCE TARGET -j JOBS` at a random point,
        the state it left, then the follow-up and verify."""
        source = data.archive if command == "import" else data.source_uri
        with self.cases.case(label) as case:
            ref = self.reference(data, command, target)
            target.reset()
            when, fault, point = self.kill_point(ref)
            r = self.decant.faulted([command, source, target.uri, "-j", str(jobs)], when, fault)
            case.note(f"{point}: {r.where()}")
            if r.fired is None:
                expect(r.rc == 0, f"{label}: ended before the kill point, with exit 0", f"{r.rc}: {r.stderr}")
            target.settle()
            state = target.state()
            objects = target.objects() if state else None
            post = "" if not state or state != data.counts else (
                ", post-data complete" if objects == ref.objects else ", post-data unfinished")
            case.note(describe(state, data.counts) + post)
            check_load_state(label, target.kind, jobs, state, data.counts)
            if target.kind == "sqlite" or (target.kind == "postgresql" and jobs == 1):
                expect(not state or objects == ref.objects, f"{label}: one transaction: a complete target has "
                                                            f"its post-data objects", objects)
            self.follow_up(case, command, source, target, jobs, state, data, ref)

    def follow_up(self, case, command, source, target, jobs, state, data, ref):
        """After a fault left `state`: a rerun without --resume is refused
        (exit 5, target unchanged; once --resume exists, its line names it
        unless the load had ended), then --resume (or --clean) completes and
        the target equals a complete load."""
        label = case.name
        if state:
            r = self.decant.run(command, source, target.uri, "-j", str(jobs))
            ended = state == data.counts and target.objects() == ref.objects
            want = ["--resume"] if self.resume[command] and not ended else []
            check_one_line_error(r, 5, f"{label}: a rerun without --resume", want)
            target.settle()
            expect(target.state() == state, f"{label}: the refused rerun left the target as it was")
        if self.resume[command]:
            r = self.decant.run(*resume_args(command, source, target.uri, data.live), "-j", str(jobs))
            expect(r.returncode == 0, f"{label}: --resume completes", f"exit {r.returncode}: {r.stderr}")
        else:
            case.skip_resume(f"decant {command} has no --resume yet; rerun with --clean instead")
            r = self.decant.run(command, source, target.uri, "-j", str(jobs), "--clean")
            expect(r.returncode == 0, f"{label}: a rerun with --clean completes", f"exit {r.returncode}: {r.stderr}")
        self.check_complete(label, source, target, data, ref)

    def check_complete(self, label, source, target, data, ref):
        """The target holds exactly the source's rows, a complete load's
        post-data objects, and verify finds it equal to the source."""
        target.settle()
        state = target.state()
        expect(state == data.counts, f"{label}: the target holds exactly the source's rows",
               describe(state, data.counts))
        objects = target.objects()
        expect(objects == ref.objects, f"{label}: the target has the post-data objects of a complete load",
               f"{objects} vs {ref.objects}")
        r = self.decant.run("verify", source, target.uri)
        expect(r.returncode == 0, f"{label}: verify finds the source's data", f"exit {r.returncode}: "
                                                                             f"{r.stdout[-300:]} {r.stderr}")

    def resume_fresh(self, data, target, label):
        """--resume with nothing to resume (an empty target) loads from the start."""
        if not self.resume["import"]:
            self.cases.skip(label, "decant import has no --resume yet")
            return
        with self.cases.case(label):
            ref = self.reference(data, "import", target)
            target.reset()
            r = self.decant.run(*resume_args("import", data.archive, target.uri, False))
            expect(r.returncode == 0, f"{label}: exit 0", f"exit {r.returncode}: {r.stderr}")
            self.check_complete(label, data.archive, target, data, ref)

    def kill_export(self, data, label, directory, jobs):
        """kill -9 of an export: no archive at the final name; then resume (or
        a rerun) publishes one that verify finds equal to the source."""
        out = os.path.join(self.work, "killed.decant")
        form = ["--directory"] if directory else []
        with self.cases.case(label) as case:
            key = (data.name, "export" + str(directory))
            if key not in self.refs:
                began = time.monotonic()
                r = self.decant.faulted(["export", data.source_uri, "-o", out, *form], lambda ev: False, None)
                expect(r.rc == 0, f"reference export of {data.name}", r.stderr)
                self.refs[key] = Reference(len(r.events), time.monotonic() - began, None)
            remove(out)
            remove(out + ".partial")
            when, fault, point = self.kill_point(self.refs[key])
            args = ["export", data.source_uri, "-o", out, "-j", str(jobs), *form]
            r = self.decant.faulted(args, when, fault)
            case.note(f"{point}: {r.where()}")
            if r.fired is None:
                expect(r.rc == 0, f"{label}: ended before the kill point, with exit 0", f"{r.rc}: {r.stderr}")
            published = os.path.exists(out)
            if not published:
                case.note("no archive" + (", a .partial left" if os.path.exists(out + ".partial") else ""))
            else:
                # Published means complete.
                v = self.decant.run("verify", data.source_uri, out)
                expect(v.returncode == 0, f"{label}: an archive at the final name is complete", v.stdout + v.stderr)
                case.note("published before the kill")
            if self.resume["export"] and directory:  # a single file is written again
                r = self.decant.run(*resume_args("export", data.source_uri, out, data.live), "-j", str(jobs),
                                    *form, *(["--force"] if published else []))
                expect(r.returncode == 0, f"{label}: export --resume completes", f"{r.returncode}: {r.stderr}")
            else:
                if directory:
                    case.skip_resume("decant export has no --resume yet; rerun instead")
                r = self.decant.run(*args, *(["--force"] if published else []))
                expect(r.returncode == 0, f"{label}: a rerun completes over the .partial", f"{r.returncode}: "
                                                                                           f"{r.stderr}")
            expect(not os.path.exists(out + ".partial"), f"{label}: no .partial is left")
            v = self.decant.run("verify", data.source_uri, out)
            expect(v.returncode == 0, f"{label}: verify finds the archive equal to the source",
                   f"{v.returncode}: {v.stdout[-300:]} {v.stderr}")
            remove(out)


# ------------------------------------------------------------ server faults


def started(table):
    """when(): the big table's first rows were read (its name with or without a schema)."""
    return lambda events: any(e.get("event") == "table_started" and e.get("table", "").split(".")[-1] == table
                              for e in events)


def server_fault_load(suite, data, label, target, jobs, fault, what):
    """`fault` (a server restarted, a backend killed) while decant imports the
    big table: exit 6 and one line, the state by the engine's promise, then
    the follow-up and verify."""
    with suite.cases.case(label) as case:
        ref = suite.reference(data, "import", target)
        target.reset()
        delay = round(suite.rng.uniform(0.05, 0.3), 3)

        def inject(proc):
            time.sleep(delay)
            if proc.poll() is not None:
                return False
            fault()
            return True

        r = suite.decant.faulted(["import", data.archive, target.uri, "-j", str(jobs)], started(data.big), inject)
        case.note(f"{what} {delay} s into {data.big}")
        expect(r.fired is not None, f"{label}: the fault came while decant loaded", f"exit {r.rc}")
        if r.fired is not None:
            check_one_line_error(r, 6, label)
            case.note(error_text(r))
        target.settle()
        state = target.state()
        case.note(describe(state, data.counts))
        check_load_state(label, target.kind, jobs, state, data.counts)
        # The line names the state it left (docs/reliability.md): tables left
        # behind are a partly written target that --resume continues.
        if r.fired is not None and loaded(state):
            expect("partly written" in r.stderr and "--resume" in r.stderr,
                   f"{label}: the error says the target is partly written and --resume continues it", r.stderr)
        suite.follow_up(case, "import", data.archive, target, jobs, state, data, ref)


def source_restart_export(suite, data, pg, label, lock):
    """The source server (private PostgreSQL) restarted while export reads it.
    A session holding an ACCESS EXCLUSIVE lock on table `lock` makes export
    wait where it first touches that table (the big table, which has
    indexes: while the schema is read; a table without any: while its size
    is estimated, after which export goes on into the data on the lost
    connection), so the restart surely comes mid-export."""
    out = os.path.join(suite.work, "source_restart.decant")
    db = PgTarget(pg.base, data.db)
    with suite.cases.case(label) as case:
        remove(out)
        locker = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", data.source_uri],
                                  stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  text=True)
        try:
            locker.stdin.write(f"BEGIN; LOCK TABLE {lock} IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600);\n")
            locker.stdin.flush()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not db.locked(lock):
                time.sleep(0.05)

            def waiting(events):
                return bool(events) and db.waiting_on_lock()

            def inject(proc):
                if proc.poll() is not None:
                    return False
                pg.restart()
                return True

            r = suite.decant.faulted(["export", "--directory", data.source_uri, "-o", out], waiting, inject,
                                     timeout=300)
        finally:
            locker.kill()
            locker.wait()
        expect(r.fired is not None, f"{label}: the restart came while export read", f"exit {r.rc}")
        check_one_line_error(r, 6, label)
        case.note(f"{r.where()}: {error_text(r)}")
        expect(not os.path.exists(out), f"{label}: no archive is published")
        case.note("no archive" + (", a .partial left" if os.path.exists(out + ".partial") else ""))
        if suite.resume["export"]:
            r = suite.decant.run(*resume_args("export", data.source_uri, out, True), "--directory")
            expect(r.returncode == 0, f"{label}: export --resume --not-consistent completes",
                   f"{r.returncode}: {r.stderr}")
        else:
            case.skip_resume("decant export has no --resume yet; rerun instead")
            r = suite.decant.run("export", "--directory", data.source_uri, "-o", out)
            expect(r.returncode == 0, f"{label}: a rerun completes", f"{r.returncode}: {r.stderr}")
        expect(not os.path.exists(out + ".partial"), f"{label}: no .partial is left")
        v = suite.decant.run("verify", data.source_uri, out)
        expect(v.returncode == 0, f"{label}: verify finds the archive equal to the source",
               f"{v.returncode}: {v.stdout[-300:]} {v.stderr}")
        remove(out)


def private_servers(suite, data, bindir):
    """Restarts of private server instances: the target PostgreSQL and
    MariaDB mid-import, the source PostgreSQL mid-export."""
    pg = None
    try:
        pg = PrivatePostgres(bindir)
        for jobs in (1, 2):
            server_fault_load(suite, data, f"target restart: postgresql -j{jobs}",
                              PgTarget(pg.base, f"{PREFIX}restart{jobs}"), jobs, pg.restart, "pg_ctl restart -m fast")
        srcdb = PgTarget(pg.base, f"{PREFIX}source")
        srcdb.reset()
        r = suite.decant.run("import", data.archive, srcdb.uri)
        expect(r.returncode == 0, "the private source is loaded", r.stderr)
        # A table without index or key: export first waits for it when it estimates its size.
        pg_rows(srcdb.uri, "CREATE TABLE unindexed (n integer); INSERT INTO unindexed SELECT generate_series(1, 1000)")
        live = Dataset("private", srcdb.uri, None, None, live=True)
        live.db = srcdb.name
        source_restart_export(suite, live, pg, "source restart: export (schema read)", data.big)
        source_restart_export(suite, live, pg, "source restart: export (size estimate)", "unindexed")
    except (subprocess.CalledProcessError, RuntimeError) as e:
        expect(False, "the private PostgreSQL", e)
    finally:
        if pg:
            pg.close()
    my = None
    try:
        my = PrivateMariadb()
        server_fault_load(suite, data, "target restart: mariadb -j2", MysqlTarget(my.server, f"{PREFIX}restart"), 2,
                          my.restart, "mariadbd restarted")
    except (subprocess.CalledProcessError, RuntimeError) as e:
        expect(False, "the private MariaDB", e)
    finally:
        if my:
            my.close()


# ------------------------------------------------------------ disk full


class Tmpfs:
    """A small tmpfs, which fill() fills up to `leave` bytes."""

    def __init__(self, path, size_mb=8):
        self.path = path
        os.makedirs(path, exist_ok=True)
        try:
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0755", "tmpfs", path], check=True,
                           capture_output=True)
        except subprocess.CalledProcessError:
            os.rmdir(path)
            raise

    def fill(self, leave):
        filler = os.path.join(self.path, "filler")
        remove(filler)
        st = os.statvfs(self.path)
        with open(filler, "wb") as f:
            f.write(b"\0" * max(0, st.f_bavail * st.f_frsize - leave))

    def close(self):
        subprocess.run(["umount", self.path], capture_output=True)
        os.rmdir(self.path)


DISK_CASES = ("disk full: export", "disk full: export --directory", "disk full: new SQLite target",
              "disk full: existing SQLite target")


def disk_full(suite, data, small):
    """The archive and a SQLite target on a full tmpfs: exit 7, one line."""
    why = None if os.geteuid() == 0 else "not root (mounting a tmpfs needs it)"
    if why is None and shutil.which("mount") is None:
        why = "no mount command"
    fs = None
    if why is None:
        try:
            fs = Tmpfs(os.path.join(suite.work, "full"))
        except subprocess.CalledProcessError as e:
            lines = (e.stderr or b"").decode(errors="replace").strip().splitlines()
            why = "cannot mount a tmpfs: " + (lines[0] if lines else f"mount exited {e.returncode}")
    if why:
        for name in DISK_CASES:
            suite.cases.skip(name, why)
        return
    leave = 256 * 1024
    try:
        out = os.path.join(fs.path, "out.decant")
        with suite.cases.case(DISK_CASES[0]) as case:
            r = suite.decant.run("export", small.source_uri, "-o", out)
            expect(r.returncode == 0, "disk full: a small previous archive is written first", r.stderr)
            before = sha256(out)
            fs.fill(leave)
            r = suite.decant.run("export", data.source_uri, "-o", out, "--force")
            check_one_line_error(r, 7, "disk full: export --force over a previous archive", ["No space left"])
            expect(sha256(out) == before, "disk full: the previous archive is byte-for-byte intact")
            expect(not os.path.exists(out + ".partial"), "disk full: no .partial is left")
            v = suite.decant.run("verify", small.source_uri, out)
            expect(v.returncode == 0, "disk full: the previous archive still verifies", v.stdout + v.stderr)
            case.note(error_text(r))
            remove(out)
        with suite.cases.case(DISK_CASES[1]) as case:
            # Two writers race to the full disk: three runs, each must report the full disk.
            for attempt in range(1, 4):
                fs.fill(leave)
                r = suite.decant.run("export", data.source_uri, "-o", out, "--directory", "-j", "2")
                check_one_line_error(r, 7, f"disk full: export --directory -j 2 (run {attempt})", ["No space left"])
                # A .partial stays only with the tables it completed, for --resume, and the line says so.
                kept = os.path.exists(out + ".partial")
                expect(not os.path.exists(out) and (not kept or "--resume" in r.stderr),
                       f"disk full: no archive directory, and no .partial unless the line names --resume "
                       f"(run {attempt})", sorted(os.listdir(fs.path)))
                remove(out + ".partial")
            case.note(error_text(r))
        with suite.cases.case(DISK_CASES[2]) as case:
            target = SqliteTarget(os.path.join(fs.path, "new.db"))
            fs.fill(leave)
            r = suite.decant.run("import", data.archive, target.uri)
            check_one_line_error(r, 7, "disk full: import into a new SQLite file", ["full"])
            left = sorted(os.listdir(fs.path))
            expect(left == ["filler"], "disk full: nothing is left beside the filler", left)
            case.note(error_text(r))
        with suite.cases.case(DISK_CASES[3]) as case:
            target = SqliteTarget(os.path.join(fs.path, "old.db"))
            remove(os.path.join(fs.path, "filler"))
            db = sqlite3.connect(target.path)
            db.executescript("CREATE TABLE keep (id INTEGER PRIMARY KEY, v TEXT); "
                             "INSERT INTO keep VALUES (1, 'one'), (2, 'two');")
            db.close()
            before = sha256(target.path)
            fs.fill(leave)
            r = suite.decant.run("import", data.archive, target.uri, "--append")
            check_one_line_error(r, 7, "disk full: import --append into an existing SQLite file", ["full"])
            expect(sha256(target.path) == before, "disk full: the existing SQLite file is byte-for-byte unchanged")
            left = sorted(os.listdir(fs.path))
            expect(left == ["filler", "old.db"], "disk full: no journal or .partial is left", left)
            case.note(error_text(r))
    finally:
        fs.close()


def error_text(r):
    lines = [line for line in r.stderr.splitlines() if line.startswith("decant: error:")]
    return lines[0][len("decant: error: "):][:100] if lines else f"exit {r.returncode}"


# ------------------------------------------------------------ main


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    binary, shared = os.path.abspath(sys.argv[1]), sys.argv[2]
    seed = int(os.environ.get("DECANT_FAULT_SEED") or random.SystemRandom().randrange(1, 10**6))
    points = int(os.environ.get("DECANT_FAULT_POINTS", "1"))
    big_rows = int(os.environ.get("DECANT_FAULT_ROWS", "250000"))
    print(f"seed {seed} (DECANT_FAULT_SEED={seed} replays it), {points} kill point(s) per configuration", flush=True)
    rng = random.Random(seed)
    # ctest's timeout or a kill: unwind, so the private servers stop and the tmpfs is unmounted.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    began = time.monotonic()
    work = tempfile.mkdtemp(prefix="flt_faults_", dir="/var/tmp")
    decant = Decant(binary, work)
    cases = Cases()
    resume = resume_support(decant)
    for command, has in resume.items():
        if not has:
            print(f"SKIP resume: decant {command} has no --resume yet: each case's resume step is skipped "
                  f"(one line) and a clean rerun is checked instead", flush=True)
    suite = Suite(decant, cases, rng, work, resume)
    pg_base = os.environ.get("DECANT_TEST_PG15_URI")
    my_uri = os.environ.get("DECANT_TEST_MYSQL_URI")
    my_defaults = os.environ.get("DECANT_TEST_MYSQL_DEFAULTS_FILE")
    mysql = MysqlServer(my_uri, my_defaults) if my_uri and my_defaults else None
    made = []  # databases to drop at the end

    def target(engine, name):
        if engine == "sqlite":
            return SqliteTarget(os.path.join(work, name + ".db"))
        db = f"{PREFIX}{name}_{os.getpid()}"
        t = PgTarget(pg_base, db) if engine == "postgresql" else MysqlTarget(mysql, db)
        made.append(t)
        return t

    try:
        src = os.path.join(work, "src.db")
        counts = make_source(src, big_rows)
        archive = os.path.join(work, "src.decant")
        r = decant.run("export", "sqlite:" + src, "-o", archive)
        if r.returncode != 0:
            print(f"FAIL the dataset's archive: {r.stderr.strip()}")
            return 1
        data = Dataset("gen", "sqlite:" + src, archive, counts)
        data.big = "event"
        small_src = os.path.join(work, "small.db")
        db = sqlite3.connect(small_src)
        db.executescript("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b');")
        db.close()
        small = Dataset("small", "sqlite:" + small_src, None, {"t": 2})

        engines = ["sqlite"]
        if pg_base:
            engines.append("postgresql")
        else:
            cases.skip("postgresql", "DECANT_TEST_PG15_URI is not set (source scripts/servers/postgresql.sh env)")
        if mysql:
            engines.append("mariadb")
        else:
            cases.skip("mariadb", "DECANT_TEST_MYSQL_URI is not set (source scripts/servers/mariadb.sh env)")

        # kill -9: export, import and migrate into each engine, -j 1 and -j 2.
        for p in range(1, points + 1):
            suite.kill_export(data, f"kill export #{p}", False, 1)
            suite.kill_export(data, f"kill export --directory -j2 #{p}", True, 2)
            for engine in engines:
                for jobs in (1, 2):
                    for command in ("import", "migrate"):
                        suite.kill_load(data, command, target(engine, f"{command[0]}{jobs}{engine[:2]}"), jobs,
                                        f"kill {command} {engine} -j{jobs} #{p}")

        for engine in engines:
            suite.resume_fresh(data, target(engine, f"fresh{engine[:2]}"), f"resume, nothing to resume: {engine}")

        # A live database as the migrate source (its resume needs --not-consistent).
        if pg_base and mysql:
            pgsrc = target("postgresql", "livesrc")
            pgsrc.reset()
            r = decant.run("import", archive, pgsrc.uri)
            expect(r.returncode == 0, "the live source is loaded", r.stderr)
            live = Dataset("live", pgsrc.uri, None, counts, live=True)
            for p in range(1, points + 1):
                suite.kill_load(live, "migrate", target("mariadb", "livemy"), 2,
                                f"kill migrate postgresql->mariadb -j2 #{p}")

        # The second dataset: Chinook, when ../shared/samples has it.
        chinook = os.path.join(shared, "samples", "chinook", "Chinook_Sqlite.sqlite")
        if os.path.exists(chinook):
            ch_archive = os.path.join(work, "chinook.decant")
            r = decant.run("export", "sqlite:" + chinook, "-o", ch_archive)
            expect(r.returncode == 0, "Chinook's archive", r.stderr)
            ch = Dataset("chinook", "sqlite:" + chinook, ch_archive, sqlite_counts(chinook))
            for engine in engines:
                for jobs in (1, 2):
                    suite.kill_load(ch, "import", target(engine, f"ch{jobs}{engine[:2]}"), jobs,
                                    f"kill import chinook {engine} -j{jobs}")
        else:
            cases.skip("chinook", f"{chinook} is absent")

        # Decant's backend killed on the shared servers.
        if pg_base:
            for jobs in (1, 2):
                t = target("postgresql", f"term{jobs}")
                server_fault_load(suite, data, f"pg_terminate_backend import -j{jobs}", t, jobs,
                                  t.terminate_backends, "pg_terminate_backend")
        if mysql:
            for jobs in (1, 2):
                t = target("mariadb", f"kill{jobs}")
                server_fault_load(suite, data, f"KILL CONNECTION import -j{jobs}", t, jobs, t.kill_connections,
                                  "KILL CONNECTION")

        # Private servers, restarted.
        why = can_run_private_servers()
        bindir = os.environ.get("DECANT_TEST_PG_BINDIR_15", "/usr/lib/postgresql/15/bin")
        if why is None and not os.path.exists(os.path.join(bindir, "initdb")):
            why = f"no {bindir}/initdb"
        if why:
            for name in ("target restart: postgresql", "target restart: mariadb", "source restart: export"):
                cases.skip(name, why)
        else:
            private_servers(suite, data, bindir)

        disk_full(suite, data, small)
    finally:
        for t in made:
            try:
                t.drop()
            except Exception as e:  # noqa: BLE001 (cleanup goes on)
                print(f"cleanup: {t.name}: {e}")
        shutil.rmtree(work, ignore_errors=True)

    print(f"\nfault injection (seed {seed}), {time.monotonic() - began:.0f} s:")
    print(cases.table())
    if failures:
        print(f"\n{len(failures)} check(s) failed (replay with DECANT_FAULT_SEED={seed}):")
        for f in failures:
            print("  " + f)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

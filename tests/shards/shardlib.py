"""What the shard tests share (run_test.py: export; migrate_test.py: migrate):
checks, subprocess helpers, and the writer that changes the source while the
shards run."""
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from scriptlib import SKIP, check, failures, psql  # noqa: E402,F401 (re-exported to the shard tests)


def with_db(uri, db):
    base, _, _ = uri.rpartition("/")
    return base + "/" + db


def run(decant, *args, timeout=300, env=None):
    return subprocess.run([decant, "--progress", "none", *args], capture_output=True, text=True, timeout=timeout,
                          env=env)


def one_line(stderr):
    """One line of error (the coordinator's hint, printed before it waits, aside)."""
    lines = [l for l in stderr.splitlines() if l.strip() and not l.startswith("decant: snapshot ")]
    return len(lines) == 1


class Writer:
    """The 4th process: a psql session that inserts, updates and deletes rows,
    each statement its own transaction, until stopped."""

    def __init__(self, uri, tables):
        self.proc = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", uri],
                                     stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self.tables = tables
        self.statements = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        i = 0
        while not self.stop.is_set():
            t = self.tables[i % len(self.tables)]
            sql = [f"INSERT INTO {t} (n, txt, amount) VALUES ({-i}, 'new {i}', {i}.5);",
                   f"UPDATE {t} SET txt = 'changed {i}', amount = amount + 1 WHERE id % 97 = {i % 97};",
                   f"DELETE FROM {t} WHERE id % 211 = {i % 211};"][i % 3]
            try:
                self.proc.stdin.write(sql + "\n")
                self.proc.stdin.flush()
            except BrokenPipeError:
                return
            self.statements += 1
            i += 1
            time.sleep(0.002)

    def finish(self):
        self.stop.set()
        self.thread.join()
        self.proc.stdin.close()
        return self.proc.wait(timeout=60)




def make_source(base, db):
    """Creates database DB on the server of BASE (a PostgreSQL URI): eight
    tables of 3,000 to 24,000 rows, a child table whose foreign key cascades
    (so the writer's deletes reach it), an empty table and a view. Returns its
    URI and the tables the writer changes."""
    src = with_db(base, db)
    psql(base, f"DROP DATABASE IF EXISTS {db}")
    psql(base, f"CREATE DATABASE {db}")
    tables = [f"shd_t{i}" for i in range(8)]
    ddl = []
    for i, t in enumerate(tables):
        ddl.append(f"CREATE TABLE {t} (id serial PRIMARY KEY, n integer, txt text, amount numeric(12,2), "
                   f"at timestamptz DEFAULT '2026-01-01 00:00:00+00');")
        ddl.append(f"INSERT INTO {t} (n, txt, amount) SELECT g, repeat(md5(g::text), {1 + i % 4}), g * 1.25 "
                   f"FROM generate_series(1, {3000 * (i + 1)}) g;")
    ddl.append("CREATE INDEX shd_t7_n ON shd_t7 (n);")
    ddl.append("CREATE TABLE shd_child (id serial PRIMARY KEY, parent integer NOT NULL "
               "REFERENCES shd_t7 (id) ON DELETE CASCADE, note text);")
    ddl.append("INSERT INTO shd_child (parent, note) SELECT g, 'child ' || g FROM generate_series(1, 6000) g;")
    ddl.append("CREATE TABLE shd_empty (k text PRIMARY KEY);")
    ddl.append("CREATE VIEW shd_view AS SELECT count(*) AS c FROM shd_t0;")
    ddl.append("ANALYZE;")
    psql(src, " ".join(ddl))
    return src, tables

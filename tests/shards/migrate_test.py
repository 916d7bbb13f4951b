#!/usr/bin/env python3
"""Sharded migrate end to end (issue 15, docs/scale.md "Sharded migrate").

A coordinator (`decant migrate SRC DST --coordinate --shards 3 --state DIR`)
creates the tables in the target, holds one PostgreSQL 15 snapshot and waits;
three worker processes (`--shard I/3`) load their units from that snapshot
while a fifth process keeps changing the source; the coordinator then adds the
keys, indexes, sequence values and views. The target must equal, row for row
(`decant verify`), a single-process `decant export --snapshot ID` of the same
snapshot, with its keys there; this for a PostgreSQL 18 target (the newest
server; PostgreSQL 15 without it) and a MariaDB target. Then the failures: a
worker that fails midway (the coordinator stops at once and drops the tables
with the rows), a rerun of that worker (refused: its rows may be in the
target), the wait timeout, and the refusals of option combinations and of
targets several processes cannot load.

Usage: migrate_test.py DECANT_BINARY. Exit 77 (skip) without
DECANT_TEST_PG15_URI (source "$(bash scripts/servers/postgresql.sh env)");
the MariaDB part is skipped, with one line, without DECANT_TEST_MYSQL_URI.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile

from shardlib import SKIP, Writer, check, failures, make_source, one_line, psql, run, with_db

DB = "shdm_src"
TARGET = "shdm_dst"


def mariadb(sql):
    return subprocess.run(["mariadb", "--defaults-file=" + os.environ["DECANT_TEST_MYSQL_DEFAULTS_FILE"], "-N", "-e",
                           sql], capture_output=True, text=True, check=True).stdout


class PgTarget:
    def __init__(self, base):
        self.base = base
        self.uri = with_db(base, TARGET)
        self.name = "PostgreSQL " + subprocess.run(["psql", "-X", "-At", "-d", base, "-c", "SHOW server_version_num"],
                                                   capture_output=True, text=True, check=True).stdout.strip()[:2]

    def reset(self):
        psql(self.base, f"DROP DATABASE IF EXISTS {TARGET}")
        psql(self.base, f"CREATE DATABASE {TARGET}")

    def query(self, sql):
        return subprocess.run(["psql", "-X", "-At", "-F", " ", "-v", "ON_ERROR_STOP=1", "-d", self.uri, "-c", sql],
                              capture_output=True, text=True, check=True).stdout.split()

    def tables(self):
        return int(self.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")[0])

    def keys(self):
        """(primary keys, foreign keys that are valid)"""
        p, f = self.query("SELECT count(*) FILTER (WHERE contype = 'p'), count(*) FILTER (WHERE contype = 'f' "
                          "AND convalidated) FROM pg_constraint WHERE connamespace = 'public'::regnamespace")
        return int(p), int(f)

    def drop(self):
        psql(self.base, f"DROP DATABASE IF EXISTS {TARGET}")


class MariaTarget:
    def __init__(self, base):
        self.uri = f"{base}{TARGET}?defaults-file={os.environ['DECANT_TEST_MYSQL_DEFAULTS_FILE']}"
        self.name = "MariaDB"

    def reset(self):
        mariadb(f"DROP DATABASE IF EXISTS {TARGET}; CREATE DATABASE {TARGET}")

    def tables(self):
        return int(mariadb(f"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{TARGET}' "
                           "AND table_type = 'BASE TABLE'").strip())

    def keys(self):
        p = mariadb(f"SELECT count(*) FROM information_schema.table_constraints WHERE table_schema = '{TARGET}' "
                    "AND constraint_type = 'PRIMARY KEY'").strip()
        f = mariadb(f"SELECT count(*) FROM information_schema.table_constraints WHERE table_schema = '{TARGET}' "
                    "AND constraint_type = 'FOREIGN KEY'").strip()
        return int(p), int(f)

    def drop(self):
        mariadb(f"DROP DATABASE IF EXISTS {TARGET}")


def start(decant, *args, env=None):
    return subprocess.Popen([decant, "--progress", "none", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def sharded_migrate(decant, src, tables, target, work):
    """Coordinator and three workers under concurrent writes; the target must
    equal a single-process export of the snapshot."""
    target.reset()
    state = os.path.join(work, "state-" + target.name.replace(" ", ""))
    full = os.path.join(work, "single-" + target.name.replace(" ", "") + ".d")
    writer = Writer(src, tables)
    coordinator = None
    try:
        coordinator = start(decant, "migrate", src, target.uri, "--coordinate", "--shards", "3", "-j", "2",
                            "--state", state, "--wait-timeout", "600")
        snapshot = coordinator.stdout.readline().strip()
        check(snapshot != "" and os.path.exists(os.path.join(state, "shards", "plan.json")),
              f"{target.name}: the coordinator prints the snapshot ID ({snapshot}) once the plan is written")
        check(target.tables() == 10, f"{target.name}: the coordinator created the 10 tables before the workers")
        r = run(decant, "export", src, "--snapshot", snapshot, "--directory", "-j", "2", "-o", full)
        check(r.returncode == 0, f"a single-process export of the snapshot: exit {r.returncode} {r.stderr.strip()}")
        r = run(decant, "migrate", src, target.uri, "--shard", "0/2", "--state", state)
        check(r.returncode == 2 and one_line(r.stderr) and "3 shards" in r.stderr,
              f"{target.name}: a worker with another N is refused: exit {r.returncode} {r.stderr.strip()}")
        workers = [start(decant, "migrate", src, target.uri, "--shard", f"{i}/3", "-j", "2", "--state", state,
                         "--snapshot", snapshot) for i in (0, 1)]
        for i, w in enumerate(workers):
            _, err = w.communicate(timeout=300)
            check(w.returncode == 0, f"{target.name}: shard {i}/3: exit {w.returncode} {err.strip()}")
        r = run(decant, "migrate", src, target.uri, "--shard", "1/3", "--state", state)
        check(r.returncode == 0 and one_line(r.stderr) and "done already" in r.stderr,
              f"{target.name}: a shard run again after it finished does nothing: exit {r.returncode} "
              f"{r.stderr.strip()}")
        check(coordinator.poll() is None, f"{target.name}: the coordinator still waits with shard 2 missing")
        r = run(decant, "migrate", src, target.uri, "--shard", "2/3", "--state", state)
        check(r.returncode == 0, f"{target.name}: shard 2/3: exit {r.returncode} {r.stderr.strip()}")
        try:
            _, err = coordinator.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            coordinator.kill()
            _, err = coordinator.communicate()
        check(coordinator.returncode == 0, f"{target.name}: the coordinator finishes: exit {coordinator.returncode} "
              f"{err.strip()}")
        check(not os.path.exists(state), f"{target.name}: the state directory is removed")
    finally:
        writer.finish()
        if coordinator and coordinator.poll() is None:
            coordinator.kill()
    check(writer.statements > 50, f"the writer changed the source meanwhile ({writer.statements} statements)")
    r = run(decant, "verify", full, target.uri)
    check(r.returncode == 0, f"{target.name}: verify target vs single-process export of the snapshot: exit "
          f"{r.returncode} {r.stdout.strip()[-400:]} {r.stderr.strip()}")
    r = run(decant, "verify", src, target.uri)
    check(r.returncode == 1, f"{target.name}: verify target vs the source as it is now differs: exit {r.returncode}")
    primary, foreign = target.keys()
    check(primary == 10 and foreign == 1, f"{target.name}: 10 primary keys and the foreign key, added by the "
          f"coordinator after the rows: {primary}, {foreign}")


def failures_and_refusals(decant, src, target, work):
    # A worker that fails midway: the coordinator stops at once and drops the
    # tables, with the rows the workers loaded; a rerun of the worker is refused.
    target.reset()
    state = os.path.join(work, "state-failed")
    c = start(decant, "migrate", src, target.uri, "--coordinate", "--shards", "2", "--state", state,
              "--wait-timeout", "120")
    c.stdout.readline()
    r = run(decant, "migrate", src, target.uri, "--shard", "1/2", "--state", state)
    check(r.returncode == 0, f"shard 1/2 loads: exit {r.returncode} {r.stderr.strip()}")
    env = dict(os.environ, DECANT_TEST_INTERRUPT_AFTER_BATCHES="2")
    r = run(decant, "migrate", src, target.uri, "--shard", "0/2", "--state", state, env=env)
    check(r.returncode == 130 and one_line(r.stderr), f"shard 0/2 interrupted midway: exit {r.returncode} "
          f"{r.stderr.strip()}")
    _, err = c.communicate(timeout=120)
    check(c.returncode == 5 and one_line(err) and "shard 0/2 failed" in err and "dropped" in err,
          f"the coordinator stops when a shard fails, naming it: exit {c.returncode} {err.strip()}")
    check(target.tables() == 0, f"the tables the load created are dropped, rows and all ({target.tables()} left)")
    r = run(decant, "migrate", src, target.uri, "--shard", "0/2", "--state", state)
    check(r.returncode == 5 and one_line(r.stderr) and "snapshot" in r.stderr,
          f"a rerun of the failed shard, its coordinator gone, is refused: exit {r.returncode} {r.stderr.strip()}")

    # A worker killed (kill -9, a lost machine) leaves its claim and nothing
    # else: a rerun while the coordinator waits is refused, since rows of the
    # first run may be in the target.
    target.reset()
    state = os.path.join(work, "state-killed")
    c = start(decant, "migrate", src, target.uri, "--coordinate", "--shards", "2", "--state", state)
    c.stdout.readline()
    # What a worker killed after its claim leaves: the claim, no part, no failure.
    with open(os.path.join(state, "shards", "claim-0-run-0-0badc0de"), "w") as f:
        f.write("run-0-0badc0de\n")
    r = run(decant, "migrate", src, target.uri, "--shard", "0/2", "--state", state)
    check(r.returncode == 5 and one_line(r.stderr) and "started before" in r.stderr,
          f"a rerun of a shard that was started before is refused: exit {r.returncode} {r.stderr.strip()}")
    c.send_signal(signal.SIGTERM)
    _, err = c.communicate(timeout=60)
    check(c.returncode == 143 and one_line(err) and target.tables() == 0,
          f"SIGTERM to the coordinator: exit 143, its tables dropped: exit {c.returncode} {err.strip()}")

    # A part that never comes.
    target.reset()
    state = os.path.join(work, "state-late")
    c = start(decant, "migrate", src, target.uri, "--coordinate", "--shards", "2", "--state", state,
              "--wait-timeout", "3")
    c.stdout.readline()
    _, err = c.communicate(timeout=120)
    check(c.returncode == 5 and one_line(err) and "shard 0/2" in err and target.tables() == 0,
          f"the coordinator times out naming the first missing shard and drops its tables: exit {c.returncode} "
          f"{err.strip()}")

    # Ctrl-C to a waiting coordinator: exit 130, its tables dropped.
    target.reset()
    state = os.path.join(work, "state-stopped")
    c = start(decant, "migrate", src, target.uri, "--coordinate", "--shards", "2", "--state", state)
    c.stdout.readline()
    created = target.tables()
    c.send_signal(signal.SIGINT)
    _, err = c.communicate(timeout=60)
    check(c.returncode == 130 and one_line(err) and created == 10 and target.tables() == 0,
          f"an interrupted coordinator exits 130 and drops the {created} tables it created: exit {c.returncode} "
          f"{err.strip()}")

    # A target that is not empty is refused before anything is written.
    if isinstance(target, PgTarget):
        target.reset()
        psql(target.uri, "CREATE TABLE shd_t0 (x integer)")
        r = run(decant, "migrate", src, target.uri, "--coordinate", "--shards", "2", "--state",
                os.path.join(work, "state-full"))
        check(r.returncode == 5 and one_line(r.stderr) and "not empty" in r.stderr and
              not os.path.exists(os.path.join(work, "state-full")),
              f"a non-empty target is refused, no state written: exit {r.returncode} {r.stderr.strip()}")

    # Refusals that need no worker.
    sqlite_db = os.path.join(work, "t.db")
    r = run(decant, "migrate", src, "sqlite:///" + sqlite_db, "--coordinate", "--shards", "2", "--state",
            os.path.join(work, "s1"))
    check(r.returncode == 2 and one_line(r.stderr) and "several processes" in r.stderr,
          f"a SQLite target is refused: exit {r.returncode} {r.stderr.strip()}")
    subprocess.run(["sqlite3", sqlite_db, "CREATE TABLE t (a integer); INSERT INTO t VALUES (1);"], check=True)
    r = run(decant, "migrate", "sqlite:///" + sqlite_db, target.uri, "--coordinate", "--shards", "2", "--state",
            os.path.join(work, "s2"))
    check(r.returncode == 2 and one_line(r.stderr) and "snapshot" in r.stderr,
          f"a SQLite source is refused: exit {r.returncode} {r.stderr.strip()}")
    for args, what in [(["--coordinate", "--shards", "2"], "--coordinate without --state"),
                       (["--shard", "0/2", "--state", "x", "--clean"], "--clean on a worker"),
                       (["--coordinate", "--shards", "2", "--state", "x", "--data-only"], "--data-only"),
                       (["--coordinate", "--shards", "2", "--state", "x", "--format", "json"], "--format"),
                       (["--coordinate", "--shards", "2", "--state", "x", "--force"], "--force"),
                       (["--state", "x"], "--state alone"),
                       (["--shard", "0/2", "--state", "x", "--wait-timeout", "3"], "--wait-timeout on a worker")]:
        r = run(decant, "migrate", src, target.uri, *args)
        check(r.returncode == 2 and one_line(r.stderr), f"{what} is refused: exit {r.returncode} {r.stderr.strip()}")
    r = run(decant, "migrate", src, target.uri, "--shard", "0/2", "--state", os.path.join(work, "none"))
    check(r.returncode != 0 and one_line(r.stderr) and "no shard plan" in r.stderr,
          f"a worker without a coordinator's plan: exit {r.returncode} {r.stderr.strip()}")


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    decant = os.path.abspath(sys.argv[1])
    base = os.environ.get("DECANT_TEST_PG15_URI")
    if not base:
        print("skip: DECANT_TEST_PG15_URI is not set (source scripts/servers/postgresql.sh env)")
        return SKIP
    os.environ.setdefault("DECANT_PG_MIN_SLICE_BYTES", "65536")  # tables split over the shards
    src, tables = make_source(base, DB)
    targets = [PgTarget(os.environ.get("DECANT_TEST_PG_NEW_URI") or base)]
    if os.environ.get("DECANT_TEST_MYSQL_URI") and os.environ.get("DECANT_TEST_MYSQL_DEFAULTS_FILE"):
        targets.append(MariaTarget(os.environ["DECANT_TEST_MYSQL_URI"]))
    else:
        print("skip: the MariaDB target (DECANT_TEST_MYSQL_URI is not set; scripts/servers/mariadb.sh)")
    work = tempfile.mkdtemp(prefix="shdm_")
    for target in targets:
        sharded_migrate(decant, src, tables, target, work)
    failures_and_refusals(decant, src, targets[0], work)
    if not failures:
        if not os.environ.get("DECANT_TEST_KEEP_DIR"):  # kept for tests/security/password_grep.py
            shutil.rmtree(work)
        psql(base, f"DROP DATABASE IF EXISTS {DB}")
        for target in targets:
            target.drop()
    else:
        print(f"left for inspection: {work}")
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

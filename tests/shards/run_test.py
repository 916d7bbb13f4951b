#!/usr/bin/env python3
"""Shards end to end (issue 15, docs/scale.md), through the decant binary.

A coordinator (`decant export --coordinate --shards 3`) and three worker
processes (`--shard I/3`) export one PostgreSQL 15 database from one snapshot
while a fourth process keeps inserting, updating and deleting rows in it; the
joined archive must equal, row for row (`decant verify`), a single-process
`decant export --snapshot ID` of the same snapshot taken while the coordinator
still holds it, and must differ from the source as it is afterwards (so the
writes did happen meanwhile). Then the refusals: a worker with another
snapshot ID or another N, a shard run twice, a part that never comes
(--wait-timeout), an interrupted coordinator, a source whose snapshot cannot be
shared, option combinations.

Usage: run_test.py DECANT_BINARY. Exit 77 (skip) without DECANT_TEST_PG15_URI
(source "$(bash scripts/servers/postgresql.sh env)").
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from shardlib import SKIP, Writer, check, failures, make_source, one_line, psql, run, with_db

DB = "shd_src"


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    decant = os.path.abspath(sys.argv[1])
    base = os.environ.get("DECANT_TEST_PG15_URI")
    if not base:
        print("skip: DECANT_TEST_PG15_URI is not set (source scripts/servers/postgresql.sh env)")
        return SKIP
    # Small slices, so that tables split over the shards where the source
    # splits them (PostgreSQL's ctid ranges; a knob the source may not have).
    os.environ.setdefault("DECANT_PG_MIN_SLICE_BYTES", "65536")
    src, tables = make_source(base, DB)

    work = tempfile.mkdtemp(prefix="shd_")
    out = os.path.join(work, "sharded.d")
    full = os.path.join(work, "single.d")
    writer = Writer(src, tables)
    coordinator = None
    try:
        time.sleep(0.3)
        coordinator = subprocess.Popen([decant, "--progress", "none", "export", src, "--coordinate", "--shards", "3",
                                        "-j", "2", "-o", out, "--wait-timeout", "600"],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        snapshot = coordinator.stdout.readline().strip()
        check(snapshot != "" and os.path.exists(os.path.join(out + ".partial", "shards", "plan.json")),
              f"the coordinator prints the snapshot ID ({snapshot}) once the plan is written")
        time.sleep(0.5)  # the writer goes on after the snapshot

        r = run(decant, "export", src, "--snapshot", snapshot, "--directory", "-j", "2", "-o", full)
        check(r.returncode == 0, f"a single-process export of the snapshot: exit {r.returncode} {r.stderr.strip()}")

        r = run(decant, "export", src, "--shard", "0/3", "--snapshot", "0000000A-0000000A-1", "-o", out)
        check(r.returncode == 2 and one_line(r.stderr) and "snapshot" in r.stderr,
              f"a worker with another snapshot ID is refused: exit {r.returncode} {r.stderr.strip()}")
        r = run(decant, "export", src, "--shard", "0/2", "-o", out)
        check(r.returncode == 2 and one_line(r.stderr) and "3 shards" in r.stderr,
              f"a worker with another N is refused: exit {r.returncode} {r.stderr.strip()}")

        # Shards 0 and 1 at once (each with two readers), 1 again once done, then 2
        # without --snapshot (read from the plan).
        workers = [subprocess.Popen([decant, "--progress", "none", "export", src, "--snapshot", snapshot, "--shard",
                                     f"{i}/3", "-j", "2", "-o", out], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True) for i in (0, 1)]
        for i, w in enumerate(workers):
            _, err = w.communicate(timeout=300)
            check(w.returncode == 0, f"shard {i}/3: exit {w.returncode} {err.strip()}")
        r = run(decant, "export", src, "--shard", "1/3", "-o", out)
        check(r.returncode == 0 and one_line(r.stderr) and "done already" in r.stderr,
              f"a shard run again after it finished does nothing: exit {r.returncode} {r.stderr.strip()}")
        check(coordinator.poll() is None, "the coordinator still waits with shard 2 missing")
        r = run(decant, "export", src, "--shard", "2/3", "-o", out)
        check(r.returncode == 0, f"shard 2/3 (snapshot from the plan): exit {r.returncode} {r.stderr.strip()}")

        try:
            _, err = coordinator.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            coordinator.kill()
            _, err = coordinator.communicate()
        check(coordinator.returncode == 0, f"the coordinator joins: exit {coordinator.returncode} {err.strip()}")
        check(os.path.isdir(out) and not os.path.exists(out + ".partial"), "the archive is published, no .partial")
        check(not os.path.exists(os.path.join(out, "shards")), "the joined archive holds no shard files")
    finally:
        statements = writer.finish()
        if coordinator and coordinator.poll() is None:
            coordinator.kill()
    check(writer.statements > 50, f"the 4th process wrote meanwhile ({writer.statements} statements)")

    r = run(decant, "inspect", "--check", out)
    check(r.returncode == 0, f"inspect --check of the joined archive: exit {r.returncode} {r.stderr.strip()}")
    r = run(decant, "verify", out, full)
    check(r.returncode == 0, f"verify joined vs single-process export of the snapshot: exit {r.returncode} "
          f"{r.stdout.strip()[-400:]} {r.stderr.strip()}")
    r = run(decant, "verify", out, src)
    check(r.returncode == 1, f"verify joined vs the source as it is now differs (the writes): exit {r.returncode}")
    copy_db = "shd_copy"
    psql(base, f"DROP DATABASE IF EXISTS {copy_db}")
    psql(base, f"CREATE DATABASE {copy_db}")
    r = run(decant, "import", out, with_db(base, copy_db))
    check(r.returncode == 0, f"import of the joined archive: exit {r.returncode} {r.stderr.strip()}")
    r = run(decant, "verify", full, with_db(base, copy_db))
    check(r.returncode == 0, f"verify imported copy vs single-process export: exit {r.returncode} {r.stdout[-300:]}")

    # A part that never comes: the coordinator gives up after --wait-timeout.
    late = os.path.join(work, "late.d")
    c = subprocess.Popen([decant, "--progress", "none", "export", src, "--coordinate", "--shards", "2", "-o", late,
                          "--wait-timeout", "3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    c.stdout.readline()
    r = run(decant, "export", src, "--shard", "0/2", "-o", late)
    check(r.returncode == 0, f"shard 0/2 of a plan whose shard 1 never comes: exit {r.returncode} {r.stderr.strip()}")
    _, err = c.communicate(timeout=120)
    check(c.returncode == 5 and one_line(err) and "shard 1/2" in err and os.path.isdir(late + ".partial"),
          f"the coordinator times out naming the missing shard, .partial left: exit {c.returncode} {err.strip()}")

    # Ctrl-C while waiting.
    stop = os.path.join(work, "stopped.d")
    c = subprocess.Popen([decant, "--progress", "none", "export", src, "--coordinate", "--shards", "2", "-o", stop],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    c.stdout.readline()
    c.send_signal(signal.SIGINT)
    _, err = c.communicate(timeout=60)
    check(c.returncode == 130 and one_line(err) and os.path.isdir(stop + ".partial"),
          f"an interrupted coordinator exits 130 and leaves .partial: exit {c.returncode} {err.strip()}")

    # Refusals that need no server work.
    sqlite_db = os.path.join(work, "shd.db")
    subprocess.run(["sqlite3", sqlite_db, "CREATE TABLE t (a integer); INSERT INTO t VALUES (1);"], check=True)
    r = run(decant, "export", "sqlite:///" + sqlite_db, "--coordinate", "--shards", "2", "-o",
            os.path.join(work, "x.d"))
    check(r.returncode == 2 and one_line(r.stderr), f"--coordinate on SQLite is refused: {r.stderr.strip()}")
    for args, what in [(["--coordinate", "--shard", "0/2"], "--coordinate with --shard"),
                       (["--coordinate"], "--coordinate without --shards"),
                       (["--shards", "2"], "--shards without --coordinate"),
                       (["--shard", "2/2"], "--shard 2/2"), (["--shard", "x"], "--shard x"),
                       (["--coordinate", "--shards", "2", "--snapshot", "a"], "--coordinate with --snapshot"),
                       (["--shard", "0/2", "--wait-timeout", "3"], "--wait-timeout without --coordinate")]:
        r = run(decant, "export", src, *args, "-o", os.path.join(work, "y.d"))
        check(r.returncode == 2 and one_line(r.stderr), f"{what} is refused: exit {r.returncode} {r.stderr.strip()}")
    r = run(decant, "export", src, "--shard", "0/2", "-o", os.path.join(work, "none.d"))
    check(r.returncode != 0 and one_line(r.stderr) and "no shard plan" in r.stderr,
          f"a worker without a coordinator's plan: exit {r.returncode} {r.stderr.strip()}")

    if not failures:
        if not os.environ.get("DECANT_TEST_KEEP_DIR"):  # kept for tests/security/password_grep.py
            shutil.rmtree(work)
        psql(base, f"DROP DATABASE IF EXISTS {DB}")
        psql(base, f"DROP DATABASE IF EXISTS {copy_db}")
    else:
        print(f"left for inspection: {work}")
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

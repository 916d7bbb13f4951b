#!/usr/bin/env bash
# A RethinkDB dump into PostgreSQL: decant import next to the floor (psql's
# \copy of the same documents into a jsonb column) and next to RethinkDB
# restore's own pattern (200 documents per INSERT round trip, as
# rethinkdb-python's import does, here through psycopg2).
#
#   bash bench/rethinkdb_to_postgresql.sh [DOCS]     (default: 1000000)
#
# Data: tests/rethinkdb/make_dump.py writes a rethinkdb_dump tar.gz exactly as
# `rethinkdb dump` does (PAX members, Python json.dumps framing), with the
# test fixture tables plus big.docs of DOCS documents (string ids, integers,
# floats, booleans, strings with non-ASCII, nested objects, arrays, TIME and
# BINARY pseudo-types). Kept in BENCH_DIR (default /var/tmp/decant-bench-rdb)
# and reused for the same DOCS.
# Steps, each timed with /usr/bin/time (wall seconds, peak RSS), each into a
# new empty database on Debian's PostgreSQL 15 test server:
#   decant import DUMP                      (document shape: key + jsonb)
#   decant import --infer-columns DUMP      (a typed column per field)
#   psql \copy of big.docs' documents into (id text, doc jsonb)   the floor
#   200-document INSERTs through psycopg2   RethinkDB restore's batch pattern
# (Debian's /usr/bin/python3 with python3-psycopg2, which scripts/setup.sh installs)
# It prints the seconds, the rows in each target, and decant's ratio to each.
set -euo pipefail
cd "$(dirname "$0")/.."
docs="${1:-1000000}"

bash scripts/servers/postgresql.sh start >/dev/null
# shellcheck disable=SC1090
source "$(bash scripts/servers/postgresql.sh env)"
source bench/lib.sh
decant="${DECANT:-$PWD/build/src/cli/decant}"
[ -x "$decant" ] || { echo "bench: no decant binary at $decant (build it, or set DECANT)" >&2; exit 2; }
bin="$DECANT_TEST_PG_BINDIR_15"
server="${DECANT_TEST_PG15_URI%/*}"
work="${BENCH_DIR:-/var/tmp/decant-bench-rdb}"
mkdir -p "$work"
dump="$work/rethinkdb_dump_bench-$docs.tar.gz"

sql() { "$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$server/$1" -c "$2" >/dev/null; }
fresh() { sql postgres "DROP DATABASE IF EXISTS $1" 2>/dev/null; sql postgres "CREATE DATABASE $1"; }
query() { "$bin/psql" -X -At -v ON_ERROR_STOP=1 -d "$server/$1" -c "$2"; }

if [ ! -f "$dump" ]; then
  echo "bench: generating $dump ($docs documents)" >&2
  python3 tests/rethinkdb/make_dump.py "$dump.partial" --docs "$docs"
  mv "$dump.partial" "$dump"
fi
# The documents of big.docs as one file of "id<TAB>document" lines for \copy
# (COPY text format: backslashes doubled), made once.
copyfile="$work/big-$docs.copy"
if [ ! -f "$copyfile" ]; then
  python3 - "$dump" "$copyfile" <<'PY'
import json, sys, tarfile
with tarfile.open(sys.argv[1], "r:gz") as tar, open(sys.argv[2] + ".partial", "w") as out:
    for m in tar:
        if m.name.endswith("/big/docs.json"):
            for line in tar.extractfile(m):
                line = line.decode().strip().rstrip(",")
                if line in ("[", "]", ""):
                    continue
                doc = json.loads(line)
                text = json.dumps(doc, ensure_ascii=False).replace("\\", "\\\\")
                out.write(str(doc["id"]) + "\t" + text + "\n")
PY
  [ -s "$copyfile.partial" ] || { echo "bench: no big/docs.json in $dump" >&2; exit 1; }
  mv "$copyfile.partial" "$copyfile"
fi
echo "bench: $(du -h "$dump" | cut -f1) dump, $docs documents in big.docs" >&2

fresh bench_rdb_decant
# Exit 9: the fixture tables' multi, geo and ReQL indexes and the write hook
# are named, not carried; the rows are all there.
measure "'$decant' -q import '$dump' '$server/bench_rdb_decant' || [ \$? -eq 9 ]"
t_decant=$secs; m_decant=$rss_mib
n_decant=$(query bench_rdb_decant "SELECT count(*) FROM big.docs")

fresh bench_rdb_infer
measure "'$decant' -q import --infer-columns '$dump' '$server/bench_rdb_infer' || [ \$? -eq 9 ]"
t_infer=$secs; m_infer=$rss_mib
n_infer=$(query bench_rdb_infer "SELECT count(*) FROM big.docs")

fresh bench_rdb_copy
sql bench_rdb_copy "CREATE TABLE docs (id text PRIMARY KEY, doc jsonb NOT NULL)"
measure "'$bin/psql' -X -q -v ON_ERROR_STOP=1 -d '$server/bench_rdb_copy' -c \"\\\\copy docs FROM '$copyfile'\""
t_copy=$secs; m_copy=$rss_mib
n_copy=$(query bench_rdb_copy "SELECT count(*) FROM docs")

fresh bench_rdb_batch
sql bench_rdb_batch "CREATE TABLE docs (id text PRIMARY KEY, doc jsonb NOT NULL)"
cat > "$work/batch200.py" <<'PY'
import sys, psycopg2
conn = psycopg2.connect(sys.argv[1])
cur = conn.cursor()
batch = []
def flush():
    if batch:
        cur.execute("INSERT INTO docs VALUES " + ",".join(["(%s,%s)"] * len(batch)), [v for row in batch for v in row])
        conn.commit()
        batch.clear()
for line in open(sys.argv[2], encoding="utf-8"):
    key, doc = line.rstrip("\n").split("\t", 1)
    batch.append((key, doc.replace("\\\\", "\\")))
    if len(batch) == 200:
        flush()
flush()
PY
measure "/usr/bin/python3 '$work/batch200.py' '$server/bench_rdb_batch' '$copyfile'"
t_batch=$secs; m_batch=$rss_mib
n_batch=$(query bench_rdb_batch "SELECT count(*) FROM docs")

printf '%-44s %8s s %8s MiB %10s rows\n' \
  "decant import (key + jsonb)" "$t_decant" "$m_decant" "$n_decant" \
  "decant import --infer-columns" "$t_infer" "$m_infer" "$n_infer" \
  "psql \\copy into jsonb (floor, big.docs only)" "$t_copy" "$m_copy" "$n_copy" \
  "INSERTs of 200 documents (restore's pattern)" "$t_batch" "$m_batch" "$n_batch"
awk -v d="$t_decant" -v c="$t_copy" -v b="$t_batch" 'BEGIN {
  printf "decant / copy floor: %.2f; 200-document inserts / decant: %.1fx\n", d / c, b / d }'
for db in bench_rdb_decant bench_rdb_infer bench_rdb_copy bench_rdb_batch; do sql postgres "DROP DATABASE $db"; done

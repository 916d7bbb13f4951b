#!/usr/bin/env bash
# A TypeDB 3.x export of ITEMS items: `decant inspect --check`, `decant import`
# into SQLite and into PostgreSQL 15, and `decant export --format typedb` back.
#
#   bash bench/typedb.sh [ITEMS]     (default: 1000000)
#
# Data: tests/typedb/typedb_stream.py `big` (Debian's /usr/bin/python3 with
# python3-protobuf; classes protoc makes from src/formats/typedb/proto/*.proto
# into BENCH_DIR) writes the file as it makes it: a header, 45% attributes
# (string, integer, double, boolean, decimal), 35% entities owning 1 to 3
# attributes (one in seven owning a type twice: a side-table row), 20%
# relations with 2 to 4 players (one in ten playing in another relation),
# then the checksums. The file is kept in BENCH_DIR (default
# /var/tmp/decant-bench-typedb) and reused for the same ITEMS;
# BENCH_GENERATION=typedb-2 makes a TypeDB 2.x file instead.
# Steps, each timed with /usr/bin/time (wall seconds, peak RSS):
#   decant inspect --check FILE                    every count against the checksums
#   decant import FILE sqlite://...                a new SQLite file
#   decant import FILE postgresql://.../tdt_bench  a new PostgreSQL 15 database (skipped without the server)
#   decant export sqlite://... --format typedb     the stream back (its checksums must equal the file's)
#   decant export postgresql://... --format typedb
# There is no other tool to compare with: TypeDB's own importer needs a TypeDB
# server. DECANT chooses the binary (default build/src/cli/decant).
set -euo pipefail
cd "$(dirname "$0")/.."
items="${1:-1000000}"
generation="${BENCH_GENERATION:-typedb-3}"
version="${generation: -1}"

source bench/lib.sh
decant="${DECANT:-$PWD/build/src/cli/decant}"
[ -x "$decant" ] || { echo "bench: no decant binary at $decant (build it, or set DECANT)" >&2; exit 2; }
py=/usr/bin/python3
"$py" -c 'import google.protobuf' 2>/dev/null || { echo "bench: $py lacks google.protobuf (apt-get install python3-protobuf)" >&2; exit 2; }
work="${BENCH_DIR:-/var/tmp/decant-bench-typedb}"
mkdir -p "$work"
file="$work/tdt_bench-$generation-$items.typedb"
stream="tests/typedb/typedb_stream.py"

if [ ! -f "$file" ]; then
  echo "bench: generating $file ($items items)" >&2
  "$py" "$stream" big "$file.partial" "$items" "$work/classes" --generation "$generation" >/dev/null
  mv "$file.partial" "$file"
fi
echo "bench: $(du -h "$file" | cut -f1) file, $items items ($generation)" >&2

pg=""
if [ -f "$(bash scripts/servers/postgresql.sh env 2>/dev/null)" ]; then
  # shellcheck disable=SC1090
  source "$(bash scripts/servers/postgresql.sh env)"
  if [ -n "${DECANT_TEST_PG15_URI:-}" ]; then
    pg="${DECANT_TEST_PG15_URI%/*}"
    bin="$DECANT_TEST_PG_BINDIR_15"
  fi
fi

rows=()
row() { rows+=("$(printf '%-40s %10s %12s' "$1" "$secs" "$rss_mib")"); }
sums() { "$py" "$stream" sums "$1" "$work/classes"; }
want=$(sums "$file")

measure "'$decant' -q inspect --check '$file'"
row "inspect --check"

db="$work/tdt_bench.sqlite3"
rm -f "$db" "$db.partial"
measure "'$decant' -q import '$file' 'sqlite://$db'"
row "import into SQLite"
back="$work/tdt_bench_back_sqlite.typedb"
rm -f "$back"
measure "'$decant' -q export 'sqlite://$db' --format typedb --typedb-version $version -o '$back'"
row "export SQLite -> typedb"
[ "$(sums "$back")" = "$want" ] || echo "bench: the SQLite round trip's checksums differ: $(sums "$back") vs $want" >&2

if [ -n "$pg" ]; then
  "$bin/psql" -X -q -d "$pg/postgres" -c "DROP DATABASE IF EXISTS tdt_bench" >/dev/null 2>&1
  "$bin/psql" -X -q -d "$pg/postgres" -c "CREATE DATABASE tdt_bench" >/dev/null
  measure "'$decant' -q import '$file' '$pg/tdt_bench'"
  row "import into PostgreSQL 15"
  back="$work/tdt_bench_back_pg.typedb"
  rm -f "$back"
  measure "'$decant' -q export '$pg/tdt_bench' --format typedb --typedb-version $version -o '$back'"
  row "export PostgreSQL 15 -> typedb"
  [ "$(sums "$back")" = "$want" ] || echo "bench: the PostgreSQL round trip's checksums differ" >&2
else
  echo "bench: no PostgreSQL 15 test server: PostgreSQL steps skipped" >&2
fi

printf '%-40s %10s %12s\n' "$generation, $items items" seconds "peak MiB"
printf '%s\n' "${rows[@]}"
echo "checksums (file, recomputed): $want"

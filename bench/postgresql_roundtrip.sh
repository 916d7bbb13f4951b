#!/usr/bin/env bash
# A PostgreSQL round trip, decant next to pg_dump/pg_restore and the raw COPY
# floor, in one run on the same pgbench database (Debian's PostgreSQL 15 test
# server from scripts/servers/postgresql.sh).
#
#   bash bench/postgresql_roundtrip.sh [SCALE] [JOBS]     (default: 50 2)
#
# Steps, each timed with /usr/bin/time (wall seconds, peak RSS):
#   pg_dump -Fd -jJOBS, then pg_restore -jJOBS into an empty database;
#   decant export -jJOBS --directory, then decant import -jJOBS into an empty database;
#   the raw floor: COPY every table TO /dev/null, then into an empty database
#   the pre-data schema, COPY FROM files prepared beforehand, and the post-data
#   (the same keys and indexes).
# It prints seconds, ratios (peer / decant), archive sizes and decant's peak RSS,
# and checks with decant verify that every copy holds the source's data.
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${1:-50}"
jobs="${2:-2}"
bash scripts/setup.sh >/dev/null
bash scripts/servers/postgresql.sh start >/dev/null
# shellcheck disable=SC1090
source "$(bash scripts/servers/postgresql.sh env)"
decant="$PWD/build/src/cli/decant"
bin="$DECANT_TEST_PG_BINDIR_15"
server="${DECANT_TEST_PG15_URI%/*}"
work="${BENCH_DIR:-/var/tmp/decant-bench}"
rm -rf "$work"
mkdir -p "$work"
chmod 777 "$work"  # the server writes the floor's COPY files here

sql() { "$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$server/$1" -c "$2" >/dev/null; }
fresh() { sql postgres "DROP DATABASE IF EXISTS $1" 2>/dev/null; sql postgres "CREATE DATABASE $1"; }

# shellcheck source=bench/lib.sh
source bench/lib.sh
step() {
  measure "$2"
  printf '%-34s %9s %10s\n' "$1" "$secs" "$rss_mib"
}

echo "pgbench scale $scale, $jobs jobs, PostgreSQL $("$bin/psql" -X -At -d "$server/postgres" -c 'SHOW server_version')"
fresh bench_src
"$bin/pgbench" -q -i -s "$scale" -d "$server/bench_src" >/dev/null 2>&1
"$bin/psql" -X -q -d "$server/bench_src" -c "VACUUM ANALYZE" >/dev/null
tables=$("$bin/psql" -X -At -d "$server/bench_src" -c "SELECT string_agg(relname, ' ') FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace")

# The floor's inputs, prepared outside the timing.
"$bin/pg_dump" -s --section=pre-data -d "$server/bench_src" -f "$work/pre.sql"
"$bin/pg_dump" -s --section=post-data -d "$server/bench_src" -f "$work/post.sql"
for t in $tables; do sql bench_src "COPY $t TO '$work/$t.copy'"; done
copy_out=""; copy_in=""
for t in $tables; do
  copy_out+="'$bin/psql' -X -q -d '$server/bench_src' -c \"COPY $t TO '/dev/null'\" & "
  copy_in+="'$bin/psql' -X -q -d '$server/bench_floor' -c \"COPY $t FROM '$work/$t.copy'\" & "
done

printf '%-34s %9s %10s\n' step seconds "peak MiB"
fresh bench_pgrestore; fresh bench_decant; fresh bench_floor
step "pg_dump -Fd -j$jobs" "'$bin/pg_dump' -Fd -j$jobs -d '$server/bench_src' -f '$work/pgdump'"; pd=$secs
step "pg_restore -j$jobs" "'$bin/pg_restore' -j$jobs -d '$server/bench_pgrestore' '$work/pgdump'"; pr=$secs
step "decant export -j$jobs --directory" "'$decant' -q export -j$jobs --directory '$server/bench_src' -o '$work/decant'"; de=$secs; de_rss=$rss_mib
step "decant import -j$jobs" "'$decant' -q import -j$jobs '$work/decant' '$server/bench_decant'"; di=$secs; di_rss=$rss_mib
step "floor: COPY TO /dev/null" "$copy_out wait"; fo=$secs
step "floor: schema, COPY FROM, indexes" "'$bin/psql' -X -q -d '$server/bench_floor' -f '$work/pre.sql' && { $copy_in wait; } && '$bin/psql' -X -q -d '$server/bench_floor' -f '$work/post.sql'"; fi=$secs

echo
awk -v pd="$pd" -v pr="$pr" -v de="$de" -v di="$di" -v fo="$fo" -v fi="$fi" 'BEGIN {
  d = de + di; p = pd + pr; f = fo + fi
  printf "round trip  decant %.2f s   pg_dump+pg_restore %.2f s   raw floor %.2f s\n", d, p, f
  printf "ratios      pg_dump+pg_restore / decant = %.2fx   decant / floor = %.2fx\n", p / d, d / f
  printf "export      pg_dump / decant export = %.2fx   decant export / COPY TO = %.2fx\n", pd / de, de / fo
  printf "import      pg_restore / decant import = %.2fx   decant import / floor load = %.2fx\n", pr / di, di / fi
}'
echo "sizes       pg_dump -Fd $(du -sh "$work/pgdump" | cut -f1)   decant $(du -sh "$work/decant" | cut -f1)   COPY files $(du -ch "$work"/*.copy | tail -1 | cut -f1)"
echo "decant peak RSS: export $de_rss MiB, import $di_rss MiB"
"$decant" verify "$server/bench_src" "$server/bench_decant" | tail -1
"$decant" verify "$server/bench_src" "$server/bench_pgrestore" | tail -1
"$decant" verify "$server/bench_src" "$server/bench_floor" | tail -1

#!/usr/bin/env bash
# A SQLite database into PostgreSQL, decant next to pgloader, side by side in
# one run on the same generated file (Debian's PostgreSQL 15 test server from
# scripts/servers/postgresql.sh, Debian's pgloader package).
#
#   bash bench/sqlite_to_postgresql.sh [ROWS] [JOBS]     (default: 3000000 2)
#
# Data: ROWS rows in three tables, built once with the sqlite3 shell (kept in
# the work directory and reused while ROWS is the same):
#   customers (ROWS/10): INTEGER PRIMARY KEY, TEXT with non-ASCII, unique TEXT
#     with NULLs, NUMERIC(10,2) with negatives and NULLs, BOOLEAN, REAL, DATETIME;
#   orders (6 ROWS/10): foreign key to customers and an index on it, INTEGER,
#     NUMERIC(10,2), REAL, BOOLEAN with NULLs, DATETIME with NULLs, TEXT of
#     5 to 104 characters with NULLs, BLOB of 8 to 63 bytes with NULLs;
#   events (the rest): nullable foreign key to orders, TEXT, 64-bit INTEGER,
#     REAL with NULLs, indexed DATETIME, JSON-like TEXT with non-ASCII and NULLs.
# Steps, each timed with /usr/bin/time (wall seconds, peak RSS), each into a
# new empty database:
#   decant migrate -jJOBS sqlite:///SRC postgresql://.../bench_s2p_decant
#   pgloader SRC postgresql://.../bench_s2p_pgloader     (its defaults)
# It prints seconds, pgloader / decant, per-table row counts and a sum of the
# NUMERIC column in both targets, and a closing line "decant is N.Nx faster
# than pgloader". The password comes from PGPASSFILE, which both libpq and
# pgloader read; it is never put on a command line.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-3000000}"
jobs="${2:-2}"

missing=()
for p in sqlite3 time pgloader; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "bench: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
bash scripts/servers/postgresql.sh start >/dev/null
# shellcheck disable=SC1090
source "$(bash scripts/servers/postgresql.sh env)"
decant="${DECANT:-$PWD/build/src/cli/decant}"
[ -x "$decant" ] || { echo "bench: no decant binary at $decant (build it, or set DECANT)" >&2; exit 2; }
bin="$DECANT_TEST_PG_BINDIR_15"
server="${DECANT_TEST_PG15_URI%/*}"
work="${BENCH_DIR:-/var/tmp/decant-bench-s2p}"
mkdir -p "$work"
src="$work/src-$rows.db"

sql() { "$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$server/$1" -c "$2" >/dev/null; }
fresh() { sql postgres "DROP DATABASE IF EXISTS $1" 2>/dev/null; sql postgres "CREATE DATABASE $1"; }
query() { "$bin/psql" -X -At -v ON_ERROR_STOP=1 -d "$server/$1" -c "$2"; }

if [ ! -f "$src" ]; then
  echo "bench: generating $src ($rows rows)" >&2
  nc=$((rows / 10)); no=$((rows * 6 / 10)); ne=$((rows - nc - no))
  rm -f "$src.partial"
  sqlite3 "$src.partial" >/dev/null <<SQL
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA foreign_keys = ON;
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT UNIQUE,
  balance NUMERIC(10,2),
  active BOOLEAN NOT NULL,
  score REAL,
  created_at DATETIME NOT NULL
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  quantity INTEGER NOT NULL,
  amount NUMERIC(10,2) NOT NULL,
  price REAL,
  shipped BOOLEAN,
  ordered_at DATETIME,
  note TEXT,
  payload BLOB
);
CREATE INDEX orders_customer_id ON orders(customer_id);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  order_id INTEGER REFERENCES orders(id),
  kind TEXT NOT NULL,
  big INTEGER,
  value REAL,
  happened_at DATETIME NOT NULL,
  body TEXT
);
CREATE INDEX events_happened_at ON events(happened_at);
BEGIN;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $nc)
INSERT INTO customers SELECT i,
  'Customer ' || i || CASE i % 7 WHEN 0 THEN ' Müller-Łukasz 東京' ELSE '' END,
  CASE WHEN i % 11 = 0 THEN NULL ELSE 'c' || i || '@example.com' END,
  CASE WHEN i % 13 = 0 THEN NULL ELSE round((i % 1000000) / 100.0 - 2500, 2) END,
  i % 3 <> 0,
  CASE WHEN i % 5 = 0 THEN NULL ELSE i * 0.37 END,
  strftime('%Y-%m-%d %H:%M:%S', 1500000000 + i * 37, 'unixepoch') FROM s;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $no)
INSERT INTO orders SELECT i, 1 + (i * 7919) % $nc, 1 + i % 50, round((i % 99999) / 100.0, 2), i / 3.0,
  CASE WHEN i % 17 = 0 THEN NULL ELSE i % 2 END,
  CASE WHEN i % 19 = 0 THEN NULL ELSE strftime('%Y-%m-%d %H:%M:%S', 1600000000 + i * 13, 'unixepoch') END,
  CASE WHEN i % 4 = 0 THEN NULL ELSE substr('order note: lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore', 1, 5 + i % 100) END,
  CASE WHEN i % 9 = 0 THEN NULL ELSE randomblob(8 + i % 56) END FROM s;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $ne)
INSERT INTO events SELECT i, CASE WHEN i % 10 = 0 THEN NULL ELSE 1 + (i * 104729) % $no END,
  CASE i % 4 WHEN 0 THEN 'created' WHEN 1 THEN 'paid' WHEN 2 THEN 'shipped' ELSE 'returned' END,
  i * 1000003,
  CASE WHEN i % 6 = 0 THEN NULL ELSE i * 1.0001 - 12345.678 END,
  strftime('%Y-%m-%d %H:%M:%S', 1650000000 + i * 5, 'unixepoch'),
  CASE WHEN i % 3 = 0 THEN NULL ELSE printf('{"event": %d, "text": "%s"}', i, substr('événement ☃ abcdefghijklmnopqrstuvwxyz', 1, 1 + i % 30)) END FROM s;
COMMIT;
SQL
  mv "$src.partial" "$src"
fi
tables="customers orders events"

# shellcheck source=bench/lib.sh
source bench/lib.sh
step() {
  measure "$2"
  printf '%-40s %9s %10s\n' "$1" "$secs" "$rss_mib"
}

echo "source: $src, $rows rows, $(du -h "$src" | cut -f1); PostgreSQL $(query postgres 'SHOW server_version'); $(pgloader --version 2>/dev/null | sed -n 1p)"
printf '%-40s %9s %10s\n' step seconds "peak MiB"
fresh bench_s2p_decant; fresh bench_s2p_pgloader
step "decant migrate -j$jobs" "'$decant' -q migrate -j$jobs 'sqlite://$src' '$server/bench_s2p_decant'"; d=$secs
step "pgloader" "pgloader --quiet '$src' '$server/bench_s2p_pgloader'"; p=$secs

echo
printf '%-12s %12s %12s %12s\n' table sqlite decant pgloader
total=0; same=1
for t in $tables; do
  s=$(sqlite3 "$src" "SELECT count(*) FROM $t")
  a=$(query bench_s2p_decant "SELECT count(*) FROM $t" 2>/dev/null || echo missing)
  b=$(query bench_s2p_pgloader "SELECT count(*) FROM $t" 2>/dev/null || echo missing)
  printf '%-12s %12s %12s %12s\n' "$t" "$s" "$a" "$b"
  total=$((total + s))
  [ "$s" = "$a" ] && [ "$s" = "$b" ] || same=0
done
printf '%-12s %12s %12s %12s\n' "sum(amount)" "$(sqlite3 "$src" "SELECT printf('%.2f', sum(amount)) FROM orders")" \
  "$(query bench_s2p_decant 'SELECT sum(amount) FROM orders')" "$(query bench_s2p_pgloader 'SELECT sum(amount) FROM orders')"
((same)) || echo "bench: WARNING: the row counts differ" >&2

echo
awk -v d="$d" -v p="$p" -v n="$total" 'BEGIN {
  printf "decant %.2f s (%.0f rows/s)   pgloader %.2f s (%.0f rows/s)   pgloader / decant = %.2fx\n", d, n / d, p, n / p, p / d
  printf "decant is %.1fx faster than pgloader\n", p / d
}'
sql postgres "DROP DATABASE bench_s2p_decant"
sql postgres "DROP DATABASE bench_s2p_pgloader"

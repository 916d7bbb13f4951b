#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2317  # commands for bash -c in single quotes; the tools are called by name
# The one bench command: decant side by side with the usual tools, on an idle
# machine, from nothing. See bench/README.md.
#
#   bash bench/run.sh [--quick] [--sizes "1 4"] [--jobs N] [--runs N] [PATH ...]
#   bash bench/run.sh --clean        drop the bnc_ databases and BENCH_DIR
#
# PATH is any of (default: all, in this order)
#   pg-roundtrip     decant export + import -jN --directory   vs pg_dump -Fd + pg_restore -jN, raw COPY floor
#   pg-migrate       decant migrate -jN                       vs pgcopydb clone, pg_dump -Fc | pg_restore
#   sqlite-pg        decant migrate -jN (SQLite -> PG 15)     vs pgloader
#   mysql-pg         decant migrate -jN (MariaDB -> PG 15)    vs pgloader
#   mysql-roundtrip  decant export + import -jN --directory   vs mydumper + myloader -t N, mysqldump | mariadb
#
# It installs the Debian packages it needs, starts the private servers of
# scripts/servers/ and sources their environment, builds decant in Release into
# build-rel/ (unless DECANT names a binary), makes the data sets (kept between
# runs: files in BENCH_DIR, source databases bnc_*_src_* on the servers), then
# runs every tool RUNS times per size, interleaved (decant, peer, ..., decant,
# peer, ...), each into a fresh target, and prints the medians, decant's peak
# RSS, archive sizes and a check that every copy is complete (decant verify
# and per-table row counts). Exit status: 0 when every step ran and every copy
# checked out, 1 otherwise (the summary says which).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

usage() { awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0" >&2; exit 2; }

all_paths=(pg-roundtrip pg-migrate sqlite-pg mysql-pg mysql-roundtrip)
sizes="1 4"
jobs=2
runs=3
quick=0
clean=0
paths=()
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --sizes) sizes="${2:?--sizes needs a value}"; shift ;;
    --sizes=*) sizes="${1#*=}" ;;
    --jobs | -j) jobs="${2:?--jobs needs a value}"; shift ;;
    --jobs=*) jobs="${1#*=}" ;;
    -j[0-9]*) jobs="${1#-j}" ;;
    --runs) runs="${2:?--runs needs a value}"; shift ;;
    --runs=*) runs="${1#*=}" ;;
    --clean) clean=1 ;;
    -h | --help) usage ;;
    pg-roundtrip | pg-migrate | sqlite-pg | mysql-pg | mysql-roundtrip) paths+=("$1") ;;
    *) echo "bench: unknown argument: $1" >&2; usage ;;
  esac
  shift
done
sizes="${sizes//,/ }"
for v in $sizes "$jobs" "$runs"; do
  [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "bench: not a positive integer: $v" >&2; exit 2; }
done
((${#paths[@]})) || paths=("${all_paths[@]}")
exec 2>&1   # one stream: a failure's message stays next to the step it stopped
# One bench at a time on this machine: the targets are fixed names on shared servers.
exec 8>/tmp/decant-bench.lock
flock -n 8 || { echo "bench: another bench/run.sh holds /tmp/decant-bench.lock" >&2; exit 2; }

# The base data set (size 1), scaled by each size: a round trip of size 1 takes
# a few seconds on the 2-core machine. --quick: a tiny base, one size, one run.
if ((quick)); then
  pg_base="${BENCH_PG_SCALE:-1}"          # pgbench scale (100,000 accounts rows each)
  sqlite_base="${BENCH_SQLITE_ROWS:-20000}"
  mysql_base="${BENCH_MYSQL_ROWS:-10000}"
  [ "$sizes" = "1 4" ] && sizes=1
  [ "$runs" = 3 ] && runs=1
else
  pg_base="${BENCH_PG_SCALE:-10}"
  sqlite_base="${BENCH_SQLITE_ROWS:-500000}"
  mysql_base="${BENCH_MYSQL_ROWS:-300000}"
fi

pgcopydb_split="${BENCH_PGCOPYDB_SPLIT-50MB}"
bench_dir="${BENCH_DIR:-/var/tmp/decant-bench}"
data="$bench_dir/data"   # generated sources, kept
work="$bench_dir/run"    # archives, dumps, logs of this run, wiped at start
# shellcheck source=bench/lib.sh
source bench/lib.sh

needs_mysql=0
for p in "${paths[@]}"; do [[ "$p" == mysql-* ]] && needs_mysql=1; done
((clean)) && needs_mysql=1

# ---------------------------------------------------------------- setup
# quiet LABEL CMD...: runs CMD with its output in a log, shown when it fails.
quiet() {
  local label="$1" log
  shift
  log="$(mktemp)"
  if ! "$@" >"$log" 2>&1; then
    echo "bench: $label failed: $*" >&2
    tail -n 30 "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
}

echo "bench: packages, servers, build" >&2
apt_missing time sqlite3 pgcopydb pgloader mydumper mariadb-client postgresql-client-15
quiet "scripts/servers/postgresql.sh start" bash scripts/servers/postgresql.sh start
# shellcheck disable=SC1090
source "$(bash scripts/servers/postgresql.sh env)"
if ((needs_mysql)); then
  quiet "scripts/servers/mariadb.sh start" bash scripts/servers/mariadb.sh start
  # shellcheck disable=SC1090
  source "$(bash scripts/servers/mariadb.sh env)"
fi

bin="$DECANT_TEST_PG_BINDIR_15"
server="${DECANT_TEST_PG15_URI%/*}"   # postgresql://decant@127.0.0.1:54315
psql_() { PGOPTIONS="-c client_min_messages=warning" "$bin/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
pg_sql() { psql_ -d "$server/$1" -c "$2" >/dev/null; }
pg_query() { psql_ -At -d "$server/$1" -c "$2"; }
pg_drop() { pg_sql postgres "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; }
pg_fresh() { pg_drop "$1" && pg_sql postgres "CREATE DATABASE $1"; }

if ((needs_mysql)); then
  # The URI's [user@]host:port (any database or parameters dropped); the
  # password from the defaults file (decant, mariadb, mydumper) or MYSQL_PWD
  # (pgloader), never on a command line.
  authority="${DECANT_TEST_MYSQL_URI#*://}"; authority="${authority%%/*}"; authority="${authority%%\?*}"
  my_base="${DECANT_TEST_MYSQL_URI%%://*}://$authority"
  my_hostport="${authority#*@}"
  my_user="${authority%%@*}"; [ "$my_user" = "$authority" ] && my_user=root
  my_host="${my_hostport%%:*}"; my_port="${my_hostport##*:}"; [ "$my_port" = "$my_hostport" ] && my_port=3306
  cnf="$DECANT_TEST_MYSQL_DEFAULTS_FILE"
  my_conn="--defaults-file='$cnf' -h $my_host -P $my_port"
  my_client=(mariadb --defaults-file="$cnf" -h "$my_host" -P "$my_port")
  my_uri() { echo "$my_base/$1?defaults-file=$cnf"; }
  my_query() { "${my_client[@]}" -N -B "$@"; }
  my_drop() { "${my_client[@]}" -e "DROP DATABASE IF EXISTS \`$1\`"; }
  my_fresh() { "${my_client[@]}" -e "DROP DATABASE IF EXISTS \`$1\`; CREATE DATABASE \`$1\` CHARACTER SET utf8mb4"; }
fi

if ((clean)); then
  for db in $(pg_query postgres "SELECT datname FROM pg_database WHERE datname LIKE 'bnc\\_%'"); do
    echo "bench: dropping PostgreSQL database $db" >&2; pg_drop "$db"
  done
  for db in $(my_query -e "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'bnc\\_%'"); do
    echo "bench: dropping MariaDB database $db" >&2; my_drop "$db"
  done
  rm -rf "$bench_dir"
  exit 0
fi

if [ -n "${DECANT:-}" ]; then
  decant="$DECANT"
else
  build="${BENCH_BUILD_DIR:-$root/build-rel}"
  quiet "scripts/setup.sh --deps" bash scripts/setup.sh --deps
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  echo "bench: building decant (Release) in $build" >&2
  quiet "cmake configure" cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}"
  quiet "cmake --build" cmake --build "$build" -j"$(nproc)" --target decant
  decant="$build/src/cli/decant"
fi
[ -x "$decant" ] || { echo "bench: no decant binary at $decant" >&2; exit 2; }

rm -rf "$work"
mkdir -p "$data" "$work"
chmod 755 "$bench_dir" "$data"
chmod 777 "$work"   # the PostgreSQL server writes the floor's COPY files here
results="$work/results.tsv"
: >"$results"

# ---------------------------------------------------------------- measuring
# Per tool and step, the samples of every run: tool_order (tools in order),
# step_order, and, keyed by tool or "tool::step", the seconds and MiB samples.
declare -A s_secs s_rss t_secs t_rss t_fail
tool_order=()
step_order=()
cur_tool=""; cur_sum=0; cur_rss=0

# timed STEP CMD: measures CMD as one step of the current tool.
timed() {
  if ! measure "$2"; then
    { echo "$cur_tool, run $run, $1: $2"; tail -n 5 "$work/measure.err" | sed 's/^/    /'; } >>"$work/failures.txt"
    return 1
  fi
  local key="$cur_tool::$1"
  [ -n "${s_secs[$key]+x}" ] || step_order+=("$key")
  s_secs[$key]+=" $secs"; s_rss[$key]+=" $rss_mib"
  cur_sum=$(awk -v a="$cur_sum" -v b="$secs" 'BEGIN {print a + b}')
  cur_rss=$(awk -v a="$cur_rss" -v b="$rss_mib" 'BEGIN {print (b > a) ? b : a}')
  printf '  run %s/%s  %-62s %8.2f s %9s MiB\n' "$run" "$runs" "$1" "$secs" "$rss_mib"
}

# tools_run TOOL FN [TOOL FN ...]: RUNS times, each tool's FN in turn (FN
# prepares a fresh target, untimed, then calls timed for each step). A tool
# that fails is not run again; its failure is kept for the summary.
tools_run() {
  local -a specs=("$@")
  local i
  tool_order=(); step_order=()
  s_secs=(); s_rss=(); t_secs=(); t_rss=(); t_fail=()
  for ((run = 1; run <= runs; run++)); do
    for ((i = 0; i < ${#specs[@]}; i += 2)); do
      cur_tool="${specs[i]}"; cur_sum=0; cur_rss=0
      ((run == 1)) && tool_order+=("$cur_tool")
      [ -n "${t_fail[$cur_tool]+x}" ] && continue
      if "${specs[i + 1]}"; then
        t_secs[$cur_tool]+=" $cur_sum"; t_rss[$cur_tool]+=" $cur_rss"
      else
        t_fail[$cur_tool]=1
      fi
    done
  done
  echo "  medians of $runs run(s):"
  local key
  for key in "${step_order[@]}"; do
    # shellcheck disable=SC2086
    printf '    %-74s %8s s %9.1f MiB\n' "${key/::/: }" "$(median ${s_secs[$key]})" "$(median ${s_rss[$key]})"
  done
}

# tool_secs TOOL / tool_rss TOOL: the median total seconds / peak MiB of TOOL, or FAILED.
# shellcheck disable=SC2086
tool_secs() { if [ -n "${t_fail[$1]+x}" ]; then echo FAILED; else median ${t_secs[$1]}; fi; }
# shellcheck disable=SC2086
tool_rss() { if [ -n "${t_fail[$1]+x}" ]; then echo -; else printf '%.1f\n' "$(median ${t_rss[$1]})"; fi; }

# record PATH SIZE ROWS PEER PEER_S DECANT_S DECANT_MIB DECANT_BYTES PEER_BYTES CHECK: one summary row.
record() { local IFS=$'\t'; echo "$*" >>"$results"; }

# du_bytes PATH...: the bytes the files take (apparent size), or - when absent.
du_bytes() { if [ -e "$1" ]; then du -scb "$@" | tail -n 1 | cut -f1; else echo -; fi; }
mib() { if [ "$1" = - ]; then echo -; else awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; fi; }

# ---------------------------------------------------------------- checks
# pg_counts DB: "table=rows ..." for every table outside the system schemas
# (the schema dropped: pgloader puts a MySQL database's tables in a schema of
# its name, decant in public), sorted by table.
pg_counts() {
  local t out=""
  for t in $(pg_query "$1" "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
      AND NOT c.relispartition ORDER BY c.relname"); do
    out+="${t#*.}=$(pg_query "$1" "SELECT count(*) FROM $t") "
  done
  echo "${out% }"
}
my_counts() {
  local t out=""
  for t in $(my_query -e "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$1'
      AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME"); do
    out+="$t=$(my_query -e "SELECT COUNT(*) FROM \`$1\`.\`$t\`") "
  done
  echo "${out% }"
}
sqlite_counts() {
  local t out=""
  for t in $(sqlite3 "$1" "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"); do
    out+="$t=$(sqlite3 "$1" "SELECT count(*) FROM \"$t\"") "
  done
  echo "${out% }"
}

# check TOOL WANT GOT [VERIFY_A VERIFY_B]: "rows ok" or "rows DIFF", and with
# two URIs decant verify's word on them: "verify ok", "verify DIFF" or
# "verify ERROR". A tool that failed: "-". Prints the difference when there is one.
check() {
  local tool="$1" want="$2" got="$3" out rc=0
  if [ -n "${t_fail[$tool]+x}" ]; then echo -; return; fi
  if [ "$want" = "$got" ]; then out="rows ok"; else
    out="rows DIFF"
    echo "  $tool: rows differ: want [$want] got [$got]" >&2
  fi
  if (($# == 5)); then
    "$decant" -q verify "$4" "$5" >"$work/verify.log" 2>&1 || rc=$?
    case "$rc" in
      0) out+=", verify ok" ;;
      1) out+=", verify DIFF"; echo "  $tool: decant verify $4 $5: different:" >&2; tail -n 5 "$work/verify.log" >&2 ;;
      *) out+=", verify ERROR"; echo "  $tool: decant verify $4 $5 (exit $rc):" >&2; tail -n 5 "$work/verify.log" >&2 ;;
    esac
  fi
  echo "$out"
}

# ---------------------------------------------------------------- sources
# pg_source SCALE: the pgbench database bnc_pg_src_sSCALE (made once, kept); sets src.
pg_source() {
  src="bnc_pg_src_s$1"
  local have
  have=$(pg_query postgres "SELECT 1 FROM pg_database WHERE datname = '$src'")
  if [ "$have" = 1 ] && [ "$(pg_query "$src" "SELECT count(*) FROM pgbench_accounts" 2>/dev/null)" = $(($1 * 100000)) ]; then
    return 0
  fi
  echo "  generating $src (pgbench -i -s $1)" >&2
  pg_fresh "$src"
  quiet "pgbench -i" "$bin/pgbench" -q -i -s "$1" -d "$server/$src"
  pg_sql "$src" "VACUUM ANALYZE"
}

# sqlite_source ROWS: the SQLite file of ROWS rows in three tables (made once, kept); sets src.
sqlite_source() {
  local rows="$1" nc no ne
  src="$data/sqlite-$rows.db"
  [ -f "$src" ] && return 0
  echo "  generating $src ($rows rows)" >&2
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
}

# my_source N: the MariaDB database bnc_my_src_nN (made once, kept): orders (N
# rows: bigint key, int, decimal, enum, datetime(6), varchar with NULLs,
# tinyint, secondary key), events (N rows: timestamp, varbinary, double,
# latin1 varchar, utf8mb4 text, secondary key) and customers (N/5 rows: unique
# email, text). Sets src.
my_source() {
  local n="$1"
  src="bnc_my_src_n$n"
  if [ "$(my_query -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='$src'")" = 3 ] &&
     [ "$(my_query -e "SELECT COUNT(*) FROM \`$src\`.orders" 2>/dev/null)" = "$n" ]; then
    return 0
  fi
  echo "  generating $src (N=$n)" >&2
  my_fresh "$src"
  "${my_client[@]}" "$src" >/dev/null <<SQL
CREATE TABLE customers (id INT NOT NULL PRIMARY KEY, name VARCHAR(60) NOT NULL, email VARCHAR(80) NOT NULL,
  bio TEXT, UNIQUE KEY uq_email (email)) ENGINE=InnoDB;
CREATE TABLE orders (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL,
  amount DECIMAL(12,2) NOT NULL, status ENUM('new','paid','shipped','cancelled') NOT NULL,
  created DATETIME(6) NOT NULL, note VARCHAR(100), flag TINYINT NOT NULL, KEY ix_customer (customer_id)) ENGINE=InnoDB;
CREATE TABLE events (id BIGINT NOT NULL PRIMARY KEY, ts TIMESTAMP NOT NULL DEFAULT '2000-01-01 00:00:00',
  payload VARBINARY(32), score DOUBLE, label VARCHAR(40) CHARACTER SET latin1, body TEXT,
  KEY ix_ts (ts)) ENGINE=InnoDB;
SET SESSION unique_checks = 0, foreign_key_checks = 0;
INSERT INTO customers SELECT seq, CONCAT('Customer ', seq), CONCAT('c', seq, '@example.com'),
  IF(seq % 4 = 0, NULL, REPEAT(CONCAT('bio ', seq, ' '), 1 + seq % 5)) FROM seq_1_to_$((n / 5));
INSERT INTO orders SELECT seq, 1 + seq % $((n / 5)), (seq % 100000) / 100, 1 + seq % 4,
  '2020-01-01' + INTERVAL seq SECOND + INTERVAL (seq % 1000000) MICROSECOND,
  IF(seq % 3 = 0, NULL, CONCAT('note for order ', seq)), seq % 2 FROM seq_1_to_$n;
INSERT INTO events SELECT seq, '2021-01-01' + INTERVAL (seq % 50000000) SECOND, UNHEX(MD5(seq)),
  seq * 1.000001e0, CONCAT('Étiquette ', seq % 1000), CONCAT('événement ☃ ', seq) FROM seq_1_to_$n;
ANALYZE TABLE customers, orders, events;
SQL
}

# ---------------------------------------------------------------- paths
# Each path_NAME SIZE runs one path at one size and records its summary rows.

path_pg-roundtrip() {
  local scale=$((pg_base * $1)) t want copy_out="" copy_in=""
  pg_source "$scale"
  want=$(pg_counts "$src")
  echo "pg-roundtrip x$1: pgbench scale $scale ($(pg_query "$src" "SELECT pg_size_pretty(pg_database_size(current_database()))")), -j$jobs"
  # The floor's inputs, made outside the timing: the schema before and after
  # the data, and each table's COPY file.
  local fl="$work/floor"
  mkdir -p "$fl"; chmod 777 "$fl"
  "$bin/pg_dump" -s --section=pre-data -d "$server/$src" -f "$fl/pre.sql"
  "$bin/pg_dump" -s --section=post-data -d "$server/$src" -f "$fl/post.sql"
  for t in $(pg_query "$src" "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"); do
    pg_sql "$src" "COPY $t TO '$fl/$t.copy'"
    copy_out+="'$bin/psql' -X -q -v ON_ERROR_STOP=1 -d '$server/$src' -c \"COPY $t TO '/dev/null'\" & pids+=\" \$!\"; "
    copy_in+="'$bin/psql' -X -q -v ON_ERROR_STOP=1 -d '$server/bnc_pgrt_floor' -c \"COPY $t FROM '$fl/$t.copy'\" & pids+=\" \$!\"; "
  done
  # A background job's failure shows only in the status of a wait for its pid.
  copy_out="pids=; $copy_out"'for p in $pids; do wait $p || exit 1; done'
  copy_in="pids=; $copy_in"'for p in $pids; do wait $p || exit 1; done'

  t_decant() {
    rm -rf "$work/pgrt.decant" && pg_fresh bnc_pgrt_decant &&
      timed "decant export -j$jobs --directory" "'$decant' -q export -j$jobs --directory '$server/$src' -o '$work/pgrt.decant'" &&
      timed "decant import -j$jobs" "'$decant' -q import -j$jobs '$work/pgrt.decant' '$server/bnc_pgrt_decant'"
  }
  t_pgdump() {
    rm -rf "$work/pgrt.pgdump" && pg_fresh bnc_pgrt_pgrestore &&
      timed "pg_dump -Fd -j$jobs" "'$bin/pg_dump' -Fd -j$jobs -d '$server/$src' -f '$work/pgrt.pgdump'" &&
      timed "pg_restore -j$jobs" "'$bin/pg_restore' -j$jobs --exit-on-error -d '$server/bnc_pgrt_pgrestore' '$work/pgrt.pgdump'"
  }
  t_floor() {
    pg_fresh bnc_pgrt_floor &&
      timed "COPY TO /dev/null (all tables at once)" "$copy_out" &&
      timed "schema, COPY FROM files, keys and indexes" "'$bin/psql' -X -q -v ON_ERROR_STOP=1 -d '$server/bnc_pgrt_floor' -f '$fl/pre.sql' && { $copy_in; } && '$bin/psql' -X -q -v ON_ERROR_STOP=1 -d '$server/bnc_pgrt_floor' -f '$fl/post.sql'"
  }
  tools_run decant t_decant "pg_dump+pg_restore" t_pgdump "raw COPY floor" t_floor
  local d drss dsize c_decant
  d=$(tool_secs decant); drss=$(tool_rss decant); dsize=$(du_bytes "$work/pgrt.decant")
  c_decant=$(check decant "$want" "$(pg_counts bnc_pgrt_decant)" "$server/$src" "$server/bnc_pgrt_decant")
  record pg-roundtrip "x$1" "$want" "pg_dump -Fd + pg_restore" "$(tool_secs "pg_dump+pg_restore")" "$d" "$drss" "$dsize" \
    "$(du_bytes "$work/pgrt.pgdump")" "$c_decant | $(check "pg_dump+pg_restore" "$want" "$(pg_counts bnc_pgrt_pgrestore)" "$server/$src" "$server/bnc_pgrt_pgrestore")"
  record pg-roundtrip "x$1" "$want" "raw COPY floor" "$(tool_secs "raw COPY floor")" "$d" "$drss" "$dsize" \
    "$(du_bytes "$fl"/*.copy)" "$c_decant | $(check "raw COPY floor" "$want" "$(pg_counts bnc_pgrt_floor)" "$server/$src" "$server/bnc_pgrt_floor")"
  pg_drop bnc_pgrt_decant; pg_drop bnc_pgrt_pgrestore; pg_drop bnc_pgrt_floor
  rm -rf "$work/pgrt.decant" "$work/pgrt.pgdump" "$fl"
}

path_pg-migrate() {
  local scale=$((pg_base * $1)) want
  pg_source "$scale"
  want=$(pg_counts "$src")
  echo "pg-migrate x$1: pgbench scale $scale ($(pg_query "$src" "SELECT pg_size_pretty(pg_database_size(current_database()))")), -j$jobs; $(pgcopydb --version 2>/dev/null | head -n 1)"
  t_decant() {
    pg_fresh bnc_pgm_decant &&
      timed "decant migrate -j$jobs" "'$decant' -q migrate -j$jobs '$server/$src' '$server/bnc_pgm_decant'"
  }
  # pgcopydb runs pg_dump/pg_restore of the server's version, found next to
  # the psql first in PATH; roles and ownership stay as they are (one server).
  # Its same-table concurrency (off by default) is on: a table larger than
  # BENCH_PGCOPYDB_SPLIT is copied in parts of that size by several jobs.
  local split=()
  [ -n "$pgcopydb_split" ] && split=(--split-tables-larger-than "$pgcopydb_split")
  t_pgcopydb() {
    rm -rf "$work/pgcopydb" && pg_fresh bnc_pgm_pgcopydb &&
      timed "pgcopydb clone --table-jobs $jobs --index-jobs $jobs${split[*]:+ ${split[*]}}" "PATH='$bin':\"\$PATH\" pgcopydb clone --source '$server/$src' --target '$server/bnc_pgm_pgcopydb' --dir '$work/pgcopydb' --table-jobs $jobs --index-jobs $jobs ${split[*]} --no-owner --no-acl"
  }
  t_pipe() {
    pg_fresh bnc_pgm_pgdump &&
      timed "pg_dump -Fc | pg_restore" "'$bin/pg_dump' -Fc -d '$server/$src' | '$bin/pg_restore' --exit-on-error -d '$server/bnc_pgm_pgdump'"
  }
  tools_run decant t_decant pgcopydb t_pgcopydb "pg_dump|pg_restore" t_pipe
  local d drss c_decant
  d=$(tool_secs decant); drss=$(tool_rss decant)
  c_decant=$(check decant "$want" "$(pg_counts bnc_pgm_decant)" "$server/$src" "$server/bnc_pgm_decant")
  record pg-migrate "x$1" "$want" "pgcopydb clone" "$(tool_secs pgcopydb)" "$d" "$drss" - - \
    "$c_decant | $(check pgcopydb "$want" "$(pg_counts bnc_pgm_pgcopydb)" "$server/$src" "$server/bnc_pgm_pgcopydb")"
  record pg-migrate "x$1" "$want" "pg_dump -Fc | pg_restore" "$(tool_secs "pg_dump|pg_restore")" "$d" "$drss" - - \
    "$c_decant | $(check "pg_dump|pg_restore" "$want" "$(pg_counts bnc_pgm_pgdump)" "$server/$src" "$server/bnc_pgm_pgdump")"
  pg_drop bnc_pgm_decant; pg_drop bnc_pgm_pgcopydb; pg_drop bnc_pgm_pgdump
  rm -rf "$work/pgcopydb"
}

# pgloader's own defaults (4 workers, concurrency 1); its logs and rejected
# rows go to $work/pgloader. It exits 0 even when it rejected rows: the row
# counts tell.
pgloader_cmd() { echo "pgloader --quiet --root-dir '$work/pgloader' --logfile '$work/pgloader/pgloader.log'"; }

path_sqlite-pg() {
  local rows=$((sqlite_base * $1)) want
  sqlite_source "$rows"
  want=$(sqlite_counts "$src")
  echo "sqlite-pg x$1: $src, $rows rows, $(du -h "$src" | cut -f1), -j$jobs; $(pgloader --version 2>/dev/null | head -n 1)"
  t_decant() {
    pg_fresh bnc_s2p_decant &&
      timed "decant migrate -j$jobs" "'$decant' -q migrate -j$jobs 'sqlite://$src' '$server/bnc_s2p_decant'"
  }
  t_pgloader() {
    rm -rf "$work/pgloader" && mkdir -p "$work/pgloader" && pg_fresh bnc_s2p_pgloader &&
      timed "pgloader" "$(pgloader_cmd) '$src' '$server/bnc_s2p_pgloader'"
  }
  tools_run decant t_decant pgloader t_pgloader
  # pgloader makes REAL a 4-byte real and DATETIME timestamptz: decant verify
  # would differ by design, so its copy is checked by row counts.
  record sqlite-pg "x$1" "$want" pgloader "$(tool_secs pgloader)" "$(tool_secs decant)" "$(tool_rss decant)" - - \
    "$(check decant "$want" "$(pg_counts bnc_s2p_decant)" "sqlite://$src" "$server/bnc_s2p_decant") | $(check pgloader "$want" "$(pg_counts bnc_s2p_pgloader)")"
  pg_drop bnc_s2p_decant; pg_drop bnc_s2p_pgloader
}

path_mysql-pg() {
  local n=$((mysql_base * $1)) want
  my_source "$n"
  want=$(my_counts "$src")
  echo "mysql-pg x$1: $src, $(my_query -e "SELECT ROUND(SUM(DATA_LENGTH+INDEX_LENGTH)/1048576) FROM information_schema.TABLES WHERE TABLE_SCHEMA='$src'") MiB InnoDB, MariaDB $(my_query -e 'SELECT VERSION()'), -j$jobs; $(pgloader --version 2>/dev/null | head -n 1)"
  t_decant() {
    pg_fresh bnc_m2p_decant &&
      timed "decant migrate -j$jobs" "'$decant' -q migrate -j$jobs '$(my_uri "$src")' '$server/bnc_m2p_decant'"
  }
  t_pgloader() {
    rm -rf "$work/pgloader" && mkdir -p "$work/pgloader" && pg_fresh bnc_m2p_pgloader &&
      timed "pgloader" "MYSQL_PWD=\"\$(cat '$MYSQL_PWD_FILE')\" $(pgloader_cmd) 'mysql://$my_user@$my_host:$my_port/$src' '$server/bnc_m2p_pgloader'"
  }
  tools_run decant t_decant pgloader t_pgloader
  record mysql-pg "x$1" "$want" pgloader "$(tool_secs pgloader)" "$(tool_secs decant)" "$(tool_rss decant)" - - \
    "$(check decant "$want" "$(pg_counts bnc_m2p_decant)" "$(my_uri "$src")" "$server/bnc_m2p_decant") | $(check pgloader "$want" "$(pg_counts bnc_m2p_pgloader)")"
  pg_drop bnc_m2p_decant; pg_drop bnc_m2p_pgloader
}

path_mysql-roundtrip() {
  local n=$((mysql_base * $1)) want
  my_source "$n"
  want=$(my_counts "$src")
  echo "mysql-roundtrip x$1: $src, $(my_query -e "SELECT ROUND(SUM(DATA_LENGTH+INDEX_LENGTH)/1048576) FROM information_schema.TABLES WHERE TABLE_SCHEMA='$src'") MiB InnoDB, MariaDB $(my_query -e 'SELECT VERSION()'), -j$jobs"
  t_decant() {
    rm -rf "$work/myrt.decant" && my_fresh bnc_myrt_decant &&
      timed "decant export -j$jobs --directory" "'$decant' -q export -j$jobs --directory '$(my_uri "$src")' -o '$work/myrt.decant'" &&
      timed "decant import -j$jobs" "'$decant' -q import -j$jobs '$work/myrt.decant' '$(my_uri bnc_myrt_decant)'"
  }
  t_mydumper() {
    rm -rf "$work/myrt.mydumper" && my_fresh bnc_myrt_myloader &&
      timed "mydumper -t $jobs" "mydumper $my_conn -t $jobs -B '$src' -o '$work/myrt.mydumper'" &&
      timed "myloader -t $jobs" "myloader $my_conn -t $jobs -d '$work/myrt.mydumper' -B bnc_myrt_myloader"
  }
  t_mysqldump() {
    rm -f "$work/myrt.sql" && my_fresh bnc_myrt_mysqldump &&
      timed "mysqldump --single-transaction --quick" "mysqldump $my_conn --single-transaction --quick '$src' > '$work/myrt.sql'" &&
      timed "mariadb < dump.sql" "mariadb $my_conn bnc_myrt_mysqldump < '$work/myrt.sql'"
  }
  # decant's other load method (multi-row INSERT instead of LOAD DATA), on
  # the archive decant's export just wrote, to keep their comparison honest.
  t_insert() {
    [ -d "$work/myrt.decant" ] && my_fresh bnc_myrt_insert &&
      timed "decant import -j$jobs (DECANT_MYSQL_LOAD=insert)" "DECANT_MYSQL_LOAD=insert '$decant' -q import -j$jobs '$work/myrt.decant' '$(my_uri bnc_myrt_insert)'"
  }
  tools_run decant t_decant "mydumper+myloader" t_mydumper "mysqldump+mariadb" t_mysqldump "decant INSERT" t_insert
  local d drss dsize c_decant di
  d=$(tool_secs decant); drss=$(tool_rss decant); dsize=$(du_bytes "$work/myrt.decant")
  di=FAILED
  # shellcheck disable=SC2086
  [ -z "${t_fail[decant]+x}" ] && di=$(median ${s_secs["decant::decant import -j$jobs"]})
  c_decant=$(check decant "$want" "$(my_counts bnc_myrt_decant)" "$(my_uri "$src")" "$(my_uri bnc_myrt_decant)")
  record mysql-roundtrip "x$1" "$want" "mydumper + myloader" "$(tool_secs "mydumper+myloader")" "$d" "$drss" "$dsize" \
    "$(du_bytes "$work/myrt.mydumper")" "$c_decant | $(check "mydumper+myloader" "$want" "$(my_counts bnc_myrt_myloader)" "$(my_uri "$src")" "$(my_uri bnc_myrt_myloader)")"
  record mysql-roundtrip "x$1" "$want" "mysqldump | mariadb" "$(tool_secs "mysqldump+mariadb")" "$d" "$drss" "$dsize" \
    "$(du_bytes "$work/myrt.sql")" "$c_decant | $(check "mysqldump+mariadb" "$want" "$(my_counts bnc_myrt_mysqldump)" "$(my_uri "$src")" "$(my_uri bnc_myrt_mysqldump)")"
  record mysql-roundtrip "x$1" "$want" "decant import, INSERT (vs LOAD DATA)" "$(tool_secs "decant INSERT")" "$di" "$(tool_rss "decant INSERT")" - - \
    "$(check "decant INSERT" "$want" "$(my_counts bnc_myrt_insert)" "$(my_uri "$src")" "$(my_uri bnc_myrt_insert)")"
  my_drop bnc_myrt_decant; my_drop bnc_myrt_myloader; my_drop bnc_myrt_mysqldump; my_drop bnc_myrt_insert
  rm -rf "$work/myrt.decant" "$work/myrt.mydumper" "$work/myrt.sql"
}

# ---------------------------------------------------------------- main
echo "decant bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "decant $("$decant" --version 2>/dev/null | head -n 1) ($decant, $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?'))"
echo "paths: ${paths[*]}; sizes: x${sizes// / x}; jobs: $jobs; runs: $runs (median); base: pgbench scale $pg_base, SQLite $sqlite_base rows, MariaDB N=$mysql_base; BENCH_DIR=$bench_dir"
failed=()
for p in "${paths[@]}"; do
  for size in $sizes; do
    echo
    set +e
    (set -e; "path_$p" "$size")
    rc=$?
    set -e
    if [ "$rc" != 0 ]; then
      echo "bench: $p x$size stopped (exit $rc)" >&2
      failed+=("$p x$size")
      record "$p" "x$size" - "(path stopped, exit $rc)" FAILED FAILED - - - -
    fi
  done
done

echo
echo "summary (median of $runs run(s) each; ratio = peer s / decant s, above 1: decant faster)"
awk -F'\t' '
  function mib(b) { return b == "-" ? "-" : sprintf("%.1f", b / 1048576) }
  function rows(r,   n, a, i, s, kv) { if (r == "-") return "-"; n = split(r, a, " "); s = 0
    for (i = 1; i <= n; i++) { split(a[i], kv, "="); s += kv[2] } return s }
  BEGIN { printf "%-16s %-4s %9s  %-36s %8s %8s %7s %10s %9s %9s  %s\n", "path", "size", "rows", "peer", "decant s", "peer s", "ratio", "decant MiB", "decant sz", "peer sz", "check (decant | peer)" }
  { ratio = ($5 + 0 > 0 && $6 + 0 > 0) ? sprintf("%.2fx", $5 / $6) : "-"
    printf "%-16s %-4s %9s  %-36s %8s %8s %7s %10s %9s %9s  %s\n", $1, $2, rows($3), $4, $6, $5, ratio, $7, mib($8), mib($9), $10 }' "$results"
echo "(sizes in MiB: decant's archive directory, pg_dump -Fd directory, the COPY files, mydumper directory, mysqldump file; - for a migration)"

if [ -s "$work/failures.txt" ]; then
  echo
  echo "failed commands (each tool stops at its first failure):"
  sed 's/^/  /' "$work/failures.txt"
fi
bad=0
((${#failed[@]})) && { echo "stopped: ${failed[*]}"; bad=1; }
if awk -F'\t' '$5 == "FAILED" || $6 == "FAILED" || $10 ~ /DIFF|ERROR/ { found = 1 } END { exit !found }' "$results"; then
  echo "NOT ALL GOOD: a step failed or a copy differs (see FAILED / DIFF / ERROR above)"
  bad=1
fi
((bad)) && exit 1
echo "all steps ran, every copy checked"

#!/usr/bin/env bash
# One MySQL/MariaDB database out and back in, three ways, side by side in one
# run on the same generated data:
#   mysqldump --single-transaction --quick  then  mariadb < dump.sql
#   mydumper -t 2                           then  myloader -t 2
#   decant export -j 2 --directory          then  decant import -j 2
# (plus decant import with multi-row INSERT instead of LOAD DATA, to keep the
# comparison between its two load methods honest).
#
#   bash bench/mysql_roundtrip.sh [N]     (default N = 1500000)
#
# Data: orders (N rows: bigint key, int, decimal, enum, datetime(6), varchar
# with NULLs, tinyint, secondary key), events (N rows: timestamp, varbinary,
# double, latin1 varchar, utf8mb4 text, secondary key) and customers (N/5
# rows: unique email, text). Server: DECANT_TEST_MYSQL_URI and
# DECANT_TEST_MYSQL_DEFAULTS_FILE, as the tests use them (sourced from
# /var/tmp/decant-servers/mariadb.env when that exists). Prints wall
# seconds, sizes, decant's peak RSS and each peer's time relative to decant's.
set -euo pipefail
cd "$(dirname "$0")/.."
env_file=/var/tmp/decant-servers/mariadb.env
if [ -z "${DECANT_TEST_MYSQL_URI:-}" ] && [ -f "$env_file" ]; then
  # shellcheck disable=SC1090
  source "$env_file"
fi
: "${DECANT_TEST_MYSQL_URI:?set DECANT_TEST_MYSQL_URI (or start the server with scripts/servers/mariadb.sh)}"
: "${DECANT_TEST_MYSQL_DEFAULTS_FILE:?set DECANT_TEST_MYSQL_DEFAULTS_FILE (a my.cnf with [client] credentials)}"
for tool in mysqldump mydumper myloader /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install mariadb-client mydumper time)" >&2; exit 2; }
done
decant="${DECANT_BINARY:-$PWD/build-mysql/src/cli/decant}"
[ -x "$decant" ] || decant="$PWD/build/src/cli/decant"
n="${1:-1500000}"
work="${BENCH_DIR:-$(mktemp -d -t decant-mysql-bench.XXXXXX)}"
mkdir -p "$work"

# The URI's scheme and [user@]host:port (any database or parameters in it
# are dropped); credentials from the defaults file.
authority="${DECANT_TEST_MYSQL_URI#*://}"; authority="${authority%%/*}"; authority="${authority%%\?*}"
base="${DECANT_TEST_MYSQL_URI%%://*}://$authority"
hostport="${authority#*@}"
host="${hostport%%:*}"; port="${hostport##*:}"; [ "$port" = "$hostport" ] && port=3306
cnf="$DECANT_TEST_MYSQL_DEFAULTS_FILE"
client=(mariadb --defaults-file="$cnf" -h "$host" -P "$port")
db_uri() { echo "$base/$1?defaults-file=$cnf"; }

src=decant_bench_src
fresh_db() { "${client[@]}" -e "DROP DATABASE IF EXISTS \`$1\`; CREATE DATABASE \`$1\` CHARACTER SET utf8mb4"; }

if [ "$("${client[@]}" -N -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='$src'")" != 3 ] ||
   [ "$("${client[@]}" -N -e "SELECT COUNT(*) FROM $src.orders" 2>/dev/null)" != "$n" ]; then
  echo "bench: generating $src with N=$n" >&2
  fresh_db "$src"
  "${client[@]}" "$src" <<SQL
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
SQL
fi
rows=$("${client[@]}" -N -e "SELECT (SELECT COUNT(*) FROM $src.orders)+(SELECT COUNT(*) FROM $src.events)+(SELECT COUNT(*) FROM $src.customers)")
src_size=$("${client[@]}" -N -e "SELECT ROUND(SUM(DATA_LENGTH+INDEX_LENGTH)/1048576) FROM information_schema.TABLES WHERE TABLE_SCHEMA='$src'")

# shellcheck source=bench/lib.sh
source bench/lib.sh
# step LABEL CMD OUTPUT: measures CMD and prints one row.
step() {
  measure "$2"
  local size="-"
  [ -n "$3" ] && size=$(du -sh "$3" | cut -f1)
  printf '%-34s %9s %10s %9s\n' "$1" "$secs" "$rss_mib" "$size"
}

echo "source: $src on $host:$port, $rows rows, ${src_size} MiB of InnoDB data+indexes; server $("${client[@]}" -N -e 'SELECT VERSION()')"
echo "work dir: $work"
printf '%-34s %9s %10s %9s\n' step seconds "peak MiB" size
rm -rf "$work/dump.sql" "$work/mydumper" "$work/a.decant"

fresh_db bench_mysqldump
step "mysqldump" "mysqldump --defaults-file='$cnf' -h $host -P $port --single-transaction --quick $src > '$work/dump.sql'" "$work/dump.sql"; md=$secs
step "mariadb < dump.sql" "${client[*]} bench_mysqldump < '$work/dump.sql'" ""; ml=$secs

fresh_db bench_myloader
step "mydumper -t 2" "mydumper --defaults-file='$cnf' -h $host -P $port -t 2 -B $src -o '$work/mydumper'" "$work/mydumper"; yd=$secs
step "myloader -t 2" "myloader --defaults-file='$cnf' -h $host -P $port -t 2 -d '$work/mydumper' -B bench_myloader" ""; yl=$secs

fresh_db bench_decant
step "decant export -j 2 --directory" "'$decant' -q export -j 2 --directory '$(db_uri $src)' -o '$work/a.decant'" "$work/a.decant"; de=$secs; de_rss=$rss_mib
step "decant import -j 2 (LOAD DATA)" "'$decant' -q import -j 2 '$work/a.decant' '$(db_uri bench_decant)'" ""; di=$secs; di_rss=$rss_mib

fresh_db bench_decant_insert
step "decant import -j 2 (INSERT)" "DECANT_MYSQL_LOAD=insert '$decant' -q import -j 2 '$work/a.decant' '$(db_uri bench_decant_insert)'" ""; dii=$secs

# Every copy must hold every row.
for db in bench_mysqldump bench_myloader bench_decant bench_decant_insert; do
  got=$("${client[@]}" -N -e "SELECT (SELECT COUNT(*) FROM $db.orders)+(SELECT COUNT(*) FROM $db.events)+(SELECT COUNT(*) FROM $db.customers)")
  [ "$got" = "$rows" ] || echo "bench: WARNING: $db holds $got rows, expected $rows" >&2
done
"$decant" -q verify "$(db_uri $src)" "$(db_uri bench_decant)" >/dev/null && echo "decant verify source vs decant copy: equal"

echo
awk -v md="$md" -v ml="$ml" -v yd="$yd" -v yl="$yl" -v de="$de" -v di="$di" -v dii="$dii" \
    -v der="$de_rss" -v dir="$di_rss" 'BEGIN {
  d = de + di
  printf "%-30s %8s %8s %8s %10s\n", "round trip", "out s", "in s", "total s", "vs decant"
  printf "%-30s %8.2f %8.2f %8.2f %9.2fx\n", "mysqldump + mariadb", md, ml, md + ml, (md + ml) / d
  printf "%-30s %8.2f %8.2f %8.2f %9.2fx\n", "mydumper + myloader (-t 2)", yd, yl, yd + yl, (yd + yl) / d
  printf "%-30s %8.2f %8.2f %8.2f %9.2fx\n", "decant (-j 2, LOAD DATA)", de, di, d, 1
  printf "%-30s %8.2f %8.2f %8.2f %9.2fx\n", "decant (-j 2, INSERT)", de, dii, de + dii, (de + dii) / d
  printf "(vs decant > 1: slower than decant)  decant peak RSS: export %s MiB, import %s MiB\n", der, dir
}'
for db in bench_mysqldump bench_myloader bench_decant bench_decant_insert; do
  "${client[@]}" -e "DROP DATABASE IF EXISTS \`$db\`"
done

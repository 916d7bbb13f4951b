#!/usr/bin/env bash
# Peak memory and wall time of a SQLite round trip, decant next to the sqlite3
# shell's own dump/restore, on the same generated table.
#
#   bash bench/sqlite_roundtrip.sh [ROWS ...]      (default: 1000000 5000000)
#
# For each ROWS it builds a table of ROWS rows of mixed types (integer key,
# text, real, blob, NULLs), then times, with /usr/bin/time -v:
#   decant export -> archive, decant import -> new file;
#   sqlite3 .dump | sqlite3 (the peer), into another new file.
# It prints wall seconds, peak RSS and ratios (peer / decant).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
decant="$PWD/build/src/cli/decant"
work="${BENCH_DIR:-$(mktemp -d -t decant-bench.XXXXXX)}"
mkdir -p "$work"
rows_list=("$@")
((${#rows_list[@]})) || rows_list=(1000000 5000000)

# shellcheck source=bench/lib.sh
source bench/lib.sh

# step LABEL CMD OUTPUT: measures CMD and prints one row of the table.
step() {
  measure "$2"
  printf '%-10s %-28s %9s %10s %10s\n' "$rows" "$1" "$secs" "$rss_mib" "$(du -h "$3" | cut -f1)"
}

printf '%-10s %-28s %9s %10s %10s\n' rows step seconds "peak MiB" size
for rows in "${rows_list[@]}"; do
  src="$work/src-$rows.db"
  if [ ! -f "$src" ]; then
    sqlite3 "$src" "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, amount REAL, flag INTEGER, payload BLOB, note TEXT);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < $rows)
      INSERT INTO t SELECT i, 'name-' || i, i * 0.25, i % 2, randomblob(16),
        CASE WHEN i % 3 = 0 THEN NULL ELSE printf('note %d with some text', i) END FROM n;"
  fi
  rm -rf "$work/a.decant" "$work/d1.db" "$work/d2.db" "$work/dump.sql"

  step "decant export" "'$decant' -q export sqlite://$src -o $work/a.decant" "$work/a.decant"; e_s=$secs
  step "decant import" "'$decant' -q import $work/a.decant sqlite://$work/d1.db" "$work/d1.db"; i_s=$secs
  step "sqlite3 .dump" "sqlite3 $src .dump > $work/dump.sql" "$work/dump.sql"; d_s=$secs
  step "sqlite3 < dump.sql" "sqlite3 $work/d2.db < $work/dump.sql" "$work/d2.db"; r_s=$secs
  awk -v a="$e_s" -v b="$i_s" -v c="$d_s" -v d="$r_s" -v r="$rows" \
    'BEGIN { printf "%-10s %-28s %9.2f   (sqlite3 dump+restore / decant export+import = %.2fx)\n", r, "round trip decant", a+b, (c+d)/(a+b) }'
  "$decant" verify "sqlite://$src" "sqlite://$work/d1.db" | tail -1
done
echo "files in $work"

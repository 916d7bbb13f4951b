#!/usr/bin/env bash
# The MariaDB round trip of bench/run.sh at one size (kept for the old command
# line): decant export + import -j2 --directory (LOAD DATA, and import with
# DECANT_MYSQL_LOAD=insert) vs mydumper + myloader -t 2 and mysqldump | mariadb.
# It starts the server and reads its environment itself. More options:
# bench/README.md.
#
#   bash bench/mysql_roundtrip.sh [N]     (default N = 1500000: N orders, N events, N/5 customers)
set -euo pipefail
BENCH_MYSQL_ROWS="${1:-1500000}" exec bash "$(dirname "$0")/run.sh" --sizes 1 mysql-roundtrip

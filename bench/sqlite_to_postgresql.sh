#!/usr/bin/env bash
# SQLite -> PostgreSQL of bench/run.sh at one size (kept for the old command
# line): decant migrate -jJOBS vs pgloader, on a generated file of ROWS rows.
# More options: bench/README.md.
#
#   bash bench/sqlite_to_postgresql.sh [ROWS] [JOBS]     (default: 3000000 2)
set -euo pipefail
BENCH_SQLITE_ROWS="${1:-3000000}" exec bash "$(dirname "$0")/run.sh" --sizes 1 --jobs "${2:-2}" sqlite-pg

#!/usr/bin/env bash
# The PostgreSQL round trip of bench/run.sh at one pgbench scale (kept for the
# old command line): decant export + import -jJOBS --directory vs pg_dump -Fd +
# pg_restore -jJOBS and the raw COPY floor. More options: bench/README.md.
#
#   bash bench/postgresql_roundtrip.sh [SCALE] [JOBS]     (default: 50 2)
set -euo pipefail
BENCH_PG_SCALE="${1:-50}" exec bash "$(dirname "$0")/run.sh" --sizes 1 --jobs "${2:-2}" pg-roundtrip

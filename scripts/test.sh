#!/usr/bin/env bash
# Runs every test: installs what is missing, builds with warnings as errors,
# checks the style (scripts/lint.sh: clang-format and clang-tidy), starts the
# private database servers the engine tests use (scripts/servers/, see its
# README.md), fetches the real-world schema corpus (scripts/corpus.sh, into
# DECANT_CORPUS_DIR, default /var/tmp/decant-corpus), then runs the whole
# GoogleTest suite through ctest, and greps everything the tests printed or
# left for the test passwords (tests/security/password_grep.py). Tests that need
# ../shared/samples skip with a one-line reason when it is absent. Then the
# server-free unit tests again, built with clang under ASan and UBSan
# (scripts/sanitize.sh), and each fuzz target for 30 s plus its regression inputs
# (scripts/fuzz.sh; both in build-asan/, docs/fuzzing.md). Last, scripts/package.sh --test packs build/
# as a Debian package, installs it, runs the installed decant on a clean PATH and
# purges it again (as root with dpkg; else it skips with one line).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests
bash scripts/lint.sh
bash scripts/servers/postgresql.sh start
bash scripts/servers/mariadb.sh start
# shellcheck disable=SC1090
source "$(bash scripts/servers/postgresql.sh env)"
# shellcheck disable=SC1090
source "$(bash scripts/servers/mariadb.sh env)"
bash scripts/corpus.sh
# Every test keeps its files (decant's stdout, stderr, logs, reports, archives)
# under one fresh directory, which the password grep reads (docs/security.md).
export DECANT_TEST_KEEP_DIR="$PWD/build/test-outputs"
rm -rf "$DECANT_TEST_KEEP_DIR"
mkdir -p "$DECANT_TEST_KEEP_DIR"
TMPDIR="$DECANT_TEST_KEEP_DIR" ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 900
# Once more after ctest, whose LastTest.log is complete only now: no test
# password in any output of the whole suite.
python3 tests/security/password_grep.py build "$DECANT_TEST_KEEP_DIR"
rm -rf "$DECANT_TEST_KEEP_DIR"
unset DECANT_TEST_KEEP_DIR
bash scripts/sanitize.sh
bash scripts/fuzz.sh
bash scripts/package.sh --test

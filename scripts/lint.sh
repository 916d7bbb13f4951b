#!/usr/bin/env bash
# The style check of the test command (scripts/test.sh runs it after the build,
# before ctest); fails on any finding:
#   1. file names under src/, tests/ and fuzz/ are snake_case (*.cc, *.h);
#   2. clang-format --dry-run --Werror (.clang-format) over src/, tests/ and fuzz/ (*.cc, *.h);
#   3. clang-tidy (.clang-tidy) over the project's .cc files, with the compile
#      commands of BUILD_DIR (default build/, as scripts/setup.sh --tests leaves it),
#      in parallel; findings in the project's own headers count too.
#      (fuzz/ is compiled only in build-asan/, by clang: docs/fuzzing.md).
# Tools: clang-format and clang-tidy 14 (Debian 12), installed by scripts/setup.sh --tests.
#   bash scripts/lint.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
build="${1:-build}"
jobs="$(nproc)"

mapfile -t files < <(find src tests fuzz -type f \( -name '*.cc' -o -name '*.h' \) | LC_ALL=C sort)
failed=0

bad_names=$(printf '%s\n' "${files[@]}" | grep -vE '/[a-z0-9_]+\.(cc|h)$' || true)
if [ -n "$bad_names" ]; then
  echo "lint: file names must be snake_case:" >&2
  echo "$bad_names" >&2
  failed=1
fi

echo "lint: clang-format over ${#files[@]} files" >&2
# Names the files whose layout differs (clang-format --dry-run FILE shows where).
# shellcheck disable=SC2016  # $0 expands in the sh -c child, on purpose
unformatted="$(printf '%s\0' "${files[@]}" |
  xargs -0 -n 1 -P "$jobs" sh -c 'clang-format --dry-run --Werror "$0" >/dev/null 2>&1 || echo "$0"' | LC_ALL=C sort)"
if [ -n "$unformatted" ]; then
  echo "lint: not clang-formatted (clang-format -i FILE fixes it):" >&2
  echo "$unformatted" >&2
  failed=1
fi

db="$build/compile_commands.json"
if [ ! -f "$db" ]; then
  echo "lint: $db is missing: configure the build first (bash scripts/setup.sh --tests)" >&2
  exit 1
fi
# The project's translation units (src/ and tests/, not generated or third-party
# ones), one clang-tidy per core; run-clang-tidy (Debian's clang-tidy package)
# prints each file's findings in one piece and exits non-zero when a clang-tidy
# did, which it does on any finding (.clang-tidy: WarningsAsErrors '*').
echo "lint: clang-tidy over the project's .cc files in $db, $jobs at a time" >&2
root_re="$(printf '%s' "$root" | sed 's/[][\\.*^$+?(){}|]/\\&/g')"
tidy_log="$(mktemp -t decant-tidy.XXXXXX)"
trap 'rm -f "$tidy_log"' EXIT
# The compile commands are GCC's: -extra-arg keeps clang from failing on a GCC-only
# warning option (CMakeLists.txt's -Wno-restrict for GCC 12).
run-clang-tidy -quiet -j "$jobs" -p "$build" -header-filter="^$root_re/(src|tests)/" \
  -extra-arg=-Wno-unknown-warning-option \
  "^$root_re/(src|tests)/.*\.cc\$" >"$tidy_log" 2>&1 || failed=1
# Keep the findings, drop the colours run-clang-tidy asks for, the invocations and
# the "N warnings generated" chatter.
sed 's/\x1b\[[0-9;]*m//g' "$tidy_log" |
  grep -vE '^clang-tidy(-[0-9]+)? |^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter' >&2 || true

if ((failed)); then
  echo "lint: FAILED (see above; .clang-tidy lists the checks and why some are off)" >&2
  exit 1
fi
echo "lint: ok" >&2

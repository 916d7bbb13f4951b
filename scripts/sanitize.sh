#!/usr/bin/env bash
# The sanitizer job (docs/fuzzing.md): builds decant and its tests with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer (-fno-sanitize-recover:
# any undefined behaviour stops the test) into build-asan/, then runs the
# unit tests that need no database server: core, io, sql, mapping, archive,
# formats (RethinkDB, Django, TypeDB), pipeline and the SQLite engine. The
# same tree holds the fuzz targets (scripts/fuzz.sh), so the two steps of
# scripts/test.sh compile decant once between them.
#
#   bash scripts/sanitize.sh               build, then run the tests
#   bash scripts/sanitize.sh --configure   configure build-asan/ only (scripts/fuzz.sh)
#
# Needs clang and libclang-rt-14-dev (scripts/setup.sh --tests installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
build="build-asan"

CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDECANT_FUZZ=ON -DDECANT_BUILD_TESTS=ON -DDECANT_WERROR=ON >/dev/null
[ "${1:-}" = --configure ] && exit 0

# The tests that need no server (the SERVERS ones of decant_test() are left out).
tests=(core_test io_test sql_test mapping_test archive_test dump_index_test shards_test
  format_registry_test rdb_input_test rdb_shape_test rdb_writer_test
  fixture_file_test django_values_test model_map_test django_sink_test
  typedb_sink_test typedb_values_test labels_test export_file_test typedb_source_test
  pipeline_test events_test progress_test schema_adapt_test selection_test report_test
  sqlite_test load_protocol_test registry_test)

echo "sanitize: building ${#tests[@]} test programs with ASan and UBSan into $build/" >&2
# Some tests run the decant binary (django_sink_test, rdb_writer_test): it is built too.
cmake --build "$build" -j"$(nproc)" --target decant "${tests[@]}"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
failed=()
for t in "${tests[@]}"; do
  bin=$(find "$build" -name "$t" -type f -perm -u+x | head -n 1)
  start=$SECONDS
  if (cd "$(dirname "$bin")" && "./$t" --gtest_brief=1 >"$OLDPWD/$build/$t.log" 2>&1); then
    echo "sanitize: $t passed ($((SECONDS - start)) s)" >&2
  else
    echo "sanitize: $t FAILED ($((SECONDS - start)) s); its last lines ($build/$t.log):" >&2
    tail -n 40 "$build/$t.log" >&2
    failed+=("$t")
  fi
done
if ((${#failed[@]})); then
  echo "sanitize: ${#failed[@]} of ${#tests[@]} failed under ASan/UBSan: ${failed[*]}" >&2
  exit 1
fi
echo "sanitize: all ${#tests[@]} test programs passed under ASan and UBSan" >&2

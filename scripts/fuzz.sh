#!/usr/bin/env bash
# The fuzz job (docs/fuzzing.md): builds the libFuzzer targets of fuzz/ with
# clang, ASan and UBSan into build-asan/ (configured by scripts/sanitize.sh),
# replays every regression input of fuzz/regressions/<target>/, then runs
# each target for a bounded time from its seed corpus (fuzz/corpus/<target>/,
# read only) and a working corpus (build-asan/fuzz-corpus/<target>/, which
# keeps what earlier runs found). Prints per target: runs, execs/s, coverage,
# corpus size. Exits non-zero on any crash, sanitizer report, leak or
# timeout, naming the input that caused it (build-asan/fuzz-artifacts/).
#
#   bash scripts/fuzz.sh [TARGET...]     default: every target
#
#   DECANT_FUZZ_SECONDS   seconds per target (default 30)
#   DECANT_FUZZ_JOBS      targets run at once (default: the number of cores)
#
# Needs clang and libclang-rt-14-dev (scripts/setup.sh --tests installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
build="build-asan"
seconds=${DECANT_FUZZ_SECONDS:-30}
jobs=${DECANT_FUZZ_JOBS:-$(nproc)}

all=()
for f in fuzz/*_fuzzer.cc; do
  name=$(basename "$f" .cc)
  all+=("${name%_fuzzer}")
done
targets=("$@")
((${#targets[@]})) || targets=("${all[@]}")
for t in "${targets[@]}"; do
  [ -f "fuzz/${t}_fuzzer.cc" ] || { echo "fuzz: no target $t (targets: ${all[*]})" >&2; exit 2; }
done

bash scripts/sanitize.sh --configure
echo "fuzz: building ${#targets[@]} fuzz targets into $build/fuzz/" >&2
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/%/_fuzzer}"

export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
logs="$build/fuzz-logs"
mkdir -p "$logs"
failed=()

# Every regression input, once each: a crash fixed must stay fixed.
for t in "${targets[@]}"; do
  dir="fuzz/regressions/$t"
  [ -d "$dir" ] || continue
  inputs=("$dir"/*)
  [ -e "${inputs[0]}" ] || continue
  if "$build/fuzz/${t}_fuzzer" -runs=1 -timeout=25 "${inputs[@]}" >"$logs/$t-regressions.log" 2>&1; then
    echo "fuzz: $t: ${#inputs[@]} regression inputs pass" >&2
  else
    echo "fuzz: $t: a regression input fails again ($logs/$t-regressions.log):" >&2
    tail -n 30 "$logs/$t-regressions.log" >&2
    failed+=("$t (regression)")
  fi
done

# One target, for `seconds`: its log says how it went.
run_target() {
  local t=$1
  mkdir -p "$build/fuzz-corpus/$t" "$build/fuzz-artifacts/$t"
  local seeds=()
  [ -d "fuzz/corpus/$t" ] && seeds=("fuzz/corpus/$t")
  "$build/fuzz/${t}_fuzzer" "$build/fuzz-corpus/$t" "${seeds[@]}" -max_total_time="$seconds" -timeout=25 \
    -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$t/" \
    >"$logs/$t.log" 2>&1
}
export -f run_target
export build seconds logs

echo "fuzz: running ${#targets[@]} targets for ${seconds} s each, $jobs at a time" >&2
# shellcheck disable=SC2016  # $0 expands in the bash -c child, on purpose
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -n 1 bash -c 'run_target "$0" || echo "$0" >>"$logs/failed"' || true

printf '%-16s %10s %9s %7s %7s %12s  %s\n' target runs execs/s cov ft corpus result >&2
for t in "${targets[@]}"; do
  log="$logs/$t.log"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  last=$(grep -E '^#[0-9]+' "$log" | grep -E 'cov: ' | tail -n 1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<<"$last")
  result=ok
  if grep -qx "$t" "$logs/failed" 2>/dev/null; then
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    result="FAILED: ${artifact:-see $log}"
    failed+=("$t")
  fi
  printf '%-16s %10s %9s %7s %7s %12s  %s\n' "$t" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" \
    "$result" >&2
done
rm -f "$logs/failed"

if ((${#failed[@]})); then
  for t in "${failed[@]}"; do
    t=${t% (regression)}
    echo "fuzz: $t: $(grep -m1 -E 'ERROR: |runtime error|==ERROR|deadly signal|Timeout' "$logs/$t.log" 2>/dev/null || echo 'see the log')" >&2
  done
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]} (logs: $logs/; to keep a crash as a regression" \
    "input: fix it, then copy the artifact to fuzz/regressions/<target>/, docs/fuzzing.md)" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran ${seconds} s each without a crash" >&2

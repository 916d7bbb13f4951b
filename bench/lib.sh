# Shared by the bench/ scripts: timing one command, medians, Debian packages.
# shellcheck shell=bash disable=SC2034,SC2154

# measure CMD: runs CMD (a bash command line, with pipefail) under /usr/bin/time
# with its stdout discarded; sets `secs` (wall seconds) and `rss_mib` (peak
# resident memory in MiB of the largest process). Needs $work, a scratch
# directory. CMD's stderr is kept in $work/measure.err; when CMD fails, measure
# prints the command, its exit code and the end of its stderr, and returns 1.
measure() {
  local log="$work/time.log" err="$work/measure.err" rc=0
  /usr/bin/time -f '%e %M' -o "$log" bash -o pipefail -c "$1" >/dev/null 2>"$err" || rc=$?
  if [ "$rc" != 0 ]; then
    {
      echo "bench: FAILED (exit $rc): $1"
      tail -n 20 "$err" | sed 's/^/bench:   /'
    } >&2
    return 1
  fi
  secs=$(awk 'END {print $1}' "$log")
  rss_mib=$(awk 'END {printf "%.1f", $2/1024}' "$log")
}

# median V...: prints the median of the numbers (the mean of the two middle
# ones for an even count), with two decimals.
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR == 0) exit 1
          if (NR % 2) printf "%.2f\n", v[(NR + 1) / 2]
          else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# apt_missing PKG...: installs (apt-get, non-interactive) those of the Debian
# packages that are not installed yet; nothing when all are.
apt_missing() {
  local missing=() p sudo=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "bench: installing ${missing[*]}" >&2
  $sudo apt-get -o DPkg::Lock::Timeout=300 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
}

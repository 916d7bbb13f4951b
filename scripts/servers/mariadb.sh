#!/usr/bin/env bash
# A private MariaDB server (Debian's 10.11) for decant's tests and benchmarks.
#
#   mariadb.sh start   install what is missing, create and start the instance
#                      (idempotent: a running server is left running)
#   mariadb.sh stop    stop it (data is kept)
#   mariadb.sh env     print the path of the env file to `source`
#
# 127.0.0.1:53306 only, socket in the data directory, user decant (@127.0.0.1 and
# @localhost) with ALL PRIVILEGES WITH GRANT OPTION. The Debian system service is
# neither used nor started. Everything lives in
# ${DECANT_SERVER_DIR:-/var/tmp/decant-servers}/mariadb; the server runs as the
# system user decant-db. See scripts/servers/README.md.
set -euo pipefail
umask 022
SCRIPT_NAME="mariadb.sh"
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$here/common.sh"

PORT=53306
USER_NAME=decant

set_paths() {
  DIR="$CACHE/mariadb"
  DATA="$DIR/data"
  CNF="$DIR/server.cnf"
  SOCK="$DATA/mariadb.sock"
  PIDFILE="$DATA/mariadb.pid"
  ERRLOG="$DIR/error.log"
  PWFILE="$CACHE/mariadb-password"
}
set_paths

install_packages() {
  apt_install mariadb-server mariadb-client libmariadb-dev mydumper
  [ -x /usr/sbin/mariadbd ] || die "/usr/sbin/mariadbd is missing"
}

write_server_cnf() {
  cat >"$CNF.tmp" <<EOF
# Written by scripts/servers/mariadb.sh on every start; edits are lost.
# Read with --defaults-file, so nothing from /etc/mysql applies.
[mysqld]
datadir                        = $DATA
socket                         = $SOCK
pid-file                       = $PIDFILE
log-error                      = $ERRLOG
bind-address                   = 127.0.0.1
port                           = $PORT
skip-name-resolve
character-set-server           = utf8mb4
collation-server               = utf8mb4_general_ci
local_infile                   = ON
max_allowed_packet             = 256M
innodb_buffer_pool_size        = 512M
# Test and benchmark data only: speed over durability.
innodb_flush_log_at_trx_commit = 2
EOF
  chmod 644 "$CNF.tmp"; chown "$DB_USER:$DB_USER" "$CNF.tmp"; mv -f "$CNF.tmp" "$CNF"
}

init_instance() {
  mkdir -p "$DIR"
  chown "$DB_USER:$DB_USER" "$DIR"
  chmod 700 "$DIR"
  write_server_cnf
  [ -d "$DATA/mysql" ] && return 0
  log "mariadb-install-db into $DATA"
  rm -rf "$DATA"
  # Run as decant-db: root@localhost and decant-db@localhost get unix_socket auth.
  if ! run_as_db mariadb-install-db --defaults-file="$CNF" --skip-test-db \
        --auth-root-authentication-method=socket >"$DIR/install-db.log" 2>&1; then
    tail -n 30 "$DIR/install-db.log" >&2
    die "mariadb-install-db failed (log: $DIR/install-db.log)"
  fi
}

is_running() {
  [ -f "$PIDFILE" ] && pid_serves_dir "$(head -n 1 "$PIDFILE")" "$DATA"
}

# root through the socket (unix_socket auth: the OS user root is MariaDB's root).
root_sql() { mariadb --no-defaults --protocol=socket --socket="$SOCK" -uroot --batch "$@"; }

fail_with_log() {
  echo "---- last lines of $ERRLOG ----" >&2
  tail -n 30 "$ERRLOG" >&2 || true
  die "$*"
}

start_server() {
  local pid deadline
  if is_running; then
    log "MariaDB already running on 127.0.0.1:$PORT"
  else
    if [ -e "$PIDFILE" ]; then
      log "removing stale $PIDFILE (no such server is running)"
      rm -f "$PIDFILE"
    fi
    rm -f "$SOCK" "$SOCK.lock"
    log "starting MariaDB on 127.0.0.1:$PORT"
    touch "$ERRLOG"; chown "$DB_USER:$DB_USER" "$ERRLOG"
    # Detached: own session, no terminal, output in the error log.
    setsid bash -c 'exec 9>&- "$@"' _ \
      setpriv --reuid="$DB_USER" --regid="$DB_USER" --init-groups -- \
      env HOME=/nonexistent USER="$DB_USER" LOGNAME="$DB_USER" \
      /usr/sbin/mariadbd --defaults-file="$CNF" </dev/null >>"$ERRLOG" 2>&1 &
    pid=$!
    deadline=$((SECONDS + START_TIMEOUT))
    until root_sql -e 'SELECT 1' >/dev/null 2>&1; do
      kill -0 "$pid" 2>/dev/null || { wait "$pid" || true; fail_with_log "MariaDB exited while starting"; }
      ((SECONDS < deadline)) || fail_with_log "MariaDB does not accept connections after ${START_TIMEOUT}s (pid $pid)"
      sleep 0.5
    done
  fi
  ensure_user
  deadline=$((SECONDS + START_TIMEOUT))
  until mariadb --defaults-file="$CACHE/my.cnf" --connect-timeout=5 -e 'SELECT 1' >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail_with_log "cannot log in as $USER_NAME on 127.0.0.1:$PORT"
    sleep 0.5
  done
}

# The user and its password (from the password file) on every start; the SQL goes
# through stdin and any error text has the password masked.
ensure_user() {
  local pw out
  pw="$(cat "$PWFILE")"
  if ! out="$(root_sql 2>&1 <<EOF
CREATE USER IF NOT EXISTS '$USER_NAME'@'127.0.0.1' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS '$USER_NAME'@'localhost' IDENTIFIED BY '$pw';
ALTER USER '$USER_NAME'@'127.0.0.1' IDENTIFIED BY '$pw';
ALTER USER '$USER_NAME'@'localhost' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON *.* TO '$USER_NAME'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$USER_NAME'@'localhost' WITH GRANT OPTION;
EOF
)"; then
    echo "${out//$pw/********}" >&2
    die "could not create the MariaDB user $USER_NAME"
  fi
}

write_client_files() {
  local pw
  pw="$(cat "$PWFILE")"
  write_secret "$CACHE/my.cnf" <<EOF
# Written by scripts/servers/mariadb.sh start.
[client]
user     = $USER_NAME
password = $pw
host     = 127.0.0.1
port     = $PORT
EOF
  write_public "$CACHE/mariadb.env" <<EOF
# Written by scripts/servers/mariadb.sh start; source it before running the tests.
export DECANT_TEST_MYSQL_URI=mysql://$USER_NAME@127.0.0.1:$PORT/
export DECANT_TEST_MYSQL_DEFAULTS_FILE=$CACHE/my.cnf
export DECANT_TEST_MYSQL_SOCKET=$SOCK
export MYSQL_PWD_FILE=$PWFILE
EOF
}

cmd_start() {
  require_root start
  install_packages
  ensure_db_user
  ensure_cache_dir
  set_paths
  take_lock mariadb
  ensure_password "$PWFILE"
  write_client_files
  init_instance
  start_server
  log "ready: MariaDB $(root_sql -N -e 'SELECT VERSION()') on 127.0.0.1:$PORT; env: $CACHE/mariadb.env"
}

cmd_stop() {
  require_root stop
  [ -d "$DIR" ] || return 0
  ensure_cache_dir
  set_paths
  take_lock mariadb
  is_running || return 0
  local pid deadline
  pid="$(head -n 1 "$PIDFILE")"
  log "stopping MariaDB"
  kill -TERM "$pid"
  deadline=$((SECONDS + START_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < deadline)) || fail_with_log "MariaDB (pid $pid) did not stop after ${START_TIMEOUT}s"
    sleep 0.5
  done
}

server_main mariadb "$@"

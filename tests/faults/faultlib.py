"""What the fault-injection suite (tests/faults/run_test.py) is built from:
the decant runner that injects a fault at a point of the run's --json-log,
the targets (SQLite file, PostgreSQL and MariaDB databases) with their exact
state, the private server instances it may restart, and the cases' summary."""
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from scriptlib import check, failures  # noqa: E402

DB_USER = "decant-db"  # the OS user scripts/servers/*.sh run the servers as

# Tables (or a schema) decant may keep in a target to resume a load: not part
# of the load's state. Adjust here if --resume names its bookkeeping otherwise.
RESUME_BOOKKEEPING = re.compile(r"(^|\.)_?decant", re.IGNORECASE)


def loaded(state):
    """`state` ({table: rows}) without decant's resume bookkeeping."""
    return {t: n for t, n in state.items() if not RESUME_BOOKKEEPING.search(t)}


# ---------------------------------------------------------------- the runner


class Decant:
    """The binary under test; every run has --progress none and a timeout."""

    def __init__(self, binary, work):
        self.binary = binary
        self.work = work
        self.runs = 0

    def run(self, *args, timeout=600):
        return subprocess.run([self.binary, "--progress", "none", *args], capture_output=True, text=True,
                              timeout=timeout)

    def help_of(self, command):
        return self.run(command, "--help", timeout=60).stdout

    def faulted(self, args, when, fault, timeout=600):
        """Runs decant ARGS with --json-log, and once when(events) holds (the
        events written so far, parsed), calls fault(proc) while decant still
        runs. Returns a Faulted: exit code, stderr, the events, and whether the
        fault came before decant ended."""
        self.runs += 1
        log = os.path.join(self.work, f"run{self.runs}.jsonl")
        err_path = os.path.join(self.work, f"run{self.runs}.stderr")
        with open(err_path, "w") as err:
            proc = subprocess.Popen([self.binary, "--progress", "none", "--json-log", log, *args],
                                    stdout=subprocess.DEVNULL, stderr=err)
        fired = None  # the number of events seen when the fault came
        deadline = time.monotonic() + timeout
        events = []
        try:
            while proc.poll() is None and time.monotonic() < deadline:
                events = read_events(log)
                if when(events):
                    if proc.poll() is None and fault(proc) is not False:
                        fired = len(events)
                    break
                time.sleep(0.004)
            proc.wait(timeout=max(1, deadline - time.monotonic()))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        with open(err_path) as f:
            stderr = f.read()
        return Faulted(proc.returncode, stderr, read_events(log), fired)


class Faulted:
    def __init__(self, rc, stderr, events, fired):
        self.rc = rc
        self.returncode = rc
        self.stderr = stderr
        self.events = events
        self.fired = fired

    def where(self):
        """Where the fault came: after which event (the last one logged)."""
        if self.fired is None:
            return "decant ended before the fault point"
        if not self.events:
            return "before the first event"
        last = self.events[min(self.fired, len(self.events)) - 1]
        what = last.get("event", "?")
        for key in ("table", "phase"):
            if key in last:
                what += " " + str(last[key])
        return f"after event {self.fired} ({what})"


def read_events(path):
    """The complete lines of a --json-log, parsed (a line being written is left out)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except FileNotFoundError:
        return []
    out = []
    for line in text.split("\n")[:-1]:
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def sigkill(delay):
    """A fault: SIGKILL after `delay` seconds, unless decant ended meanwhile."""

    def fault(proc):
        if delay:
            time.sleep(delay)
        if proc.poll() is not None:
            return False
        os.kill(proc.pid, signal.SIGKILL)
        return True

    return fault


def error_lines(stderr):
    """The lines of stderr that are not warnings."""
    return [line for line in stderr.splitlines() if line.strip() and not line.startswith("decant: warning:")]


def expect(cond, what, detail=""):
    """check(), with `detail` (what was seen) shown only when it fails."""
    return check(cond, what if cond or not detail else f"{what}: {' '.join(str(detail).split())[-400:]}")


def check_one_line_error(r, code, what, contains=()):
    """A failure is one `decant: error:` line on stderr and the documented exit code."""
    lines = error_lines(r.stderr)
    shown = " | ".join(lines)[:400]
    expect(r.returncode == code, f"{what}: exit {code}", f"got {r.returncode}: {shown}")
    expect(len(lines) == 1 and lines[0].startswith("decant: error: "),
           f"{what}: one 'decant: error:' line on stderr", f"got {len(lines)}: {shown}")
    for text in contains:
        expect(any(text in line for line in lines), f"{what}: the error says {text!r}", shown)


# ---------------------------------------------------------------- targets


class SqliteTarget:
    kind = "sqlite"

    def __init__(self, path):
        self.path = path
        self.uri = "sqlite:" + path
        self.name = os.path.basename(path)

    def reset(self):
        for p in (self.path, self.path + ".partial", self.path + "-journal", self.path + ".partial-journal"):
            if os.path.exists(p):
                os.remove(p)

    def settle(self):
        pass

    def state(self):
        """None when the file does not exist, else {table: rows} of its tables."""
        if not os.path.exists(self.path):
            return None
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            names = [r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")]
            return loaded({n: db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names})
        finally:
            db.close()

    def objects(self):
        """{kind: count} of what post-data creates: indexes, foreign keys, views."""
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            out = {kind: db.execute("SELECT count(*) FROM sqlite_master WHERE type = ?", (kind,)).fetchone()[0]
                   for kind in ("index", "view")}
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            out["foreign key"] = sum(db.execute("SELECT count(*) FROM pragma_foreign_key_list(?)", (t,)).fetchone()[0]
                                     for t in tables)
            return out
        finally:
            db.close()

    def drop(self):
        self.reset()


def pg_rows(uri, sql):
    """Rows of `sql` on `uri` (psql -At), each a list of strings."""
    out = subprocess.run(["psql", "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", uri, "-c", sql],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def with_db(uri, db):
    base, _, rest = uri.rpartition("/")
    query = rest.partition("?")[2]
    return base + "/" + db + ("?" + query if query else "")


class PgTarget:
    kind = "postgresql"

    def __init__(self, base, name):
        self.base = base  # a URI of the server's postgres database
        self.name = name
        self.uri = with_db(base, name)

    def reset(self):
        self.drop()
        pg_rows(self.base, f"CREATE DATABASE {self.name}")

    def backends(self):
        """Process ids of the other sessions on this database (decant's)."""
        return [int(r[0]) for r in pg_rows(self.base, f"SELECT pid FROM pg_stat_activity WHERE datname = "
                                                      f"'{self.name}' AND pid <> pg_backend_pid()")]

    def settle(self, timeout=60):
        """Waits until the server has finished with decant's sessions (a killed
        client's backend ends its transaction when it notices)."""
        deadline = time.monotonic() + timeout
        while self.backends() and time.monotonic() < deadline:
            time.sleep(0.05)

    def state(self):
        rows = pg_rows(self.uri, "SELECT table_schema, table_name FROM information_schema.tables WHERE "
                                 "table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', "
                                 "'information_schema')")
        out = {}
        for schema, table in rows:
            name = table if schema == "public" else f"{schema}.{table}"
            out[name] = int(pg_rows(self.uri, f'SELECT count(*) FROM "{schema}"."{table}"')[0][0])
        return loaded(out)

    def objects(self):
        user = "NOT IN ('pg_catalog', 'information_schema')"
        return {
            "index": int(pg_rows(self.uri, f"SELECT count(*) FROM pg_indexes WHERE schemaname {user}")[0][0]),
            "foreign key": int(pg_rows(self.uri, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'")[0][0]),
            "view": int(pg_rows(self.uri, f"SELECT count(*) FROM information_schema.views WHERE table_schema {user}")
                        [0][0]),
            "sequence": int(pg_rows(self.uri, "SELECT count(*) FROM information_schema.sequences")[0][0]),
        }

    def drop(self):
        for pid in self.backends() if self.exists() else []:
            pg_rows(self.base, f"SELECT pg_terminate_backend({pid})")
        pg_rows(self.base, f"DROP DATABASE IF EXISTS {self.name}")

    def exists(self):
        return bool(pg_rows(self.base, f"SELECT 1 FROM pg_database WHERE datname = '{self.name}'"))

    def locked(self, table):
        """Whether another session holds an ACCESS EXCLUSIVE lock on `table` of this database."""
        return bool(pg_rows(self.uri, "SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE "
                                      f"c.relname = '{table}' AND l.mode = 'AccessExclusiveLock' AND l.granted"))

    def waiting_on_lock(self):
        """Whether a session of this database waits for a lock."""
        return bool(pg_rows(self.base, f"SELECT 1 FROM pg_stat_activity WHERE datname = '{self.name}' AND "
                                       "wait_event_type = 'Lock'"))

    def terminate_backends(self):
        pids = self.backends()
        for pid in pids:
            pg_rows(self.base, f"SELECT pg_terminate_backend({pid})")
        return len(pids)


class MysqlServer:
    """The mariadb client on a server, as a [client] defaults file gives it."""

    def __init__(self, uri_base, defaults_file):
        self.uri_base = uri_base.rstrip("/")  # mysql://user@host:port
        self.defaults_file = defaults_file

    def rows(self, sql, db=None):
        cmd = ["mariadb", f"--defaults-file={self.defaults_file}", "-N", "-B", "-e", sql]
        if db:
            cmd.append(db)
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=120).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def uri(self, db):
        return f"{self.uri_base}/{db}?defaults-file={self.defaults_file}"


class MysqlTarget:
    kind = "mariadb"

    def __init__(self, server, name):
        self.server = server
        self.name = name
        self.uri = server.uri(name)

    def connections(self):
        return [int(r[0]) for r in self.server.rows(
            f"SELECT id FROM information_schema.processlist WHERE db = '{self.name}' AND id <> CONNECTION_ID()")]

    def settle(self, timeout=60):
        deadline = time.monotonic() + timeout
        while self.connections() and time.monotonic() < deadline:
            time.sleep(0.05)

    def reset(self):
        self.drop()
        self.server.rows(f"CREATE DATABASE `{self.name}`")

    def state(self):
        tables = [r[0] for r in self.server.rows(
            f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{self.name}' "
            f"AND table_type = 'BASE TABLE'")]
        return loaded({t: int(self.server.rows(f"SELECT count(*) FROM `{self.name}`.`{t}`")[0][0]) for t in tables})

    def objects(self):
        db = f"'{self.name}'"
        return {
            "index": int(self.server.rows("SELECT count(DISTINCT table_name, index_name) FROM "
                                          f"information_schema.statistics WHERE table_schema = {db}")[0][0]),
            "foreign key": int(self.server.rows("SELECT count(*) FROM information_schema.referential_constraints "
                                                f"WHERE constraint_schema = {db}")[0][0]),
            "view": int(self.server.rows(f"SELECT count(*) FROM information_schema.views WHERE table_schema = {db}")
                        [0][0]),
        }

    def kill_connections(self):
        ids = self.connections()
        for i in ids:
            try:
                self.server.rows(f"KILL CONNECTION {i}")
            except subprocess.CalledProcessError:
                pass  # ended meanwhile
        return len(ids)

    def drop(self):
        self.kill_connections()
        self.server.rows(f"DROP DATABASE IF EXISTS `{self.name}`")


# ---------------------------------------------------------------- private servers


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def can_run_private_servers():
    """Why private servers cannot be started here, or None."""
    if os.geteuid() != 0:
        return "not root (the private servers run as the OS user decant-db)"
    try:
        pwd.getpwnam(DB_USER)
    except KeyError:
        return f"no OS user {DB_USER} (scripts/servers/postgresql.sh start creates it)"
    return None


def as_db_user(*cmd):
    # TMPDIR: the test command points it at root's kept-outputs directory,
    # which the server user cannot write (mariadb-install-db fails there).
    return ["setpriv", f"--reuid={DB_USER}", f"--regid={DB_USER}", "--init-groups", "--",
            "env", "HOME=/nonexistent", f"USER={DB_USER}", f"LOGNAME={DB_USER}", "TMPDIR=/tmp", *cmd]


def private_dir(prefix):
    d = tempfile.mkdtemp(prefix=prefix, dir="/var/tmp")
    shutil.chown(d, DB_USER, DB_USER)
    os.chmod(d, 0o700)
    return d


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (Debian's PostgreSQL 15 binaries, as
    scripts/servers/postgresql.sh runs them) on its own port, trust auth on
    127.0.0.1, data under /var/tmp: the one this suite may restart."""

    def __init__(self, bindir):
        self.bindir = bindir
        self.dir = private_dir("flt_pg_")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.logfile = os.path.join(self.dir, "postgres.log")
        subprocess.run(as_db_user(os.path.join(bindir, "initdb"), "-D", self.data, "-U", "decant", "--auth=trust",
                                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"),
                       cwd="/", capture_output=True, check=True, timeout=120)
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write(f"listen_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.dir}'\n"
                    "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
        self.base = f"postgresql://decant@127.0.0.1:{self.port}/postgres"
        self.pg_ctl("start")

    def pg_ctl(self, *args):
        subprocess.run(as_db_user(os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-l", self.logfile, "-w",
                                  "-t", "60", *args),
                       cwd="/", capture_output=True, check=True, timeout=120)

    def restart(self):
        self.pg_ctl("restart", "-m", "fast")

    def close(self):
        try:
            self.pg_ctl("stop", "-m", "fast")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class PrivateMariadb:
    """A throwaway mariadbd (Debian's 10.11, as scripts/servers/mariadb.sh runs
    it) with its own datadir and port, user decant with a random password kept
    in a 0600 defaults file: the one this suite may restart."""

    def __init__(self):
        self.dir = private_dir("flt_my_")
        self.data = os.path.join(self.dir, "data")
        self.sock = os.path.join(self.dir, "mariadb.sock")
        self.port = free_port()
        self.cnf = os.path.join(self.dir, "server.cnf")
        with open(self.cnf, "w") as f:
            f.write(f"[mysqld]\ndatadir = {self.data}\nsocket = {self.sock}\n"
                    f"pid-file = {self.dir}/mariadb.pid\nlog-error = {self.dir}/error.log\n"
                    f"bind-address = 127.0.0.1\nport = {self.port}\nskip-name-resolve\nskip-log-bin\n"
                    "character-set-server = utf8mb4\ncollation-server = utf8mb4_general_ci\nlocal_infile = ON\n"
                    "max_allowed_packet = 256M\ninnodb_buffer_pool_size = 128M\n"
                    "innodb_flush_log_at_trx_commit = 2\n")
        os.chmod(self.cnf, 0o644)
        subprocess.run(as_db_user("mariadb-install-db", f"--defaults-file={self.cnf}", "--skip-test-db",
                                  "--auth-root-authentication-method=socket"),
                       cwd="/", capture_output=True, check=True, timeout=300)
        self.proc = None
        self.start()
        password = secrets.token_hex(16)
        self.client_cnf = os.path.join(self.dir, "client.cnf")
        fd = os.open(self.client_cnf, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(f"[client]\nuser = decant\npassword = {password}\nhost = 127.0.0.1\nport = {self.port}\n")
        self.root_sql(f"CREATE USER 'decant'@'127.0.0.1' IDENTIFIED BY '{password}'; "
                      "GRANT ALL PRIVILEGES ON *.* TO 'decant'@'127.0.0.1' WITH GRANT OPTION;")
        self.server = MysqlServer(f"mysql://decant@127.0.0.1:{self.port}", self.client_cnf)

    def root_sql(self, sql):
        return subprocess.run(["mariadb", "--no-defaults", "--protocol=socket", f"--socket={self.sock}", "-uroot",
                               "--batch", "-e", sql], capture_output=True, text=True, timeout=60)

    def start(self):
        self.proc = subprocess.Popen(as_db_user("/usr/sbin/mariadbd", f"--defaults-file={self.cnf}"), cwd="/",
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 90
        while self.root_sql("SELECT 1").returncode != 0:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the private mariadbd did not start (see {self.dir}/error.log)")
            time.sleep(0.2)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=120)

    def restart(self):
        self.stop()
        self.start()

    def close(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------- the summary


class Cases:
    """Each case's outcome, printed as a table at the end (docs/reliability.md)."""

    def __init__(self):
        self.rows = []

    def case(self, name):
        return _Case(self, name)

    def skip(self, name, why):
        print(f"SKIP {name}: {why}", flush=True)
        self.rows.append((name, "SKIP", 0.0, why))

    def table(self):
        w = max([len(r[0]) for r in self.rows] + [4])
        lines = [f"{'case':<{w}}  {'result':<18}  {'s':>6}  notes", "-" * (w + 40)]
        for name, outcome, seconds, note in self.rows:
            lines.append(f"{name:<{w}}  {outcome:<18}  {seconds:6.1f}  {note}")
        return "\n".join(lines)


class _Case:
    def __init__(self, cases, name):
        self.cases = cases
        self.name = name
        self.notes = []
        self.resume_skipped = False

    def note(self, text):
        self.notes.append(text)

    def skip_resume(self, why):
        print(f"SKIP {self.name}: resume part: {why}", flush=True)
        self.resume_skipped = True

    def __enter__(self):
        print(f"---- {self.name}", flush=True)
        self.start = time.monotonic()
        self.before = len(failures)
        return self

    def __exit__(self, kind, value, tb):
        if kind is not None and issubclass(kind, Exception):
            check(False, f"{self.name}: raised {kind.__name__}: {str(value)[:300]}")
        if len(failures) > self.before:
            outcome = "FAIL"
        elif self.resume_skipped:
            outcome = "pass (resume SKIP)"
        else:
            outcome = "pass"
        self.cases.rows.append((self.name, outcome, time.monotonic() - self.start, "; ".join(self.notes)))
        return kind is not None and issubclass(kind, Exception)

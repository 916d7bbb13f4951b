#!/usr/bin/env python3
"""ssl-mode on a real TLS server (issue 17 point 5, docs/security.md).

Starts a private mariadbd (its own port and datadir under /var/tmp, stopped at
the end; the shared test server has no TLS) with a CA and a server
certificate made here with openssl: the certificate names IP 127.0.0.1 only,
and the server listens on 127.0.0.1 and 127.0.0.2. Then `decant schema`
through each ssl-mode: REQUIRED connects (encrypted, nothing verified);
VERIFY_CA checks the chain against ssl-ca (another CA is refused) but not the
name (127.0.0.2 connects); VERIFY_IDENTITY also checks the name (127.0.0.2 is
refused). A refusal is one line, exit 6.

Usage: tls_test.py DECANT_BINARY. Exit 77 (skip) without mariadbd,
mariadb-install-db or openssl (scripts/setup.sh --tests installs them).
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from scriptlib import SKIP, failures  # noqa: E402
from scriptlib import check as record  # noqa: E402

checks = []


def check(cond, what):
    checks.append(what)
    record(cond, what)

MARIADBD = "/usr/sbin/mariadbd"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certs(work):
    """ca.pem (signs server.pem, which names IP:127.0.0.1 only) and other-ca.pem."""
    for name, subject in (("ca", "/CN=decant test CA"), ("other-ca", "/CN=decant other CA")):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".pem",
                "-days", "2", "-subj", subject, cwd=work)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj",
            "/CN=decant test server", cwd=work)
    with open(os.path.join(work, "san.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
            "server.pem", "-days", "2", "-extfile", "san.cnf", cwd=work)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(port, host, sql):
    return subprocess.run(["mariadb", "--no-defaults", "-h", host, "-P", str(port), "-u", "root", "-N", "-B", "-e",
                           sql], capture_output=True, text=True)


def start_server(work, port):
    data = os.path.join(work, "data")
    user = ["--user=root"] if os.geteuid() == 0 else []
    subprocess.run(["mariadb-install-db", "--no-defaults", *user, "--datadir=" + data, "--skip-test-db",
                    "--auth-root-authentication-method=normal"], check=True, capture_output=True)
    log = open(os.path.join(work, "error.log"), "w")
    server = subprocess.Popen([MARIADBD, "--no-defaults", *user, "--datadir=" + data,
                               "--socket=" + os.path.join(work, "s.sock"), "--pid-file=" + os.path.join(work, "m.pid"),
                               "--port=" + str(port), "--bind-address=127.0.0.1,127.0.0.2", "--skip-grant-tables",
                               "--innodb-buffer-pool-size=16M", "--ssl-ca=" + os.path.join(work, "ca.pem"),
                               "--ssl-cert=" + os.path.join(work, "server.pem"),
                               "--ssl-key=" + os.path.join(work, "server.key")],
                              stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    for _ in range(240):  # until it answers, or it exited
        if server.poll() is not None:
            break
        if client(port, "127.0.0.1", "SELECT 1").returncode == 0:
            return server
        time.sleep(0.5)
    server.kill()
    server.wait()
    with open(os.path.join(work, "error.log")) as f:
        sys.stdout.write(f.read()[-3000:])
    raise SystemExit("FAIL the private TLS server did not start")


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    decant = os.path.abspath(sys.argv[1])
    for tool in (MARIADBD, shutil.which("mariadb-install-db"), shutil.which("openssl"), shutil.which("mariadb")):
        if not tool or not os.path.exists(tool):
            print("skip: needs mariadbd, mariadb-install-db, mariadb and openssl (scripts/setup.sh --tests)")
            return SKIP
    work = tempfile.mkdtemp(prefix="decant-tls-", dir="/var/tmp")
    os.chmod(work, 0o755)
    server = None
    try:
        make_certs(work)
        port = free_port()
        server = start_server(work, port)
        r = client(port, "127.0.0.1", "CREATE DATABASE sec_tls; CREATE TABLE sec_tls.t (id INT PRIMARY KEY)")
        check(r.returncode == 0, "the private server takes a table " + r.stderr.strip())
        ca, other = os.path.join(work, "ca.pem"), os.path.join(work, "other-ca.pem")

        def schema(host, query):
            return subprocess.run([decant, "schema", f"mysql://root@{host}:{port}/sec_tls?{query}"],
                                  capture_output=True, text=True)

        def connects(host, query):
            r = schema(host, query)
            check(r.returncode == 0 and "CREATE TABLE" in r.stdout, f"{host} ?{query} connects " + r.stderr.strip())

        def refused(host, query, why):
            r = schema(host, query)
            one_line = r.stderr.count("\n") == 1
            check(r.returncode == 6 and one_line and why in r.stderr,
                  f"{host} ?{query} is refused in one line, exit 6, saying '{why}' (exit {r.returncode}: "
                  + r.stderr.strip() + ")")

        connects("127.0.0.1", "ssl-mode=DISABLED")
        connects("127.0.0.1", "ssl-mode=PREFERRED")
        connects("127.0.0.1", "ssl-mode=REQUIRED")
        connects("127.0.0.2", "ssl-mode=REQUIRED")
        connects("127.0.0.1", "ssl-mode=VERIFY_CA&ssl-ca=" + ca)
        connects("127.0.0.2", "ssl-mode=VERIFY_CA&ssl-ca=" + ca)  # the name is not VERIFY_CA's business
        refused("127.0.0.1", "ssl-mode=VERIFY_CA&ssl-ca=" + other, "certificate")
        refused("127.0.0.1", "ssl-mode=REQUIRED&ssl-ca=" + other, "certificate")  # a CA given is checked
        connects("127.0.0.1", "ssl-mode=PREFERRED&ssl-ca=" + other)  # PREFERRED verifies nothing
        connects("127.0.0.1", "ssl-mode=VERIFY_IDENTITY&ssl-ca=" + ca)
        refused("127.0.0.2", "ssl-mode=VERIFY_IDENTITY&ssl-ca=" + ca, "certificate")
        refused("127.0.0.1", "ssl-mode=VERIFY_IDENTITY&ssl-ca=" + other, "certificate")
    finally:
        if server:
            server.terminate()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(checks) - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

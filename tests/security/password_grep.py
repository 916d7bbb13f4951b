#!/usr/bin/env python3
"""No password in anything the test suite left behind (issue 17 point 5, docs/security.md).

Greps every stdout and stderr the suite produced (ctest's logs in
BUILD/Testing/Temporary: LastTest.log holds each test's output, and during a
run LastTest.log.tmp what ctest has written so far) and every
file the tests left under DECANT_TEST_KEEP_DIR (scripts/test.sh runs the
suite with it set: tests/test_util.cc's TempDir and the Python tests then keep
their directories there: the decant runs' stdout and stderr, --json-log files,
--report pages, archives, dumps) for the test passwords: the PostgreSQL one
(PGPASSFILE), the MariaDB one (DECANT_TEST_MYSQL_DEFAULTS_FILE, MYSQL_PWD_FILE)
and the fixed fake ones the tests give decant. A gzip file is read
decompressed too; the zstd-compressed row chunks of archives are not (they
hold table data, never a connection string: an archive's schema and manifest
are plain JSON and are read). Passwords are never printed: a hit names the
file and which password (by number).

First a self-check: a password planted in a file (plain and gzip) must be
found, so the grep can fail.

Usage: password_grep.py BUILD_DIR [KEEP_DIR]. KEEP_DIR defaults to
DECANT_TEST_KEEP_DIR; without either only ctest's logs are read. Exit 0 on no
hit, 1 on a hit or a failed self-check.
"""
import gzip
import os
import sys
import tempfile

# The fixed fake passwords of the tests (tests/security_test.cc, tests/cli_test.cc,
# tests/report_cli_test.cc, src/pipeline/events_test.cc, src/engines/*_test.cc).
FAKE = ["S3cretPw", "Q8wVv", "e16Sup3rSecret", "hunter2", "sekrit-pw", "NotThePassword42", "s3cret-pw",
        "not-the-password"]


def server_passwords():
    """The test servers' passwords, from the files the servers' env names."""
    found = []
    pgpass = os.environ.get("PGPASSFILE")
    if pgpass and os.path.exists(pgpass):
        with open(pgpass) as f:
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                # host:port:db:user:password, ':' and '\\' escaped by '\\'
                fields, cur, i = [], "", 0
                while i < len(line):
                    if line[i] == "\\" and i + 1 < len(line):
                        cur += line[i + 1]
                        i += 2
                        continue
                    if line[i] == ":" and len(fields) < 4:
                        fields.append(cur)
                        cur = ""
                    else:
                        cur += line[i]
                    i += 1
                found.append(cur)
    defaults = os.environ.get("DECANT_TEST_MYSQL_DEFAULTS_FILE")
    if defaults and os.path.exists(defaults):
        with open(defaults) as f:
            for line in f:
                key, eq, value = line.partition("=")
                if eq and key.strip().lower() == "password":
                    found.append(value.strip().strip("'\""))
    pwfile = os.environ.get("MYSQL_PWD_FILE")
    if pwfile and os.path.exists(pwfile):
        with open(pwfile) as f:
            found.append(f.read().strip())
    return list(dict.fromkeys(p for p in found if len(p) >= 6))


def files_under(root):
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            if os.path.isfile(path) and not os.path.islink(path):
                yield path


def hits_in(paths, passwords):
    """(path, password number) for each password found in each file."""
    needles = [p.encode() for p in passwords]
    hits = []
    for path in paths:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            continue
        views = [data]
        if data[:2] == b"\x1f\x8b":
            try:
                views.append(gzip.decompress(data))
            except (OSError, EOFError):
                pass
        for n, needle in enumerate(needles):
            if any(needle in v for v in views):
                hits.append((path, n))
    return hits


def self_check(passwords):
    """A planted password, plain and in gzip, must be found; a clean file must not."""
    with tempfile.TemporaryDirectory() as d:
        planted = passwords[-1]
        with open(os.path.join(d, "plain.log"), "w") as f:
            f.write("decant: error: postgresql://u:" + planted + "@h/db\n")
        with gzip.open(os.path.join(d, "packed.gz"), "wb") as f:
            f.write(b"password=" + planted.encode())
        with open(os.path.join(d, "clean.log"), "w") as f:
            f.write("decant: error: postgresql://u:****@h/db\n")
        hits = hits_in(files_under(d), passwords)
        names = sorted({os.path.basename(p) for p, _ in hits})
        return names == ["packed.gz", "plain.log"]


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__)
        return 2
    build = sys.argv[1]
    keep = sys.argv[2] if len(sys.argv) == 3 else os.environ.get("DECANT_TEST_KEEP_DIR", "")
    servers = server_passwords()
    passwords = list(dict.fromkeys(FAKE + servers))
    ok = self_check(passwords) and (not servers or self_check(servers))
    print(("ok   " if ok else "FAIL ") + "self-check: a planted password (plain and gzip) is found, a masked one is not")
    print(f"     {len(passwords)} passwords ({len(servers)} from the test servers' files)")
    roots = [os.path.join(build, "Testing", "Temporary")]
    if keep and os.path.isdir(keep):
        roots.append(keep)
    else:
        print("     no kept test outputs (run the suite with DECANT_TEST_KEEP_DIR set, as scripts/test.sh does)")
    paths = [p for root in roots if os.path.isdir(root) for p in files_under(root)]
    # Inside ctest the run's log is LastTest.log.tmp (what ctest has written
    # so far: every test before this one); after ctest, LastTest.log.
    logs = sorted(p for p in paths if os.path.basename(p).startswith("LastTest"))
    print(f"     {sum(os.path.getsize(p) for p in logs)} bytes of ctest's logs: "
          + ", ".join(os.path.basename(p) for p in logs))
    hits = hits_in(paths, passwords)
    for path, n in hits:
        print(f"FAIL password #{n} is in {path}")
    print(("ok   " if not hits else "FAIL ") + f"no password in {len(paths)} files under " + ", ".join(roots))
    passed = int(ok) + int(not hits)
    print(f"{passed} passed, {2 - passed} failed")
    return 0 if passed == 2 else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""TypeDB and Grakn export files through the decant binary, end to end.

    run_test.py DECANT CLASSES_DIR [--protoc PROTOC] [--work DIR] [--only STEP,...] [--big N]

The files come from typedb_stream.py (an independent encoder: python3-protobuf
with classes protoc makes from the project's .proto files into CLASSES_DIR).
Steps (each reported PASS/FAIL/SKIP with a one-line reason; all run):
  inspect     inspect and inspect --check of every fixture: counts per label and
              totals as the encoder wrote them; a file without checksums fails
              --check with one line
  refusals    truncated stream, a length past the end, an unknown item case, an
              owned attribute and a player not in the file: exit 3, one line
  roundtrip   file -> SQLite, PostgreSQL 15 (and 10, 18), MariaDB -> `export
              --format typedb --typedb-version <source's>` -> canonical content and
              checksums equal to the source's
  archive     file -> decant archive -> file
  verify      file vs its database (0), after an UPDATE (1); two files with the
              same items in another order (0), different items (1)
  rename      --rename of types, of a scoped role, of a 1.8 role to a scoped one,
              on import and on export; a merging rename and an unknown label refused
  generations 1.8 / 2.0 / 2.x -> 3 (datetimes exact, long -> integer); 3 -> 2 with
              2.x values (passes) and with 3.x-only values (exit 8, one line, no file)
  samples     DECANT_TYPEDB_SAMPLES: the real exports into SQLite and back
  big         an N-item file (default 20000): inspect --check, SQLite and back

Servers from the environment of scripts/servers/*.sh env (PostgreSQL and MariaDB
parts skip with one line without it). Databases and files are named tdt_*.
Exit 0 when every step passes, 1 otherwise.
"""
import argparse
import decimal
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import typedb_stream as ts  # noqa: E402

EXIT_DIFFER = 1
EXIT_USAGE = 2  # --rename refusals (docs/formats/typedb.md, "Renaming labels")
EXIT_CORRUPT = 3
EXIT_DATA_LOSS = 8
# the --typedb-version a generation is written back with
WRITE_VERSION = {"grakn-1.8": "2", "grakn-2.0": "2", "typedb-2": "2", "typedb-3": "3"}


class Failure(Exception):
    pass


class Skip(Exception):
    pass


def one_line(text, limit=300):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


# What an engine cannot hold of a TypeDB graph, as docs/formats/typedb.md
# ("Values") says: SQLite and MariaDB keep no negative zero (-0.0 comes back
# as 0.0); SQLite's NUMERIC affinity keeps a decimal as a REAL, so one of
# more than 15 significant digits comes back as a double near it.
# A round trip through such an engine compares both sides after applying
# exactly these losses, so any other difference still fails.
ENGINE_LIMITS = {"sqlite": ("negative-zero", "decimal-as-double"), "mysql": ("negative-zero",)}
NEGATIVE_ZERO = "0000000000000080"


def within_limits(items, limits):
    def one(item):
        value = item[3]
        if value and value[0] == "double" and "negative-zero" in limits and value[1] == NEGATIVE_ZERO:
            value = ["double", "0000000000000000"]
        elif value and value[0] == "decimal" and "decimal-as-double" in limits:
            # to 13 significant digits: SQLite's own text-to-REAL conversion is
            # not always the nearest double (seen: 1 or 2 units in the last place)
            exact = decimal.Decimal(value[1] * 10**19 + value[2]).scaleb(-19)
            value = ["decimal-as-double", format(float(exact), ".13g")]
        return [item[0], item[1], item[2], value, item[4], item[5]]

    return sorted((one(i) for i in items), key=lambda i: json.dumps(i, sort_keys=True))


# ---------------------------------------------------------------- databases


class Engine:
    """Fresh databases on one server (or SQLite files), named for decant."""

    def __init__(self, kind, work, uri_var=None):
        self.kind, self.work = kind, work
        self.label = kind if uri_var is None else f"{kind} ({uri_var})"
        if kind == "postgresql":
            uri = os.environ.get(uri_var or "DECANT_TEST_PG15_URI")
            if not uri or not os.environ.get("PGPASSFILE"):
                raise Skip(f"{uri_var or 'DECANT_TEST_PG15_URI'} is not set (scripts/servers/postgresql.sh env)")
            self.admin_uri, self.server = uri, uri[: uri.rindex("/")]
        elif kind == "mysql":
            uri = os.environ.get("DECANT_TEST_MYSQL_URI")
            if not uri or not os.environ.get("DECANT_TEST_MYSQL_DEFAULTS_FILE"):
                raise Skip("DECANT_TEST_MYSQL_URI is not set (scripts/servers/mariadb.sh env)")
            parts = urlsplit(uri)
            self.server = f"{parts.scheme}://{parts.netloc}"
            self.host, self.port, self.user = parts.hostname or "127.0.0.1", parts.port or 3306, parts.username
            self.defaults = os.environ["DECANT_TEST_MYSQL_DEFAULTS_FILE"]

    def fresh(self, name):
        """Drops and creates NAME; returns decant's URI of it."""
        if self.kind == "sqlite":
            path = os.path.join(self.work, name + ".sqlite3")
            for suffix in ("", "-journal", "-wal", "-shm", ".partial"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
            return "sqlite://" + path
        if self.kind == "postgresql":
            self.sql(None, f'DROP DATABASE IF EXISTS "{name}"')
            self.sql(None, f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
            return f"{self.server}/{name}"
        self.sql(None, f"DROP DATABASE IF EXISTS `{name}`")
        self.sql(None, f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        return f"{self.server}/{name}?defaults-file={self.defaults}"

    def drop(self, name):
        if self.kind == "postgresql":
            self.sql(None, f'DROP DATABASE IF EXISTS "{name}"')
        elif self.kind == "mysql":
            self.sql(None, f"DROP DATABASE IF EXISTS `{name}`")

    def sql(self, name, statement, params=()):
        """Runs one statement in database NAME (None: the server); returns the rows."""
        if self.kind == "sqlite":
            conn = sqlite3.connect(os.path.join(self.work, name + ".sqlite3"))
            try:
                rows = conn.execute(statement, params).fetchall()
                conn.commit()
                return rows
            finally:
                conn.close()
        if self.kind == "postgresql":
            import psycopg2

            conn = psycopg2.connect(self.admin_uri if name is None else f"{self.server}/{name}")
            conn.autocommit = True
            try:
                with conn.cursor() as cur:
                    cur.execute(statement, params or None)
                    return cur.fetchall() if cur.description else []
            finally:
                conn.close()
        import MySQLdb

        kwargs = {"read_default_file": self.defaults, "host": self.host, "port": self.port}
        if self.user:
            kwargs["user"] = self.user
        if name:
            kwargs["db"] = name
        conn = MySQLdb.connect(**kwargs)
        try:
            cur = conn.cursor()
            cur.execute(statement, params or None)
            rows = cur.fetchall() if cur.description else []
            conn.commit()
            return list(rows)
        finally:
            conn.close()

    def quote(self, ident):
        return f"`{ident}`" if self.kind == "mysql" else f'"{ident}"'

    def param(self):
        return "?" if self.kind == "sqlite" else "%s"


# ---------------------------------------------------------------- the runner


class Runner:
    def __init__(self, decant, work, classes):
        self.decant, self.work, self.classes = decant, work, classes
        self.results = []
        self.files = os.path.join(work, "files")
        self.fixtures = ts.fixtures()
        self.canon_cache = {}

    # -- helpers

    def path(self, name):
        return os.path.join(self.files, name + ".typedb")

    def out(self, name):
        p = os.path.join(self.work, "tdt_" + name + ".typedb")
        for suffix in ("", ".partial"):
            if os.path.exists(p + suffix):
                os.remove(p + suffix)
        return p

    def canon(self, path, **kw):
        key = (path, tuple(sorted(kw.items())), os.path.getmtime(path))
        if key not in self.canon_cache:
            self.canon_cache[key] = ts.canon(path, **kw)
        return self.canon_cache[key]

    def decant_run(self, args, what, expect=(0,), timeout=600):
        try:
            proc = subprocess.run([self.decant, *args], capture_output=True, text=True, timeout=timeout,
                                  errors="replace")
        except subprocess.TimeoutExpired:
            raise Failure(f"{what}: no answer within {timeout} s") from None
        if proc.returncode not in expect:
            lines = [ln for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
            raise Failure(f"{what}: exit {proc.returncode} (expected {'/'.join(map(str, expect))}): "
                          f"{one_line(lines[-1] if lines else '(no output)')}")
        return proc

    def refused(self, args, what, codes=(EXIT_CORRUPT,)):
        """Runs a command that must fail with one of CODES and exactly one line on stderr."""
        proc = self.decant_run(["-q", *args], what, expect=codes)
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        if len(lines) != 1 or not lines[0].startswith("decant: error:"):
            raise Failure(f"{what}: exit {proc.returncode} but {len(lines)} lines on stderr: {one_line(proc.stderr)}")
        return lines[0]

    def same(self, a, b, what, upgrade=False, role_name_only=False, checksums=True, limits=()):
        """Canonical items (and the checksums, given and recomputed) of files A and B are equal
        (after LIMITS, what the engine B went through cannot hold: ENGINE_LIMITS)."""
        ca = self.canon(a, upgrade=upgrade, role_name_only=role_name_only)
        cb = self.canon(b, upgrade=upgrade, role_name_only=role_name_only)
        if limits and ca["items"] != cb["items"]:
            ca = dict(ca, items=within_limits(ca["items"], limits))
            cb = dict(cb, items=within_limits(cb["items"], limits))
        if ca["items"] != cb["items"]:
            raise Failure(f"{what}: content differs: {ts.diff(ca['items'], cb['items'])}")
        if cb["computed"] != ca["computed"]:
            raise Failure(f"{what}: counts {cb['computed']} vs {ca['computed']}")
        if checksums:
            if cb["checksums"] != cb["computed"]:
                raise Failure(f"{what}: written checksums {cb['checksums']} vs the items' {cb['computed']}")
            if ca["checksums"] is not None and ca["checksums"] != cb["checksums"]:
                raise Failure(f"{what}: checksums {cb['checksums']} vs the source's {ca['checksums']}")
            if cb["headers"] != 1 or cb["checksum_items"] != 1:
                raise Failure(f"{what}: {cb['headers']} headers and {cb['checksum_items']} checksums items")
            with open(b, "rb") as f:
                first = f.read(16)
            if len(first) < 2 or first[1] != (15 << 3 | 2) and first[2] != (15 << 3 | 2):
                raise Failure(f"{what}: the first item is not a header (TypeDB 2.3+ refuse such a file)")
        return cb

    def step(self, name, fn, *args):
        try:
            detail = fn(*args)
            self.results.append(("PASS", name, str(detail) if detail else ""))
        except Skip as e:
            self.results.append(("SKIP", name, str(e)))
        except Failure as e:
            self.results.append(("FAIL", name, str(e)))
        except Exception as e:  # a bug in the test or an unexpected answer
            self.results.append(("FAIL", name, f"{type(e).__name__}: {one_line(e)}"))
        status, _, detail = self.results[-1]
        print(f"{status} {name}{': ' + detail if detail else ''}", flush=True)

    def engines(self):
        """(name, Engine or the Skip) of every database the round trips use."""
        out = []
        for kind, var in (("sqlite", None), ("postgresql", "DECANT_TEST_PG15_URI"), ("mysql", None)):
            try:
                out.append((kind if kind != "postgresql" else "pg15", Engine(kind, self.work, var)))
            except Skip as e:
                out.append((kind, e))
        return out

    # -- inspect

    def inspect_one(self, name):
        f = self.fixtures[name]
        path = self.path(name)
        c = self.canon(path)
        proc = self.decant_run(["inspect", path], f"inspect {name}")
        text = proc.stdout
        if f.header and f.version not in text:
            raise Failure(f"inspect {name}: the version {f.version} is not shown")
        if f.header and f.database not in text:
            raise Failure(f"inspect {name}: the original database {f.database} is not shown")
        def tokens(line):
            for ch in ",:()":
                line = line.replace(ch, " ")
            return line.split()

        lines = [tokens(ln) for ln in text.splitlines()]
        value_types = {}
        for kind, _id, label, value, _h, _r in c["items"]:
            if value:
                value_types[label] = value[0].replace("_", "-")
        for label, row in ts.per_label(c["items"]).items():
            want = [str(row["count"]), str(row["ownerships"])]
            if row["kind"] == "relation":
                want.append(str(row["players"]))
            if label in value_types:
                want.append(value_types[label])
            if not any(t and t[0] == label and all(w in t[1:] for w in want) for t in lines):
                raise Failure(f"inspect {name}: no line shows {label} with {' '.join(want)} "
                              "(instances, ownerships, role players, value type)")
        all_tokens = [w for t in lines for w in t]
        for total in c["computed"]:
            if str(total) not in all_tokens:
                raise Failure(f"inspect {name}: the total {total} is not shown")
        if f.checksums:
            self.decant_run(["inspect", "--check", path], f"inspect --check {name}")
        else:
            line = self.refused(["inspect", "--check", path], f"inspect --check {name}")
            return f"without checksums: {line}"
        return None

    def step_inspect(self):
        for name in self.fixtures:
            self.step(f"inspect {name}", self.inspect_one, name)

    # -- refusals

    def step_refusals(self):
        for bad in ("truncated", "truncated-head", "past-end", "unknown-case", "dangling-owned", "dangling-player"):
            path = os.path.join(self.files, f"bad-{bad}.typedb")

            def one(bad=bad, path=path):
                eng = Engine("sqlite", self.work)
                uri = eng.fresh(f"tdt_bad_{bad}")
                line = self.refused(["import", path, uri], f"import bad-{bad}")
                if os.path.exists(uri[len("sqlite://"):]):
                    raise Failure(f"import bad-{bad}: the SQLite target was left behind")
                if bad == "truncated-head":  # cut inside the first 4 KiB: may not even be recognised
                    self.refused(["inspect", path], f"inspect bad-{bad}")
                elif bad in ("truncated", "past-end", "unknown-case"):
                    if "byte" not in line and "offset" not in line:
                        raise Failure(f"bad-{bad}: the error names no byte offset: {line}")
                    self.refused(["inspect", path], f"inspect bad-{bad}")
                else:
                    self.refused(["inspect", "--check", path], f"inspect --check bad-{bad}")
                return line

            self.step(f"refusal {bad}", one)

    # -- round trips

    def verify_db(self, name, eng, tag):
        """verify FILE DB after an import: 0; after an UPDATE of one value: 1."""
        db = f"tdt_vf_{name.replace('-', '_')}_{tag}"
        uri = eng.fresh(db)
        try:
            self.decant_run(["import", self.path(name), uri], f"import {name} into {eng.label}")
            # The fixture's -0.0 (weight) and 19-digit decimals (price) are what
            # SQLite and MariaDB cannot hold (ENGINE_LIMITS): verify names exactly those.
            limited = {"sqlite": "price, weight", "mysql": "weight"}.get(eng.kind) if name == "typedb3" else None
            proc = self.decant_run(["verify", self.path(name), uri], f"verify {name} {eng.label}",
                                   expect=(EXIT_DIFFER,) if limited else (0,))
            said = proc.stdout + proc.stderr + "\n"
            if limited and f"tables differ: {limited}\n" not in said and f"tables differs: {limited}\n" not in said:
                raise Failure(f"verify {name} {eng.label}: expected only {limited} to differ: "
                              f"{one_line(proc.stdout + proc.stderr)}")
            q, p = eng.quote, eng.param()
            victim = next(i for i in self.canon(self.path(name))["items"] if i[2] == "name" and i[3])
            eng.sql(db, f"UPDATE {q('name')} SET {q('value')} = {p} WHERE {q('id')} = {p}",
                    ("tdt changed", victim[1]))
            self.decant_run(["verify", self.path(name), uri], f"verify {name} {eng.label} after an UPDATE",
                            expect=(EXIT_DIFFER,))
        finally:
            if tag != "sqlite":
                eng.drop(db)

    def roundtrip(self, name, eng, tag):
        f = self.fixtures[name]
        db = f"tdt_rt_{name.replace('-', '_')}_{tag}"
        uri = eng.fresh(db)
        try:
            self.decant_run(["import", self.path(name), uri], f"import {name} into {eng.label}")
            back = self.out(f"rt_{name}_{tag}")
            self.decant_run(["export", uri, "--format", "typedb", "--typedb-version", WRITE_VERSION[f.generation],
                             "-o", back], f"export {eng.label} to typedb")
            # a 3.x file's 2.x datetime (case 5, which 3.x exporters never write) may come
            # back as the 3.x datetime of the same instant
            self.same(self.path(name), back, f"{name} via {eng.label}", upgrade=f.generation == "typedb-3",
                      limits=ENGINE_LIMITS.get(eng.kind, ()))
        finally:
            if tag != "sqlite":
                eng.drop(db)
        return None

    def step_roundtrip(self):
        names = ("grakn18", "grakn18-nochecksums", "grakn20", "typedb2", "typedb3", "typedb3-repeats",
                 "typedb3-noheader")
        for tag, eng in self.engines():
            for name in names:
                if isinstance(eng, Skip):
                    self.step(f"roundtrip {name} {tag}", lambda e=eng: (_ for _ in ()).throw(e))
                    continue
                if name == "grakn18-nochecksums":
                    # the file's own checksums are absent; the written ones must equal the items'
                    self.step(f"roundtrip {name} {tag}", self.roundtrip_nochecksums, eng, tag)
                    continue
                self.step(f"roundtrip {name} {tag}", self.roundtrip, name, eng, tag)
            if not isinstance(eng, Skip):
                for name in ("typedb2", "typedb3"):
                    self.step(f"verify {name} vs {tag}", self.verify_db, name, eng, tag)
        for var in ("DECANT_TEST_PG_OLD_URI", "DECANT_TEST_PG_NEW_URI"):
            tag = "pg" + (os.environ.get(var.replace("_URI", "_VERSION"), "") or var[-7:-4].lower())
            try:
                eng = Engine("postgresql", self.work, var)
            except Skip as e:
                self.step(f"roundtrip typedb3 {tag}", lambda e=e: (_ for _ in ()).throw(e))
                continue
            for name in ("typedb3", "typedb2"):
                self.step(f"roundtrip {name} {tag}", self.roundtrip, name, eng, tag)

    def roundtrip_nochecksums(self, eng, tag):
        name = "grakn18-nochecksums"
        db = f"tdt_rt_nosums_{tag}"
        uri = eng.fresh(db)
        try:
            self.decant_run(["import", self.path(name), uri], f"import {name} into {eng.label}")
            back = self.out(f"rt_{name}_{tag}")
            self.decant_run(["export", uri, "--format", "typedb", "--typedb-version", "2", "-o", back],
                            f"export {eng.label}")
            self.same(self.path(name), back, f"{name} via {eng.label}")
        finally:
            if tag != "sqlite":
                eng.drop(db)

    # -- archive

    def step_archive(self):
        def one(name):
            f = self.fixtures[name]
            arch = os.path.join(self.work, f"tdt_{name}.decant")
            for p in (arch, arch + ".partial"):
                if os.path.exists(p):
                    os.remove(p)
            self.decant_run(["migrate", self.path(name), arch, "--format", "decant"], f"{name} to an archive")
            self.decant_run(["inspect", arch], f"inspect the archive of {name}")
            back = self.out(f"arch_{name}")
            self.decant_run(["export", arch, "--format", "typedb", "--typedb-version",
                             WRITE_VERSION[f.generation], "-o", back], f"archive of {name} to typedb")
            self.same(self.path(name), back, f"{name} via an archive", upgrade=f.generation == "typedb-3")
            self.decant_run(["verify", self.path(name), arch], f"verify {name} against its archive")

        for name in ("typedb3", "grakn18"):
            self.step(f"archive {name}", one, name)

    # -- verify

    def step_verify(self):
        def files(a, b, code):
            self.decant_run(["verify", self.path(a), self.path(b)], f"verify {a} {b}", expect=(code,))

        self.step("verify typedb3 vs reordered", files, "typedb3", "typedb3-reordered", 0)
        self.step("verify typedb2 vs reordered", files, "typedb2", "typedb2-reordered", 0)
        self.step("verify typedb3 vs typedb3-repeats", files, "typedb3", "typedb3-repeats", EXIT_DIFFER)
        # the database side is in roundtrip typedb3 (verify, UPDATE, verify)

    # -- renames

    @staticmethod
    def relabel(c, types=None, roles=None):
        """Canonical items with labels renamed as decant documents: a type by its label,
        a role by its scoped label, and a renamed relation type renames the scope."""
        types, roles = types or {}, roles or {}
        out = []
        for kind, id_, label, value, has, rl in c["items"]:
            new_roles = []
            for r, p in rl:
                if r in roles:
                    r = roles[r]
                elif ":" in r and r.split(":")[0] in types:
                    r = types[r.split(":")[0]] + ":" + r.split(":")[1]
                new_roles.append([r, p])
            out.append([kind, id_, types.get(label, label), value, has, sorted(new_roles)])
        return sorted(out, key=lambda i: ts.json.dumps(i, sort_keys=True))

    def rename_export(self, name, renames, types, roles, version, upgrade=False):
        back = self.out(f"rename_{name}_{len(renames)}_{version}")
        args = ["export", self.path(name), "--format", "typedb", "--typedb-version", version, "-o", back]
        for r in renames:
            args += ["--rename", r]
        self.decant_run(args, f"export {name} {' '.join(renames)}")
        upgrade = upgrade or self.fixtures[name].generation == "typedb-3"
        want = self.relabel(self.canon(self.path(name), upgrade=upgrade), types, roles)
        got = self.canon(back, upgrade=upgrade)
        if got["items"] != want:
            raise Failure(f"rename {renames}: {ts.diff(want, got['items'])}")
        if got["checksums"] != self.canon(self.path(name))["checksums"]:
            raise Failure(f"rename {renames}: checksums {got['checksums']}")

    def rename_import(self):
        eng = Engine("sqlite", self.work)
        uri = eng.fresh("tdt_rename")
        self.decant_run(["import", self.path("typedb2"), uri, "--rename", "person=human",
                         "--rename", "set-membership:set=set-membership:collection"], "import --rename")
        tables = {r[0] for r in eng.sql("tdt_rename", "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "human" not in tables or "person" in tables:
            raise Failure(f"import --rename person=human: tables {sorted(tables)}")
        roles = {r[0] for r in eng.sql("tdt_rename", 'SELECT DISTINCT role FROM "set-membership:roles"')}
        if roles != {"set-membership:collection", "membership:member"}:
            raise Failure(f"import --rename of a role: roles {sorted(roles)}")
        back = self.out("rename_import_back")
        self.decant_run(["export", uri, "--format", "typedb", "--typedb-version", "2", "-o", back], "export")
        want = self.relabel(self.canon(self.path("typedb2")), {"person": "human"},
                            {"set-membership:set": "set-membership:collection"})
        got = self.canon(back)["items"]
        if got != want:
            raise Failure(f"import --rename and back: {ts.diff(want, got)}")

    def step_rename(self):
        self.step("rename on import", self.rename_import)
        self.step("rename types on export", self.rename_export, "typedb3",
                  ["customer=client", "nickname=alias"], {"customer": "client", "nickname": "alias"}, {}, "3")
        self.step("rename scoped role (declared scope) on export", self.rename_export, "typedb2",
                  ["membership:member=membership:participant"], {}, {"membership:member": "membership:participant"},
                  "2")
        self.step("rename relation type renames its role scopes", self.rename_export, "typedb2",
                  ["membership=group-membership"], {"membership": "group-membership"}, {}, "2")
        self.step("rename unscoped 1.8 role to scoped (1.8 -> 3)", self.rename_export, "grakn18-flat",
                  ["spouse=marriage:spouse", "employee=employment:employee", "employer=employment:employer",
                   "certified=certification:certified", "certifier=certification:certifier"],
                  {}, {"spouse": "marriage:spouse", "employee": "employment:employee",
                       "employer": "employment:employer", "certified": "certification:certified",
                       "certifier": "certification:certifier"}, "3", True)

        def refusal(name, renames, what):
            back = self.out(f"rename_refused_{what}")
            args = ["export", self.path(name), "--format", "typedb", "-o", back]
            for r in renames:
                args += ["--rename", r]
            line = self.refused(args, f"--rename {' '.join(renames)}", codes=(EXIT_USAGE,))
            if os.path.exists(back):
                raise Failure(f"--rename {renames}: an output file was left")
            return line

        self.step("rename that merges two labels refused", refusal, "typedb3", ["nickname=name"], "merge")
        self.step("two renames to one label refused", refusal, "typedb3", ["nickname=alias", "name=alias"], "merge2")
        self.step("rename of a label not in the file refused", refusal, "typedb3", ["nosuch=other"], "unknown")

    # -- generations

    def upgrade(self, name):
        up = self.out(f"up_{name}")
        args = ["export", self.path(name), "--format", "typedb", "--typedb-version", "3", "-o", up]
        scoped = self.fixtures[name].generation != "grakn-1.8"
        if not scoped:  # 3.x resolves only scoped role labels: one rename per 1.8 role
            for role, rel in (("spouse", "marriage"), ("employee", "employment"), ("employer", "employment"),
                              ("certified", "certification"), ("certifier", "certification")):
                args += ["--rename", f"{role}={rel}:{role}"]
        self.decant_run(args, f"{name} to 3")
        self.same(self.path(name), up, f"{name} -> 3", upgrade=True, role_name_only=not scoped)
        got = self.canon(up)
        cases = {i[3][0] for i in got["items"] if i[3]}
        if "datetime_millis" in cases:
            raise Failure(f"{name} -> 3: datetimes left as datetime_millis")
        if not got["header"] or not got["header"][0].startswith("3"):
            raise Failure(f"{name} -> 3: header {got['header']}")
        return f"header {got['header']}"

    def downgrade_ok(self):
        down = self.out("down_compatible")
        self.decant_run(["export", self.path("typedb3-compatible"), "--format", "typedb", "--typedb-version", "2",
                         "-o", down], "3 -> 2")
        self.same(self.path("typedb3-compatible"), down, "3 -> 2", upgrade=True)
        got = self.canon(down)
        if any(i[3] and i[3][0] == "datetime" for i in got["items"]):
            raise Failure("3 -> 2: a 3.x datetime in a 2.x file")
        return f"header {got['header']}"

    def downgrade_refused(self):
        down = self.out("down_refused")
        line = self.refused(["export", self.path("typedb3"), "--format", "typedb", "--typedb-version", "2",
                             "-o", down], "3 -> 2 with decimals", codes=(EXIT_DATA_LOSS,))
        for p in (down, down + ".partial"):
            if os.path.exists(p):
                raise Failure(f"3 -> 2 refused but {p} was left")
        return line

    def upgrade_refused(self, name, extra=()):
        up = self.out(f"up_refused_{name}")
        line = self.refused(["export", self.path(name), "--format", "typedb", "--typedb-version", "3", "-o", up,
                             *extra], f"{name} to 3", codes=(EXIT_DATA_LOSS,))
        for p in (up, up + ".partial"):
            if os.path.exists(p):
                raise Failure(f"{name} -> 3 refused but {p} was left")
        return line

    def step_generations(self):
        for name in ("grakn18-flat", "grakn20-flat", "typedb2-flat"):
            self.step(f"generation {name} -> 3", self.upgrade, name)
        # TypeDB 3.x's importer refuses attributes owning attributes (AttributesOwningAttributes)
        self.step("generation typedb2 (attributes owning attributes) -> 3 refused", self.upgrade_refused, "typedb2")
        # ... and cannot resolve an unscoped role label
        self.step("generation grakn18 (unscoped roles) -> 3 refused", self.upgrade_refused, "grakn18-flat")
        self.step("generation 3 -> 2 (2.x values)", self.downgrade_ok)
        self.step("generation 3 -> 2 with decimals refused", self.downgrade_refused)

    # -- samples

    def step_samples(self):
        where = os.environ.get("DECANT_TYPEDB_SAMPLES")
        if not where:
            self.results.append(("SKIP", "samples", "DECANT_TYPEDB_SAMPLES is not set"))
            print("SKIP samples: DECANT_TYPEDB_SAMPLES is not set")
            return

        def one(file):
            path = os.path.join(where, file)
            if not os.path.exists(path):
                raise Skip(f"{path} is absent")
            eng = Engine("sqlite", self.work)
            uri = eng.fresh("tdt_sample_" + file.split("-")[0])
            if file.startswith("data-2.0"):
                return self.refused(["import", path, uri], f"import {file}", codes=range(1, 126))
            self.decant_run(["inspect", "--check", path], f"inspect --check {file}")
            self.decant_run(["import", path, uri], f"import {file}")
            back = self.out("sample_" + file)
            self.decant_run(["export", uri, "--format", "typedb", "--typedb-version", "2", "-o", back], "export")
            self.same(path, back, file)
            self.decant_run(["verify", path, uri], f"verify {file}")
            return f"{len(self.canon(path)['items'])} items"

        for file in ("simulation-1.7.3.grakn", "iam-2.17.typedb", "data-2.0.grakn"):
            self.step(f"sample {file}", one, file)

    # -- big

    def step_big(self, n):
        def one(gen):
            path = os.path.join(self.work, f"tdt_big_{gen}.typedb")
            sums = ts.write_big(path, n, gen)
            self.decant_run(["inspect", "--check", path], f"inspect --check of {n} items")
            eng = Engine("sqlite", self.work)
            uri = eng.fresh(f"tdt_big_{gen.replace('-', '_')}")
            self.decant_run(["import", path, uri], f"import {n} items")
            back = self.out(f"big_back_{gen}")
            self.decant_run(["export", uri, "--format", "typedb", "--typedb-version", gen[-1], "-o", back], "export")
            self.same(path, back, f"{n} items", limits=ENGINE_LIMITS["sqlite"])
            return f"checksums {list(sums)}"

        for gen in ("typedb-3", "typedb-2"):
            self.step(f"big {n} {gen}", one, gen)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("decant")
    ap.add_argument("classes")
    ap.add_argument("--work")
    ap.add_argument("--only")
    ap.add_argument("--big", type=int, default=20000)
    ap.add_argument("--protoc", default="protoc")
    args = ap.parse_args()
    try:
        ts.load_classes(args.classes, args.protoc)
    except Exception as e:  # protoc or python3-protobuf missing
        print(f"typedb_files: cannot make the protobuf classes: {one_line(e)}")
        return 77
    work = args.work or tempfile.mkdtemp(prefix="tdt-typedb-")
    os.makedirs(work, exist_ok=True)
    r = Runner(os.path.abspath(args.decant), work, args.classes)
    os.makedirs(r.files, exist_ok=True)
    for name, f in r.fixtures.items():
        f.write(r.path(name))
    for name, data in ts.damaged(r.fixtures).items():
        with open(os.path.join(r.files, f"bad-{name}.typedb"), "wb") as fh:
            fh.write(data)
    r.step("encoder self-check", ts.self_check)
    steps = {"inspect": r.step_inspect, "refusals": r.step_refusals, "roundtrip": r.step_roundtrip,
             "archive": r.step_archive, "verify": r.step_verify, "rename": r.step_rename,
             "generations": r.step_generations, "samples": r.step_samples, "big": lambda: r.step_big(args.big)}
    only = args.only.split(",") if args.only else list(steps)
    for name in only:
        steps[name]()
    failed = [x for x in r.results if x[0] == "FAIL"]
    passed = sum(1 for x in r.results if x[0] == "PASS")
    skipped = sum(1 for x in r.results if x[0] == "SKIP")
    print(f"typedb_files: {passed} passed, {len(failed)} failed, {skipped} skipped (work: {work})")
    if not failed and not args.work and not os.environ.get("DECANT_TEST_KEEP_DIR"):
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Writes RethinkDB dumps and export directories the way RethinkDB's own tools do.

Real RethinkDB tools are not installable here, so decant's tests read files made
by this script. It reproduces these byte-level facts (from rethinkdb-python; see
/work/shared/reference/foreign-formats.md section 1, which cites the files):

* dump archive (_dump.py): tarfile mode "w:gz"; member format PAX (Python >= 3.8
  default) or GNU (older Pythons), --format; regular-file members only (no
  directory entries), named rethinkdb_dump_<DATE>/<db>/<table>.json and .info;
  <DATE> is local time "%Y-%m-%dT%H:%M:%S" (here fixed, --date). Member order
  follows os.walk in the tool; --shuffle SEED permutes it, as a reader must not
  depend on it.
* .info (_export.py): json.dumps(info) with default settings (", " / ": "
  separators, ensure_ascii=True, no key sorting) followed by "\\n"; keys type, id,
  name, db, primary_key, doc_count_estimates, indexes (index_status() entries:
  index, ready, function as a BINARY pseudo-type, multi, geo, outdated, query)
  and write_hook (null, or {"function": BINARY, "query": ...}); --no-write-hook
  leaves write_hook out, as tools older than RethinkDB 2.4 did.
* .json data (_export.py JsonWriter): "[" then "\\n"+row for the first row,
  ",\\n"+row for the others, then "\\n]\\n"; an empty table is "[\\n]\\n"; each row a
  default json.dumps.
* .ndjson data: rows joined by "\\n", no trailing newline; an empty table is 0 bytes.
* .csv data (_export.py csv_writer): csv.writer, excel dialect (QUOTE_MINIMAL,
  "\\r\\n"), header row of the field list; a missing field is an empty cell; numbers
  (and bools) str(); strings raw; anything else json.dumps.
* legacy import_export.rb (scripts/migration/import_export.rb): <dir>/<db>/<table>
  with no extension, no .info, one compact JSON document per line plus "\\n".

The query text of indexes ("indexCreate('email', function(var1) { return
var1(\\"email\\"); })" etc.) could not be checked against a server here; it is the
shape the server's index_status() "query" field is documented to have
(an indexCreate call), not a verified byte copy. Index functions are opaque
server bytes: random base64 here.

Usage: make_dump.py OUT [--format pax|gnu] [--shuffle SEED] [--no-write-hook]
                        [--legacy | --export-dir [--data-format json|ndjson|csv]]
                        [--docs N]
OUT is the .tar.gz to write (a directory with --legacy / --export-dir).
"""

import argparse
import base64
import csv
import io
import json
import os
import random
import tarfile

DATE = "2024-03-05T10:11:12"


def binary(data):
    return {"$reql_type$": "BINARY", "data": base64.b64encode(data).decode("ascii")}


def time_(epoch, tz):
    return {"$reql_type$": "TIME", "epoch_time": epoch, "timezone": tz}


def index(name, query, multi=False, geo=False, ready=True, outdated=False):
    entry = {"index": name, "ready": ready}
    if not ready:
        entry["progress"] = 0.5
    entry.update({"function": binary(("fn:" + name).encode()), "multi": multi, "geo": geo,
                  "outdated": outdated, "query": query})
    return entry


def info(db, table, pk, indexes=(), hook=None, write_hook=True, count=0):
    out = {"type": "TABLE", "id": "7c0b2f51-%04x-4c1e-9c59-2a0a4bfe1f3d" % (sum(table.encode()) & 0xffff),
           "name": table,
           "db": {"type": "DB", "id": "e2b0c6f4-1a3d-4d51-8f34-91d4c0a8f0e2", "name": db},
           "primary_key": pk, "doc_count_estimates": [count], "indexes": list(indexes)}
    if write_hook:
        out["write_hook"] = hook
    return out


def builtin_tables(write_hook):
    """(db, table, info, rows): the fixture set."""
    users = [
        {"id": 1, "email": "ada@example.com", "name": "Ada", "tags": ["a", "b"]},
        {"id": 2, "email": "bob@example.com", "name": "B\u00f6b \u00e9\u00e8", "tags": []},
        {"id": 3, "email": "zoe@example.com", "name": "\u4e2d\u6587 \U0001F600", "tags": ["x"]},
    ]
    users_info = info("app", "users", "id", [
        index("email", "indexCreate('email', function(var1) { return var1(\"email\"); })"),
        index("tags", "indexCreate('tags', function(var1) { return var1(\"tags\"); }, {multi: true})", multi=True),
        index("name_email", "indexCreate('name_email', function(var1) { return [var1(\"name\"), var1(\"email\")]; })"),
        index("lower_name", "indexCreate('lower_name', function(var1) { return var1(\"name\").downcase(); })",
              ready=False, outdated=True),
    ], hook={"function": binary(b"hook"),
             "query": "setWriteHook(function(var1, var2, var3) { return var3; })"}, write_hook=write_hook)
    accounts = [
        {"account_no": "A-001", "balance": 10.5, "active": True},
        {"account_no": "A-002", "balance": -3, "active": False, "note": None},
    ]
    accounts_info = info("app", "accounts", "account_no", write_hook=write_hook)
    compound = [
        {"id": [1, "a"], "v": 1},
        {"id": [2, "b", 3.5], "v": 2},
    ]
    compound_info = info("app", "compound", "id", write_hook=write_hook)
    types = [
        {"id": "all", "null": None, "t": True, "f": False, "int": 42, "neg": -7, "big": 9007199254740992,
         "float": 1.5, "exp": 1e+20, "str": "plain", "esc": "quote\" back\\ nl\n tab\t ctl\u0001",
         "uni": "caf\u00e9 \u2603 \U0001D11E", "arr": [1, "two", None, [3]], "obj": {"a": {"b": [1, {"c": "d"}]}},
         "empty_obj": {}, "empty_arr": [], "empty_str": ""},
        {"id": "pseudo", "when": time_(1700000000.123, "+02:00"), "utc": time_(0, "+00:00"),
         "neg_tz": time_(-86400.5, "-07:00"), "bytes": binary(b"\x00\x01\xfe\xff"),
         "point": {"$reql_type$": "GEOMETRY", "type": "Point", "coordinates": [-122.4, 37.7]},
         "line": {"$reql_type$": "GEOMETRY", "type": "LineString", "coordinates": [[0, 0], [1, 1]]},
         "poly": {"$reql_type$": "GEOMETRY", "type": "Polygon",
                  "coordinates": [[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]]}},
    ]
    types_info = info("kinds", "types", "id", [
        index("where", "indexCreate('where', function(var1) { return var1(\"point\"); }, {geo: true})", geo=True),
    ], write_hook=write_hook)
    empty_info = info("kinds", "empty", "id", write_hook=write_hook)
    # A member path over tar's 100-byte name field: a PAX "path" record or a GNU
    # "././@LongLink" entry.
    long_name = "a_table_with_a_rather_long_name_that_needs_pax_or_gnu_longname_records"
    long_info = info("kinds", long_name, "id", write_hook=write_hook)
    return [("app", "users", users_info, users), ("app", "accounts", accounts_info, accounts),
            ("app", "compound", compound_info, compound), ("kinds", "types", types_info, types),
            ("kinds", "empty", empty_info, []), ("kinds", long_name, long_info, [{"id": "x" * 200}])]


def big_rows(n):
    for i in range(n):
        yield {"id": i, "name": "user %d" % i, "score": i * 0.5, "ok": i % 2 == 0, "tags": ["t%d" % (i % 7)],
               "when": time_(1600000000 + i, "+00:00")}


def json_bytes(rows):
    """The .json data file, in pieces (streaming)."""
    yield b"["
    first = True
    for row in rows:
        yield (b"\n" if first else b",\n") + json.dumps(row).encode("ascii")
        first = False
    yield b"\n]\n"


def ndjson_bytes(rows):
    first = True
    for row in rows:
        yield (b"" if first else b"\n") + json.dumps(row).encode("ascii")
        first = False


def csv_bytes(rows):
    rows = list(rows)
    fields = []
    for row in rows:
        for k in row:
            if k not in fields:
                fields.append(k)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(fields)
    for row in rows:
        cells = []
        for f in fields:
            if f not in row:
                cells.append("")
            elif isinstance(row[f], (int, float)):
                cells.append(str(row[f]))
            elif isinstance(row[f], str):
                cells.append(row[f])
            else:
                cells.append(json.dumps(row[f]))
        w.writerow(cells)
    yield out.getvalue().encode("utf-8")


def tables(args):
    out = builtin_tables(not args.no_write_hook)
    if args.docs:
        out.append(("big", "docs", info("big", "docs", "id", write_hook=not args.no_write_hook, count=args.docs),
                    lambda: big_rows(args.docs)))
    # The server's per-shard estimates: here one shard, exact.
    for _, _, inf, rows in out:
        if not callable(rows):
            inf["doc_count_estimates"] = [len(rows)]
    # Rows as a function giving a fresh iterator (the dump streams each twice).
    return [(db, t, inf, rows if callable(rows) else (lambda rows=rows: iter(rows))) for db, t, inf, rows in out]


def write_dir(args):
    for db, table, inf, rows_fn in tables(args):
        rows = rows_fn()
        os.makedirs(os.path.join(args.out, db), exist_ok=True)
        base = os.path.join(args.out, db, table)
        if args.legacy:
            with open(base, "wb") as f:
                for row in rows:
                    f.write(json.dumps(row, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n")
            continue
        with open(base + ".info", "w") as f:
            f.write(json.dumps(inf) + "\n")
        gen = {"json": json_bytes, "ndjson": ndjson_bytes, "csv": csv_bytes}[args.data_format]
        with open(base + "." + args.data_format, "wb") as f:
            for piece in gen(rows):
                f.write(piece)


class Pieces(io.RawIOBase):
    """A file object over a generator of byte strings (tarfile.addfile reads it)."""

    def __init__(self, gen):
        self.gen, self.buf = gen, b""

    def readable(self):
        return True

    def readinto(self, b):
        while not self.buf:
            try:
                self.buf = next(self.gen)
            except StopIteration:
                return 0
        n = min(len(b), len(self.buf))
        b[:n], self.buf = self.buf[:n], self.buf[n:]
        return n


def write_dump(args):
    top = "rethinkdb_dump_" + DATE
    members = []
    for db, table, inf, rows_fn in tables(args):
        members.append(("%s/%s/%s.info" % (top, db, table), lambda inf=inf: [(json.dumps(inf) + "\n").encode()]))
        members.append(("%s/%s/%s.json" % (top, db, table), lambda rows_fn=rows_fn: json_bytes(rows_fn())))
    if args.shuffle is not None:
        random.Random(args.shuffle).shuffle(members)
    fmt = tarfile.PAX_FORMAT if args.format == "pax" else tarfile.GNU_FORMAT
    with tarfile.open(args.out, "w:gz", format=fmt) as tar:
        for name, make in members:
            # The size goes in the header first: measure, then stream again.
            size = sum(len(p) for p in make())
            ti = tarfile.TarInfo(name)
            ti.size, ti.mtime, ti.mode = size, 1709633472, 0o644
            tar.addfile(ti, io.BufferedReader(Pieces(iter(make()))))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out")
    p.add_argument("--format", choices=["pax", "gnu"], default="pax")
    p.add_argument("--shuffle", type=int)
    p.add_argument("--no-write-hook", action="store_true")
    p.add_argument("--legacy", action="store_true")
    p.add_argument("--export-dir", action="store_true")
    p.add_argument("--data-format", choices=["json", "ndjson", "csv"], default="json")
    p.add_argument("--docs", type=int, default=0, help="add big.docs with N documents")
    args = p.parse_args()
    if args.legacy or args.export_dir:
        write_dir(args)
    else:
        write_dump(args)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""decant migrate --data-only between Django databases of different engines.

    run_test.py DECANT [--directions sqlite:postgresql,...] [--mode data-only|full|self]

For each direction SOURCE:TARGET (engines sqlite, postgresql, mysql; default all
six pairs of different engines):
  1. a fresh source database, `manage.py migrate`, objects made through the ORM
     (non-ASCII text, NULLs, edge decimals and integers, microsecond timestamps,
     nested JSON, bytes, durations, a self-referencing foreign key pointing
     forward, a many-to-many, explicit ids above 2**32 in a BigAutoField);
  2. a fresh target database and `manage.py migrate` there;
  3. `decant migrate --data-only --exclude-table django_migrations SOURCE TARGET`;
  4. `manage.py dumpdata shop` of both, compared as parsed JSON (many-to-many
     lists sorted): the same objects;
  5. one new object of each model (and one new many-to-many row) made on the
     target through the ORM: each key must be above every loaded key, which shows
     the sequences / AUTO_INCREMENT counters were advanced.
Modes: `full` replaces steps 2-3 by a plain `decant migrate` into an empty
target (decant makes the schema, django_migrations included); `self` compares
the source with itself (steps 1 and 4 only) and checks that the comparison
notices changed, missing and extra objects.

Servers: DECANT_TEST_PG15_URI (+ PGPASSFILE) and DECANT_TEST_MYSQL_URI +
DECANT_TEST_MYSQL_DEFAULTS_FILE, as scripts/servers/*.sh env set them. Exit 0
when every direction passes, 1 with a one-line reason on the first failure,
77 (skip) when a server the directions need is not configured or decant has no
--data-only. Scratch files go to DECANT_DJANGO_WORK (default: a temporary
directory, removed on success).
"""
import argparse
import datetime as dt
import decimal
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
ENGINES = ("sqlite", "postgresql", "mysql")
SKIP = 77


class Failure(Exception):
    """A step failed; the message is the one-line reason."""


def one_line(text, limit=400):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


# ---------------------------------------------------------------- databases


class Engine:
    """Makes fresh databases on one server and names them for Django and decant."""

    def __init__(self, kind, work):
        self.kind = kind
        self.work = work
        if kind == "postgresql":
            uri = os.environ["DECANT_TEST_PG15_URI"]
            self.server = uri[: uri.rindex("/")]
            self.admin_uri = uri
        elif kind == "mysql":
            uri = os.environ["DECANT_TEST_MYSQL_URI"]
            parts = urlsplit(uri)
            self.server = f"{parts.scheme}://{parts.netloc}"
            self.host = parts.hostname or "127.0.0.1"
            self.port = parts.port or 3306
            self.user = parts.username
            self.defaults = os.environ["DECANT_TEST_MYSQL_DEFAULTS_FILE"]

    def fresh(self, name):
        """Drops and creates database NAME; returns its Django location."""
        self.drop(name)
        return self.create(name)

    def drop(self, name):
        if self.kind == "sqlite":
            path = os.path.join(self.work, name + ".sqlite3")
            for suffix in ("", "-journal", "-wal", "-shm", ".partial"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
        else:
            self._server_sql(f'DROP DATABASE IF EXISTS "{name}"' if self.kind == "postgresql"
                             else f"DROP DATABASE IF EXISTS `{name}`")

    def create(self, name):
        if self.kind == "sqlite":
            return "sqlite://" + os.path.join(self.work, name + ".sqlite3")
        self._server_sql(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0' if self.kind == "postgresql"
                         else f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        return f"{self.server}/{name}"

    def _server_sql(self, statement):
        if self.kind == "postgresql":
            import psycopg2

            conn = psycopg2.connect(self.admin_uri)
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(statement)
            conn.close()
            return
        import MySQLdb

        kwargs = {"read_default_file": self.defaults, "host": self.host, "port": self.port}
        if self.user:
            kwargs["user"] = self.user
        conn = MySQLdb.connect(**kwargs)
        conn.cursor().execute(statement)
        conn.close()

    def decant_uri(self, location):
        if self.kind == "mysql":
            return f"{location}?defaults-file={self.defaults}"
        return location


def missing_env(kinds):
    need = {"postgresql": ["DECANT_TEST_PG15_URI", "PGPASSFILE"],
            "mysql": ["DECANT_TEST_MYSQL_URI", "DECANT_TEST_MYSQL_DEFAULTS_FILE"]}
    for kind in kinds:
        for var in need.get(kind, []):
            if not os.environ.get(var):
                return f"{var} is not set (start the server: scripts/servers/{'postgresql' if kind == 'postgresql' else 'mariadb'}.sh)"
    for module, kind in (("django", None), ("psycopg2", "postgresql"), ("MySQLdb", "mysql")):
        if kind is None or kind in kinds:
            try:
                __import__(module)
            except ImportError:
                return f"Python module {module} is missing (apt-get install python3-django python3-psycopg2 python3-mysqldb)"
    return None


# ---------------------------------------------------------------- subprocesses


def run(args, what, env=None, timeout=600):
    """Runs ARGS; returns stdout; raises Failure naming WHAT with stderr's last line."""
    try:
        proc = subprocess.run(args, cwd=HERE, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure(f"{what}: no answer within {timeout} s") from None
    if proc.returncode != 0:
        lines = [line for line in (proc.stderr or proc.stdout).splitlines() if line.strip()]
        raise Failure(f"{what}: exit {proc.returncode}: {one_line(lines[-1] if lines else '(no output)')}")
    return proc.stdout


def django_env(location):
    env = dict(os.environ)
    env["DECANT_DJANGO_DB"] = location
    env["DJANGO_SETTINGS_MODULE"] = "decant_django.settings"
    env["PYTHONPATH"] = HERE + os.pathsep + env.get("PYTHONPATH", "")
    return env


def manage(location, *args, what):
    return run([sys.executable, os.path.join(HERE, "manage.py"), *args], what, env=django_env(location))


def orm(location, action, what):
    """Runs this file's ORM ACTION (populate, add-one) against LOCATION; returns its JSON output."""
    out = run([sys.executable, os.path.abspath(__file__), "--orm", action], what, env=django_env(location))
    return json.loads(out) if out.strip() else None


def dumpdata(location, what):
    out = manage(location, "dumpdata", "shop", "--indent", "0", what=what)
    try:
        return json.loads(out)
    except json.JSONDecodeError as e:
        raise Failure(f"{what}: dumpdata wrote no valid JSON: {e}") from None


# ---------------------------------------------------------------- the ORM side (runs in a child)


def orm_main(action):
    import django

    django.setup()
    from django.db import connection, transaction

    from shop.models import Category, Order, Product, Tag

    utc = dt.timezone.utc
    if action == "populate":
        with transaction.atomic():
            populate(Category, Order, Product, Tag, utc)
        return
    if action == "add-one":
        through = Product.tags.through
        before = {
            "category": max_pk(Category), "tag": max_pk(Tag), "product": max_pk(Product),
            "order": max_pk(Order), "product_tags": max_pk(through)}
        with transaction.atomic():
            cat = Category.objects.create(name="added after the load")
            tag = Tag.objects.create(label="added")
            prod = Product.objects.create(
                category=cat, sku="NEW-1", name="added", price=decimal.Decimal("1.00"),
                created=dt.datetime(2030, 1, 1, tzinfo=utc))
            prod.tags.add(tag)
            order = Order.objects.create(product=prod, quantity=1, total=decimal.Decimal("1.00"),
                                         placed=dt.datetime(2030, 1, 1, tzinfo=utc), customer="new")
        new = {"category": cat.pk, "tag": tag.pk, "product": prod.pk, "order": order.pk,
               "product_tags": through.objects.get(product=prod, tag=tag).pk}
        print(json.dumps({"vendor": connection.vendor, "before": before, "new": new}))
        return
    raise SystemExit(f"unknown ORM action {action}")


def max_pk(model):
    from django.db.models import Max

    return model.objects.aggregate(m=Max("pk"))["m"]


def populate(Category, Order, Product, Tag, utc):
    D = decimal.Decimal
    # A self-reference that points forward: the first category's parent is made after it.
    root_later = Category.objects.create(name="Électronique ⚡")
    root = Category.objects.create(name="Books 📚")
    root_later.parent = root
    root_later.save()
    cats = [root, root_later,
            Category.objects.create(name="O'Reilly \"quoted\" \\ back\tslash", parent=root),
            Category.objects.create(id=1000, name="explicit id 1000")]
    tags = [Tag.objects.create(label=label, weight=w) for label, w in
            (("red", 1), ("grün", -32768), ("東京", 32767), ("", 0), ("emoji 🎉", 5))]
    Tag.objects.filter(label="").delete()  # a gap in the keys
    tags = [t for t in tags if t.label != ""]

    big_text = "".join(chr(0x20 + (i * 7) % 0x5e) for i in range(20000)) + " ünïcödé ∑ 𝄞"
    decimals = [D("0.00"), D("0.01"), D("-0.01"), D("99999999.99"), D("-99999999.99"),
                D("12345.67"), D("1.10"), D("100.00")]
    floats = [0.1, -2.5e-10, 3.141592653589793, 1e300, -1.7976931348623157e308, 5e-324, 0.0, None]
    datetimes = [
        dt.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=utc),
        dt.datetime(1970, 1, 1, 0, 0, 0, tzinfo=utc),
        dt.datetime(2001, 9, 9, 1, 46, 40, 123456, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
        dt.datetime(1901, 12, 13, 20, 45, 52, 1, tzinfo=utc),
        dt.datetime(2099, 12, 31, 23, 59, 59, 500000, tzinfo=dt.timezone(dt.timedelta(hours=-8))),
        dt.datetime(2038, 1, 19, 3, 14, 8, tzinfo=utc),
    ]
    jsons = [
        {"a": [1, 2, {"b": None, "c": "ü", "d": [True, False]}], "n": 1.5, "deep": {"x": {"y": {"z": [[], {}]}}}},
        [1, "2", None, 3.25, {"k": "v"}],
        "a JSON string with \"quotes\" and ☃",
        42,
        {},
        {"big": 9007199254740993, "neg": -1, "unicode": "東京 🎉", "esc": "line\nbreak\ttab\\"},
    ]
    binaries = [b"", b"\x00\x01\x02\xff\xfe", bytes(range(256)) * 40, None, b"plain ascii", b"\x00"]
    rows = [
        dict(stock=-2147483648, sold=-9223372036854775808, rank=-32768, views=0),
        dict(stock=2147483647, sold=9223372036854775807, rank=32767, views=2147483647),
        dict(stock=0, sold=0, rank=None, views=1),
        dict(stock=7, sold=123456789012, rank=0, views=42),
    ]
    names = ["Grüße aus Köln", "東京タワー", "emoji 🎉🚀 (4-byte UTF-8)", "", "plain",
             "tab\there, newline\nthere", "quote ' and \" and \\", "x" * 200]
    products = []
    for i in range(24):
        p = Product.objects.create(
            category=cats[i % len(cats)],
            sku=f"SKU-{i:04d}",
            name=names[i % len(names)],
            description=big_text if i == 3 else ("" if i % 5 == 0 else f"description {i} ✓"),
            notes=None if i % 3 == 0 else f"note {i}: ½ ¾ €",
            price=decimals[i % len(decimals)],
            discount=None if i % 4 == 1 else decimals[(i + 3) % len(decimals)],
            rating=floats[i % len(floats)],
            active=i % 2 == 0,
            featured=(None, True, False)[i % 3],
            released=None if i % 6 == 5 else (dt.date(2000, 2, 29), dt.date(1900, 1, 1), dt.date(9999, 12, 31),
                                               dt.date(1970, 1, 1), dt.date(2024, 12, 31))[i % 5],
            created=datetimes[i % len(datetimes)],
            updated=None if i % 2 else datetimes[(i + 1) % len(datetimes)] + dt.timedelta(microseconds=i),
            opens=None if i % 7 == 6 else (dt.time(0, 0), dt.time(23, 59, 59, 999999), dt.time(12, 34, 56, 500000),
                                           dt.time(8, 0, 0, 1))[i % 4],
            warranty=None if i % 5 == 4 else (dt.timedelta(days=3, microseconds=1), dt.timedelta(0),
                                              dt.timedelta(days=-1, seconds=5), dt.timedelta(days=10000, hours=5),
                                              dt.timedelta(microseconds=-1))[i % 5],
            uid=uuid.UUID(int=(0x12345678_9ABC_4DEF_8123_456789ABCDEF + i * 0x1000000000001) % (1 << 128)),
            attributes=jsons[i % len(jsons)],
            extra=None if i % 2 else jsons[(i + 2) % len(jsons)],
            thumbnail=binaries[i % len(binaries)],
            **rows[i % len(rows)],
        )
        products.append(p)
    for i, p in enumerate(products):
        p.tags.set(tags[: i % (len(tags) + 1)])
    products[5].delete()  # gaps in product and product_tags keys
    for i, p in enumerate(products[:12]):
        if p.pk is None:
            continue
        Order.objects.create(product=p, quantity=i + 1, total=decimals[(i * 3) % len(decimals)],
                             placed=datetimes[(i + 2) % len(datetimes)] + dt.timedelta(microseconds=i * 7),
                             customer=("Zoë", "José", "Ærøskøbing", "李雷")[i % 4],
                             comment=None if i % 2 else f"comment {i} ✉")
    # BigAutoField keys above 2**32: the target's counter must pass them.
    Order.objects.create(id=5_000_000_000, product=products[0], quantity=1, total=D("99999999.99"),
                         placed=datetimes[0], customer="explicit id", comment="above 2**32")
    Order.objects.create(id=5_000_000_007, product=products[1], quantity=2, total=D("-0.01"),
                         placed=datetimes[1], customer="explicit id 2", comment=None)


# ---------------------------------------------------------------- comparison


def normalize(objects):
    """dumpdata's list -> {(model, pk): fields}, many-to-many lists sorted."""
    out = {}
    for obj in objects:
        fields = dict(obj["fields"])
        if obj["model"] == "shop.product" and isinstance(fields.get("tags"), list):
            fields["tags"] = sorted(fields["tags"])
        out[(obj["model"], obj["pk"])] = fields
    return out


def compare(source, target):
    """None when SOURCE and TARGET (dumpdata output) hold the same objects, else the first difference."""
    a, b = normalize(source), normalize(target)
    for key in sorted(a, key=str):
        if key not in b:
            return f"{key[0]} pk={key[1]} is missing from the target"
        for field in sorted(set(a[key]) | set(b[key])):
            va, vb = a[key].get(field, "<absent>"), b[key].get(field, "<absent>")
            if va != vb or type(va) is not type(vb):
                return (f"{key[0]} pk={key[1]} field {field}: source {one_line(repr(va), 120)} "
                        f"target {one_line(repr(vb), 120)}")
    for key in sorted(b, key=str):
        if key not in a:
            return f"{key[0]} pk={key[1]} is in the target only"
    return None


def check_compare_catches_differences(dump):
    """The comparison is only worth something if it fails on changed, missing and extra objects."""
    if compare(dump, json.loads(json.dumps(dump))) is not None:
        raise Failure("compare: a dump differs from a copy of itself")
    changed = json.loads(json.dumps(dump))
    product = next(o for o in changed if o["model"] == "shop.product")
    product["fields"]["price"] = product["fields"]["price"] + "1"
    missing = [o for o in dump if o["model"] != "shop.order"] + [o for o in dump if o["model"] == "shop.order"][1:]
    extra = dump + [{"model": "shop.tag", "pk": 999999, "fields": {"label": "x", "weight": 0}}]
    retyped = json.loads(json.dumps(dump))
    order = next(o for o in retyped if o["model"] == "shop.order")
    order["fields"]["quantity"] = float(order["fields"]["quantity"])
    for name, other in (("a changed decimal", changed), ("a missing object", missing),
                        ("an extra object", extra), ("an int read back as a float", retyped)):
        if compare(dump, other) is None:
            raise Failure(f"compare: did not notice {name}")
    reordered = json.loads(json.dumps(dump))
    for o in reordered:
        if o["model"] == "shop.product":
            o["fields"]["tags"] = list(reversed(o["fields"]["tags"]))
    if compare(dump, list(reversed(reordered))) is not None:
        raise Failure("compare: object order or many-to-many order counted as a difference")


# ---------------------------------------------------------------- one direction


def run_direction(decant, src_kind, dst_kind, mode, work):
    src_engine, dst_engine = Engine(src_kind, work), Engine(dst_kind, work)
    tag = f"{src_kind}->{dst_kind}"
    stem = f"decant_django_{src_kind[:2]}_{dst_kind[:2]}"
    src = src_engine.fresh(stem + "_src")
    manage(src, "migrate", "--no-input", what=f"{tag}: manage.py migrate on the source ({src_kind})")
    orm(src, "populate", what=f"{tag}: creating objects on the source")
    src_dump = dumpdata(src, what=f"{tag}: dumpdata of the source")
    if not any(o["model"] == "shop.order" for o in src_dump):
        raise Failure(f"{tag}: the source dump holds no orders")

    if mode == "self":
        diff = compare(src_dump, dumpdata(src, what=f"{tag}: second dumpdata of the source"))
        if diff:
            raise Failure(f"{tag}: the source differs from itself: {diff}")
        check_compare_catches_differences(src_dump)
        src_engine.drop(stem + "_src")
        return f"{tag}: self-comparison of {len(src_dump)} objects ok"

    dst = dst_engine.fresh(stem + "_dst")
    if mode == "data-only":
        manage(dst, "migrate", "--no-input", what=f"{tag}: manage.py migrate on the target ({dst_kind})")
        cmd = [decant, "-q", "migrate", "--data-only", "--exclude-table", "django_migrations",
               src_engine.decant_uri(src), dst_engine.decant_uri(dst)]
    else:
        cmd = [decant, "-q", "migrate", src_engine.decant_uri(src), dst_engine.decant_uri(dst)]
    run(cmd, f"{tag}: decant {' '.join(cmd[2:-2])}", timeout=300)

    dst_dump = dumpdata(dst, what=f"{tag}: dumpdata of the target")
    diff = compare(src_dump, dst_dump)
    if diff:
        raise Failure(f"{tag}: the target's dumpdata differs: {diff}")

    added = orm(dst, "add-one", what=f"{tag}: creating new objects on the target")
    for model, pk in added["new"].items():
        before = added["before"][model]
        if before is not None and not pk > before:
            raise Failure(f"{tag}: a new {model} on the target got key {pk}, not above the loaded {before} "
                          "(sequence / AUTO_INCREMENT not advanced)")
    src_engine.drop(stem + "_src")
    dst_engine.drop(stem + "_dst")
    return f"{tag}: {len(src_dump)} objects equal; new keys {added['new']} above the loaded {added['before']}"


def main():
    if importlib.util.find_spec("django") is None:
        # ctest may have found another python3 first (a pyenv shim); Debian's has python3-django.
        system = "/usr/bin/python3"
        if os.path.exists(system) and os.path.realpath(sys.executable) != os.path.realpath(system):
            os.execv(system, [system, os.path.abspath(__file__), *sys.argv[1:]])
    if len(sys.argv) == 3 and sys.argv[1] == "--orm":
        orm_main(sys.argv[2])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("decant", help="the decant binary")
    parser.add_argument("--directions", default=",".join(
        f"{a}:{b}" for a in ENGINES for b in ENGINES if a != b),
        help="comma-separated SOURCE:TARGET engine pairs (sqlite, postgresql, mysql)")
    parser.add_argument("--mode", choices=("data-only", "full", "self"), default="data-only")
    parser.add_argument("--keep-going", action="store_true", help="run every direction, report all failures")
    args = parser.parse_args()

    directions = []
    for item in args.directions.split(","):
        pair = item.strip().split(":")
        if len(pair) != 2 or not all(p in ENGINES for p in pair):
            print(f"run_test: bad direction {item!r} (want SOURCE:TARGET of {', '.join(ENGINES)})")
            return 2
        directions.append(tuple(pair))
    reason = missing_env({k for pair in directions for k in pair})
    if reason:
        print(f"SKIP: {reason}")
        return SKIP
    decant = os.path.abspath(args.decant)
    if args.mode != "self":
        if not os.access(decant, os.X_OK):
            print(f"FAIL: no decant binary at {decant}")
            return 1
    if args.mode == "data-only":
        help_text = subprocess.run([decant, "migrate", "--help"], capture_output=True, text=True).stdout
        if "--data-only" not in help_text:
            print("SKIP: this decant has no `migrate --data-only` yet")
            return SKIP

    work = os.environ.get("DECANT_DJANGO_WORK") or tempfile.mkdtemp(prefix="decant-django-")
    os.makedirs(work, exist_ok=True)
    failures = []
    for src_kind, dst_kind in directions:
        try:
            print(f"ok   {run_direction(decant, src_kind, dst_kind, args.mode, work)}", flush=True)
        except Failure as e:
            failures.append(str(e))
            print(f"FAIL {e}", flush=True)
            if not args.keep_going:
                break
    if failures:
        print(f"FAIL: {failures[0]}" if len(failures) == 1 else f"FAIL: {len(failures)} directions failed")
        print(f"(databases kept; sqlite files in {work})")
        return 1
    if not os.environ.get("DECANT_DJANGO_WORK") and not os.environ.get("DECANT_TEST_KEEP_DIR"):
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Django fixtures in and out of decant, checked with Django's own dumpdata/loaddata.

    run_fixture_test.py DECANT [--engines sqlite,postgresql,mysql] [--tz on,off]
                               [--cases abcde] [--keep-going]

The project: decant_django.settings_fixtures (apps catalog and common with every
field type Django has, plus django.contrib.contenttypes and django.contrib.auth).
For each time-zone mode (USE_TZ=True, then USE_TZ=False) and each source engine:
  a. a fresh source database, `migrate`, objects made through the ORM (populate
     below); `dumpdata` writes fixtures (JSON, JSONL, --natural-foreign, .gz,
     .xz, .bz2, .zip: one variant per target, rotating); for each OTHER engine a
     fresh `migrate`d target (with --natural-foreign fixtures its content-type
     and permission ids are first moved away from the source's, so natural keys
     must be resolved), `decant import FIXTURE TARGET`, and `dumpdata` of the
     target equals the source's;
  b. `decant export SOURCE --format django -o out.json|.jsonl [--natural-foreign]`,
     a fresh target, `loaddata out...`, and its `dumpdata` equals the source's;
  c. an InvenTree export-records file (tasks.py's post-processing of a
     `dumpdata --natural-foreign --indent 2`) loads with `decant import
     --inventree`, and `decant inspect` shows its metadata;
  d. refusals: malformed JSON at a named record, an unknown model, a target that
     is not empty: one line, the documented exit code, the target's row counts
     unchanged; then --clean and --append;
  e. `decant verify FIXTURE TARGET` after a load exits 0, after a changed row 1.
Comparisons: `dumpdata --natural-foreign` without contenttypes and
auth.permission (each target's migrate makes its own), parsed, records keyed by
(model, pk), many-to-many lists sorted.

Servers as run_test.py reads them. Exit 0 when all cases pass, 1 with a one-line
reason on the first failure (all with --keep-going), 77 (skip) when a server or
Python module is missing or decant has no Django fixture support yet. Databases
and files are named djt_*; scratch files go to DECANT_DJANGO_WORK (default: a
temporary directory, removed on success).
"""
import argparse
import datetime as dt
import decimal
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ENGINES = ("sqlite", "postgresql", "mysql")
SKIP = 77
SETTINGS = "decant_django.settings_fixtures"
# Each target's migrate makes these: never compared, never in a fixture decant loads.
MIGRATE_MADE = ("contenttypes", "auth.permission")
M2M_FIELDS = {"tags", "suppliers", "groups", "user_permissions", "permissions"}
NATURAL_KEYS = ["catalog.supplier=country,code"]
# Exit codes (docs/cli.md, docs/formats/django.md).
EXIT_DIFFER = 1
EXIT_CORRUPT = 3  # malformed JSON
EXIT_NOT_EMPTY = 5
EXIT_NO_TABLE = 7  # a model without a table


# ---------------------------------------------------------------- the ORM side (runs in a child)


def orm_main(action):
    import django

    django.setup()
    from django.apps import apps
    from django.db import transaction

    if action == "populate":
        with transaction.atomic():
            populate()
    elif action == "shift-ids":
        shift_ids()
    elif action == "counts":
        print(json.dumps({m._meta.db_table: m._default_manager.count()
                          for m in apps.get_models(include_auto_created=True)}))
    elif action == "touch":
        from catalog.models import Item

        item = Item.objects.order_by("pk").first()
        item.code = item.code + " (changed)"
        item.save()
    elif action == "inventree-settings":
        from common.models import InvenTreeSetting, InvenTreeUserSetting

        print(json.dumps(sorted([s.key for s in InvenTreeSetting.objects.all()]
                                + [s.key for s in InvenTreeUserSetting.objects.all()])))
    else:
        raise SystemExit(f"unknown ORM action {action}")


def shift_ids():
    """Makes the content types and permissions of `catalog` again, with new ids:
    a target whose ids differ from the source's, as after a different migrate history."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.filter(app_label="catalog").delete()
    ContentType.objects.clear_cache()
    config = apps.get_app_config("catalog")
    create_contenttypes(config, verbosity=0)
    create_permissions(config, verbosity=0)


def populate():
    from django.conf import settings
    from django.contrib.auth.models import Group, Permission, User
    from django.contrib.contenttypes.models import ContentType

    from catalog.models import Category, Item, ItemDetail, Membership, Profile, Project, Supplier, Tag
    from common.models import InvenTreeSetting, InvenTreeUserSetting

    D = decimal.Decimal
    utc = dt.timezone.utc

    def when(*args, offset=None):
        value = dt.datetime(*args)
        if not settings.USE_TZ:
            return value
        return value.replace(tzinfo=dt.timezone(dt.timedelta(minutes=offset)) if offset else utc)

    users = [
        User.objects.create(username="alice", first_name="Alice", last_name="Ångström", email="alice@example.org",
                            is_superuser=True, is_staff=True, password="pbkdf2_sha256$1$x$y=",
                            date_joined=when(2020, 1, 2, 3, 4, 5, 678901), last_login=when(2024, 2, 29, 23, 59, 59)),
        User.objects.create(username="bob", email="", password="!", date_joined=when(1999, 12, 31, 23, 0, 0),
                            last_login=None),
        User.objects.create(username="zoë_東京", first_name="Zoë", last_name="李", is_active=False,
                            date_joined=when(2038, 1, 19, 3, 14, 8, offset=330)),
    ]
    editors = Group.objects.create(name="editors")
    checkers = Group.objects.create(name="Prüfer 🎉")
    Group.objects.create(name="empty group")
    perms = Permission.objects.filter(content_type__app_label="catalog").order_by("codename")
    editors.permissions.set(perms[:5])
    checkers.permissions.set(Permission.objects.filter(codename__in=["view_user", "change_group", "view_tag"]))
    users[0].groups.set([editors, checkers])
    users[1].groups.set([checkers])
    users[1].user_permissions.set(Permission.objects.filter(codename__in=["view_supplier", "add_permission"]))

    suppliers = [Supplier.objects.create(country=c, code=k, name=n) for c, k, n in
                 (("de", "ACME", "Acme GmbH"), ("fr", "ÉCLAIR", "Éclair \"SA\""), ("jp", "東京", "東京商事 🏭"))]
    # A self-reference that points forward: the first category's parent is made after it.
    later = Category.objects.create(name="Électronique ⚡")
    root = Category.objects.create(name="root")
    later.parent = root
    later.save()
    cats = [root, later, Category.objects.create(name="leaf \\ back\tslash", parent=later),
            Category.objects.create(id=5000, name="explicit id")]
    tags = [Tag.objects.create(label=t) for t in ("red", "grün", "東京", "gone", "emoji 🎉")]
    tags[3].delete()  # a gap in the keys
    tags = [t for t in tags if t.pk is not None]

    kinds = [ContentType.objects.get_for_model(m) for m in (Supplier, User, Permission, Item)]
    texts = ["Grüße aus Köln", "東京タワー", "emoji 🎉🚀 (4 bytes)", "", "quote ' \" \\ back",
             "tab\there\nnewline\r\ncrlf", "ctl \x01\x1f \u2028 \u2029 end", "x" * 100]
    big_text = "".join(chr(0x20 + (i * 7) % 0x5e) for i in range(20000)) + " ünïcödé ∑ 𝄞"
    ints = [
        dict(small=-32768, integer=-2147483648, big=-9223372036854775808, psmall=0, positive=0, pbig=0),
        dict(small=32767, integer=2147483647, big=9223372036854775807, psmall=32767, positive=2147483647,
             pbig=9223372036854775807),
        dict(small=0, integer=0, big=0, psmall=1, positive=1, pbig=1),
        dict(small=-1, integer=42, big=123456789012, psmall=7, positive=65536, pbig=4294967296),
    ]
    decimals = [D("0.000000"), D("0.000001"), D("-12345678.123456"), D("99999999.999999"), D("1.100000"),
                D("-0.500000")]
    floats = [0.1, -2.5e-10, 3.141592653589793, 1e300, -1.7976931348623157e308, 5e-324, 0.0, 1.0]
    datetimes = [when(2024, 2, 29, 23, 59, 59, 999999), when(1970, 1, 1), when(2001, 9, 9, 1, 46, 40, 123456, offset=330),
                 when(1901, 12, 13, 20, 45, 52, 1000), when(2099, 12, 31, 23, 59, 59, 500000, offset=-480)]
    jsons = [{"a": [1, 2, {"b": None, "c": "ü", "d": [True, False]}], "n": 1.5, "deep": {"x": {"y": [[], {}]}}},
             [1, "2", None, 3.25, {"k": "v"}], "a JSON string with \"quotes\" and ☃", 42, {},
             {"big": 9007199254740993, "neg": -1, "unicode": "東京 🎉", "esc": "line\nbreak\ttab\\"}, None]
    binaries = [b"", b"\x00\x01\x02\xff\xfe", bytes(range(256)) * 8, None, b"plain ascii"]
    durations = [dt.timedelta(days=3, microseconds=1), dt.timedelta(0), dt.timedelta(days=-1, seconds=5),
                 dt.timedelta(days=10000, hours=5), dt.timedelta(microseconds=-1), None]
    items = []
    for i in range(18):
        item = Item.objects.create(
            **ints[i % len(ints)],
            maybe_int=None if i % 3 == 0 else i * 1000,
            price=decimals[i % len(decimals)],
            discount=None if i % 4 == 1 else D("-999.99") if i % 4 == 2 else D("12.50"),
            ratio=floats[i % len(floats)],
            maybe_float=None if i % 2 else floats[(i + 3) % len(floats)],
            active=i % 2 == 0,
            checked=(None, True, False)[i % 3],
            code=texts[i % len(texts)],
            body=big_text if i == 3 else texts[(i + 1) % len(texts)],
            note=None if i % 3 == 1 else texts[(i + 2) % len(texts)],
            day=None if i % 6 == 5 else (dt.date(2000, 2, 29), dt.date(1900, 1, 1), dt.date(9999, 12, 31),
                                          dt.date(1970, 1, 1), dt.date(2024, 12, 31))[i % 5],
            at=None if i % 7 == 6 else (dt.time(0, 0), dt.time(23, 59, 59, 999999), dt.time(12, 34, 56, 500000),
                                        dt.time(8, 0, 0, 1000))[i % 4],
            stamp=datetimes[i % len(datetimes)],
            maybe_stamp=None if i % 2 else datetimes[(i + 1) % len(datetimes)],
            span=durations[i % len(durations)],
            uid=uuid.UUID(int=(0x12345678_9ABC_4DEF_8123_456789ABCDEF + i * 0x1000000000001) % (1 << 128)),
            maybe_uid=None if i % 2 else uuid.UUID(int=i + 1),
            data=jsons[i % (len(jsons) - 1)],
            maybe_data=jsons[(i + 2) % len(jsons)],
            blob=binaries[i % len(binaries)],
            category=cats[i % len(cats)],
            supplier=None if i % 4 == 3 else suppliers[i % len(suppliers)],
            owner=None if i % 5 == 4 else users[i % len(users)],
            kind=None if i % 5 == 2 else kinds[i % len(kinds)],
        )
        items.append(item)
    for i, item in enumerate(items):
        item.tags.set(tags[: i % (len(tags) + 1)])
    items[5].delete()  # gaps in item and item_tags keys
    items = [it for it in items if it.pk is not None]
    for i, item in enumerate(items[:6]):
        ItemDetail.objects.create(item=item, summary=f"detail {i} ✓")
    Profile.objects.create(user=users[0], nickname="ali 🦊")
    Profile.objects.create(user=users[2], nickname="")
    apollo = Project.objects.create(name="Apollo 🚀")
    empty = Project.objects.create(name="empty")
    Membership.objects.create(project=apollo, user=users[0], role="lead", joined=dt.date(2021, 5, 1))
    Membership.objects.create(project=apollo, user=users[1], role="dev", joined=dt.date(2022, 1, 31))
    Membership.objects.create(project=empty, user=users[2], role="ÿ", joined=dt.date(1999, 1, 1))
    apollo.suppliers.set(suppliers)
    empty.suppliers.set(suppliers[1:2])
    for key, value in (("INVENTREE_INSTANCE", "Test ✓"), ("_HIDDEN_STATE", "secret"), ("CURRENCY", "EUR")):
        InvenTreeSetting.objects.create(key=key, value=value)
    InvenTreeUserSetting.objects.create(key="DISPLAY_FULL", value="True", user=users[0])
    InvenTreeUserSetting.objects.create(key="_INTERNAL", value="x", user=users[1])


# ---------------------------------------------------------------- the driver


def load_run_test():
    spec = importlib.util.spec_from_file_location("djt_run_test", os.path.join(HERE, "run_test.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RT = None  # run_test.py: Engine, Failure, run, one_line, missing_env


class Failure(Exception):
    pass


def one_line(text, limit=400):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


def run(args, what, env=None, timeout=600, expect=(0,)):
    """Runs ARGS; returns (exit code, stdout, stderr); raises Failure naming WHAT
    when the exit code is not in EXPECT."""
    try:
        proc = subprocess.run(args, cwd=HERE, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure(f"{what}: no answer within {timeout} s") from None
    if proc.returncode not in expect:
        lines = [line for line in (proc.stderr or proc.stdout).splitlines() if line.strip()]
        raise Failure(f"{what}: exit {proc.returncode} (expected {'/'.join(map(str, expect))}): "
                      f"{one_line(lines[-1] if lines else '(no output)')}")
    return proc.returncode, proc.stdout, proc.stderr


class Project:
    """One time-zone mode of the Django project."""

    def __init__(self, use_tz):
        self.use_tz = use_tz

    def env(self, location):
        env = dict(os.environ)
        env["DECANT_DJANGO_DB"] = location
        env["DJANGO_SETTINGS_MODULE"] = SETTINGS
        env["DECANT_DJANGO_USE_TZ"] = "1" if self.use_tz else "0"
        env["PYTHONPATH"] = HERE + os.pathsep + env.get("PYTHONPATH", "")
        return env

    def manage(self, location, *args, what, expect=(0,)):
        return run(["/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable,
                    os.path.join(HERE, "manage.py"), *args], what, env=self.env(location), expect=expect)

    def orm(self, location, action, what):
        _, out, _ = run([sys.executable, os.path.abspath(__file__), "--orm", action], what, env=self.env(location))
        return json.loads(out) if out.strip() else None

    def dump(self, location, what):
        """The comparison dump: natural foreign keys, without the rows migrate makes."""
        args = ["dumpdata", "--natural-foreign", "--indent", "0"]
        for label in MIGRATE_MADE:
            args += ["--exclude", label]
        _, out, _ = self.manage(location, *args, what=what)
        try:
            return json.loads(out)
        except json.JSONDecodeError as e:
            raise Failure(f"{what}: dumpdata wrote no valid JSON: {e}") from None


def normalize(objects):
    out = {}
    for obj in objects:
        fields = dict(obj["fields"])
        for name in M2M_FIELDS & set(fields):
            if isinstance(fields[name], list):
                fields[name] = sorted(fields[name], key=json.dumps)
        out[(obj["model"], json.dumps(obj.get("pk")))] = fields
    return out


def compare(source, target):
    """None when SOURCE and TARGET (parsed dumpdata) hold the same objects, else the first difference."""
    a, b = normalize(source), normalize(target)
    for key in sorted(a):
        if key not in b:
            return f"{key[0]} pk={key[1]} is missing from the target"
        for field in sorted(set(a[key]) | set(b[key])):
            va, vb = a[key].get(field, "<absent>"), b[key].get(field, "<absent>")
            if va != vb or type(va) is not type(vb):
                return (f"{key[0]} pk={key[1]} field {field}: source {one_line(repr(va), 120)} "
                        f"target {one_line(repr(vb), 120)}")
    for key in sorted(b):
        if key not in a:
            return f"{key[0]} pk={key[1]} is in the target only"
    return None


def check_compare(dump):
    """The comparison notices a changed value, a missing record and a reordering that matters."""
    changed = json.loads(json.dumps(dump))
    item = next(o for o in changed if o["model"] == "catalog.item")
    item["fields"]["code"] += "x"
    missing = [o for o in dump if o["model"] != "catalog.membership"]
    for name, other in (("a changed value", changed), ("a missing record", missing)):
        if compare(dump, other) is None:
            raise Failure(f"compare: did not notice {name}")
    if compare(dump, list(reversed(dump))) is not None:
        raise Failure("compare: record order counted as a difference")


# Fixture variants dumpdata writes: (name, file suffix, dumpdata options, natural foreign
# keys, with the content types and permissions). The target's content-type and permission
# ids are moved away from the source's for every variant that names them other than by id
# in their own rows (natural keys; the rows themselves), so decant must match them.
VARIANTS = [
    ("json", ".json", [], False, False),
    ("json --natural-foreign --indent 2", ".json", ["--natural-foreign", "--indent", "2"], True, False),
    ("jsonl", ".jsonl", ["--format", "jsonl"], False, False),
    ("json.gz --natural-foreign", ".json.gz", ["--natural-foreign"], True, False),
    ("json with contenttypes and auth.permission by id", ".json", [], False, True),
    ("jsonl.xz --natural-foreign", ".jsonl.xz", ["--format", "jsonl", "--natural-foreign"], True, False),
    ("json.bz2", ".json.bz2", [], False, False),
    ("json.zip --natural-foreign", ".json.zip", ["--natural-foreign"], True, False),
]


class Run:
    def __init__(self, decant, engines, targets_all, work, keep_going):
        self.decant = decant
        self.engines = engines
        self.targets_all = targets_all
        self.work = work
        self.keep_going = keep_going
        self.failures = []
        self.passed = 0
        self.variant_index = 0
        self.help = {}

    def decant_help(self, command):
        if command not in self.help:
            proc = subprocess.run([self.decant, command, "--help"], capture_output=True, text=True)
            self.help[command] = proc.stdout + proc.stderr
        return self.help[command]

    def step(self, name, fn, *args):
        try:
            result = fn(*args)
            self.passed += 1
            print(f"ok   {name}: {result}", flush=True)
            return True
        except Failure as e:
            self.failures.append(f"{name}: {e}")
            print(f"FAIL {name}: {e}", flush=True)
            if not self.keep_going:
                raise
            return False

    def engine(self, kind):
        return RT.Engine(kind, self.work)

    def fresh_target(self, project, kind, name, what, shift=False):
        engine = self.engine(kind)
        location = engine.fresh(name)
        project.manage(location, "migrate", "--no-input", what=f"{what}: migrate on the target ({kind})")
        if shift:
            project.orm(location, "shift-ids", what=f"{what}: moving the target's content-type ids")
        return engine, location

    def run_decant(self, args, what, expect=(0,), timeout=300):
        return run([self.decant, *args], f"{what}: decant {' '.join(a for a in args if '://' not in a and '/' not in a)}",
                   expect=expect, timeout=timeout)

    # ------------------------------------------------------------ a

    def write_variant(self, project, location, variant, path):
        name, suffix, options, _, with_migrate_made = variant
        args = ["dumpdata", *options]
        for label in () if with_migrate_made else MIGRATE_MADE:
            args += ["--exclude", label]
        if suffix.endswith(".zip"):
            _, out, _ = project.manage(location, *args, what=f"dumpdata {name}")
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr(os.path.basename(path)[:-4], out)
        else:
            project.manage(location, *args, "--output", path, what=f"dumpdata {name}")
        if not os.path.exists(path):
            raise Failure(f"dumpdata {name} wrote no {path}")

    def case_a(self, project, tz, src_kind, src_location, src_dump, keep_for_e):
        for dst_kind in [k for k in self.targets_all if k != src_kind] or [src_kind]:
            variant = VARIANTS[self.variant_index % len(VARIANTS)]
            self.variant_index += 1
            name = f"a {tz} {src_kind}->{dst_kind} [{variant[0]}]"
            self.step(name, self.a_one, project, tz, src_kind, src_location, src_dump, dst_kind, variant,
                      keep_for_e and dst_kind == keep_for_e)

    def a_one(self, project, tz, src_kind, src_location, src_dump, dst_kind, variant, do_e):
        what = f"{src_kind}->{dst_kind}"
        fixture = os.path.join(self.work, f"djt_{tz}_{src_kind}_to_{dst_kind}{variant[1]}")
        self.write_variant(project, src_location, variant, fixture)
        engine, dst = self.fresh_target(project, dst_kind, f"djt_{tz}_a_{src_kind[:2]}_{dst_kind[:2]}", what,
                                        shift=variant[3] or variant[4])
        target_uri = engine.decant_uri(dst)
        args = ["-q", "import"]
        for nk in NATURAL_KEYS:
            args += ["--natural-key", nk]
        self.run_decant([*args, fixture, target_uri], what)
        diff = compare(src_dump, project.dump(dst, what=f"{what}: dumpdata of the target"))
        if diff:
            raise Failure(f"{what}: the target's dumpdata differs: {diff}")
        note = f"{len(src_dump)} objects equal"
        if do_e:
            self.step(f"e {tz} verify {variant[0]} against {dst_kind}", self.e_one, project, fixture, engine, dst)
        engine.drop(f"djt_{tz}_a_{src_kind[:2]}_{dst_kind[:2]}")
        return note

    # ------------------------------------------------------------ e

    def e_one(self, project, fixture, engine, dst):
        uri = engine.decant_uri(dst)
        args = ["-q", "verify"]
        for nk in NATURAL_KEYS:
            args += ["--natural-key", nk]
        self.run_decant([*args, fixture, uri], "verify after the load")
        project.orm(dst, "touch", what="changing an item on the target")
        code, out, err = self.run_decant([*args, fixture, uri], "verify after a change", expect=(EXIT_DIFFER,))
        said = one_line((out + " " + err).strip(), 160)
        return f"0 after the load, {code} after a change ({said})"

    # ------------------------------------------------------------ b

    def export_options(self, project, src_kind, natural, exclude=True):
        """--field-type for what the source's column types do not say (SQLite/MySQL: durations in
        bigint, UUIDs in char(32), JSON in text); rows migrate makes left out."""
        options = []
        help_text = self.decant_help("export")
        if natural:
            options.append("--natural-foreign")
        for nk in NATURAL_KEYS:
            options += ["--natural-key", nk]
        if src_kind != "postgresql" and "--field-type" in help_text:
            for field, kind in (("catalog.item.span", "duration"), ("catalog.item.uid", "uuid"),
                                ("catalog.item.maybe_uid", "uuid"), ("catalog.item.data", "json"),
                                ("catalog.item.maybe_data", "json")):
                options += ["--field-type", f"{field}={kind}"]
        # As dumpdata --exclude contenttypes --exclude auth.permission: the target's migrate makes them.
        # --exclude-model, not --exclude-table: the rows still give the natural keys and the
        # many-to-many fields that refer to them.
        if exclude:
            options += ["--exclude-table", "django_migrations"]
            for label in MIGRATE_MADE:
                options += ["--exclude-model", label]
        # USE_TZ = False: dumpdata writes datetimes without an offset.
        if not project.use_tz:
            options.append("--naive-datetimes")
        return options

    def case_b(self, project, tz, src_kind, src_location, src_dump, index):
        others = [k for k in self.targets_all if k != src_kind] or [src_kind]
        dst_kind = others[index % len(others)]
        suffix, natural = ((".json", False), (".jsonl", False), (".json", True))[index % 3]
        name = f"b {tz} {src_kind} -> decant export{suffix}{' --natural-foreign' if natural else ''} -> loaddata on {dst_kind}"
        self.step(name, self.b_one, project, tz, src_kind, src_location, src_dump, dst_kind, suffix, natural)

    @staticmethod
    def fixture_form(path, src_dump):
        """None when the fixture at PATH has dumpdata's models and field names (those of SRC_DUMP),
        else the first difference: a through table written as a model, a column name for a field."""
        with open(path, encoding="utf-8") as f:
            records = json.load(f) if path.endswith(".json") else [json.loads(x) for x in f if x.strip()]
        return Run.fixture_form_records(records, src_dump)

    @staticmethod
    def fixture_form_records(records, src_dump):
        expected = {}
        for obj in src_dump:
            expected.setdefault(obj["model"], set()).update(obj["fields"])
        seen = {}
        for obj in records:
            seen.setdefault(obj.get("model"), set()).update(obj.get("fields", {}))
        for model in sorted(seen, key=str):
            if model not in expected:
                return f"model {model} ({len([r for r in records if r.get('model') == model])} records) is not in dumpdata's"
            if seen[model] != expected[model]:
                return (f"{model}: fields {sorted(seen[model] - expected[model])} are not dumpdata's, "
                        f"{sorted(expected[model] - seen[model])} missing")
        missing = sorted(set(expected) - set(seen))
        return f"models {missing} missing" if missing else None

    def b_one(self, project, tz, src_kind, src_location, src_dump, dst_kind, suffix, natural):
        what = f"{src_kind}->{dst_kind}"
        out = os.path.join(self.work, f"djt_{tz}_export_{src_kind}{suffix}")
        if os.path.exists(out):
            os.remove(out)
        src_uri = self.engine(src_kind).decant_uri(src_location)
        self.run_decant(["-q", "export", src_uri, "--format", "django", "-o", out,
                     *self.export_options(project, src_kind, natural)], what)
        form = self.fixture_form(out, src_dump)
        if form:
            raise Failure(f"{what}: decant's fixture is not in dumpdata's form: {form}")
        # Django's loaddata takes the format from the name: keep it.
        engine, dst = self.fresh_target(project, dst_kind, f"djt_{tz}_b_{src_kind[:2]}_{dst_kind[:2]}", what,
                                        shift=natural)
        project.manage(dst, "loaddata", out, what=f"{what}: loaddata of decant's fixture")
        diff = compare(src_dump, project.dump(dst, what=f"{what}: dumpdata of the target"))
        if diff:
            raise Failure(f"{what}: the target's dumpdata differs: {diff}")
        engine.drop(f"djt_{tz}_b_{src_kind[:2]}_{dst_kind[:2]}")
        return f"{len(src_dump)} objects equal"

    # ------------------------------------------------------------ c

    def inventree_file(self, project, src_location, path):
        raw = path + ".dumpdata.json"
        args = ["dumpdata", "--natural-foreign", "--indent", "2", "--output", raw]
        for label in MIGRATE_MADE:  # InvenTree excludes these and more (models this project has not)
            args += ["--exclude", label]
        project.manage(src_location, *args, what="dumpdata for the InvenTree file")
        with open(raw, encoding="utf-8") as f:
            data = json.load(f)
        now = dt.datetime(2025, 3, 4, 5, 6, 7, 890123)
        metadata = {
            "metadata": True,
            "comment": "This file contains a dump of the database",
            "exported_at": now.isoformat(),
            "exported_at_utc": now.replace(tzinfo=dt.timezone.utc).isoformat(),
            "source_version": "0.17.9 djt",
            "api_version": 321,
            "django_version": "3.2",
            "python_version": "3.11.2",
            "source_commit": "abc1234",
            "installed_apps": ["auth", "contenttypes", "catalog", "common"],
        }
        out = [metadata]
        for entry in data:
            model = entry.get("model")
            if model in ("common.inventreesetting", "common.inventreeusersetting"):
                if entry["fields"].get("key", "").startswith("_"):
                    continue
            if model == "auth.group":
                entry["fields"]["permissions"] = []
            if model == "auth.user":
                entry["fields"]["user_permissions"] = []
            out.append(entry)
        with open(path, "w", encoding="utf-8") as f:
            f.write(json.dumps(out, indent=2))
        return metadata, out[1:]

    def case_c(self, project, tz, src_kind, src_location, dst_kind):
        name = f"c {tz} InvenTree file from {src_kind} -> decant import --inventree -> {dst_kind}"
        self.step(name, self.c_one, project, tz, src_kind, src_location, dst_kind)
        path = os.path.join(self.work, f"djt_{tz}_inventree_{src_kind}.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                expected = json.load(f)[1:]
            name = f"c {tz} decant export --inventree from {src_kind} -> import-records' loaddata on {dst_kind}"
            self.step(name, self.c_export, project, tz, src_kind, src_location, expected, dst_kind)

    def c_one(self, project, tz, src_kind, src_location, dst_kind):
        what = f"inventree {src_kind}->{dst_kind}"
        path = os.path.join(self.work, f"djt_{tz}_inventree_{src_kind}.json")
        metadata, expected = self.inventree_file(project, src_location, path)
        with open(path, "rb") as f:
            text = f.read()
        if text.endswith(b"\n") or any(b > 0x7f for b in text):
            raise Failure("the InvenTree file is not ASCII without a trailing newline")
        _, shown, _ = self.run_decant(["inspect", path], f"{what}: inspect")
        for key in ("source_version", "exported_at"):
            if metadata[key] not in shown:
                raise Failure(f"{what}: decant inspect does not show {key} {metadata[key]!r}: {one_line(shown, 300)}")
        for app in metadata["installed_apps"]:
            if app not in shown:
                raise Failure(f"{what}: decant inspect does not show installed app {app!r}: {one_line(shown, 300)}")
        engine, dst = self.fresh_target(project, dst_kind, f"djt_{tz}_c_{src_kind[:2]}_{dst_kind[:2]}", what, shift=True)
        args = ["-q", "import", "--inventree"]
        for nk in NATURAL_KEYS:
            args += ["--natural-key", nk]
        self.run_decant([*args, path, engine.decant_uri(dst)], what)
        diff = compare(expected, project.dump(dst, what=f"{what}: dumpdata of the target"))
        if diff:
            raise Failure(f"{what}: the target's dumpdata differs from the file's records: {diff}")
        # The raw dumpdata (with '_' settings and permissions) under --inventree: InvenTree's import rules.
        engine.drop(f"djt_{tz}_c_{src_kind[:2]}_{dst_kind[:2]}")
        engine, dst = self.fresh_target(project, dst_kind, f"djt_{tz}_c_{src_kind[:2]}_{dst_kind[:2]}", what)
        self.run_decant([*args, path + ".dumpdata.json", engine.decant_uri(dst)], f"{what}: raw dumpdata with --inventree")
        keys = project.orm(dst, "inventree-settings", what=f"{what}: settings on the target")
        if any(k.startswith("_") for k in keys):
            raise Failure(f"{what}: --inventree loaded settings whose key starts with '_': {keys}")
        diff = compare(expected, project.dump(dst, what=f"{what}: dumpdata of the target (raw file)"))
        if diff:
            raise Failure(f"{what}: raw dumpdata under --inventree: the target differs from InvenTree's rules: {diff}")
        engine.drop(f"djt_{tz}_c_{src_kind[:2]}_{dst_kind[:2]}")
        return f"{len(expected)} records; inspect shows the metadata; '_' settings and permissions left out of a raw dump"

    def c_export(self, project, tz, src_kind, src_location, expected, dst_kind):
        """decant export --inventree writes what export-records writes; import-records' steps
        (metadata record taken out, loaddata) load it, and dumpdata equals the InvenTree file's records."""
        what = f"export --inventree {src_kind}->{dst_kind}"
        out = os.path.join(self.work, f"djt_{tz}_export_inventree_{src_kind}.json")
        if os.path.exists(out):
            os.remove(out)
        # InvenTree's exclusions (content types, permissions, '_' settings) are --inventree's own:
        # named as not carried (exit 9).
        options = self.export_options(project, src_kind, False, exclude=False)
        self.run_decant(["-q", "export", self.engine(src_kind).decant_uri(src_location), "--format", "django",
                         "--inventree", "-o", out, *options], what)
        with open(out, "rb") as f:
            text = f.read()
        if text.endswith(b"\n") or any(b > 0x7f for b in text):
            raise Failure(f"{what}: not ASCII without a trailing newline, as json.dumps(indent=2) writes")
        records = json.loads(text)
        if not records or records[0].get("metadata") is not True:
            raise Failure(f"{what}: the first record is not the metadata record: {one_line(repr(records[:1]), 200)}")
        body = records[1:]
        form = self.fixture_form_records(body, expected)
        if form:
            raise Failure(f"{what}: not in export-records' form: {form}")
        loadable = out + ".records.json"
        with open(loadable, "w", encoding="utf-8") as f:
            json.dump(body, f, indent=2)
        engine, dst = self.fresh_target(project, dst_kind, f"djt_{tz}_ce_{src_kind[:2]}_{dst_kind[:2]}", what,
                                        shift=True)
        project.manage(dst, "loaddata", loadable, what=f"{what}: loaddata of the records")
        diff = compare(expected, project.dump(dst, what=f"{what}: dumpdata of the target"))
        if diff:
            raise Failure(f"{what}: the target's dumpdata differs from InvenTree's export of the source: {diff}")
        engine.drop(f"djt_{tz}_ce_{src_kind[:2]}_{dst_kind[:2]}")
        return f"metadata {sorted(records[0])}; {len(body)} records equal"

    # ------------------------------------------------------------ d

    def case_d(self, project, tz, src_kind, src_location, src_dump, dst_kind):
        name = f"d {tz} refusals on {dst_kind} (fixture from {src_kind})"
        self.step(name, self.d_one, project, tz, src_kind, src_location, src_dump, dst_kind)

    def refused(self, project, args, dst, what, codes):
        before = project.orm(dst, "counts", what=f"{what}: row counts before")
        code, out, err = run([self.decant, "-q", *args], f"{what}", expect=tuple(range(1, 256)))
        lines = [line for line in err.splitlines() if line.strip()]
        if len(lines) != 1 or not lines[0].startswith("decant: error:"):
            raise Failure(f"{what}: exit {code}, not one `decant: error:` line on stderr: {one_line(err, 300)}")
        if codes and code not in codes:
            raise Failure(f"{what}: exit {code}, expected {'/'.join(map(str, codes))}: {lines[0]}")
        after = project.orm(dst, "counts", what=f"{what}: row counts after")
        if before != after:
            changed = {t: (before.get(t), after.get(t)) for t in set(before) | set(after) if before.get(t) != after.get(t)}
            raise Failure(f"{what}: the target was changed: {changed}")
        return code, lines[0]

    def d_one(self, project, tz, src_kind, src_location, src_dump, dst_kind):
        base = os.path.join(self.work, f"djt_{tz}_d_{src_kind}")
        fixture = base + ".json"
        self.write_variant(project, src_location, VARIANTS[0], fixture)
        with open(fixture, encoding="utf-8") as f:
            records = json.load(f)
        engine, dst = self.fresh_target(project, dst_kind, f"djt_{tz}_d_{dst_kind[:2]}", "refusals")
        uri = engine.decant_uri(dst)
        nk = [a for pair in NATURAL_KEYS for a in ("--natural-key", pair)]
        notes, problems = [], []

        def check(fn):
            try:
                notes.append(fn())
            except Failure as e:
                problems.append(str(e))

        def malformed():
            # Malformed JSON in a late record (after many good ones): a named record, nothing loaded.
            bad_at = len(records) - 2
            text = "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n]\n"
            lines = text.split("\n")
            lines[1 + bad_at] = lines[1 + bad_at].replace('"fields": {', '"fields": {"broken" 1, ', 1)
            path = base + "_malformed.json"
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
            code, line = self.refused(project, ["import", *nk, path, uri], dst, "malformed JSON", (EXIT_CORRUPT,))
            if not re.search(rf"record #?{bad_at + 1}\b|line {bad_at + 2}\b", line):
                raise Failure(f"malformed JSON: the error does not name record {bad_at + 1} (line {bad_at + 2}): {line}")
            return f"malformed: exit {code}"

        def unknown():
            path = base + "_unknown.json"
            with open(path, "w", encoding="utf-8") as f:
                json.dump(records + [{"model": "catalog.nosuchmodel", "pk": 1, "fields": {"x": 1}}], f)
            code, line = self.refused(project, ["import", *nk, path, uri], dst, "unknown model", (EXIT_NO_TABLE,))
            if "catalog.nosuchmodel" not in line:
                raise Failure(f"unknown model: the error does not name catalog.nosuchmodel: {line}")
            return f"unknown model: exit {code}"

        def not_empty():
            code, _ = self.refused(project, ["import", *nk, fixture, uri], dst, "a target that is not empty",
                                   (EXIT_NOT_EMPTY,))
            return f"not empty: exit {code}"

        def clean():
            # --clean empties the application's tables first: the same objects again.
            self.run_decant(["-q", "import", "--clean", *nk, fixture, uri], "--clean into the loaded target")
            diff = compare(src_dump, project.dump(dst, what="dumpdata after --clean"))
            if diff:
                raise Failure(f"--clean: the target's dumpdata differs: {diff}")
            return "--clean reloads"

        def append_taken():
            # --append of the same records: the keys are taken, so refused and the target untouched.
            code, _ = self.refused(project, ["import", "--append", *nk, fixture, uri], dst,
                                   "--append of records whose keys are taken", ())
            return f"--append of taken keys: exit {code}"

        def append_new():
            extra = base + "_extra.json"
            record = {"model": "catalog.tag", "pk": 900, "fields": {"label": "appended"}}
            with open(extra, "w", encoding="utf-8") as f:
                json.dump([record], f)
            self.run_decant(["-q", "import", "--append", *nk, extra, uri], "--append of a new record")
            diff = compare(src_dump + [record], project.dump(dst, what="dumpdata after --append"))
            if diff:
                raise Failure(f"--append: the target's dumpdata differs: {diff}")
            return "--append adds"

        check(malformed)
        check(unknown)
        self.run_decant(["-q", "import", *nk, fixture, uri], "first load")
        for fn in (not_empty, clean, append_taken, append_new):
            check(fn)
        if problems:
            raise Failure(" | ".join(problems) + (f" (passed: {'; '.join(notes)})" if notes else ""))
        engine.drop(f"djt_{tz}_d_{dst_kind[:2]}")
        return "; ".join(notes)

    # ------------------------------------------------------------ one source

    def source(self, project, tz, src_kind, cases, index, first):
        """FIRST: this source also runs c, d and e (one source per time-zone mode)."""
        engine = self.engine(src_kind)
        name = f"djt_{tz}_src_{src_kind[:2]}"
        try:
            location = engine.fresh(name)
            project.manage(location, "migrate", "--no-input", what=f"migrate on the source ({src_kind})")
            project.orm(location, "populate", what=f"creating objects on the source ({src_kind})")
            src_dump = project.dump(location, what=f"dumpdata of the source ({src_kind})")
            check_compare(src_dump)
        except Failure as e:
            self.failures.append(f"{tz} source {src_kind}: {e}")
            print(f"FAIL {tz} source {src_kind}: {e}", flush=True)
            if not self.keep_going:
                raise
            return
        print(f"--   {tz} source {src_kind}: {len(src_dump)} objects", flush=True)
        others = [k for k in self.targets_all if k != src_kind] or [src_kind]
        if "a" in cases:
            self.case_a(project, tz, src_kind, location, src_dump, others[0] if "e" in cases and first else None)
        elif "e" in cases and first:
            # e alone: a plain load first.
            self.step(f"e {tz} verify against {others[0]}", self.e_alone, project, tz, src_kind, location, others[0])
        if "b" in cases:
            self.case_b(project, tz, src_kind, location, src_dump, index)
        if "c" in cases and first:
            self.case_c(project, tz, src_kind, location, others[-1])
        if "d" in cases and first:
            self.case_d(project, tz, src_kind, location, src_dump, others[0])
        engine.drop(name)

    def e_alone(self, project, tz, src_kind, location, dst_kind):
        fixture = os.path.join(self.work, f"djt_{tz}_e_{src_kind}.json")
        self.write_variant(project, location, VARIANTS[0], fixture)
        engine, dst = self.fresh_target(project, dst_kind, f"djt_{tz}_e_{dst_kind[:2]}", "verify")
        nk = [a for pair in NATURAL_KEYS for a in ("--natural-key", pair)]
        self.run_decant(["-q", "import", *nk, fixture, engine.decant_uri(dst)], "load before verify")
        result = self.e_one(project, fixture, engine, dst)
        engine.drop(f"djt_{tz}_e_{dst_kind[:2]}")
        return result


def main():
    global RT
    if importlib.util.find_spec("django") is None:
        system = "/usr/bin/python3"
        if os.path.exists(system) and os.path.realpath(sys.executable) != os.path.realpath(system):
            os.execv(system, [system, os.path.abspath(__file__), *sys.argv[1:]])
    if len(sys.argv) == 3 and sys.argv[1] == "--orm":
        orm_main(sys.argv[2])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("decant", help="the decant binary")
    parser.add_argument("--engines", default=",".join(ENGINES), help="source engines (and targets), comma-separated")
    parser.add_argument("--targets", default=None,
                        help="target engines (default: --engines); a source loads into the others, "
                             "or into its own engine when that is the only one")
    parser.add_argument("--tz", default="on,off", help="USE_TZ modes to run: on, off or on,off")
    parser.add_argument("--cases", default="abcde", help="which cases (letters a-e)")
    parser.add_argument("--keep-going", action="store_true", help="run every case, report all failures")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    targets = [e.strip() for e in (args.targets or args.engines).split(",") if e.strip()]
    tzs = [t.strip() for t in args.tz.split(",") if t.strip()]
    if not all(e in ENGINES for e in engines + targets) or not all(t in ("on", "off") for t in tzs):
        print(f"run_fixture_test: bad --engines/--targets/--tz (engines: {', '.join(ENGINES)}; tz: on, off)")
        return 2

    RT = load_run_test()
    reason = RT.missing_env(set(engines) | set(targets))
    if reason:
        print(f"SKIP: {reason}")
        return SKIP
    decant = os.path.abspath(args.decant)
    if not os.access(decant, os.X_OK):
        print(f"FAIL: no decant binary at {decant}")
        return 1
    import_help = subprocess.run([decant, "import", "--help"], capture_output=True, text=True)
    if "--natural-key" not in import_help.stdout + import_help.stderr:
        print("SKIP: this decant reads no Django fixtures yet (no `import --natural-key`)")
        return SKIP

    work = os.environ.get("DECANT_DJANGO_WORK") or tempfile.mkdtemp(prefix="djt-fixtures-")
    os.makedirs(work, exist_ok=True)
    runner = Run(decant, engines, targets, work, args.keep_going)
    try:
        for tz in tzs:
            project = Project(tz == "on")
            shift = 0 if tz == "on" else 1
            for index, src_kind in enumerate(engines):
                runner.source(project, f"tz{tz}", src_kind, args.cases, index + shift,
                              index == shift % len(engines))
    except Failure:
        pass
    if runner.failures:
        first = runner.failures[0]
        print(f"FAIL: {first}" if len(runner.failures) == 1
              else f"FAIL: {len(runner.failures)} cases failed, {runner.passed} passed; first: {first}")
        print(f"(databases kept; files in {work})")
        return 1
    print(f"ok: {runner.passed} cases passed")
    if not os.environ.get("DECANT_DJANGO_WORK") and not os.environ.get("DECANT_TEST_KEEP_DIR"):
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# A Django fixture into PostgreSQL: `decant import` next to Django's own
# `manage.py loaddata`, each into a new database that `manage.py migrate` made.
#
#   bash bench/django_fixture.sh [RECORDS]     (default: 1000000)
#
# Data: the test project of tests/django (settings decant_django.settings_fixtures,
# app catalog, Debian's python3-django at /usr/bin/python3). A SQLite source
# gets RECORDS records through bulk_create: categories (RECORDS/50, each with a
# parent: a self-referencing foreign key), suppliers (RECORDS/100), 200 tags,
# items (60%: every scalar field type, foreign keys to a category and a
# supplier, 0 to 3 tags in the many-to-many) and item details (the rest: a
# one-to-one that is the primary key); then Django's `dumpdata` writes the
# fixture (contenttypes and auth.permission excluded, as usual: the target's
# migrate makes them). Source and fixture are kept in BENCH_DIR (default
# /var/tmp/decant-bench-django) and reused for the same RECORDS.
# Steps, each timed with /usr/bin/time (wall seconds, peak RSS), on Debian's
# PostgreSQL 15 test server (scripts/servers/postgresql.sh must be running):
#   manage.py loaddata FIXTURE          Django: whole file in memory, one save per object
#   decant import FIXTURE TARGET        into the tables migrate made
# It prints both, the rows of every catalog table in both targets, and the ratio.
# BENCH_FIXTURE_ONLY=1 makes the fixture and stops. DECANT chooses the binary
# (default build/src/cli/decant).
set -euo pipefail
cd "$(dirname "$0")/.."
records="${1:-1000000}"

# shellcheck disable=SC1090
source "$(bash scripts/servers/postgresql.sh env)"
[ -n "${DECANT_TEST_PG15_URI:-}" ] || { echo "bench: no PostgreSQL 15 test server (bash scripts/servers/postgresql.sh start)" >&2; exit 2; }
source bench/lib.sh
decant="${DECANT:-$PWD/build/src/cli/decant}"
[ -x "$decant" ] || { echo "bench: no decant binary at $decant (build it, or set DECANT)" >&2; exit 2; }
py=/usr/bin/python3
"$py" -c 'import django, psycopg2' 2>/dev/null || { echo "bench: $py lacks django or psycopg2 (apt-get install python3-django python3-psycopg2)" >&2; exit 2; }
bin="$DECANT_TEST_PG_BINDIR_15"
server="${DECANT_TEST_PG15_URI%/*}"
work="${BENCH_DIR:-/var/tmp/decant-bench-django}"
mkdir -p "$work"
src="$work/djt_bench_src-$records.sqlite3"
fixture="$work/djt_bench-$records.json"
project="$PWD/tests/django"
export DJANGO_SETTINGS_MODULE=decant_django.settings_fixtures PYTHONPATH="$project"

sql() { "$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$server/$1" -c "$2" >/dev/null; }
fresh() { sql postgres "DROP DATABASE IF EXISTS $1" 2>/dev/null; sql postgres "CREATE DATABASE $1"; }
query() { "$bin/psql" -X -At -v ON_ERROR_STOP=1 -d "$server/$1" -c "$2"; }
manage() { local db="$1"; shift; DECANT_DJANGO_DB="$db" "$py" "$project/manage.py" "$@"; }

if [ ! -f "$fixture" ]; then
  echo "bench: generating $fixture ($records records)" >&2
  rm -f "$src" "$src.partial"
  manage "sqlite://$src.partial" migrate -v 0 --no-input
  DECANT_DJANGO_DB="sqlite://$src.partial" "$py" - "$records" <<'PY'
import datetime as dt, decimal, random, sys, uuid
import django
django.setup()
from django.db import transaction
from catalog.models import Category, Item, ItemDetail, Supplier, Tag

n = int(sys.argv[1])
rnd = random.Random(13)
n_cat, n_sup, n_tag = max(n // 50, 1), max(n // 100, 1), 200
n_item = n * 6 // 10
n_detail = max(n - n_cat - n_sup - n_tag - n_item, 0)
batch = 5000
utc = dt.timezone.utc
words = ["Grüße", "東京", "emoji 🎉", "plain", "quote ' \"", "Ærøskøbing", "bolt", "nut", "washer", "gear"]

def chunks(total, make):
    for start in range(0, total, batch):
        with transaction.atomic():
            make(start, min(start + batch, total))

chunks(n_cat, lambda a, b: Category.objects.bulk_create(
    [Category(id=i + 1, name=f"category {i} {words[i % 10]}", parent_id=None if i < 10 else (i * 7 + 3) % n_cat + 1)
     for i in range(a, b)]))
chunks(n_sup, lambda a, b: Supplier.objects.bulk_create(
    [Supplier(id=i + 1, country=("de", "fr", "jp", "us")[i % 4], code=f"S{i:07d}", name=f"supplier {words[i % 10]}")
     for i in range(a, b)]))
Tag.objects.bulk_create([Tag(id=i + 1, label=f"tag {i} {words[i % 10]}") for i in range(n_tag)])
through = Item.tags.through

def items(a, b):
    Item.objects.bulk_create([Item(
        id=i + 1, small=i % 32768 - 16384, integer=i * 37 % 2147483647, big=i * 1000003, psmall=i % 32767,
        positive=i, pbig=i * 65537, maybe_int=None if i % 3 == 0 else i,
        price=decimal.Decimal(rnd.randrange(0, 10**12)) / 1000000, discount=None if i % 4 else decimal.Decimal("12.50"),
        ratio=rnd.random() * 1000, maybe_float=None if i % 2 else i / 7,
        active=i % 2 == 0, checked=(None, True, False)[i % 3], code=f"ITEM-{i:08d}",
        body=f"{words[i % 10]} body text of item {i} " * (1 + i % 4), note=None if i % 5 else f"note {i} ✓",
        day=dt.date(2000, 1, 1) + dt.timedelta(days=i % 9000), at=dt.time(i % 24, i % 60, i % 60, (i % 1000) * 1000),
        stamp=dt.datetime(2020, 1, 1, tzinfo=utc) + dt.timedelta(seconds=i * 17, microseconds=(i % 1000) * 1000),
        maybe_stamp=None if i % 2 else dt.datetime(2024, 6, 1, tzinfo=utc) + dt.timedelta(minutes=i),
        span=None if i % 3 else dt.timedelta(seconds=i, microseconds=i % 1000000),
        uid=uuid.UUID(int=rnd.getrandbits(128)), maybe_uid=None,
        data={"n": i, "tags": [words[i % 10], i % 7], "ok": i % 2 == 0}, maybe_data=None if i % 2 else [i, "x"],
        blob=None if i % 4 else bytes([i % 256]) * (i % 32), category_id=i % n_cat + 1,
        supplier_id=None if i % 10 == 9 else i % n_sup + 1)
        for i in range(a, b)])
    through.objects.bulk_create([through(item_id=i + 1, tag_id=(i * 13 + k * 71) % n_tag + 1)
                                 for i in range(a, b) for k in range(i % 4)])

chunks(n_item, items)
chunks(n_detail, lambda a, b: ItemDetail.objects.bulk_create(
    [ItemDetail(item_id=i + 1, summary=f"detail of item {i} {words[i % 10]}") for i in range(a, b)]))
print(f"bench: {n_cat} categories, {n_sup} suppliers, {n_tag} tags, {n_item} items, {n_detail} details",
      file=sys.stderr)
PY
  mv "$src.partial" "$src"
  manage "sqlite://$src" dumpdata --exclude contenttypes --exclude auth.permission --output "$fixture.partial.json"
  mv "$fixture.partial.json" "$fixture"
fi
n_records=$("$py" -c 'import sys
n, tail, key = 0, b"", b"{\"model\": "
with open(sys.argv[1], "rb") as f:
    while chunk := f.read(1 << 20):
        n += (tail + chunk).count(key)
        tail = chunk[-(len(key) - 1):]
print(n)' "$fixture")
echo "bench: $(du -h "$fixture" | cut -f1) fixture, $n_records records" >&2
[ -z "${BENCH_FIXTURE_ONLY:-}" ] || exit 0

tables="catalog_category catalog_supplier catalog_tag catalog_item catalog_item_tags catalog_itemdetail"
counts() {
  local db="$1" t out=""
  for t in $tables; do out="$out $t=$(query "$db" "SELECT count(*) FROM $t")"; done
  echo "${out# }"
}

fresh djt_bench_loaddata
manage "$server/djt_bench_loaddata" migrate -v 0 --no-input
measure "DECANT_DJANGO_DB='$server/djt_bench_loaddata' '$py' '$project/manage.py' loaddata -v 0 '$fixture'"
t_load=$secs; m_load=$rss_mib
c_load=$(counts djt_bench_loaddata)

fresh djt_bench_decant
manage "$server/djt_bench_decant" migrate -v 0 --no-input
measure "'$decant' -q import '$fixture' '$server/djt_bench_decant'"
t_decant=$secs; m_decant=$rss_mib
c_decant=$(counts djt_bench_decant)

printf '%-28s %10s %12s\n' "PostgreSQL 15, $records" seconds "peak MiB"
printf '%-28s %10s %12s\n' "manage.py loaddata" "$t_load" "$m_load"
printf '%-28s %10s %12s\n' "decant import" "$t_decant" "$m_decant"
echo "rows (loaddata): $c_load"
echo "rows (decant):   $c_decant"
[ "$c_load" = "$c_decant" ] || echo "bench: the two targets hold different row counts" >&2
awk -v a="$t_load" -v b="$t_decant" -v ma="$m_load" -v mb="$m_decant" 'BEGIN {
  if (b > 0) printf "decant is %.1fx faster than loaddata", a / b; else printf "decant took no measurable time";
  if (mb > 0) printf ", with %.1fx less peak memory\n", ma / mb; else printf "\n" }'

#!/usr/bin/env bash
# The main job on the embedded default (SQLite), end to end:
#   1. install build dependencies and build decant (scripts/setup.sh: a user's
#      build, warnings are not errors);
#   2. make a sample SQLite database (tables, keys, indexes, a view, a trigger,
#      AUTOINCREMENT state, awkward values, 200,000 order rows);
#   3. export it to an archive, inspect and check the archive;
#   4. import the archive into a new SQLite file;
#   5. verify the two databases hold the same data.
# Leaves its files in DEMO_DIR (default: a new temporary directory) and says where.
# DECANT=BINARY skips step 1 and runs the rest with that decant (scripts/package.sh --test:
# the installed package's one).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${DECANT:-}" ]; then
  decant=$DECANT
else
  bash scripts/setup.sh >/dev/null
  decant=build/src/cli/decant
fi

dir="${DEMO_DIR:-$(mktemp -d -t decant-demo.XXXXXX)}"
mkdir -p "$dir"
src="$dir/shop.db"; archive="$dir/shop.decant"; copy="$dir/shop-restored.db"
rm -f "$src" "$archive" "$copy"

sqlite3 "$src" <<'SQL'
PRAGMA user_version = 42;
CREATE TABLE customer (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name TEXT NOT NULL,
  created TEXT DEFAULT (datetime('now')),
  CHECK (length(email) > 3)
);
CREATE TABLE product (
  sku TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  price NUMERIC NOT NULL CHECK (price >= 0),
  picture BLOB
) WITHOUT ROWID;
CREATE TABLE "order" (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customer(id) ON DELETE CASCADE,
  sku TEXT NOT NULL REFERENCES product(sku),
  quantity INTEGER NOT NULL DEFAULT 1,
  amount REAL,
  note TEXT
);
CREATE TABLE audit (at TEXT, what TEXT);
CREATE INDEX order_by_customer ON "order"(customer_id, id DESC);
CREATE INDEX big_orders ON "order"(amount) WHERE amount > 100;
CREATE INDEX customer_domain ON customer(substr(email, instr(email, '@') + 1));
CREATE VIEW customer_totals AS
  SELECT c.id, c.name, count(o.id) AS orders, sum(o.amount) AS spent
  FROM customer c LEFT JOIN "order" o ON o.customer_id = c.id GROUP BY c.id;
CREATE TRIGGER order_audit AFTER INSERT ON "order"
  BEGIN INSERT INTO audit VALUES (datetime('now'), 'order ' || NEW.id); END;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO customer (email, name) SELECT 'user' || i || '@example.org', 'Customer ' || i FROM n;
DELETE FROM customer WHERE id > 1990;  -- sqlite_sequence now stays ahead of max(id)
INSERT INTO customer (email, name) VALUES ('zoë@exämple.org', 'Zoë 🦊 Ünïcødé');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
INSERT INTO product SELECT printf('SKU-%05d', i), 'Product ' || i, round(i * 1.37, 2),
  CASE WHEN i % 3 = 0 THEN randomblob(64) WHEN i % 3 = 1 THEN x'' ELSE NULL END FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO "order" (customer_id, sku, quantity, amount, note)
  SELECT 1 + i % 1990, printf('SKU-%05d', 1 + i % 500), 1 + i % 7, (i % 997) * 0.5,
         CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'gift wrap' ELSE 'naïve café' END FROM n;
INSERT INTO "order" (customer_id, sku, amount, note) VALUES
  (1, 'SKU-00001', 9223372036854775807, 'int64 max in a REAL column'),
  (2, 'SKU-00002', -0.0, 'negative zero'),
  (3, 'SKU-00003', 1e999, 'infinity'),
  (4, 'SKU-00004', 'not a number', 'text in a REAL column');
SQL

echo "== 1. made a sample SQLite database: $src"
sqlite3 "$src" "SELECT '   ' || m.type || ' ' || m.name || (CASE m.type WHEN 'table' THEN ': ' || (SELECT count(*) FROM pragma_table_info(m.name)) || ' columns' ELSE '' END) FROM sqlite_schema m WHERE m.name NOT LIKE 'sqlite_%'"
sqlite3 "$src" "SELECT '   ' || (SELECT count(*) FROM \"order\") || ' orders, ' || (SELECT count(*) FROM customer) || ' customers, sqlite_sequence(customer) = ' || (SELECT seq FROM sqlite_sequence)"

echo "== 2. export it to one archive file"
"$decant" --progress log export "sqlite://$src" -o "$archive"

echo "== 3. inspect the archive and read every chunk back (--check)"
"$decant" inspect --check "$archive"

echo "== 4. import the archive into a new SQLite database: $copy"
"$decant" --progress log import "$archive" "sqlite://$copy"

echo "== 5. verify that the original and the copy hold the same data"
"$decant" verify "sqlite://$src" "sqlite://$copy"

echo "== 6. the copy is usable at once: a new customer gets the next AUTOINCREMENT id, as in the original"
sqlite3 "$copy" "INSERT INTO customer (email, name) VALUES ('new@example.org', 'New'); SELECT '   new customer id: ' || last_insert_rowid();"

echo "== done: the original, the archive and the copy are in $dir"

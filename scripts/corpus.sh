#!/usr/bin/env bash
# Fetches the real-world schema corpus the corpus tests load (tests/corpus_test.cc):
# the SQL files Debian 12 packages ship to create their applications' databases.
# Only the .deb files are downloaded (`apt-get download`), never installed (no
# postinst, no PHP dependencies); `dpkg-deb -x` unpacks each into a temporary
# directory and only the schema files are copied into the cache:
#
#   ${DECANT_CORPUS_DIR:-/var/tmp/decant-corpus}/<app>/<engine>.sql
#     engine: sqlite, postgresql, mysql
#   .../VERSIONS   the package versions, one line each; written last, so its
#                  presence means the cache is complete
#
# Applications (package: files in the package):
#   roundcube  roundcube-core: usr/share/dbconfig-common/data/roundcube/install/{mysql,pgsql,sqlite3}
#   mediawiki  mediawiki: usr/share/mediawiki/maintenance/tables-generated.sql (MySQL),
#              maintenance/postgres/tables-generated.sql + maintenance/postgres/tables.sql
#              (the installer runs both: full-text triggers and GIN indexes; tables.sql
#              opens a transaction it never commits, the installer's database layer
#              commits it, so this script appends the COMMIT),
#              maintenance/sqlite/tables-generated.sql.
#              MediaWiki's installer replaces two placeholders, and so does this script:
#              /*_*/ (the table prefix $wgDBprefix, empty by default) by nothing and
#              /*$wgDBTableOptions*/ by its default "ENGINE=InnoDB, DEFAULT CHARSET=binary".
#   bacula     bacula-director-{sqlite3,mysql,pgsql}:
#              usr/share/dbconfig-common/data/bacula-director-*/install/* (the pgsql
#              package's install-dbadmin only sets the database's datestyle; not used)
#   phpmyadmin phpmyadmin: usr/share/dbconfig-common/data/phpmyadmin/install/mysql (MySQL only)
# postfixadmin ships no SQL files: its schema is made by PHP (setup.php / upgrade.php),
# so it is not in the corpus.
#
# Idempotent: returns at once when the cache holds this script's corpus already.
# Needs network access to Debian's archive the first time (runs `apt-get update`
# when a download fails, as root).
set -euo pipefail

dir="${DECANT_CORPUS_DIR:-/var/tmp/decant-corpus}"
packages=(roundcube-core mediawiki bacula-director-sqlite3 bacula-director-mysql bacula-director-pgsql phpmyadmin)
# Bump when the layout or the list of files changes, so old caches are refilled.
layout=2

if [[ -f "$dir/VERSIONS" ]] && head -n1 "$dir/VERSIONS" | grep -qx "layout $layout"; then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null; then sudo="sudo"; fi

work="$(mktemp -d /tmp/decant-corpus-XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/debs" "$work/x"
# apt-get download as root drops to the _apt user; give it a directory it can write
# (else apt warns that the download is performed unsandboxed).
chmod 755 "$work"
if [[ $(id -u) -eq 0 ]] && id _apt >/dev/null 2>&1; then chown _apt "$work/debs"; fi

download() { (cd "$work/debs" && apt-get download -qq "${packages[@]}") >/dev/null; }
if ! download 2>"$work/apt.err"; then
  $sudo apt-get update -qq
  download
fi
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/x"; done

x="$work/x/usr/share"
dbc="$x/dbconfig-common/data"
mw="$x/mediawiki/maintenance"
new="$dir.partial"
rm -rf "$new"
mkdir -p "$new"/{roundcube,mediawiki,bacula,phpmyadmin}

cp "$dbc/roundcube/install/sqlite3" "$new/roundcube/sqlite.sql"
cp "$dbc/roundcube/install/pgsql" "$new/roundcube/postgresql.sql"
cp "$dbc/roundcube/install/mysql" "$new/roundcube/mysql.sql"

# shellcheck disable=SC2016  # the placeholders are literal text
mw_placeholders() { sed -e 's#/\*_\*/##g' -e 's#/\*\$wgDBTableOptions\*/#ENGINE=InnoDB, DEFAULT CHARSET=binary#g' "$@"; }
mw_placeholders "$mw/sqlite/tables-generated.sql" >"$new/mediawiki/sqlite.sql"
{
  mw_placeholders "$mw/postgres/tables-generated.sql" "$mw/postgres/tables.sql"
  echo "COMMIT;"
} >"$new/mediawiki/postgresql.sql"
mw_placeholders "$mw/tables-generated.sql" >"$new/mediawiki/mysql.sql"

cp "$dbc/bacula-director-sqlite3/install/sqlite3" "$new/bacula/sqlite.sql"
cp "$dbc/bacula-director-pgsql/install/pgsql" "$new/bacula/postgresql.sql"
cp "$dbc/bacula-director-mysql/install/mysql" "$new/bacula/mysql.sql"

cp "$dbc/phpmyadmin/install/mysql" "$new/phpmyadmin/mysql.sql"

{
  echo "layout $layout"
  # shellcheck disable=SC2016  # dpkg-deb expands them
  for deb in "$work"/debs/*.deb; do dpkg-deb -W --showformat='${Package} ${Version}\n' "$deb"; done
} >"$new/VERSIONS"
chmod -R a+rX "$new"
rm -rf "$dir"
mv "$new" "$dir"
echo "corpus: the schemas of ${#packages[@]} packages in $dir"

"""Settings of the decant Django test project.

The one database comes from DECANT_DJANGO_DB:
  sqlite:///abs/path.db
  postgresql://user@host:port/db   password from PGPASSFILE (libpq reads it)
  mysql://user@host:port/db        password from the [client] group of
                                   DECANT_TEST_MYSQL_DEFAULTS_FILE
Only the `shop` app is installed (no auth, contenttypes, sessions), so the one
table Django adds is django_migrations.
"""
import os
from urllib.parse import unquote, urlsplit

SECRET_KEY = "decant-test-not-secret"
DEBUG = False
INSTALLED_APPS = ["shop"]
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"


def _database(uri):
    if uri.startswith("sqlite:///"):
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": uri[len("sqlite://"):]}
    parts = urlsplit(uri)
    name = unquote(parts.path.lstrip("/"))
    common = {
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
    }
    if parts.scheme in ("postgresql", "postgres"):
        return {"ENGINE": "django.db.backends.postgresql", **common}
    if parts.scheme in ("mysql", "mariadb"):
        options = {"charset": "utf8mb4"}
        defaults = os.environ.get("DECANT_TEST_MYSQL_DEFAULTS_FILE")
        if defaults:
            options["read_default_file"] = defaults
        return {"ENGINE": "django.db.backends.mysql", **common, "OPTIONS": options}
    raise ValueError(f"DECANT_DJANGO_DB: unsupported location {uri!r} "
                     "(sqlite:///path, postgresql://user@host:port/db or mysql://user@host:port/db)")


if not os.environ.get("DECANT_DJANGO_DB"):
    raise SystemExit("set DECANT_DJANGO_DB to sqlite:///path, postgresql://user@host:port/db "
                     "or mysql://user@host:port/db")
DATABASES = {"default": _database(os.environ["DECANT_DJANGO_DB"])}

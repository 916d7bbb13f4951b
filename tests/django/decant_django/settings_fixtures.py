"""Settings for the fixture tests (run_fixture_test.py): the `catalog` app (every
field type, see catalog/models.py), the `common` app (InvenTree's settings
models in miniature) and Django's contenttypes and auth, whose migrate fills
django_content_type and auth_permission.

The database comes from DECANT_DJANGO_DB as in settings.py. USE_TZ from
DECANT_DJANGO_USE_TZ (1, the default, or 0); TIME_ZONE from
DECANT_DJANGO_TIME_ZONE (default UTC).
"""
import os

from .settings import _database

SECRET_KEY = "decant-test-not-secret"
DEBUG = False
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "catalog", "common"]
USE_TZ = os.environ.get("DECANT_DJANGO_USE_TZ", "1") != "0"
TIME_ZONE = os.environ.get("DECANT_DJANGO_TIME_ZONE", "UTC")
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
DATABASES = {"default": _database(os.environ["DECANT_DJANGO_DB"])}

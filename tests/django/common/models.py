"""InvenTree's settings tables in miniature: `invoke export-records` drops the
records whose key starts with '_' (tasks.py), so an app labelled `common` with
these two models lets the InvenTree-shaped fixture test that rule."""
from django.conf import settings
from django.db import models


class InvenTreeSetting(models.Model):
    key = models.CharField(max_length=50, unique=True)
    value = models.CharField(max_length=2000, blank=True)


class InvenTreeUserSetting(models.Model):
    key = models.CharField(max_length=50)
    value = models.CharField(max_length=2000, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inventree_settings")

    class Meta:
        unique_together = [("key", "user")]

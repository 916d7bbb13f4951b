"""Every field type Django has, for the fixture tests (run_fixture_test.py).

Installed with django.contrib.contenttypes and django.contrib.auth (whose
models have the natural keys Django defines) by decant_django.settings_fixtures.
"""
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class SupplierManager(models.Manager):
    def get_by_natural_key(self, country, code):
        return self.get(country=country, code=code)


class Supplier(models.Model):
    """A model of our own with a two-field natural key."""
    country = models.CharField(max_length=2)
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)

    objects = SupplierManager()

    class Meta:
        unique_together = [("country", "code")]

    def natural_key(self):
        return (self.country, self.code)


class Category(models.Model):
    """A self-referencing foreign key."""
    name = models.CharField(max_length=80)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")


class Tag(models.Model):
    label = models.CharField(max_length=40)


class Item(models.Model):
    """Every scalar field type (most also nullable) and every kind of relation."""
    small = models.SmallIntegerField()
    integer = models.IntegerField()
    big = models.BigIntegerField()
    psmall = models.PositiveSmallIntegerField()
    positive = models.PositiveIntegerField()
    pbig = models.PositiveBigIntegerField()
    maybe_int = models.IntegerField(null=True)
    price = models.DecimalField(max_digits=20, decimal_places=6)
    discount = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    ratio = models.FloatField()
    maybe_float = models.FloatField(null=True)
    active = models.BooleanField(default=True)
    checked = models.BooleanField(null=True)
    code = models.CharField(max_length=100)
    body = models.TextField(blank=True)
    note = models.TextField(null=True)
    day = models.DateField(null=True)
    at = models.TimeField(null=True)
    stamp = models.DateTimeField()
    maybe_stamp = models.DateTimeField(null=True)
    span = models.DurationField(null=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True)
    maybe_uid = models.UUIDField(null=True)
    data = models.JSONField(default=dict)
    maybe_data = models.JSONField(null=True)
    blob = models.BinaryField(null=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items")
    supplier = models.ForeignKey(Supplier, null=True, on_delete=models.SET_NULL, related_name="items")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="items")
    kind = models.ForeignKey(ContentType, null=True, on_delete=models.SET_NULL, related_name="+")
    tags = models.ManyToManyField(Tag, blank=True, related_name="items")


class ItemDetail(models.Model):
    """A one-to-one that is the primary key (column item_id, no id)."""
    item = models.OneToOneField(Item, primary_key=True, on_delete=models.CASCADE, related_name="detail")
    summary = models.CharField(max_length=200)


class Profile(models.Model):
    """A one-to-one that is not the primary key, to Django's own user."""
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    nickname = models.CharField(max_length=50)


class Project(models.Model):
    """A many-to-many with a custom through model, and one to the natural-key model."""
    name = models.CharField(max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="projects")
    suppliers = models.ManyToManyField(Supplier, blank=True, related_name="projects")


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    role = models.CharField(max_length=30)
    joined = models.DateField()

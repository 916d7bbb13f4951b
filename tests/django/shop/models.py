"""A small shop whose columns cover the field types Django maps to each engine."""
import uuid

from django.db import models


class Category(models.Model):
    """AutoField key; unique CharField; self-reference."""
    name = models.CharField(max_length=80, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")


class Tag(models.Model):
    """AutoField key; the other side of a many-to-many."""
    label = models.CharField(max_length=40)
    weight = models.SmallIntegerField(default=0)


class Product(models.Model):
    """Most scalar field types, some nullable; an index and a two-column unique constraint."""
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    sku = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    notes = models.TextField(null=True, blank=True)
    stock = models.IntegerField(default=0)
    sold = models.BigIntegerField(default=0)
    rank = models.SmallIntegerField(null=True)
    views = models.PositiveIntegerField(default=0)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    discount = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    rating = models.FloatField(null=True)
    active = models.BooleanField(default=True)
    featured = models.BooleanField(null=True)
    released = models.DateField(null=True)
    created = models.DateTimeField()
    updated = models.DateTimeField(null=True)
    opens = models.TimeField(null=True)
    warranty = models.DurationField(null=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True)
    attributes = models.JSONField(default=dict)
    extra = models.JSONField(null=True)
    thumbnail = models.BinaryField(null=True)
    tags = models.ManyToManyField(Tag, related_name="products", blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "sku"], name="shop_product_category_sku")]
        indexes = [models.Index(fields=["created", "name"], name="shop_product_created_name")]


class Order(models.Model):
    """BigAutoField key; a foreign key and a few values of its own."""
    id = models.BigAutoField(primary_key=True)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="orders")
    quantity = models.PositiveIntegerField()
    total = models.DecimalField(max_digits=10, decimal_places=2)
    placed = models.DateTimeField()
    customer = models.CharField(max_length=100)
    comment = models.TextField(null=True)

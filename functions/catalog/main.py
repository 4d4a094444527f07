"""The catalog's functions-framework source: each Knative Service picks one target by name."""

from functions.catalog.api import categories, category, media, product, products

__all__ = ["categories", "category", "media", "product", "products"]

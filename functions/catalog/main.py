"""The catalog's functions-framework source: each Knative Service picks one target by name."""

from functions.catalog.api import categories, category, media, product, products
from functions.catalog.handlers import on_access_changed, on_stock_changed
from functions.runtime.web import answer_framework_errors_as_problems

__all__ = ["categories", "category", "media", "on_access_changed", "on_stock_changed", "product", "products"]

answer_framework_errors_as_problems()

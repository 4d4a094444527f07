"""What orders asks of catalog: a product's name, current price and whether it is for sale."""

from __future__ import annotations

from dataclasses import dataclass

from functions.runtime.calls import Service, path_of
from functions.runtime.exceptions import Unavailable

_PRODUCT = Service("catalog-product")  # GET /api/products/{id, slug or SKU}


@dataclass(frozen=True, slots=True)
class Offer:
    sku: str
    name: str
    price_minor: int
    currency: str


def offer(sku: str) -> Offer | None:
    """Return the product for sale under `sku` at its current price; None when none is (unknown or inactive)."""
    reply = _PRODUCT.get(path_of("/api/products/{}", sku))
    if reply.status == 404:
        return None  # catalog hides inactive products from anonymous reads: neither can be bought
    if reply.status != 200:
        raise Unavailable(f"catalog answered {reply.status} for product {sku}; try again shortly.")
    product = reply.json()
    if product.get("sku") != sku:
        return None  # the ref was taken as a slug of digits: it is no product with this SKU
    price = product["price"]
    return Offer(sku, product["name"], price["amount_minor"], price["currency"])

"""What orders asks of catalog: a product's name, current price and whether it is for sale; one
SKU (a line going into the cart), or every line of a cart at once (its prices, the order's)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from functions.runtime.calls import Service, path_of
from functions.runtime.exceptions import Unavailable
from functions.runtime.skus import MAX_SKU_LIST

_PRODUCT = Service("catalog-product")  # GET /api/products/{id, slug or SKU}
_PRODUCTS = Service("catalog-products")  # GET /api/products?sku=A,B,...


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
    return _offer(product)


def offers(skus: Sequence[str]) -> dict[str, Offer]:
    """Return the products for sale among `skus` at their current prices, by SKU, in one call per
    MAX_SKU_LIST of them; a SKU missing from the answer is unknown or inactive."""
    found: dict[str, Offer] = {}
    unique = list(dict.fromkeys(skus))
    if len(unique) == 1:  # one SKU: the product's own read is the lighter one (a search adds facets)
        one = offer(unique[0])
        return {one.sku: one} if one is not None else {}
    for start in range(0, len(unique), MAX_SKU_LIST):
        chunk = unique[start:start + MAX_SKU_LIST]
        query = urlencode({"sku": ",".join(chunk), "page_size": len(chunk)})
        reply = _PRODUCTS.get(f"/api/products?{query}")
        if reply.status != 200:
            raise Unavailable(f"catalog answered {reply.status} for {len(chunk)} products; try again shortly.")
        found.update((p["sku"], _offer(p)) for p in reply.json()["items"] if p.get("sku") in chunk)
    return found


def _offer(product: dict[str, Any]) -> Offer:
    price = product["price"]
    return Offer(product["sku"], product["name"], price["amount_minor"], price["currency"])

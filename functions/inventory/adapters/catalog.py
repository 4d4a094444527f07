"""The catalog, asked over HTTP (functions/runtime/calls.py): does it sell a SKU?"""

from __future__ import annotations

from functions.runtime.calls import Service, path_of
from functions.runtime.exceptions import Unavailable

# The Knative Service of GET /api/products/{ref}, which takes a SKU as its ref.
catalog_product = Service("catalog-product")


def known_sku(sku: str) -> bool:
    """True when the catalog has a product with this SKU, False when it answers 404.

    Any other answer is `Unavailable` (503): never a guess either way. Calls that get no answer
    (catalog down, too slow, its circuit open) raise it in the client already.
    """
    reply = catalog_product.get(path_of("/api/products/{}", sku))
    if reply.status == 200:
        return True
    if reply.status == 404:
        return False
    raise Unavailable(f"The catalog answered {reply.status} when asked about SKU '{sku}'.")

"""What payments asks of orders: the order to be paid, as orders has it now.

The shopper's own token is passed on, so orders answers only with the caller's own order (another
user's is a 404, as one that does not exist). The amount charged comes from here, never from the
request.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from functions.runtime.calls import Service, path_of
from functions.runtime.exceptions import NotFound, Unavailable

_ORDER = Service("orders-order")  # GET /api/orders/{id}


@dataclass(frozen=True, slots=True)
class OrderToPay:
    id: UUID
    status: str
    total_minor: int
    currency: str


def order_to_pay(authorization: str, order_id: UUID) -> OrderToPay:
    reply = _ORDER.get(path_of("/api/orders/{}", str(order_id)), {"Authorization": authorization})
    if reply.status == 404:
        raise NotFound("Order", str(order_id))
    if reply.status != 200:
        raise Unavailable(f"orders answered {reply.status} for order {order_id}; try again shortly.")
    order = reply.json()
    total = order["total"]
    return OrderToPay(order_id, order["status"], total["amount_minor"], total["currency"])

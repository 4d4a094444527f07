"""Publishing a relay batch to the local broker's Postgres transport (no RabbitMQ locally).

`localrun/broker/postgres/consumer.py` owns the `localbroker` schema; a domain role may only execute
`localbroker.publish(...)`, which stores the message and routes it to the bound Trigger queues.
The relay calls it on its own connection, inside the transaction that claimed the rows and
marks them sent: the messages and the `sent_at` marks commit together or not at all (a crash
before the commit leaves both undone: the rows are sent again, at least once as with RabbitMQ).
Per-aggregate order holds as over RabbitMQ: the relay publishes a subject's rows in seq order,
and a later batch (of any relay) only publishes after the earlier one committed, so its
messages get later ids, and consumers take deliveries in id order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text

from functions.runtime.relay.message import HEADER_PREFIX, AmqpMessage

PUBLISH = text("SELECT localbroker.publish(:exchange, :key, CAST(:attributes AS jsonb), :data, false)")


def message_attributes(message: AmqpMessage) -> dict[str, str]:
    """Return the CloudEvent attributes an AMQP message of the relay carries in its headers."""
    headers = message.properties.headers or {}
    return {k[len(HEADER_PREFIX):]: str(v) for k, v in headers.items() if k.startswith(HEADER_PREFIX)}


class PostgresPublisher:
    """The relay's publisher for the Postgres transport: same methods as ConfirmingPublisher."""

    confirm_mode = "transaction"

    def __init__(self, exchange: str) -> None:
        self.exchange = exchange

    @property
    def label(self) -> str:
        return "Postgres transport (localbroker schema)"

    @property
    def connected(self) -> bool:
        return True

    def connect(self) -> None:
        """Nothing to open: publishing uses the relay's own database connection."""

    def publish_batch(self, messages: Sequence[AmqpMessage], conn: Any = None) -> list[bool]:
        """Publish in order in the relay's transaction `conn`; every message is 'confirmed'.

        Database failures propagate (the relay rolls back and retries the batch).
        """
        if conn is None:
            raise ValueError("the Postgres publisher publishes in the relay's transaction: pass conn")
        for message in messages:
            conn.execute(PUBLISH, {"exchange": self.exchange, "key": message.routing_key,
                                   "attributes": json.dumps(message_attributes(message)),
                                   "data": bytes(message.body)})
        return [True] * len(messages)

    def idle(self) -> None:
        """Nothing to keep alive."""

    def close(self) -> None:
        """Nothing to close."""

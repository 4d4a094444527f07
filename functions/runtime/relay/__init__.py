"""The transactional outbox relay: a domain's pending outbox rows to the RabbitMQ events exchange.

- `Relay(domain, engine_or_url, amqp_url, exchange).run(stop_event)`: the loop (one per domain;
  threads are fine, each relay has its own connections); `relay_once()` sends one batch,
  `drain()` sends everything pending.
- `row_to_message(row)` / `message_to_cloudevent(properties, body)`: the message format (binary
  CloudEvents in `ce-*` AMQP headers) and its inverse, for the local broker.
- `Relay(..., publisher=PostgresPublisher(exchange))`: to the local broker's Postgres transport
  instead (`pg_publisher.py`), when no RabbitMQ runs locally.
- `python -m functions.runtime.relay --domain accounts [--once] [--batch N]`: the command.

Guarantees and their reasoning are in `core.py` (batches, order per aggregate, failures) and
`publisher.py` (publisher confirms); the header names in `message.py`.
"""

from functions.runtime.relay.core import (
                                          DEFAULT_AMQP_URL,
                                          DEFAULT_BATCH,
                                          DEFAULT_EXCHANGE,
                                          DatabaseError,
                                          Relay,
)
from functions.runtime.relay.message import (
                                          AmqpMessage,
                                          OutboxRow,
                                          dataschema,
                                          message_to_cloudevent,
                                          row_to_message,
)
from functions.runtime.relay.pg_publisher import PostgresPublisher
from functions.runtime.relay.publisher import BrokerError, ConfigurationError, ConfirmingPublisher

__all__ = [
    "DEFAULT_AMQP_URL", "DEFAULT_BATCH", "DEFAULT_EXCHANGE", "AmqpMessage", "BrokerError",
    "ConfigurationError", "ConfirmingPublisher", "DatabaseError", "OutboxRow", "PostgresPublisher", "Relay", "dataschema",
    "message_to_cloudevent", "row_to_message",
]

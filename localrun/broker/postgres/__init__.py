"""The Postgres transport: the local broker's exchange and queues as tables, when no RabbitMQ answers.

`schema.py` makes the schema and the publish function, `transport.py` is the `PostgresTransport`,
`consumer.py` the Trigger consumers.

The schema `localbroker` belongs to the migration role and is made by the local runtime at start
(`ensure_schema`, idempotent, under an advisory lock) — it is not a domain migration:

- `queues(name)`, `bindings(exchange, queue, pattern, regex)`: a Trigger's queue bound to the
  exchange by its routing key (a topic pattern: `*` one word, `#` any words), like queue_bind;
- `messages(id, exchange, routing_key, attributes, data)`: one row per published event;
- `deliveries(id, queue, message_id, state, attempts, next_attempt_at, settled_at)`: one row per
  queue the message was routed to. `state` is `pending` until the consumer settles it with what
  the dispatcher did (`acked`, `dead-lettered`, `dropped`, `filtered`); dead letters are the
  pending deliveries of the dead-letter queue (`replayed` once republished).

Publishing is the function `localbroker.publish(exchange, routing_key, attributes, data,
mandatory)` (SECURITY DEFINER): it inserts the message and a delivery for every bound queue (the
exchange "" addresses the queue named by the routing key, like RabbitMQ's default exchange).
The domain roles may only execute it (and use the schema): the outbox relay calls it in the same
transaction that marks its rows sent (`functions/runtime/relay/pg_publisher.py`).

Consuming: each of a Trigger's `parallelism` workers has its own connection and claims the
oldest due pending delivery of its queue with `FOR UPDATE SKIP LOCKED`, keeping the row locked
(the transaction open) while the dispatcher delivers it, with the Trigger's retries and backoff,
exactly as over RabbitMQ, where the message stays unacknowledged meanwhile. Then it is settled
and committed (ack). Two workers never hold the same delivery; a worker or connection that dies
releases its lock and the delivery is claimed again (at-least-once, as an unacked AMQP message
comes back). When the dispatcher raises (the dead-letter queue failed) the delivery is requeued:
`attempts` + 1 and `next_attempt_at` = now + 1 s. With parallelism 1 the single worker always
takes the head of the queue, even when it is not due yet, so the order holds through requeues.
A worker claims up to 8 deliveries at once and settles them together (consumer.py). Idle workers
wait for the NOTIFY `publish` sends each queue it routes to, and look anyway every `poll_interval`
(1 s: how a requeued delivery is found once due). Settled messages older than a day are deleted
when the broker starts (`RETENTION`).
"""

"""The local stand-in for Knative Eventing's RabbitMQ broker (eventing-rabbitmq 1.22).

It reads the same Broker, Trigger and PingSource manifests as the cluster (`knative/**/*.yaml`)
and moves events through a real RabbitMQ, in the relay's message format:

- per Trigger a durable queue `<prefix>.trigger.<name>` (of the RabbitmqBrokerConfig's
  `queueType`) bound to the topic exchange by the filter's `type` (else `#`); the other filter
  attributes are checked by the dispatcher (no match: acked and dropped);
- prefetch 100 and `rabbitmq.eventing.knative.dev/parallelism` workers (1 = strict FIFO);
- binary-mode POSTs to the subscriber; a Knative Service is reached through the activator, so
  the first event starts a scaled-to-zero function;
- 2xx acks; 404/408/409/429/5xx/no answer retry with `backoffPolicy` (delay×n or delay×2^n,
  n = retry number) up to `retry`; other answers and exhausted retries go to the
  `deadLetterSink` with `knativeerrordest`, `knativeerrorcode`, `knativeerrordata`; without a
  delivery spec the event is dropped (logged). A Trigger's delivery replaces its Broker's.
- the dead-letter sink: a deadLetterSink that is a plain Kubernetes Service (ours is the
  `dead-letter-sink` Deployment, which the local runtime does not run) becomes the durable
  queue `<prefix>.dead-letter`; `python -m localrun.broker dead-letters [--replay]` lists and
  replays it. A Knative Service or URL sink is POSTed to (falling back to the queue);
- the ingress (`POST`, binary or structured) validates against `events/` and publishes with
  confirms (`ingress.py`); PingSources fire on their cron schedule (`ping.py`);
- a subscriber's CloudEvent reply is published to the exchange; consumers reconnect with
  backoff when RabbitMQ restarts (unacked messages are redelivered: at-least-once).

Messages move through a `Transport` (the interface, `transport.py`): RabbitMQ as above
(`rabbitmq/`), or, when no RabbitMQ is there, the Postgres transport (`postgres/`): the same
exchange, queues, retries and dead letters as tables in the `localbroker` schema. The Broker,
Trigger and PingSource objects are in `resources.py`, read from the manifests by `loader.py`.

Wire it into `make dev` with `localbroker.start_local_broker(REPO, activator, gateway)`.
"""

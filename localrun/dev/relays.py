"""One outbox relay per domain, in threads of `make dev` (in the cluster: one Deployment each)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from functions.runtime.relay import PostgresPublisher, Relay

log = logging.getLogger(__name__)


class Relays:
    """Runs a relay for each domain's outbox, as that domain's own role, and restarts a dead one.

    `transport` is "rabbitmq" (to the exchange at `amqp_url`) or "postgres" (to the local
    broker's Postgres transport in the domains' own database).
    """

    def __init__(self, domain_urls: dict[str, str], amqp_url: str, exchange: str,
                 transport: str = "rabbitmq") -> None:
        if transport not in ("rabbitmq", "postgres"):
            raise ValueError("transport is rabbitmq or postgres")
        self._domain_urls, self._amqp_url, self._exchange = domain_urls, amqp_url, exchange
        self._transport = transport
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._engines: dict[str, Any] = {}  # for backlog(), made when first asked

    def start(self) -> None:
        for domain in self._domain_urls:
            thread = threading.Thread(target=self._keep_running, args=(domain,), daemon=True,
                                      name=f"relay-{domain}")
            thread.start()
            self._threads.append(thread)

    def _keep_running(self, domain: str) -> None:
        # Relay.run rides out broker and database outages itself; anything else is a bug we log,
        # then start over after a pause rather than leave the domain's events unsent.
        while not self._stop.is_set():
            publisher = PostgresPublisher(self._exchange) if self._transport == "postgres" else None
            relay = Relay(domain, self._domain_urls[domain], self._amqp_url, self._exchange,
                          publisher=publisher)
            try:
                relay.run(self._stop)
            except Exception:
                log.exception("relay for %s failed; starting it again", domain)
                time.sleep(1)
            finally:
                relay.close()

    def backlog(self) -> dict[str, dict[str, object]]:
        """Return each domain's outbox backlog (unsent rows, the oldest's time), read as the domain's role."""
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        from functions.runtime.outbox import backlog

        out: dict[str, dict[str, object]] = {}
        for domain, url in self._domain_urls.items():
            engine = self._engines.get(domain)
            if engine is None:
                engine = self._engines[domain] = create_engine(  # a connection per look, none kept
                    url, poolclass=NullPool, connect_args={"application_name": "localrun-status", "timeout": 5})
            with engine.connect() as conn:
                pending, oldest = backlog(conn, domain)
            out[domain] = {"unsent": pending, "oldest": oldest.isoformat() if oldest else None}
        return out

    def stop(self) -> None:
        self._stop.set()
        for engine in self._engines.values():
            engine.dispose()
        for thread in self._threads:
            thread.join(timeout=10)

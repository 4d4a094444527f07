"""The relay wakes on the outbox's NOTIFY at commit, and still polls when no notification comes."""

from __future__ import annotations

import time
from contextlib import contextmanager

from sqlalchemy import create_engine, text

from functions.runtime.outbox import append, notify_channel
from functions.runtime.relay import Relay
from schemas.migrate import role_url
from tests.integration.events.conftest import AMQP_URL, EVENT_TYPE, SOURCE, consume, running

LONG_POLL = 30.0  # far longer than any wait below: a row sent in time was not found by polling


def notifications_after(engine, listen_on: str, write) -> list[str]:
    """LISTEN on a channel, run `write()`, then return the channels notified to the listener."""
    with engine.connect() as listener:
        listener.exec_driver_sql(f"LISTEN {listen_on}")
        listener.commit()
        dbapi = listener.connection.dbapi_connection
        dbapi.notifications.clear()
        write()
        time.sleep(0.1)
        listener.exec_driver_sql("SELECT 1")  # reads what arrived meanwhile
        listener.rollback()
        return [channel for _, channel, _ in dbapi.notifications]


def test_a_committed_outbox_insert_notifies_the_domains_channel_a_rolled_back_one_does_not(relay_database):
    for domain in ("accounts", "catalog"):
        engine = create_engine(role_url(relay_database, domain))
        try:
            def commit() -> None:
                with engine.begin() as conn:
                    append(conn, domain, EVENT_TYPE, SOURCE, "user-n", {"n": 1})
                    append(conn, domain, EVENT_TYPE, SOURCE, "user-n", {"n": 2})

            def roll_back() -> None:
                with engine.connect() as conn:
                    append(conn, domain, EVENT_TYPE, SOURCE, "user-n", {"n": 3})
                    conn.rollback()

            channel = notify_channel(domain)
            assert notifications_after(engine, channel, commit) == [channel]  # one per transaction
            assert notifications_after(engine, channel, roll_back) == []
        finally:
            engine.dispose()


def test_an_idle_relay_sends_each_committed_row_at_once_not_at_its_next_poll(
        outbox, accounts_url, events_exchange, bind_queue):
    queue = bind_queue()
    relay = Relay("accounts", accounts_url, AMQP_URL, events_exchange, poll_interval=LONG_POLL)
    with running(relay):
        time.sleep(0.5)  # connected, found nothing, waiting
        for n in range(3):
            started = time.monotonic()
            [event_id] = outbox.write([f"user-{n}"])
            [(properties, _)] = consume(queue, 1, timeout=5, quiet=0.05)
            assert properties.message_id == str(event_id)
            assert time.monotonic() - started < 2.0
            time.sleep(0.2)  # idle again between rows
    assert outbox.pending() == 0


def test_a_wake_up_costs_one_claim_not_a_second_that_finds_nothing(
        outbox, accounts_url, events_exchange, bind_queue):
    queue = bind_queue()
    relay = Relay("accounts", accounts_url, AMQP_URL, events_exchange, poll_interval=LONG_POLL)
    with running(relay):
        time.sleep(0.5)  # connected, its first claim found nothing, waiting
        assert relay.stats["empty_claims"] == 1
        for n in range(5):
            outbox.write([f"user-{n}"])
            consume(queue, 1, timeout=5, quiet=0.05)
            time.sleep(0.2)  # the relay is idle again before the next row
        assert relay.stats["sent"] == 5
        assert relay.stats["empty_claims"] == 1  # each notification: one claim, which found its row


@contextmanager
def trigger_disabled(admin_engine):
    with admin_engine.connect() as conn:
        conn.execute(text("ALTER TABLE accounts.outbox DISABLE TRIGGER outbox_notify"))
    try:
        yield
    finally:
        with admin_engine.connect() as conn:
            conn.execute(text("ALTER TABLE accounts.outbox ENABLE TRIGGER outbox_notify"))


def test_without_a_notification_the_relay_still_finds_rows_at_its_poll_interval(
        outbox, accounts_url, events_exchange, bind_queue, admin_engine):
    queue = bind_queue()
    relay = Relay("accounts", accounts_url, AMQP_URL, events_exchange, poll_interval=0.3)
    with trigger_disabled(admin_engine), running(relay):
        time.sleep(0.5)
        ids = outbox.write(["user-a", "user-b"])
        messages = consume(queue, 2, timeout=5, quiet=0.05)
    assert [p.message_id for p, _ in messages] == [str(i) for i in ids]
    assert outbox.pending() == 0

"""A domain error inside a handler is a rejection: recorded in the inbox, answered 400, never
retried (a 409 would be retried by the broker for ever); a transient one is a 503."""

import uuid

from cloudevents.conversion import to_binary
from cloudevents.http import CloudEvent
from flask import Flask
from sqlalchemy import create_engine, text

from functions.runtime.commands import Command
from functions.runtime.exceptions import Conflict, Unavailable
from functions.runtime.handlers import event_handler

TYPE = "com.ecom.tests.thing.happened"


class Thing(Command):
    outcome: str


@event_handler(domain="catalog", types=(TYPE,), data=Thing)
def on_thing(uow, event, data: Thing) -> None:
    if data.outcome == "conflict":
        raise Conflict("the thing is already done")
    if data.outcome == "unavailable":
        raise Unavailable("the other side is down")


def deliver(outcome: str, event_id: str | None = None) -> tuple[int, str]:
    event_id = event_id or str(uuid.uuid4())
    headers, body = to_binary(CloudEvent({"type": TYPE, "source": "/tests", "id": event_id},
                                         {"outcome": outcome}))
    with Flask(__name__).test_request_context("/", method="POST", headers=headers, data=body) as ctx:
        return on_thing(ctx.request).status_code, event_id


def inbox_status(database_url: str, event_id: str) -> str | None:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        status = conn.scalar(text("SELECT status FROM catalog.inbox WHERE id = :id"), {"id": event_id})
    engine.dispose()
    return status


def test_a_domain_error_is_recorded_as_rejected_and_answered_400(catalog_env, database_url):
    status, event_id = deliver("conflict")
    assert status == 400
    assert inbox_status(database_url, event_id) == "rejected"


def test_a_transient_error_is_a_5xx_and_leaves_no_record(catalog_env, database_url):
    status, event_id = deliver("unavailable")
    assert status == 503
    assert inbox_status(database_url, event_id) is None


def test_each_outcome_is_counted_by_type(catalog_env, database_url):
    from functions.runtime import metrics

    metrics.reset()
    _, event_id = deliver("fine")
    deliver("fine", event_id)  # a redelivery
    deliver("conflict")
    deliver("unavailable")
    assert [metrics.EVENTS.value(TYPE, outcome) for outcome in ("handled", "duplicate", "rejected", "retried")] \
        == [1, 1, 1, 1]
    headers, body = to_binary(CloudEvent({"type": "com.ecom.tests.made.up", "source": "/t", "id": "1"}, {}))
    with Flask(__name__).test_request_context("/", method="POST", headers=headers, data=body) as ctx:
        assert on_thing(ctx.request).status_code == 400
    assert metrics.EVENTS.value("unexpected", "rejected") == 1  # a sender's type is never a label


def test_a_unit_of_work_counts_its_business_events_only_when_it_commits(catalog_env, database_url):
    from functions.runtime import metrics
    from functions.runtime.db import unit_of_work

    metrics.reset()
    with unit_of_work("catalog") as uow:
        uow.business_event("order_placed", currency="EUR")
        assert metrics.ORDERS_PLACED.value("EUR") == 0  # not yet: the transaction may roll back
    assert metrics.ORDERS_PLACED.value("EUR") == 0  # it did
    with unit_of_work("catalog") as uow:
        uow.business_event("order_placed", currency="EUR")
        uow.business_event("payment_completed", 2500, currency="EUR")
        uow.conn.execute(text("SELECT 1"))
        uow.commit()
    assert (metrics.ORDERS_PLACED.value("EUR"), metrics.REVENUE.value("EUR")) == (1, 2500)
    with unit_of_work("catalog") as uow:
        try:
            uow.business_event("order_placed", currency="EUR", user="u1")
        except ValueError as refused:  # a mistake is seen where it is made, not at commit
            assert "takes the labels currency" in str(refused)
        else:
            raise AssertionError("an unknown label was accepted")

"""Dead letters, as the dead-letter sink forwards them, kept once per event and subscriber and
counted in the admin report; whatever a dead letter carries, it is kept, never a 5xx."""

from __future__ import annotations

import uuid

from cloudevents.conversion import to_binary, to_structured
from cloudevents.http import CloudEvent
from sqlalchemy import text

from tests.integration.reporting.conftest import assert_problem
from tests.integration.reporting.test_projection import report

DEST = "http://inventory-on-order-placed.ecom.svc.cluster.local"


def dead_letter(event_type: str = "com.ecom.orders.order.placed", dest: str = DEST, **extensions) -> CloudEvent:
    attributes = {"type": event_type, "source": "/ecom/orders/test", "id": str(uuid.uuid4()),
                  "subject": f"orders/{uuid.uuid4()}", "datacontenttype": "application/json",
                  "knativeerrordest": dest, "knativeerrorcode": "503",
                  "knativeerrordata": "database unavailable"}
    return CloudEvent({**attributes, **extensions}, {"order_id": "not even valid"})


def send(client_for, ce: CloudEvent, mode=to_binary):
    headers, body = mode(ce)
    return client_for("on_dead_letter").post("/", headers=headers, data=body)


def kept(db, ce: CloudEvent) -> list[tuple]:
    with db.connect() as conn:
        return conn.execute(text(
            "SELECT event_type, subject, dest, code, error FROM reporting.dead_letters "
            "WHERE event_source = :source AND event_id = :id"), {"source": ce["source"], "id": ce["id"]}).all()


def test_a_dead_letter_is_kept_with_its_error_and_counted_in_the_report(client_for, admin_headers, db):
    before = report(client_for, admin_headers)
    ce = dead_letter()
    answer = send(client_for, ce)
    assert answer.status_code == 200 and answer.get_json() == {"status": "processed", "id": ce["id"]}
    assert kept(db, ce) == [("com.ecom.orders.order.placed", ce["subject"], DEST, 503, "database unavailable")]

    after = report(client_for, admin_headers)
    assert after["totals"]["dead_lettered"] == before["totals"]["dead_lettered"] + 1
    assert sum(p["dead_lettered"] for p in after["series"]) == after["totals"]["dead_lettered"]
    newest = after["dead_letters"]["newest"][0]
    assert newest["id"] == ce["id"] and newest["dest"] == DEST and newest["code"] == 503
    assert newest["error"] == "database unavailable" and newest["at"].endswith("Z")
    counts = {t["type"]: t["count"] for t in after["dead_letters"]["by_type"]}
    was = {t["type"]: t["count"] for t in before["dead_letters"]["by_type"]}
    assert counts["com.ecom.orders.order.placed"] == was.get("com.ecom.orders.order.placed", 0) + 1


def test_a_forward_sent_twice_counts_once_and_each_subscriber_once(client_for, admin_headers, db):
    ce = dead_letter("com.ecom.payments.payment.completed")
    assert send(client_for, ce).get_json()["status"] == "processed"
    assert send(client_for, ce, to_structured).get_json()["status"] == "duplicate"
    other = CloudEvent({**ce.get_attributes(), "knativeerrordest": "http://reporting-on-payment-completed.ecom"},
                       ce.data)
    assert send(client_for, other).get_json()["status"] == "processed"
    assert sorted(row[2] for row in kept(db, ce)) == sorted([DEST, "http://reporting-on-payment-completed.ecom"])


def test_a_dead_letter_without_an_answer_has_no_code(client_for, db):
    ce = dead_letter(knativeerrorcode="")
    del ce["knativeerrordata"]
    assert send(client_for, ce).status_code == 200
    assert kept(db, ce)[0][3:] == (None, None)


def test_each_new_dead_letter_is_counted_by_type_and_made_up_types_share_one_label(client_for):
    from functions.runtime import metrics

    def counted(event_type: str) -> float:
        return metrics.EVENTS.value(event_type, "dead_lettered")

    ours, before = "com.ecom.payments.payment.failed", counted("com.ecom.payments.payment.failed")
    unexpected = counted("unexpected")
    ce = dead_letter(ours)
    send(client_for, ce)
    send(client_for, ce)  # a forward sent twice counts once
    send(client_for, dead_letter("Made-Up.Type." + uuid.uuid4().hex))
    assert counted(ours) == before + 1 and counted("unexpected") == unexpected + 1


def test_hostile_attributes_are_kept_cut_and_cleaned_never_a_5xx(client_for, db):
    ce = dead_letter("com.ecom.x." + "t" * 5000, knativeerrorcode="9" * 5000,
                     knativeerrordata="boom\x00" + "e" * 10_000)
    headers, body = to_structured(ce)
    answer = client_for("on_dead_letter").post("/", headers=headers, data=body)
    assert answer.status_code == 200, answer.get_json()
    (event_type, _, _, code, error), = kept(db, ce)
    assert len(event_type) == 500 and code is None
    assert error.startswith("boom\ufffd") and len(error) == 2000


def test_what_is_no_dead_letter_is_a_400_naming_what_is_missing(client_for):
    ce = CloudEvent({"type": "com.ecom.orders.order.placed", "source": "/ecom/orders/test"}, {"a": 1})
    answer = send(client_for, ce)
    assert_problem(answer, 400, "invalid-event")
    assert [e["field"] for e in answer.get_json()["errors"]] == ["knativeerrordest"]
    garbage = client_for("on_dead_letter").post("/", data=b"[" * 100_000,
                                                headers={"content-type": "application/cloudevents+json"})
    assert_problem(garbage, 400, "invalid-event")

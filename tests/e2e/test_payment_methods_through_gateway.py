"""Saved payment methods as a shopper meets them: through the gateway, real processes, real DB.

The last test reads every table of the payments schema and every line the function processes
logged (at the level the manifests set, knative/config.yaml) and this process's gateway
logged (WARNING and above, pytest's root level) during the module's run: the test card numbers
sent in the 422 cases must be nowhere, in no form (bare, spaced, dashed).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from schemas.migrate import role_url
from tests.e2e.conftest import call, local_stack
from tests.e2e.test_accounts_through_gateway import bearer, register_and_log_in

pytestmark = pytest.mark.e2e
PATH = "/api/users/me/payment-methods"
TEST_CARDS = ("4242424242424242", "5555555555554444", "378282246310005")
NEXT_YEAR = datetime.now(timezone.utc).year + 1
CARD = {"token": "tok_visa", "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": NEXT_YEAR}


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def stack(signing_key, tmp_path_factory) -> Iterator[tuple]:
    log_path = tmp_path_factory.mktemp("payments") / "functions.log"
    records = _Records()  # the gateway's and activator's own lines (this process)
    logging.getLogger().addHandler(records)
    with log_path.open("w") as log, local_stack(signing_key, log_to=log) as (gateway, activator, url):
        yield gateway, url, log_path, records
    logging.getLogger().removeHandler(records)


@pytest.fixture
def shopper(stack) -> dict[str, str]:
    return bearer(register_and_log_in(stack[0])["access_token"])


@pytest.fixture(scope="module")
def refused(stack) -> dict[str, str]:
    """One user for every refused request (registration is rate-limited): nothing is ever saved."""
    return bearer(register_and_log_in(stack[0])["access_token"])


def add(gateway, headers, body: dict) -> tuple[int, dict]:
    status, _, answer = call(gateway, "POST", PATH, body, headers)
    return status, json.loads(answer)


def listed(gateway, headers) -> dict:
    status, _, answer = call(gateway, "GET", PATH, headers=headers)
    assert status == 200, answer
    return json.loads(answer)


def fields_of(problem: dict) -> list[str]:
    return [e["field"] for e in problem["errors"]]


class TestSavedMethods:
    def test_a_method_is_added_listed_and_deleted(self, stack, shopper):
        gateway = stack[0]
        status, created = add(gateway, shopper, CARD)
        assert status == 201, created
        assert {k: created[k] for k in ("brand", "last4", "exp_month", "exp_year")} == {
            "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": NEXT_YEAR}
        assert "token" not in created  # the provider's handle is kept for charging, not shown back
        add(gateway, shopper, CARD | {"token": "tok_mastercard", "brand": "mastercard", "last4": "4444"})
        page = listed(gateway, shopper)
        assert [m["last4"] for m in page["items"]] == ["4242", "4444"]
        assert (page["total"], page["page"], page["page_size"]) == (2, 1, 10)
        status, _, _ = call(gateway, "DELETE", f"{PATH}/{created['id']}", headers=shopper)
        assert status == 204
        assert [m["last4"] for m in listed(gateway, shopper)["items"]] == ["4444"]
        assert call(gateway, "DELETE", f"{PATH}/{created['id']}", headers=shopper)[0] == 404

    def test_another_users_method_is_a_404_and_stays(self, stack, shopper):
        gateway = stack[0]
        _, created = add(gateway, shopper, CARD)
        other = bearer(register_and_log_in(gateway)["access_token"])
        assert listed(gateway, other)["items"] == []
        status, _, body = call(gateway, "DELETE", f"{PATH}/{created['id']}", headers=other)
        assert status == 404 and json.loads(body)["status"] == 404
        assert [m["id"] for m in listed(gateway, shopper)["items"]] == [created["id"]]

    def test_a_user_keeps_at_most_ten(self, stack, shopper):
        gateway = stack[0]
        for _ in range(10):
            assert add(gateway, shopper, CARD)[0] == 201
        status, problem = add(gateway, shopper, CARD)
        assert status == 409 and fields_of(problem) == ["token"]
        assert listed(gateway, shopper)["total"] == 10

    def test_no_token_is_a_401(self, stack):
        assert call(stack[0], "GET", PATH)[0] == 401

    @pytest.mark.parametrize("changes, field", [
        ({"token": "card_4242"}, "token"), ({"token": "tok_"}, "token"), ({"brand": "diners"}, "brand"),
        ({"last4": "42"}, "last4"), ({"exp_month": 0}, "exp_month"), ({"exp_year": 2020}, "exp_year"),
        ({"exp_year": NEXT_YEAR - 1, "exp_month": 1}, "exp_year"), ({"cvc": "123"}, "cvc"),
    ])
    def test_bad_fields_are_422s_naming_them(self, stack, refused, changes, field):
        status, problem = add(stack[0], refused, CARD | changes)
        assert status == 422 and fields_of(problem) == [field], problem
        assert listed(stack[0], refused)["items"] == []

    def test_a_malformed_id_is_a_422_naming_it(self, stack, refused):
        status, _, body = call(stack[0], "DELETE", f"{PATH}/not-a-uuid", headers=refused)
        assert status == 422 and fields_of(json.loads(body)) == ["id"]


class TestCardNumbersAreRefused:
    @pytest.mark.parametrize("number", TEST_CARDS)
    @pytest.mark.parametrize("field", ["token", "brand", "last4", "nickname"])
    def test_in_any_body_field_before_anything_else(self, stack, refused, number, field):
        spaced = " ".join(number[i:i + 4] for i in range(0, len(number), 4))
        status, problem = add(stack[0], refused, CARD | {field: spaced})
        # Only the card number is named: the unknown `nickname` is not even looked at.
        assert status == 422 and fields_of(problem) == [field], problem
        assert number not in json.dumps(problem) and spaced not in json.dumps(problem)

    def test_nested_and_several_are_each_named(self, stack, refused):
        body = CARD | {"billing": {"notes": ["ok", "5555-5555-5555-4444"]}, "last4": "378282246310005"}
        status, problem = add(stack[0], refused, body)
        assert status == 422 and fields_of(problem) == ["last4", "billing.notes.1"]

    def test_before_authentication_too(self, stack):
        status, problem = add(stack[0], {}, CARD | {"token": "4242424242424242"})
        assert status == 401  # the gateway's jwt plugin answers first; the function never sees it
        assert "4242424242424242" not in json.dumps(problem)

    def test_in_the_query_and_the_path(self, stack, refused):
        gateway = stack[0]
        status, _, body = call(gateway, "GET", f"{PATH}?note={quote('4242-4242-4242-4242')}", headers=refused)
        assert status == 422 and fields_of(json.loads(body)) == ["note"]
        status, _, body = call(gateway, "DELETE", f"{PATH}/5555555555554444", headers=refused)
        assert status == 422 and fields_of(json.loads(body)) == ["id"]
        assert b"5555555555554444" not in body

    def test_a_number_that_fails_luhn_is_just_a_bad_field(self, stack, refused):
        status, problem = add(stack[0], refused, CARD | {"last4": "4242424242424241"})
        assert status == 422 and fields_of(problem) == ["last4"]
        assert "card number" not in problem["errors"][0]["message"]


def _digits(text_: str) -> str:
    return re.sub(r"[\s-]", "", text_)


def test_no_table_and_no_log_line_holds_a_card_number(stack, refused):
    """Runs last in the module: after every request above, the numbers are nowhere."""
    _, url, log_path, records = stack
    engine = create_engine(role_url(url, "payments"))
    try:
        with engine.connect() as conn:
            tables = conn.scalars(text("SELECT table_name FROM information_schema.tables "
                                       "WHERE table_schema = 'payments'")).all()
            assert "payment_methods" in tables
            dumped = {t: conn.scalars(text(f'SELECT row_to_json(t)::text FROM payments."{t}" t')).all()
                      for t in tables}
    finally:
        engine.dispose()
    assert dumped["payment_methods"], "the module saved methods: the scan must have rows to read"
    gateway = stack[0]
    assert listed(gateway, refused)["items"] == [], "no refused request saved anything"
    lines = log_path.read_text().splitlines() + records.lines
    assert any("payment-methods" in line or "payment_methods" in line for line in lines), \
        "the functions' output must have been captured"
    for number in TEST_CARDS:
        for table, rows in dumped.items():
            assert not [r for r in rows if number in _digits(r)], f"{table} holds a test card number"
        assert not [line for line in lines if number in _digits(line)], "a log line holds a test card number"

"""The built-in provider: Stripe's test tokens, and a key's answer kept (no money taken twice)."""

from __future__ import annotations

import pytest

from functions.payments.adapters.provider import Authorized, Declined, ProviderTimeout
from functions.payments.adapters.simulator import Simulator


@pytest.fixture
def provider() -> Simulator:
    return Simulator(slow_seconds=0.01, timeout_seconds=0.0)


@pytest.mark.parametrize(("token", "brand", "last4"), [("tok_visa", "visa", "4242"),
                                                        ("tok_mastercard", "mastercard", "4444")])
def test_the_good_cards_are_authorized_with_their_brand(provider, token, brand, last4):
    answer = provider.authorize("p1:authorize", token, 1999, "USD")
    assert isinstance(answer, Authorized) and (answer.brand, answer.last4) == (brand, last4)


@pytest.mark.parametrize(("token", "code"), [("tok_chargeDeclined", "card_declined"),
                                             ("tok_chargeDeclinedInsufficientFunds", "insufficient_funds"),
                                             ("tok_unheardOf", "invalid_token")])
def test_the_declining_cards_say_why(provider, token, code):
    answer = provider.authorize("p1:authorize", token, 1999, "USD")
    assert isinstance(answer, Declined) and answer.code == code and answer.message


def test_tok_timeout_times_out_once_per_key_then_answers(provider):
    with pytest.raises(ProviderTimeout):
        provider.authorize("p1:authorize", "tok_timeout", 500, "EUR")
    assert isinstance(provider.authorize("p1:authorize", "tok_timeout", 500, "EUR"), Authorized)
    with pytest.raises(ProviderTimeout):  # another payment's key times out once too
        provider.authorize("p2:authorize", "tok_timeout", 500, "EUR")


def test_a_key_repeated_gets_the_same_answer_and_a_key_reused_for_another_call_is_refused(provider):
    first = provider.authorize("p1:authorize", "tok_visa", 500, "EUR")
    assert provider.authorize("p1:authorize", "tok_visa", 500, "EUR") == first
    capture = provider.capture("p1:capture", first.ref, 500)
    assert provider.capture("p1:capture", first.ref, 500) == capture
    with pytest.raises(ValueError):
        provider.capture("p1:capture", first.ref, 400)
    refund = provider.refund("p1:refund:a", capture.ref, 100)
    assert refund != provider.refund("p1:refund:b", capture.ref, 100)  # two keys: two refunds


def test_refs_depend_on_the_key_only_so_another_process_names_the_same_call_alike():
    a, b = Simulator(), Simulator()
    assert a.capture("k", "auth_x", 1).ref == b.capture("k", "auth_x", 1).ref

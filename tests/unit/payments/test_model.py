"""The card-number guard and the payment method rules (functions/payments/model.py)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from functions.payments import model
from functions.payments.commands import AddPaymentMethod
from functions.runtime.exceptions import Conflict, InvalidInput

TEST_CARDS = ("4242424242424242", "5555555555554444", "378282246310005")


def spaced(number: str, sep: str) -> str:
    return sep.join(number[i:i + 4] for i in range(0, len(number), 4))


class TestLuhn:
    @pytest.mark.parametrize("number", TEST_CARDS)
    def test_the_test_cards_pass(self, number):
        assert model.luhn_valid(number)

    @pytest.mark.parametrize("number", ["4242424242424241", "5555555555554445", "378282246310006"])
    def test_one_digit_off_fails(self, number):
        assert not model.luhn_valid(number)


class TestContainsCardNumber:
    @pytest.mark.parametrize("number", TEST_CARDS)
    @pytest.mark.parametrize("shape", [
        lambda n: n, lambda n: spaced(n, " "), lambda n: spaced(n, "-"),
        lambda n: f"my card is {n}, thanks", lambda n: f"tok_{n}", lambda n: f"x{spaced(n, '-')}y",
    ])
    def test_a_card_number_is_found_bare_spaced_dashed_or_inside_text(self, number, shape):
        assert model.contains_card_number(shape(number))

    @pytest.mark.parametrize("text", [
        "4242424242424241", "4242 4242 4242 4241", "424242424242", "1234-5678-9012", "", "tok_visa",
        "4242", "4242  4242  4242  4242",  # two separators between digits break the run
        "2026-12-03", "+1 555 123 4567",
    ])
    def test_what_is_no_card_number_passes(self, text):
        assert not model.contains_card_number(text)

    @pytest.mark.parametrize("text", ["4242 4242 4242 4242 1234", "12-4242-4242-4242-4242",
                                      "1 378282246310005 2"])
    def test_a_card_number_among_more_separated_digits_is_found(self, text):
        assert model.contains_card_number(text)


class TestMask:
    def test_card_numbers_are_masked_and_the_rest_kept(self):
        masked = model.mask_card_numbers("/api/users/me/payment-methods/4242-4242-4242-4242?n=1234")
        assert masked == "/api/users/me/payment-methods/[card number]?n=1234"

    def test_a_path_without_one_is_unchanged(self):
        path = "/api/users/me/payment-methods/0b0f5a52-2c0e-4d8e-9a8e-1f0d3c2b1a00"
        assert model.mask_card_numbers(path) == path


class TestCardNumberFields:
    def test_each_field_holding_one_is_named_by_its_path(self):
        body = {"token": "tok_visa", "note": "4242 4242 4242 4242",
                "billing": {"lines": ["ok", "5555-5555-5555-4444"]}, "n": 4242424242424242}
        assert list(model.card_number_fields(body)) == ["note", "billing.lines.1"]

    def test_a_key_holding_one_is_named_by_its_parent_and_never_echoed(self):
        assert list(model.card_number_fields({"meta": {"378282246310005": "x"}})) == ["meta"]
        assert list(model.card_number_fields({"378282246310005": "x"})) == ["body"]

    def test_refuse_names_every_field_without_the_number(self):
        with pytest.raises(InvalidInput) as raised:
            model.refuse_card_numbers({"a": "4242424242424242", "b": "378282246310005", "c": "fine"})
        assert [e.field for e in raised.value.errors] == ["a", "b"]
        assert "4242" not in str(raised.value) and "3782" not in str(raised.value)

    def test_nothing_to_refuse_is_quiet(self):
        model.refuse_card_numbers({"token": "tok_visa", "last4": "4242", "exp_year": 2030})


class TestCommand:
    VALID = {"token": "tok_visa", "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}

    @pytest.mark.parametrize("field", ["token", "brand", "last4"])
    @pytest.mark.parametrize("number", TEST_CARDS)
    def test_a_card_number_in_any_field_is_refused_with_that_field_named(self, field, number):
        with pytest.raises(ValidationError) as raised:
            AddPaymentMethod.model_validate(self.VALID | {field: spaced(number, " ")})
        errors = raised.value.errors(include_url=False)
        assert [e["loc"] for e in errors] == [(field,)]
        assert "card number" in errors[0]["msg"]

    def test_a_valid_method_parses(self):
        assert AddPaymentMethod.model_validate(self.VALID).last4 == "4242"

    @pytest.mark.parametrize("changes", [{"token": "visa"}, {"token": "tok_"}, {"token": "tok_" + "a" * 65},
                                         {"brand": "diners"}, {"last4": "424"}, {"exp_month": 13}])
    def test_bad_fields_are_refused(self, changes):
        with pytest.raises(ValidationError) as raised:
            AddPaymentMethod.model_validate(self.VALID | changes)
        assert [e["loc"] for e in raised.value.errors()] == [(next(iter(changes)),)]


class TestRules:
    def test_this_month_is_still_valid_last_month_is_not(self):
        model.check_expiry(12, 2026, 2026, 12)
        with pytest.raises(InvalidInput) as raised:
            model.check_expiry(11, 2026, 2026, 12)
        assert raised.value.errors[0].field == "exp_year"

    def test_the_tenth_method_is_the_last(self):
        model.check_room_for_method(model.MAX_METHODS - 1)
        with pytest.raises(Conflict):
            model.check_room_for_method(model.MAX_METHODS)


class TestPaymentRules:
    def test_exactly_one_way_to_pay_naming_the_field(self):
        from functions.payments.model import check_one_way_to_pay
        from functions.runtime.exceptions import InvalidInput

        check_one_way_to_pay("m", None)
        check_one_way_to_pay(None, "tok_visa")
        with pytest.raises(InvalidInput) as neither:
            check_one_way_to_pay(None, None)
        assert neither.value.errors[0].field == "payment_method_id"
        with pytest.raises(InvalidInput) as both:
            check_one_way_to_pay("m", "tok_visa")
        assert both.value.errors[0].field == "token"

    def test_a_refund_gives_back_at_most_what_is_left_and_all_of_it_by_default(self):
        from functions.payments.model import refundable
        from functions.runtime.exceptions import Conflict, InvalidInput

        assert refundable(1000, 0, "completed", None) == 1000
        assert refundable(1000, 400, "completed", None) == 600
        assert refundable(1000, 400, "completed", 600) == 600
        with pytest.raises(InvalidInput) as more:
            refundable(1000, 400, "completed", 601)
        assert more.value.errors[0].field == "amount_minor"
        for status in ("refunded", "failed", "processing"):
            with pytest.raises(Conflict):
                refundable(1000, 0, status, None)


class TestUuidsAreNoCardNumbers:
    # Read across their dashes, these UUIDs' digit groups once passed for card numbers
    # (about 3 in 1,000 random UUIDs): order and payment ids were refused as PANs.
    FORMER_FALSE_ALARMS = ("b71487e8-1f7c-44e6-b3e6-400582558777", "0327d693-170f-407e-8692-831499278814")

    def test_a_uuid_anywhere_is_never_a_card_number(self):
        from functions.payments.model import card_number_fields, contains_card_number, mask_card_numbers

        for value in self.FORMER_FALSE_ALARMS:
            assert not contains_card_number(value)
            assert not contains_card_number(f"/api/orders/{value}/payments")
            assert list(card_number_fields({"order_id": value})) == []
            assert mask_card_numbers(f"/api/payments/{value}") == f"/api/payments/{value}"

    def test_a_card_number_beside_a_uuid_is_still_found_and_masked(self):
        from functions.payments.model import contains_card_number, mask_card_numbers

        value = self.FORMER_FALSE_ALARMS[0]
        assert contains_card_number(f"{value} 4242 4242 4242 4242")
        assert mask_card_numbers(f"/x/{value}/4242424242424242") == f"/x/{value}/[card number]"

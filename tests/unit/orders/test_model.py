"""Order rules without I/O: the status machine, cart limits, totals in integer minor units."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.orders import model
from functions.orders.model import Line, PricingRules
from functions.runtime.exceptions import Conflict, InvalidInput

RULES = PricingRules(tax_rate_basis_points=825, shipping_flat_minor=499, free_shipping_from_minor=5000)


def line(price: int, quantity: int = 1, currency: str = "USD") -> Line:
    return Line("SKU-1", "Mug", price, currency, quantity)


class TestStatusMachine:
    @pytest.mark.parametrize("current, target", [
        ("pending", "awaiting_payment"), ("pending", "cancelled"), ("awaiting_payment", "paid"),
        ("awaiting_payment", "cancelled"), ("paid", "confirmed"), ("confirmed", "shipped"),
        ("confirmed", "refunded"), ("shipped", "refunded"),
    ])
    def test_the_allowed_changes(self, current, target):
        model.check_transition(current, target)

    @pytest.mark.parametrize("current, target", [
        ("pending", "paid"), ("pending", "shipped"), ("awaiting_payment", "shipped"), ("cancelled", "awaiting_payment"),
        ("cancelled", "cancelled"), ("confirmed", "cancelled"), ("shipped", "cancelled"), ("refunded", "paid"),
    ])
    def test_any_other_is_a_conflict_naming_the_status(self, current, target):
        with pytest.raises(Conflict) as refused:
            model.check_transition(current, target)
        assert refused.value.errors[0].field == "status"

    def test_final_statuses_lead_nowhere_and_every_status_is_reachable(self):
        assert not model.TRANSITIONS["cancelled"] and not model.TRANSITIONS["refunded"]
        reachable = {"pending"} | {t for allowed in model.TRANSITIONS.values() for t in allowed}
        assert reachable == set(model.STATUSES)

    def test_a_shopper_cancels_only_what_is_not_paid(self):
        assert model.sources_of("cancelled") == {"pending", "awaiting_payment"}


class TestCart:
    def test_quantities_add_up_to_99(self):
        assert model.added_quantity(60, 39) == 99
        with pytest.raises(InvalidInput):
            model.added_quantity(60, 40)

    def test_one_currency_per_cart(self):
        model.check_currency(None, "EUR")
        model.check_currency("USD", "USD")
        with pytest.raises(Conflict):
            model.check_currency("USD", "EUR")

    def test_at_most_50_lines(self):
        model.check_room_for_line(49)
        with pytest.raises(Conflict):
            model.check_room_for_line(50)


class TestTotals:
    def test_flat_shipping_below_the_threshold_and_tax_rounded_half_up(self):
        found = model.totals([line(1000, 2), line(999)], RULES)
        assert (found.subtotal_minor, found.shipping_minor) == (2999, 499)
        assert found.tax_minor == 247  # 2999 * 8.25 % = 247.41...
        assert found.total_minor == 2999 + 499 + 247

    def test_free_shipping_from_the_threshold(self):
        assert model.totals([line(5000)], RULES).shipping_minor == 0
        assert model.totals([line(4999)], RULES).shipping_minor == 499

    def test_half_a_minor_unit_rounds_up(self):
        rules = PricingRules(500, 0, 0)  # 5 %
        assert model.totals([line(10)], rules).tax_minor == 1  # 0.5 -> 1
        assert model.totals([line(9)], rules).tax_minor == 0  # 0.45 -> 0

    def test_mixed_currencies_are_refused(self):
        with pytest.raises(Conflict):
            model.totals([line(100), line(100, currency="EUR")], RULES)

    def test_a_total_past_what_money_holds_is_refused(self):
        with pytest.raises(Conflict):
            model.totals([line(10**12, 99)], RULES)

    @given(st.lists(st.tuples(st.integers(0, 10**8), st.integers(1, 99)), min_size=1, max_size=50),
           st.integers(0, 5000))
    def test_totals_are_whole_minor_units_that_add_up(self, lines, bps):
        rules = PricingRules(bps, 499, 5000)
        found = model.totals([line(p, q) for p, q in lines], rules)
        assert found.subtotal_minor == sum(p * q for p, q in lines)
        assert abs(found.tax_minor * 10_000 - found.subtotal_minor * bps) <= 5_000
        assert found.total_minor == found.subtotal_minor + found.shipping_minor + found.tax_minor

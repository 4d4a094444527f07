"""Inventory rules, without I/O."""

from datetime import datetime, timezone

import pytest

from functions.inventory import model
from functions.runtime.exceptions import Conflict, InvalidInput


def test_available_is_never_negative():
    assert model.available(5, 2) == 3
    assert model.available(2, 5) == 0


def test_lines_merge_per_sku_in_sku_order():
    assert model.merge_lines([("B", 1), ("A", 2), ("B", 3)]) == [("A", 2), ("B", 4)]


def test_merged_lines_may_not_pass_a_column():
    with pytest.raises(InvalidInput) as refused:
        model.merge_lines([("A", model.MAX_UNITS), ("A", 1)])
    assert refused.value.errors[0].field == "lines"


def test_an_adjustment_never_goes_below_reserved_nor_past_a_column():
    model.check_adjustment(on_hand=5, reserved=3, delta=-2)
    with pytest.raises(Conflict) as below:
        model.check_adjustment(on_hand=5, reserved=3, delta=-3)
    assert below.value.errors[0].field == "delta"
    with pytest.raises(InvalidInput):
        model.check_adjustment(on_hand=model.MAX_UNITS, reserved=0, delta=1)


def test_low_stock_is_available_at_or_below_the_threshold():
    assert model.is_low(5, 5, 0) and model.is_low(7, 2, 5)
    assert not model.is_low(8, 2, 5)


def test_a_hold_expires_ttl_seconds_later():
    now = datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)
    assert model.expiry(now, 900) == datetime(2026, 12, 3, 12, 15, tzinfo=timezone.utc)


"""Problems and input validation: each bad field named, with a stable type."""

import pytest

from functions.catalog.commands import CreateProduct, SearchProducts, UpdateProduct
from functions.runtime.errors import PROBLEM_BASE, FieldError, Problem, validation_failed
from functions.runtime.validation import validate


def _fields(model, data, strict=True):
    with pytest.raises(Problem) as caught:
        validate(model, data, strict=strict)
    assert caught.value.status == 422
    return {e.field: e.message for e in caught.value.errors}


VALID = {"sku": "MUG-1", "name": "Mug", "price": {"amount_minor": 999, "currency": "USD"}}


class TestProblemDocument:
    def test_a_validation_problem_lists_each_field(self):
        doc = validation_failed([FieldError("price.amount_minor", "must be >= 0")]).to_json("/x")
        assert doc["type"] == PROBLEM_BASE + "validation-error"
        assert doc["status"] == 422 and doc["instance"] == "/x"
        assert doc["errors"] == [{"field": "price.amount_minor", "message": "must be >= 0"}]


class TestCreateProductInput:
    def test_unknown_fields_are_named(self):
        assert _fields(CreateProduct, VALID | {"colour": "red"}) == {"colour": "unknown field"}

    def test_a_price_given_as_a_string_is_a_wrong_type(self):
        fields = _fields(CreateProduct, VALID | {"price": {"amount_minor": "999", "currency": "USD"}})
        assert "price.amount_minor" in fields

    def test_a_price_given_as_a_float_is_a_wrong_type(self):
        assert "price.amount_minor" in _fields(
            CreateProduct, VALID | {"price": {"amount_minor": 9.99, "currency": "USD"}})

    def test_a_negative_price_is_refused(self):
        assert "price.amount_minor" in _fields(
            CreateProduct, VALID | {"price": {"amount_minor": -1, "currency": "USD"}})

    def test_a_currency_must_be_an_iso_code(self):
        assert "price.currency" in _fields(
            CreateProduct, VALID | {"price": {"amount_minor": 1, "currency": "usd"}})

    def test_missing_fields_are_required(self):
        assert _fields(CreateProduct, {"name": "Mug"}) == {"sku": "is required", "price": "is required"}

    def test_an_image_needs_a_local_path_or_web_url(self):
        assert "images.0.url" in _fields(CreateProduct, VALID | {"images": [{"url": "javascript:x"}]})


class TestUpdateProductInput:
    def test_only_sent_fields_change(self):
        assert validate(UpdateProduct, {"name": "New"}).changes() == {"name": "New"}

    def test_null_clears_only_nullable_fields(self):
        assert validate(UpdateProduct, {"category_id": None}).changes() == {"category_id": None}
        assert _fields(UpdateProduct, {"name": None}) == {"name": "may not be null"}


class TestSearchInput:
    def test_page_size_over_the_cap_is_refused(self):
        assert "page_size" in _fields(SearchProducts, {"page_size": "101"}, strict=False)

    def test_price_range_must_not_be_inverted(self):
        assert "max_price" in _fields(SearchProducts, {"min_price": "500", "max_price": "100"},
                                      strict=False)

    def test_page_and_cursor_exclude_each_other(self):
        assert "cursor" in _fields(SearchProducts, {"page": "2", "cursor": "abc"}, strict=False)

    def test_an_unknown_sort_is_refused(self):
        assert "sort" in _fields(SearchProducts, {"sort": "cheapest"}, strict=False)

    def test_relevance_is_the_default_only_when_searching(self):
        assert validate(SearchProducts, {"q": "mug"}, strict=False).effective_sort == "relevance"
        assert validate(SearchProducts, {}, strict=False).effective_sort == "newest"

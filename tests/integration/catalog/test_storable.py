"""What validates is storable: a command that passes its model never fails in the database."""

import uuid

from hypothesis import given
from hypothesis import strategies as st

from functions.catalog.categories import create_category
from functions.catalog.commands import CreateCategory, CreateProduct
from functions.catalog.products import create_product
from tests.integration.storable import ANY_INT, ANY_TEXT, ANY_VALUE, FEW, near_valid, stored_or_refused

ADMIN = str(uuid.uuid4())


def _stored_or_refused(model, body, use_case) -> None:
    stored_or_refused(model, body, use_case, "catalog", actor=ADMIN)


@FEW
@given(body=st.builds(lambda sku: {"sku": sku, "name": "Mug", "price": {"amount_minor": 1, "currency": "USD"}},
                      st.uuids().map(lambda u: f"P-{u.hex[:12].upper()}")).flatmap(lambda valid: near_valid(valid, {
                          "name": ANY_TEXT, "description": ANY_TEXT, "slug": ANY_TEXT,
                          "price": st.fixed_dictionaries({"amount_minor": ANY_INT, "currency": ANY_TEXT}),
                          "attributes": st.dictionaries(ANY_TEXT, ANY_VALUE, max_size=3),
                          "images": st.lists(st.fixed_dictionaries({"url": ANY_TEXT, "alt": ANY_TEXT}),
                                             max_size=2)})))
def test_a_valid_product_is_stored(catalog_env, body):
    _stored_or_refused(CreateProduct, body, create_product)


@FEW
@given(body=st.uuids().map(lambda u: {"name": f"Garden {u.hex[:8]}"}).flatmap(lambda valid: near_valid(
    valid, {"name": ANY_TEXT, "slug": ANY_TEXT, "description": ANY_TEXT, "position": ANY_INT})))
def test_a_valid_category_is_stored(catalog_env, body):
    _stored_or_refused(CreateCategory, body, create_category)


def test_the_unchanged_bodies_are_stored(catalog_env):
    """The properties above start from these: they must store, or the properties test nothing."""
    made = []
    _stored_or_refused(CreateCategory, {"name": f"Garden {uuid.uuid4().hex[:8]}"}, lambda uow, c: made.append(create_category(uow, c)))
    body = {"sku": f"P-{uuid.uuid4().hex[:12].upper()}", "name": "Mug",
            "price": {"amount_minor": 1, "currency": "USD"}}
    _stored_or_refused(CreateProduct, body, lambda uow, c: made.append(create_product(uow, c)))
    assert len(made) == 2

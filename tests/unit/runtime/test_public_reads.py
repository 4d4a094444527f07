"""Public catalog reads: a strong ETag, 304 on If-None-Match, a short public max-age."""

from __future__ import annotations

from flask import Flask, request

from functions.runtime.web import PUBLIC_MAX_AGE, public_json_response

app = Flask(__name__)


def answer(headers: dict[str, str] | None = None, data: object = None):
    with app.test_request_context("/api/products/x", headers=headers or {}):
        return public_json_response(request, data if data is not None else {"id": 1, "name": "Tent"})


def test_etag_and_cache_control() -> None:
    first = answer()
    assert first.status_code == 200 and first.get_data() == b'{"id":1,"name":"Tent"}'
    assert first.headers["Cache-Control"] == f"public, max-age={PUBLIC_MAX_AGE}" and PUBLIC_MAX_AGE <= 10
    assert first.headers["ETag"].startswith('"') and answer().headers["ETag"] == first.headers["ETag"]
    assert answer(data={"id": 1, "name": "Tarp"}).headers["ETag"] != first.headers["ETag"]


def test_if_none_match_gives_304_without_a_body() -> None:
    etag = answer().headers["ETag"]
    for given in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = answer({"If-None-Match": given})
        assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    assert answer({"If-None-Match": '"other"'}).status_code == 200


def test_a_caller_with_a_token_gets_a_private_answer() -> None:
    assert answer({"Authorization": "Bearer x"}).headers["Cache-Control"] == "private, no-cache"


def test_a_repeated_parameter_without_a_name_is_named_query() -> None:
    """Found by the API fuzzer: `?=a&=b` answered a FieldError whose field was "" (minLength 1)."""
    import pytest

    from functions.runtime.errors import Problem
    from functions.runtime.validation import parse_query

    with app.test_request_context("/api/products?=a&=b&q=x&q=y"):
        with pytest.raises(Problem) as raised:
            parse_query(request, object)  # refused before the model is used
    fields = [e["field"] for e in raised.value.to_json(None)["errors"]]
    assert fields == ["query", "q"]

"""Inside a handler, a domain error is a rejection (400, never retried); a transient one is a 5xx."""

import uuid

import pytest
from cloudevents.conversion import to_binary, to_structured
from cloudevents.http import CloudEvent

from functions.runtime.errors import from_domain_error
from functions.runtime.exceptions import Conflict, InvalidInput, NotFound, TooManyAttempts, Unavailable


class TestDomainErrorsAtTheEdge:
    @pytest.mark.parametrize("error, status, kind", [
        (NotFound("Product", "mug"), 404, "not-found"),
        (Conflict("taken", "sku"), 409, "conflict"),
        (InvalidInput.of("parent_id", "no such category"), 422, "validation-error"),
        (TooManyAttempts("wait", 30), 429, "too-many-attempts"),
        (Unavailable("later"), 503, "service-unavailable"),
    ])
    def test_each_domain_error_becomes_its_problem(self, error, status, kind):
        problem = from_domain_error(error)
        assert (problem.status, problem.kind) == (status, kind)

    def test_a_conflict_names_its_field_and_a_wait_its_retry_after(self):
        assert from_domain_error(Conflict("taken", "sku")).errors[0].field == "sku"
        assert from_domain_error(TooManyAttempts("wait", 30)).headers["Retry-After"] == "30"


def test_a_structured_event_nested_too_deeply_is_refused_as_not_a_cloudevent():
    from flask import Flask

    from functions.runtime.errors import Problem
    from functions.runtime.handlers import parse_event

    body = ('{"specversion": "1.0", "id": "1", "source": "/t", "type": "t", "data": '
            + "[" * 100_000 + "]" * 100_000 + "}")
    with Flask(__name__).test_request_context("/", method="POST", data=body,
                                              content_type="application/cloudevents+json") as ctx:
        with pytest.raises(Problem) as refused:
            parse_event(ctx.request)
    assert refused.value.status == 400


def test_binary_and_structured_events_parse_alike():
    from flask import Flask

    from functions.runtime.handlers import parse_event

    event = CloudEvent({"type": "t", "source": "/t", "id": str(uuid.uuid4())}, {"a": 1})
    for mode in (to_binary, to_structured):
        headers, body = mode(event)
        with Flask(__name__).test_request_context("/", method="POST", data=body, headers=headers) as ctx:
            assert parse_event(ctx.request).data == {"a": 1}


def test_the_fast_binary_path_reads_what_the_sdk_reads():
    from flask import Flask

    from functions.runtime import handlers

    event = CloudEvent({"type": "t", "source": "/t", "id": str(uuid.uuid4()), "subject": "S-1",
                        "time": "2026-12-03T10:00:00Z", "datacontenttype": "application/json"},
                       {"a": [1, {"b": None}]})  # as the broker sends it
    headers, body = to_binary(event)
    with Flask(__name__).test_request_context("/", method="POST", data=body, headers=headers) as ctx:
        fast = handlers._binary_json_event(ctx.request)
        sdk_headers = {k: v for k, v in ctx.request.headers.items()}
        from cloudevents.http import from_http

        sdk = from_http(sdk_headers, ctx.request.get_data())
    assert fast is not None
    assert fast == handlers.Event(id=sdk["id"], source=sdk["source"], type=sdk["type"],
                                  subject=sdk.get("subject"), time=sdk.get("time"), data=sdk.data)


@pytest.mark.parametrize("change", [
    {"ce-specversion": "0.3"},  # another spec version: the SDK's business
    {"ce-id": ""},  # a missing attribute
    {"Content-Type": "text/plain"},  # data that is not JSON
])
def test_anything_else_goes_to_the_sdk(change):
    from flask import Flask

    from functions.runtime import handlers

    headers = {"ce-specversion": "1.0", "ce-id": "1", "ce-source": "/t", "ce-type": "t",
               "Content-Type": "application/json", **change}
    with Flask(__name__).test_request_context("/", method="POST", data=b'{"a": 1}', headers=headers) as ctx:
        assert handlers._binary_json_event(ctx.request) is None


def test_binary_json_data_that_does_not_parse_is_left_to_the_sdk_as_before():
    from flask import Flask

    from functions.runtime import handlers

    headers = {"ce-specversion": "1.0", "ce-id": "1", "ce-source": "/t", "ce-type": "t",
               "Content-Type": "application/json"}
    with Flask(__name__).test_request_context("/", method="POST", data=b"{not json", headers=headers) as ctx:
        assert handlers._binary_json_event(ctx.request) is None
        assert handlers.parse_event(ctx.request).data == b"{not json"  # the SDK's reading; validation refuses it

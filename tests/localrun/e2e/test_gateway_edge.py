"""The edge keeps its promises: the gateway's own answers, smuggling, request ids, banners, per-user limits.

Through the local gateway with the repository's own knative/kong/ (kong.yaml and gateway.yaml's
KONG_* settings), in front of real function processes.
"""

from __future__ import annotations

import json
import re
import socket
import time
import uuid
from collections.abc import Iterator

import jwt as pyjwt
import pytest

from localrun.gateway.server import Gateway
from tests.e2e.conftest import call, local_stack

pytestmark = pytest.mark.e2e
ERROR_KEYS = {"message", "request_id"}


@pytest.fixture(scope="module")
def gateway(signing_key) -> Iterator[Gateway]:
    with local_stack(signing_key) as (gw, _, _):
        yield gw


def raw(gw: Gateway, data: bytes) -> bytes:
    """Send bytes on a fresh connection; return all the gateway sends until it closes."""
    with socket.create_connection(("127.0.0.1", gw.port), timeout=20) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def parse(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def assert_kong_error(status: int, headers: dict[str, str], body: bytes, message: str) -> None:
    document = json.loads(body)
    assert set(document) == ERROR_KEYS and document["message"] == message
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert re.fullmatch(r"[0-9a-f]{32}", document["request_id"])
    assert "Server" not in headers and "Via" not in headers


def test_content_length_with_transfer_encoding_is_400_and_the_body_never_passes(gateway: Gateway) -> None:
    body = b"x" * (3 * 1024 * 1024)
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    answer = raw(gateway, b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          b"Content-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked)
    status, headers, response = parse(answer)
    assert status == 400 and headers["Connection"] == "close"
    assert_kong_error(status, headers, response, "Bad request")
    assert answer.count(b"HTTP/1.1 ") == 1  # nothing after it was read as another request


@pytest.mark.parametrize("line", [b"TRACE /api/products HTTP/1.1", b"CONNECT localhost:443 HTTP/1.1"])
def test_trace_and_connect_are_405_in_the_same_shape(gateway: Gateway, line: bytes) -> None:
    status, headers, body = parse(raw(gateway, line + b"\r\nHost: x\r\n\r\n"))
    assert status == 405
    assert_kong_error(status, headers, body, "Method not allowed")


def test_the_gateways_own_answers_name_no_server(gateway: Gateway) -> None:
    status, headers, body = call(gateway, "GET", "/api/nothing-here")
    assert status == 404 and headers["X-Kong-Request-Id"] == json.loads(body)["request_id"]
    assert_kong_error(status, headers, body, "no Route matched with those values")
    status, headers, body = call(gateway, "GET", "/api/users/me")
    assert status == 401 and "Server" not in headers  # jwt: kong.response.exit, not the template
    status, headers, _ = call(gateway, "GET", "/api/categories")
    assert status == 200 and "Server" not in headers and "Via" not in headers  # gunicorn's is dropped


@pytest.mark.parametrize("bad", ["two words", "x" * 201, "<script>alert(1)</script>", "a;b", ""])
def test_a_malformed_request_id_is_replaced_never_echoed(gateway: Gateway, bad: str) -> None:
    _, headers, _ = call(gateway, "GET", "/api/categories", headers={"X-Request-ID": bad})
    assert headers["X-Request-ID"] != bad and uuid.UUID(headers["X-Request-ID"])


def test_signed_in_users_are_limited_each_in_their_own_bucket(gateway: Gateway, signing_key) -> None:
    now = int(time.time())
    remaining: dict[str, list[int]] = {}
    for who in ("ada", "ada", "bob"):
        token = pyjwt.encode({"iss": "ecom-accounts", "sub": f"user-{who}", "exp": now + 600},
                             signing_key[0], algorithm="RS256")
        _, headers, _ = call(gateway, "GET", "/api/users/me",
                             headers={"Authorization": f"Bearer {token}", "X-Rate-Subject": "everyone"})
        remaining.setdefault(who, []).append(int(headers["X-RateLimit-Remaining-Minute"]))
    assert remaining["ada"][1] == remaining["ada"][0] - 1
    assert remaining["bob"][0] == remaining["ada"][0]  # bob's bucket is not ada's (nor "everyone"'s)

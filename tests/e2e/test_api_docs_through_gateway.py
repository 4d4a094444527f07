"""The gateway serves the API's document and a browsable docs page, with nothing from another host."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
import yaml

from localrun.gateway.server import Gateway
from tests.consistency.test_openapi import OPENAPI_FILE
from tests.e2e.conftest import call, local_stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def gateway(signing_key) -> Iterator[Gateway]:
    with local_stack(signing_key) as (gw, _, _):
        yield gw


def test_the_document_is_served_as_json_and_is_the_committed_one(gateway: Gateway) -> None:
    status, headers, body = call(gateway, "GET", "/api/openapi.json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == yaml.safe_load(OPENAPI_FILE.read_text())


def test_the_docs_page_and_its_assets_come_from_the_gateway_and_no_other_host(gateway: Gateway) -> None:
    status, headers, body = call(gateway, "GET", "/api/docs")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    assert not re.search(r"(https?:)?//", page), "the page names another host"
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/api/docs/swagger-ui-bundle.js" in assets and "/api/openapi.json" in page
    for asset in assets:
        status, _, content = call(gateway, "GET", asset)
        assert status == 200 and content, asset


def test_other_paths_and_methods_are_still_not_routed(gateway: Gateway) -> None:
    assert call(gateway, "GET", "/api/docs/../../etc/passwd")[0] == 404
    assert call(gateway, "GET", "/api/docs/index.css")[0] == 404
    assert call(gateway, "POST", "/api/openapi.json", b"{}")[0] == 404

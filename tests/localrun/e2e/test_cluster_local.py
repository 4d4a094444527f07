"""Function-to-function calls in the local runtime: the cluster-local gateway routes by Host.

The shared client (functions/runtime/calls.py) is pointed at the gateway the stack started, as
every function the activator starts is (CLUSTER_LOCAL_GATEWAY), and asks catalog for a product
by SKU: the catalog function is started on demand, no Kong route or plugin is involved.
"""

from __future__ import annotations

import dataclasses
import http.client
from collections.abc import Iterator

import pytest

from functions.catalog.adapters.seed import load_seed
from functions.runtime.calls import Service
from functions.runtime.exceptions import Unavailable
from tests.e2e.conftest import local_stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(signing_key) -> Iterator:
    with local_stack(signing_key) as (gateway, activator, _):
        yield gateway, activator


@pytest.fixture
def via(stack, monkeypatch) -> str:
    gateway, _ = stack
    address = gateway.companions[0].address
    monkeypatch.setenv("CLUSTER_LOCAL_GATEWAY", address)
    return address


def test_every_function_is_told_where_the_cluster_local_gateway_is(stack):
    gateway, activator = stack
    spec = activator.specs["catalog-product"]
    env = activator.launcher.environment(spec, 1234)
    assert env["CLUSTER_LOCAL_GATEWAY"] == gateway.companions[0].address


def test_a_function_is_reached_by_its_cluster_host_and_started_on_demand(stack, via):
    _, activator = stack
    sku = load_seed()["products"][0]["sku"]
    reply = Service("catalog-product").get(f"/api/products/{sku}")
    assert reply.status == 200 and reply.json()["sku"] == sku
    assert "catalog-product" in activator.running()


def test_a_host_that_is_no_function_is_404(via):
    host, _, port = via.partition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/", headers={"Host": "nothing-here.ecom.svc.cluster.local"})
    assert conn.getresponse().status == 404
    conn.close()


def test_a_function_that_cannot_start_is_unavailable_to_its_caller(stack, via):
    _, activator = stack
    broken = dataclasses.replace(activator.specs["catalog-categories"], name="catalog-categories-broken",
                                 target="no_such_target")
    activator.specs["catalog-categories-broken"] = broken
    try:
        with pytest.raises(Unavailable, match="answered 503"):
            Service("catalog-categories-broken", timeout=30, deadline=30, retries=0).get("/api/categories")
    finally:
        del activator.specs["catalog-categories-broken"]

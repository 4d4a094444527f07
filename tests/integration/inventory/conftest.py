"""Inventory functions driven through functions-framework's app, as Knative would run them.

The catalog is asked over HTTP whether it sells a SKU (functions/inventory/adapters/catalog.py);
here a small HTTP server answers for it, the way catalog-product does (200 for a SKU it has,
404 otherwise), on the address the client's CLUSTER_LOCAL_GATEWAY names. The end-to-end tests
ask the real catalog.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from schemas.migrate import role_url
from tests.integration.conftest import assert_problem, client_factory, domain_env

__all__ = ["assert_problem"]

SOURCE = "functions/inventory/main.py"


class CatalogStandIn(ThreadingHTTPServer):
    """Answers GET /api/products/{sku} as catalog-product would: 200 for its SKUs, 404 for others."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _CatalogHandler)
        self.skus: set[str] = set()
        self.down = False  # answer 503, as a catalog that cannot serve
        self.asked: list[tuple[str, str]] = []  # (path, Host) of every request


class _CatalogHandler(BaseHTTPRequestHandler):
    server: CatalogStandIn

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.asked.append((self.path, self.headers.get("Host", "")))
        sku = unquote(self.path.removeprefix("/api/products/"))
        status = 503 if self.server.down else 200 if sku in self.server.skus else 404
        body = b'{"sku": "%s"}' % sku.encode() if status == 200 else b'{"status": %d}' % status
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="package")
def catalog() -> Iterator[CatalogStandIn]:
    server = CatalogStandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="package")
def inventory_env(database_url: str, signing_key: tuple[str, str], catalog: CatalogStandIn) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLUSTER_LOCAL_GATEWAY", f"127.0.0.1:{catalog.server_address[1]}")
        mp.setenv("CALL_DEADLINE_SECONDS", "2")
        with domain_env(database_url, signing_key, "inventory"):
            yield


@pytest.fixture(scope="package")
def client_for(inventory_env: None) -> Callable[[str], FlaskClient]:
    return client_factory(SOURCE)


@pytest.fixture(scope="package")
def db(database_url: str):
    """The inventory's schema as its own role, for the tests' own reads."""
    engine = create_engine(role_url(database_url, "inventory"))
    yield engine
    engine.dispose()


def random_sku() -> str:
    return f"T-{uuid.uuid4().hex[:10].upper()}"


def random_code() -> str:
    return f"W{uuid.uuid4().hex[:8].upper()}"


@pytest.fixture
def new_warehouse(client_for, admin_headers) -> Callable[..., dict]:
    """Return a function that creates a warehouse through the API and returns it."""

    def _create(**fields) -> dict:
        body = {"code": random_code(), "name": "Warehouse " + uuid.uuid4().hex[:6]} | fields
        response = client_for("warehouses").post("/api/admin/warehouses", json=body, headers=admin_headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return _create


@pytest.fixture
def sku(catalog: CatalogStandIn) -> str:
    """A SKU the catalog sells."""
    value = random_sku()
    catalog.skus.add(value)
    return value


@pytest.fixture
def receive(client_for, admin_headers) -> Callable[..., dict]:
    """Return a function that receives stock through the API and returns the level."""

    def _receive(warehouse: dict, sku: str, quantity: int, **fields) -> dict:
        body = {"warehouse_id": warehouse["id"], "sku": sku, "quantity": quantity,
                "reason": "delivery"} | fields
        response = client_for("stock_receive").post("/api/admin/stock/receive", json=body,
                                                    headers=admin_headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return _receive


def stock_events(db, sku: str) -> list[dict]:
    """The stock.changed events of a SKU in the outbox, oldest first."""
    with db.connect() as conn:
        return [row[0] for row in conn.execute(text(
            "SELECT data FROM inventory.outbox WHERE type = 'com.ecom.inventory.stock.changed' "
            "AND subject = :sku ORDER BY seq"), {"sku": sku})]


def events_of(db, event_type: str, subject: str) -> list[dict]:
    with db.connect() as conn:
        return [row[0] for row in conn.execute(text(
            "SELECT data FROM inventory.outbox WHERE type = :t AND subject = :s ORDER BY seq"),
            {"t": event_type, "s": subject})]


def movements(db, sku: str) -> list[dict]:
    with db.connect() as conn:
        return [dict(row) for row in conn.execute(text(
            "SELECT m.cause, m.on_hand_delta, m.reserved_delta, m.order_id, m.reason, m.actor, w.code "
            "FROM inventory.stock_movements m JOIN inventory.warehouses w ON w.id = m.warehouse_id "
            "WHERE m.sku = :sku ORDER BY m.id"), {"sku": sku}).mappings()]


def levels(db, sku: str) -> dict[str, tuple[int, int]]:
    """{warehouse code: (on_hand, reserved)} of a SKU."""
    with db.connect() as conn:
        return {row.code: (row.on_hand, row.reserved) for row in conn.execute(text(
            "SELECT w.code, s.on_hand, s.reserved FROM inventory.stock_levels s "
            "JOIN inventory.warehouses w ON w.id = s.warehouse_id WHERE s.sku = :sku"), {"sku": sku})}


def ledger_sums(db, sku: str) -> dict[str, tuple[int, int]]:
    """{warehouse code: (sum of on_hand deltas, sum of reserved deltas)}: must equal `levels`."""
    with db.connect() as conn:
        return {row.code: (int(row.on_hand), int(row.reserved)) for row in conn.execute(text(
            "SELECT w.code, sum(m.on_hand_delta) AS on_hand, sum(m.reserved_delta) AS reserved "
            "FROM inventory.stock_movements m JOIN inventory.warehouses w ON w.id = m.warehouse_id "
            "WHERE m.sku = :sku GROUP BY w.code"), {"sku": sku})}

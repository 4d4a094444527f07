"""The demo stock: inventory holds what the demo catalog says is in stock, with its ledger, once."""

from sqlalchemy import create_engine, func, select

from functions.catalog.adapters.seed import load_seed
from functions.inventory.adapters.seed import DEMO_UNITS, seed_demo_stock
from functions.inventory.tables import stock_levels, stock_movements
from localrun.dev.scratch import scratch_database
from schemas.migrate import role_url
from tests.conftest import ADMIN_URL


def test_the_demo_catalogs_in_stock_products_are_stocked_once_with_receipts():
    data = load_seed()
    in_stock = {p["sku"] for p in data["products"] if p.get("in_stock", True)}
    assert 0 < len(in_stock) < len(data["products"])  # the demo has some of each
    with scratch_database(ADMIN_URL, "inventory-seed") as url:
        engine = create_engine(role_url(url, "inventory"))
        try:
            with engine.begin() as conn:
                assert seed_demo_stock(conn, data) == len(in_stock)
            with engine.begin() as conn:
                assert seed_demo_stock(conn, data) == 0  # again: nothing more
            with engine.connect() as conn:
                levels = dict(conn.execute(select(stock_levels.c.sku, stock_levels.c.on_hand)).all())
                ledger = dict(conn.execute(select(stock_movements.c.sku, func.sum(stock_movements.c.on_hand_delta))
                                           .group_by(stock_movements.c.sku)).all())
        finally:
            engine.dispose()
    assert set(levels) == in_stock and set(levels.values()) == {DEMO_UNITS}
    assert ledger == levels

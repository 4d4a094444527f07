"""The demo catalog: realistic, complete, and loaded idempotently."""

from sqlalchemy import create_engine, func, select

from functions.catalog.adapters.media import MEDIA_DIR
from functions.catalog.adapters.seed import load_seed, seed_catalog
from functions.catalog.tables import categories, product_images, products
from localrun.dev.scratch import scratch_database
from schemas.migrate import role_url
from tests.conftest import ADMIN_URL


def _counts(conn) -> tuple[int, int, int]:
    return tuple(conn.scalar(select(func.count()).select_from(t))
                 for t in (categories, products, product_images))


def test_the_seed_file_describes_a_realistic_catalog():
    data = load_seed()
    parents = {c["slug"]: c.get("parent") for c in data["categories"]}
    assert len(parents) >= 8 and any(parent for parent in parents.values())
    assert len(data["products"]) >= 200
    prices = {p["price"]["amount_minor"] for p in data["products"]}
    assert len(prices) > 50 and all(isinstance(p, int) and p > 0 for p in prices)
    for product in data["products"]:
        assert product["category"] in parents and product["images"]
        for image in product["images"]:  # served by catalog-media: no outside host needed
            assert (MEDIA_DIR / image["url"].removeprefix("/media/catalog/")).is_file()


def test_seeding_twice_changes_nothing():
    with scratch_database(ADMIN_URL, "seed") as url:
        engine = create_engine(role_url(url, "catalog"))
        data = load_seed()
        with engine.begin() as conn:
            seed_catalog(conn, data)
            first = _counts(conn), conn.execute(select(products.c.id, products.c.slug)).all()
        with engine.begin() as conn:
            seed_catalog(conn, data)
            second = _counts(conn), conn.execute(select(products.c.id, products.c.slug)).all()
        engine.dispose()
    assert first[0] == (len(data["categories"]), len(data["products"]), second[0][2])
    assert sorted(first[1]) == sorted(second[1])

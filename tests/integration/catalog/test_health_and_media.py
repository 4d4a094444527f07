"""Every function's health paths, and the product images the catalog serves itself."""

import socket

import pytest

from functions.catalog.adapters.media import MEDIA_DIR
from tests.integration.catalog.conftest import assert_problem

TARGETS = ["categories", "category", "products", "product", "media"]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("path", ["/health/liveness", "/health/", "/health/readiness"])
def test_every_function_answers_its_health_paths(client_for, target, path):
    response = client_for(target).get(path)
    assert response.status_code == 200 and response.get_json()["status"] in {"ok", "ready"}


def test_readiness_fails_while_the_database_is_unreachable(client_for, monkeypatch):
    from functions.runtime.db import dispose_engine
    from functions.runtime.settings import reset_settings

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("DATABASE_URL", f"postgresql+pg8000://nobody@127.0.0.1:{port}/none")
    reset_settings()
    dispose_engine()
    try:
        client = client_for("products")
        assert client.get("/health/readiness").status_code == 503
        assert client.get("/health/liveness").status_code == 200
    finally:
        monkeypatch.undo()
        reset_settings()
        dispose_engine()
    assert client_for("products").get("/health/readiness").status_code == 200


class TestMedia:
    def test_a_shipped_image_is_served_as_cacheable_svg(self, client_for):
        name = sorted(p.name for p in MEDIA_DIR.glob("*.svg"))[0]
        response = client_for("media").get(f"/media/catalog/{name}")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert response.data == (MEDIA_DIR / name).read_bytes()
        assert "max-age" in response.headers["Cache-Control"]
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        again = client_for("media").get(f"/media/catalog/{name}",
                                        headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304

    @pytest.mark.parametrize("name", ["missing.svg", "..%2Fmain.py", "main.py", "x.svg.exe"])
    def test_anything_else_is_404(self, client_for, name):
        assert_problem(client_for("media").get(f"/media/catalog/{name}"), 404, "not-found")

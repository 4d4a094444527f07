"""README.md's domain table and event-flow diagram are what docs/domains.py makes of the manifests."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from schemas.migrate import DOMAINS

REPO = Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location("docs_domains", REPO / "docs" / "domains.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_shows_what_the_generator_makes_of_the_manifests():
    generator = _generator()
    text = (REPO / "README.md").read_text()
    start, end = text.index(generator.BEGIN), text.index(generator.END) + len(generator.END)
    assert text[start:end] == generator.render(), "README.md's domain section is stale: run make docs"


def test_every_domain_and_every_service_is_in_it():
    generator = _generator()
    section = generator.render()
    for domain in DOMAINS:
        assert f"| {domain} |" in section and f"{domain}[{domain}]" in section
    for http, handlers in generator._services().values():
        for service in (*http, *handlers):
            assert f"`{service}`" in section

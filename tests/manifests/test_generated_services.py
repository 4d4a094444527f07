"""knative/services/ is what generate.py makes of functions.toml, and a new function is one entry."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import yaml

from tests.manifests.conftest import REPO


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate", REPO / "knative/services/generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_files_are_the_generators_output() -> None:
    for name, text in generator().render().items():
        path = REPO / "knative" / "services" / name
        assert path.is_file() and path.read_text(encoding="utf-8") == text, f"{name}: run make manifests"


def test_a_new_function_is_one_table_entry() -> None:
    gen = generator()
    table = gen.load()
    table["catalog"]["functions"].append({"target": "brands", "about": "Brands (GET)."})
    docs = list(yaml.safe_load_all(gen.render(table)["catalog.yaml"]))
    brands = next(d for d in docs if d and d["metadata"]["name"] == "catalog-brands")
    env = {e["name"]: e.get("value") for e in brands["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["FUNCTION_TARGET"] == "brands" and env["FUNCTION_SOURCE"] == "functions/catalog/main.py"
    assert brands["spec"]["template"]["spec"]["containerConcurrency"] == 50


def test_a_new_domain_gets_its_services_relay_and_kustomization_entry() -> None:
    gen = generator()
    table = gen.load()
    table["orders"] = {"functions": [{"target": "orders", "about": "Orders."}]}
    files = gen.render(table)
    assert "orders.yaml" in files and "relay-orders" in files["relays.yaml"]
    assert "  - orders.yaml\n" in files["kustomization.yaml"]

"""The event contracts in events/ agree with the code and the Triggers."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from localrun.serving.manifests import knative_services as load_knative_services

REPO = Path(__file__).resolve().parents[2]
EVENTS = REPO / "events"
CATALOG = yaml.safe_load((EVENTS / "catalog.yaml").read_text())["events"]
TYPES = {entry["type"]: entry for entry in CATALOG}


def code_event_types() -> dict[str, set[str]]:
    """Return, per domain, the event type constants of functions/<domain>/events.py."""
    found = {}
    for module_file in sorted((REPO / "functions").glob("*/events.py")):
        module = importlib.import_module(f"functions.{module_file.parent.name}.events")
        found[module_file.parent.name] = {v for k, v in vars(module).items() if k.isupper() and isinstance(v, str)}
    return found


def knative_services() -> set[str]:
    return {d["metadata"]["name"] for d in load_knative_services(REPO / "knative")}


def test_types_are_unique_and_well_formed():
    assert len(TYPES) == len(CATALOG)
    for event_type in TYPES:
        assert event_type.startswith("com.ecom.") and len(event_type.split(".")) == 5, event_type


@pytest.mark.parametrize("event_type", sorted(TYPES))
def test_every_type_has_a_valid_json_schema_for_its_data(event_type):
    schema = json.loads((EVENTS / "schemas" / f"{event_type}.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["title"] == event_type and schema["type"] == "object"


def test_no_schema_lies_about_a_type_nobody_declared():
    assert {p.stem for p in (EVENTS / "schemas").glob("*.json")} == set(TYPES)


def test_every_type_the_code_names_is_in_the_catalog():
    for domain, types in code_event_types().items():
        assert types <= set(TYPES), f"functions/{domain}/events.py names types events/catalog.yaml lacks"


@pytest.mark.parametrize("event_type", sorted(TYPES))
def test_every_type_has_a_producer_and_its_consumers_exist(event_type):
    entry = TYPES[event_type]
    services = knative_services()
    assert entry["producers"] and set(entry["producers"]) <= services | {"broker-ingress"}, entry
    assert set(entry["consumers"]) <= services, entry


def test_every_consumer_named_in_the_catalog_handles_that_type():
    from tests.consistency.test_functions_manifests_routes import functions_by_ksvc

    functions = functions_by_ksvc()
    for event_type, entry in TYPES.items():
        for consumer in entry["consumers"]:
            assert event_type in getattr(functions[consumer], "event_types", ()), (event_type, consumer)

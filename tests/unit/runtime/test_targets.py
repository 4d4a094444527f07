"""A domain's targets: each loaded when asked for, with its first request's modules, then frozen."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def load(target: str) -> dict:
    """Load `module:name` in a fresh interpreter; return what it imported and the collector's state."""
    module, name = target.split(":")
    code = (
        "import gc, json, sys\n"
        f"import functions.{module} as m\n"
        "before = gc.get_freeze_count()\n"
        f"m.{name}\n"
        "print(json.dumps({'modules': sorted(sys.modules), 'frozen_before': before,\n"
        "                  'frozen': gc.get_freeze_count(), 'tracked': len(gc.get_objects())}))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_a_target_loads_its_first_request_and_the_driver_but_not_the_other_targets():
    loaded = load("catalog.main:product")
    assert {"functions.catalog.api", "functions.catalog.products", "functions.runtime.db",
            "sqlalchemy.dialects.postgresql.pg8000", "pg8000"} <= set(loaded["modules"])
    assert "functions.catalog.handlers" not in loaded["modules"]  # the event handlers' target
    assert "functions.catalog.search" not in loaded["modules"]  # another HTTP target's use case


def test_what_a_target_loads_is_kept_out_of_the_collectors_full_collections():
    loaded = load("catalog.main:product")
    assert loaded["frozen_before"] == 0
    # SQLAlchemy alone is tens of thousands of objects; what is left tracked is what came after.
    assert loaded["frozen"] > 20_000 and loaded["tracked"] < loaded["frozen"] / 10


def test_a_name_that_is_no_target_is_an_attribute_error():
    import functions.catalog.main as catalog

    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        catalog.nothing  # noqa: B018

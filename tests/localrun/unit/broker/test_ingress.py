"""The broker ingress reads binary and structured CloudEvents and holds them to the contracts in events/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cloudevents.conversion import to_binary, to_structured
from cloudevents.http import CloudEvent

from localrun.broker.contracts import Contracts
from localrun.broker.ingress import InvalidEvent, problem_body, read_event

REPO = Path(__file__).resolve().parents[4]
TYPE = "com.ecom.tests.thing.happened"
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": f"https://ecom.example/events/schemas/{TYPE}.json",
    "type": "object", "additionalProperties": False, "required": ["thing_id", "at"],
    "properties": {"thing_id": {"type": "string", "format": "uuid"},
                   "at": {"type": "string", "format": "date-time"},
                   "lines": {"type": "array", "items": {"type": "object", "required": ["sku"],
                                                        "properties": {"sku": {"type": "string"}}}}},
}
GOOD = {"thing_id": "3f2b8a52-8d4c-4a0e-9d7a-0a3a9c1c2b11", "at": "2026-03-02T10:00:00Z"}


@pytest.fixture
def contracts(tmp_path: Path) -> Contracts:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "catalog.yaml").write_text(
        f"events:\n  - type: {TYPE}\n    producers: [tests]\n    consumers: []\n    meaning: x\n")
    (tmp_path / "schemas" / f"{TYPE}.json").write_text(json.dumps(SCHEMA))
    return Contracts(tmp_path)


def cloud_event(data: object = GOOD, **attributes: str) -> CloudEvent:
    return CloudEvent({"type": TYPE, "source": "/tests", "datacontenttype": "application/json"} | attributes,
                      data)


def fields(problems) -> dict[str, str]:
    return {p.field: p.message for p in problems}


class TestReadingEvents:
    def test_binary_mode_keeps_the_producers_bytes(self):
        ce = cloud_event(subject="s-1")
        headers, body = to_binary(ce)
        event = read_event(headers, body)
        assert event.attributes["id"] == ce["id"] and event.attributes["subject"] == "s-1"
        assert event.attributes["datacontenttype"] == "application/json" and event.data == body

    def test_structured_mode(self):
        ce = cloud_event(shard="7")
        headers, body = to_structured(ce)
        event = read_event(headers, body)
        assert event.type == TYPE and event.attributes["shard"] == "7"
        assert json.loads(event.data) == GOOD

    def test_structured_mode_with_base64_data(self):
        doc = {"specversion": "1.0", "id": "1", "type": TYPE, "source": "/t",
               "datacontenttype": "application/octet-stream", "data_base64": "AAEC"}
        event = read_event({"Content-Type": "application/cloudevents+json"}, json.dumps(doc).encode())
        assert event.data == b"\x00\x01\x02"

    def test_no_time_is_invented(self):
        event = read_event({"ce-specversion": "1.0", "ce-id": "1", "ce-type": TYPE, "ce-source": "/t",
                            "Content-Type": "application/json"}, b"{}")
        assert "time" not in event.attributes

    def test_every_missing_required_attribute_is_named(self):
        with pytest.raises(InvalidEvent) as exc:
            read_event({"ce-specversion": "1.0", "ce-type": TYPE}, b"{}")
        assert fields(exc.value.problems) == {"id": "is required", "source": "is required"}

    def test_a_request_that_is_no_cloudevent_is_refused(self):
        with pytest.raises(InvalidEvent) as exc:
            read_event({"Content-Type": "application/json"}, b"{}")
        assert [p.field for p in exc.value.problems] == ["specversion"]

    def test_a_structured_body_that_is_not_json_is_refused(self):
        with pytest.raises(InvalidEvent) as exc:
            read_event({"Content-Type": "application/cloudevents+json"}, b"{nope")
        assert [p.field for p in exc.value.problems] == ["body"]


class TestContracts:
    def test_a_valid_event_has_no_problems(self, contracts):
        assert contracts.check(read_event(*to_binary(cloud_event()))) == []

    def test_a_type_outside_the_catalog(self, contracts):
        problems = contracts.check(read_event(*to_binary(cloud_event(type="com.ecom.nope.x.y"))))
        assert fields(problems) == {"type": "'com.ecom.nope.x.y' is not in events/catalog.yaml"}

    def test_bad_data_names_each_path(self, contracts):
        data = {"thing_id": "not-a-uuid", "extra": 1, "lines": [{"sku": "a"}, {}]}
        got = fields(contracts.check(read_event(*to_binary(cloud_event(data)))))
        assert got.keys() == {"data.thing_id", "data.at", "data.extra", "data.lines.1.sku"}
        assert got["data.at"] == "is required" and got["data.extra"] == "unknown field"
        assert "uuid" in got["data.thing_id"]

    def test_formats_are_checked(self, contracts):
        got = fields(contracts.check(read_event(*to_binary(cloud_event(GOOD | {"at": "yesterday"})))))
        assert list(got) == ["data.at"]

    def test_data_that_is_not_json(self, contracts):
        event = read_event({"ce-specversion": "1.0", "ce-id": "1", "ce-type": TYPE, "ce-source": "/t",
                            "Content-Type": "application/json"}, b"{nope")
        assert fields(contracts.check(event)) == {"data": "is not valid JSON"}

    def test_attributes_are_checked_too(self, contracts):
        event = read_event(*to_binary(cloud_event(time="noon", datacontenttype="text/plain")))
        assert fields(contracts.check(event)).keys() == {"time", "datacontenttype"}

    def test_a_new_type_is_picked_up_when_the_catalog_changes(self, contracts, tmp_path):
        assert "com.ecom.tests.other.happened" not in contracts.types
        with (tmp_path / "catalog.yaml").open("a") as fh:
            fh.write("  - type: com.ecom.tests.other.happened\n    producers: [t]\n    consumers: []\n"
                     "    meaning: y\n")
        assert "com.ecom.tests.other.happened" in contracts.types

    def test_the_repositorys_catalog_loads(self):
        assert "com.ecom.accounts.user.registered" in Contracts(REPO / "events").types


def test_the_problem_document_is_rfc_9457_with_field_errors(contracts):
    problems = contracts.check(read_event(*to_binary(cloud_event(type="com.ecom.nope.x.y"))))
    doc = json.loads(problem_body(problems, "The event is not valid."))
    assert doc == {"type": "https://ecom.example/problems/invalid-event", "title": "Invalid event",
                   "status": 400, "detail": "The event is not valid.",
                   "errors": [{"field": "type",
                               "message": "'com.ecom.nope.x.y' is not in events/catalog.yaml"}]}

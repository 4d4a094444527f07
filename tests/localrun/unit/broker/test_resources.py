"""The local broker reads Triggers, Brokers and PingSources as Knative does, and times retries like it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from localrun.broker.loader import load_eventing
from localrun.broker.resources import Delivery, Destination, backoff_seconds, iso_duration, matches
from localrun.serving.manifests import ManifestError

REPO = Path(__file__).resolve().parents[4]

BROKER = """
apiVersion: eventing.knative.dev/v1alpha1
kind: RabbitmqBrokerConfig
metadata: {name: cfg, namespace: shop}
spec: {rabbitmqClusterReference: {name: r}, queueType: quorum}
---
apiVersion: eventing.knative.dev/v1
kind: Broker
metadata: {name: default, namespace: shop}
spec:
  config: {apiVersion: eventing.knative.dev/v1alpha1, kind: RabbitmqBrokerConfig, name: cfg}
  delivery:
    retry: 5
    backoffPolicy: exponential
    backoffDelay: PT0.5S
    deadLetterSink: {ref: {apiVersion: v1, kind: Service, name: dead-letter-sink}}
"""


def trigger(name: str = "t", **spec: object) -> dict:
    base = {"broker": "default", "filter": {"attributes": {"type": "com.ecom.a.b.c"}},
            "subscriber": {"ref": {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "name": "fn"}}}
    annotations = spec.pop("annotations", None)
    meta = {"name": name, "namespace": "shop", **({"annotations": annotations} if annotations else {})}
    return {"apiVersion": "eventing.knative.dev/v1", "kind": "Trigger", "metadata": meta, "spec": base | spec}


def load(tmp_path: Path, *docs: dict, broker: str = BROKER):
    (tmp_path / "broker.yaml").write_text(broker)
    (tmp_path / "more.yaml").write_text(yaml.safe_dump_all(docs))
    return load_eventing(tmp_path)


class TestTriggers:
    def test_a_trigger_reads_its_filter_subscriber_and_parallelism(self, tmp_path):
        annotations = {"rabbitmq.eventing.knative.dev/parallelism": "4"}
        filter_ = {"attributes": {"type": "com.ecom.a.b.c", "source": "/x"}}
        t, = load(tmp_path, trigger(annotations=annotations, filter=filter_)).triggers
        assert t.filter == {"type": "com.ecom.a.b.c", "source": "/x"} and t.parallelism == 4
        assert t.subscriber == Destination("function", "fn", "shop")
        assert t.subscriber.url == "http://fn.shop.svc.cluster.local"
        assert t.routing_key == "com.ecom.a.b.c"

    def test_parallelism_defaults_to_one_and_a_typeless_filter_binds_every_key(self, tmp_path):
        t, = load(tmp_path, trigger(filter={"attributes": {"source": "/x"}})).triggers
        assert t.parallelism == 1 and t.routing_key == "#"

    def test_a_trigger_without_delivery_falls_back_to_its_brokers(self, tmp_path):
        eventing = load(tmp_path, trigger())
        assert eventing.triggers[0].delivery == eventing.brokers["default"].delivery == Delivery(
            5, "exponential", 0.5, Destination("service", "dead-letter-sink", "shop"))

    def test_a_triggers_own_delivery_replaces_the_brokers_whole(self, tmp_path):
        t, = load(tmp_path, trigger(delivery={"retry": 2, "backoffPolicy": "linear"})).triggers
        assert t.delivery == Delivery(2, "linear", 0.05, None)

    def test_without_any_delivery_spec_there_is_none(self, tmp_path):
        broker = BROKER.split("  delivery:")[0]
        assert load(tmp_path, trigger(), broker=broker).triggers[0].delivery is None

    def test_the_brokers_queue_type_comes_from_its_rabbitmq_broker_config(self, tmp_path):
        assert load(tmp_path).brokers["default"].queue_type == "quorum"

    def test_a_uri_subscriber_and_a_uri_dead_letter_sink(self, tmp_path):
        t, = load(tmp_path, trigger(subscriber={"uri": "http://example.test:9/hook"},
                                    delivery={"deadLetterSink": {"uri": "http://dls.test/"}})).triggers
        assert t.subscriber == Destination("url", uri="http://example.test:9/hook")
        assert t.delivery.dead_letter_sink.url == "http://dls.test/"

    def test_a_trigger_on_an_unknown_broker_is_skipped(self, tmp_path):
        assert load(tmp_path, trigger(broker="elsewhere")).triggers == []

    @pytest.mark.parametrize("bad", [
        {"delivery": {"backoffPolicy": "fibonacci"}},
        {"delivery": {"backoffDelay": "0.5s"}},
        {"delivery": {"retry": -1}},
        {"annotations": {"rabbitmq.eventing.knative.dev/parallelism": "0"}},
        {"annotations": {"rabbitmq.eventing.knative.dev/parallelism": "1001"}},
        {"subscriber": {"ref": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "x"}}},
        {"subscriber": {"uri": "not a url"}},
    ])
    def test_a_bad_trigger_is_refused(self, tmp_path, bad):
        with pytest.raises(ManifestError):
            load(tmp_path, trigger(**bad))

    def test_the_repositorys_own_manifests_load(self):
        eventing = load_eventing(REPO / "knative")
        assert "default" in eventing.brokers
        assert all(t.subscriber.kind == "function" for t in eventing.triggers)
        # The dead-letter sink's Service says where the sink forwards: the local broker does the same.
        assert eventing.forwards == {"dead-letter-sink": Destination("function", "reporting-on-dead-letter", "ecom")}


class TestFilters:
    event = {"specversion": "1.0", "id": "1", "type": "com.ecom.a.b.c", "source": "/x", "shard": "7"}

    def test_every_attribute_must_match_exactly(self):
        assert matches({"type": "com.ecom.a.b.c", "source": "/x"}, self.event)
        assert not matches({"type": "com.ecom.a.b.c", "source": "/y"}, self.event)
        assert not matches({"type": "com.ecom.a.b"}, self.event)

    def test_extensions_are_attributes_too(self):
        assert matches({"shard": "7"}, self.event)
        assert not matches({"shard": "8"}, self.event)
        assert not matches({"region": "eu"}, self.event)

    def test_an_empty_value_matches_any_value_of_an_existing_attribute(self):
        assert matches({"shard": ""}, self.event) and matches({"subject": ""}, self.event)
        assert not matches({"region": ""}, self.event)

    def test_an_empty_filter_matches_everything(self):
        assert matches({}, self.event)


class TestBackoff:
    def test_exponential_doubles_from_twice_the_delay(self):
        assert [backoff_seconds("exponential", 0.5, n) for n in (1, 2, 3)] == [1.0, 2.0, 4.0]

    def test_linear_grows_by_the_delay(self):
        assert [backoff_seconds("linear", 0.2, n) for n in (1, 2, 3)] == pytest.approx([0.2, 0.4, 0.6])

    def test_retries_count_from_one(self):
        with pytest.raises(ValueError):
            backoff_seconds("linear", 1, 0)


class TestIsoDurations:
    @pytest.mark.parametrize("text, seconds", [
        ("PT0.2S", 0.2), ("PT1S", 1), ("PT1,5S", 1.5), ("PT2M", 120), ("PT1H30M", 5400),
        ("P1D", 86400), ("P1W", 604800), ("P1DT1S", 86401),
    ])
    def test_durations(self, text, seconds):
        assert iso_duration(text) == pytest.approx(seconds)

    @pytest.mark.parametrize("text", ["", "P", "PT", "1S", "PT-1S", "PT1.5", "P1H", "pt1s"])
    def test_not_durations(self, text):
        with pytest.raises(ValueError):
            iso_duration(text)

"""The rules only admission webhooks enforce are checked here, and each check can fail."""

from __future__ import annotations

from typing import Any

import pytest

from tests.manifests.checks.eventing import (
    check_broker,
    check_pingsources,
    check_relays_and_bridge,
    check_triggers,
    cron_problem,
)
from tests.manifests.checks.serving import check_autoscaling, check_revision_limits
from tests.manifests.conftest import Tree, ksvc, reports

AS = "autoscaling.knative.dev/"
EVENT_TYPE = "com.ecom.test.thing.happened"
BROKER = "knative/eventing/broker.yaml"


class TestAutoscaling:
    def test_annotations_on_the_service_itself_fail(self, tree: Tree) -> None:
        tree.write("knative/services/demo.yaml", ksvc(meta={"annotations": {f"{AS}min-scale": "0"}}))
        assert reports(check_autoscaling(tree.project()), "metadata.annotations", "spec.template.metadata")

    @pytest.mark.parametrize(
        "key, value, why",
        [
            ("min-scale", "-1", "must be an integer 0.."),
            ("min-scale", "one", "must be an integer 0.."),
            ("max-scale", "2.5", "must be an integer 0.."),
            ("window", "5s", "6s..3600s"),
            ("window", "2h", "6s..3600s"),
            ("class", "kpa", "must be one of"),
            ("metric", "latency", "must be one of"),
            ("target", "0", "0.01"),
            ("minScale", "0", "unknown annotation"),
        ],
    )
    def test_bad_values_fail(self, tree: Tree, key: str, value: str, why: str) -> None:
        tree.write("knative/services/demo.yaml", ksvc(annotations={AS + key: value}))
        assert reports(check_autoscaling(tree.project()), AS + key, why)

    def test_an_unquoted_value_fails(self, tree: Tree) -> None:
        tree.write("knative/services/demo.yaml", ksvc(annotations={f"{AS}min-scale": 0}))
        assert reports(check_autoscaling(tree.project()), "must be a string")

    def test_max_scale_below_min_scale_fails(self, tree: Tree) -> None:
        tree.write(
            "knative/services/demo.yaml", ksvc(annotations={f"{AS}min-scale": "3", f"{AS}max-scale": "2"})
        )
        assert reports(check_autoscaling(tree.project()), "max-scale 2 is below min-scale 3")

    def test_good_values_pass(self, tree: Tree) -> None:
        tree.write(
            "knative/services/demo.yaml",
            ksvc(
                annotations={
                    f"{AS}class": "kpa.autoscaling.knative.dev",
                    f"{AS}metric": "rps",
                    f"{AS}target": "150",
                    f"{AS}min-scale": "0",
                    f"{AS}max-scale": "0",
                    f"{AS}window": "1m30s",
                    f"{AS}scale-down-delay": "15m",
                }
            ),
        )
        assert check_autoscaling(tree.project()) == []


class TestRevisionLimits:
    @pytest.mark.parametrize(
        "field, value",
        [
            ("containerConcurrency", 1001),
            ("containerConcurrency", -1),
            ("timeoutSeconds", 601),
            ("timeoutSeconds", "30"),
        ],
    )
    def test_values_outside_knatives_limits_fail(self, tree: Tree, field: str, value: Any) -> None:
        tree.write("knative/services/demo.yaml", ksvc(spec={field: value}))
        assert reports(check_revision_limits(tree.project()), f"{field} {value!r}")


class TestBroker:
    def test_a_broker_without_the_rabbitmq_class_fails(self, tree: Tree) -> None:
        tree.edit(BROKER, "eventing.knative.dev/broker.class: RabbitMQBroker", "example.com/owner: us")
        assert reports(check_broker(tree.project()), "Broker/default", "broker.class must be RabbitMQBroker")

    def test_a_broker_of_another_class_fails(self, tree: Tree) -> None:
        tree.edit(BROKER, "broker.class: RabbitMQBroker", "broker.class: MTChannelBasedBroker")
        assert reports(check_broker(tree.project()), "MTChannelBasedBroker")

    def test_a_config_that_is_not_a_rabbitmq_broker_config_fails(self, tree: Tree) -> None:
        tree.edit(
            BROKER,
            "    apiVersion: eventing.knative.dev/v1alpha1\n    kind: RabbitmqBrokerConfig\n",
            "    apiVersion: v1\n    kind: ConfigMap\n",
        )
        assert reports(check_broker(tree.project()), "spec.config must reference a RabbitmqBrokerConfig")

    def test_a_config_that_does_not_exist_fails(self, tree: Tree) -> None:
        tree.edit(BROKER, "    name: ecom-broker\n", "    name: elsewhere\n")
        assert reports(check_broker(tree.project()), "'elsewhere'", "do not define")

    def test_a_config_on_a_missing_rabbitmq_cluster_fails(self, tree: Tree) -> None:
        tree.remove("knative/eventing/rabbitmq.yaml")
        assert reports(
            check_broker(tree.project()), "RabbitmqBrokerConfig/ecom-broker", "not a RabbitmqCluster"
        )

    def test_classic_queues_fail(self, tree: Tree) -> None:
        tree.edit(BROKER, "queueType: quorum", "queueType: classic")
        assert reports(check_broker(tree.project()), "queueType must be quorum")

    def test_a_bad_broker_delivery_fails(self, tree: Tree) -> None:
        tree.edit(BROKER, "backoffPolicy: exponential", "backoffPolicy: fibonacci")
        assert reports(check_broker(tree.project()), "backoffPolicy 'fibonacci'")


def trigger(**spec: Any) -> dict[str, Any]:
    """Return a well-formed Trigger to a catalog function, with `spec` fields replaced."""
    base = {
        "broker": "default",
        "filter": {"attributes": {"type": EVENT_TYPE}},
        "subscriber": {
            "ref": {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "name": "catalog-products"}
        },
        "delivery": {
            "retry": 5,
            "backoffPolicy": "exponential",
            "backoffDelay": "PT0.5S",
            "deadLetterSink": {"ref": {"apiVersion": "v1", "kind": "Service", "name": "dead-letter-sink"}},
        },
    }
    return {
        "apiVersion": "eventing.knative.dev/v1",
        "kind": "Trigger",
        "metadata": {
            "name": "catalog-on-thing-happened",
            "namespace": "ecom",
            "annotations": {"rabbitmq.eventing.knative.dev/parallelism": "4"},
        },
        "spec": {k: v for k, v in (base | spec).items() if v is not None},
    }


class TestTriggers:
    @pytest.fixture
    def tree(self, tree: Tree) -> Tree:
        tree.write("events/catalog.yaml", {"events": [{"type": EVENT_TYPE, "producer": "test"}]})
        return tree

    def test_a_well_formed_trigger_passes(self, tree: Tree) -> None:
        tree.write("knative/eventing/triggers.yaml", trigger())
        assert check_triggers(tree.project()) == []

    def test_without_an_event_catalog_every_trigger_fails(self, tree: Tree) -> None:
        tree.remove("events/catalog.yaml")
        tree.write("knative/eventing/triggers.yaml", trigger())
        assert reports(check_triggers(tree.project()), EVENT_TYPE, "not in events/catalog.yaml")

    def test_a_type_missing_from_the_catalog_fails(self, tree: Tree) -> None:
        tree.write(
            "knative/eventing/triggers.yaml", trigger(filter={"attributes": {"type": "com.ecom.x.y.z"}})
        )
        assert reports(check_triggers(tree.project()), "com.ecom.x.y.z", "not in events/catalog.yaml")

    def test_spec_filters_fails(self, tree: Tree) -> None:
        tree.write(
            "knative/eventing/triggers.yaml", trigger(filter=None, filters=[{"exact": {"type": EVENT_TYPE}}])
        )
        problems = check_triggers(tree.project())
        assert reports(problems, "spec.filters is ignored") and reports(problems, "spec.filter.attributes")

    def test_a_filter_value_that_is_not_a_string_fails(self, tree: Tree) -> None:
        tree.write(
            "knative/eventing/triggers.yaml",
            trigger(filter={"attributes": {"type": EVENT_TYPE, "specversion": 1.0}}),
        )
        assert reports(check_triggers(tree.project()), "specversion must be a string")

    def test_a_subscriber_that_is_not_a_knative_service_fails(self, tree: Tree) -> None:
        tree.write(
            "knative/eventing/triggers.yaml",
            trigger(
                subscriber={
                    "ref": {
                        "apiVersion": "serving.knative.dev/v1",
                        "kind": "Service",
                        "name": "catalog-nothing",
                    }
                }
            ),
        )
        assert reports(check_triggers(tree.project()), "catalog-nothing", "not a Knative Service")

    def test_a_broker_that_does_not_exist_fails(self, tree: Tree) -> None:
        tree.write("knative/eventing/triggers.yaml", trigger(broker="events"))
        assert reports(check_triggers(tree.project()), "spec.broker 'events'")

    @pytest.mark.parametrize("value", ["0", "1001", "many"])
    def test_parallelism_outside_1_to_1000_fails(self, tree: Tree, value: str) -> None:
        doc = trigger()
        doc["metadata"]["annotations"]["rabbitmq.eventing.knative.dev/parallelism"] = value
        tree.write("knative/eventing/triggers.yaml", doc)
        assert reports(check_triggers(tree.project()), "parallelism", "1..1000")

    def test_a_trigger_without_a_delivery_policy_fails(self, tree: Tree) -> None:
        tree.write("knative/eventing/triggers.yaml", trigger(delivery=None))
        assert reports(check_triggers(tree.project()), "delivery must retry")

    def test_a_backoff_delay_that_is_not_iso_8601_fails(self, tree: Tree) -> None:
        doc = trigger()
        doc["spec"]["delivery"]["backoffDelay"] = "1s"
        tree.write("knative/eventing/triggers.yaml", doc)
        assert reports(check_triggers(tree.project()), "backoffDelay '1s'", "ISO 8601")

    def test_a_dead_letter_sink_that_does_not_exist_fails(self, tree: Tree) -> None:
        doc = trigger()
        doc["spec"]["delivery"]["deadLetterSink"]["ref"]["name"] = "nobody"
        tree.write("knative/eventing/triggers.yaml", doc)
        assert reports(check_triggers(tree.project()), "deadLetterSink", "nobody")


def ping(schedule: str, sink: str = "default") -> dict[str, Any]:
    return {
        "apiVersion": "sources.knative.dev/v1",
        "kind": "PingSource",
        "metadata": {"name": "expire-reservations", "namespace": "ecom"},
        "spec": {
            "schedule": schedule,
            "contentType": "application/json",
            "data": "{}",
            "sink": {"ref": {"apiVersion": "eventing.knative.dev/v1", "kind": "Broker", "name": sink}},
        },
    }


class TestPingSources:
    def test_a_well_formed_ping_source_passes(self, tree: Tree) -> None:
        tree.write("knative/eventing/pings.yaml", ping("*/5 * * * *"))
        assert check_pingsources(tree.project()) == []

    def test_a_bad_schedule_fails(self, tree: Tree) -> None:
        tree.write("knative/eventing/pings.yaml", ping("*/5 * * *"))
        assert reports(check_pingsources(tree.project()), "schedule '*/5 * * *'", "4 fields")

    def test_a_sink_that_does_not_exist_fails(self, tree: Tree) -> None:
        tree.write("knative/eventing/pings.yaml", ping("0 * * * *", sink="elsewhere"))
        assert reports(check_pingsources(tree.project()), "spec.sink", "elsewhere")

    @pytest.mark.parametrize(
        "schedule", ["*/5 * * * *", "0 3 * * MON-FRI", "15,45 8-18/2 1 jan,jul 0", "@hourly", "0 0 * * ?"]
    )
    def test_standard_schedules_are_valid(self, schedule: str) -> None:
        assert cron_problem(schedule) is None

    @pytest.mark.parametrize(
        "schedule, why",
        [
            ("61 * * * *", "minute"),
            ("* 24 * * *", "hour"),
            ("* * 0 * *", "day of month"),
            ("* * * 13 *", "month"),
            ("* * * * 7", "day of week"),
            ("*/0 * * * *", "step"),
            ("* * * * * *", "6 fields"),
            ("@often", "1 fields"),
            ("1-2-3 * * * *", "minute"),
        ],
    )
    def test_bad_schedules_are_named(self, schedule: str, why: str) -> None:
        assert why in (cron_problem(schedule) or "")


class TestRelaysAndBridge:
    BRIDGE = "knative/eventing/bridge.yaml"

    def test_a_domain_without_a_relay_fails(self, tree: Tree) -> None:
        tree.edit("knative/services/relays.yaml", "--domain, catalog]", "--domain, catalogue]")
        assert reports(check_relays_and_bridge(tree.project()), "domain catalog: no relay Deployment")

    def test_a_source_that_declares_its_own_exchange_fails(self, tree: Tree) -> None:
        tree.edit(self.BRIDGE, "    predeclared: true", "    predeclared: false\n    exchangeName: ecom.events")
        assert reports(check_relays_and_bridge(tree.project()), "predeclared must be true", "headers exchange")

    def test_a_source_without_its_resources_config_fails(self, tree: Tree) -> None:
        tree.edit(self.BRIDGE, "  rabbitmqResourcesConfig:\n", "  rabbitmqResourcesConfigs:\n")
        assert reports(check_relays_and_bridge(tree.project()), "rabbitmqResourcesConfig is required")

    def test_an_exchange_nobody_bridges_fails(self, tree: Tree) -> None:
        tree.edit(self.BRIDGE, 'routingKey: "#"', "routingKey: com.ecom.accounts.#")
        assert reports(check_relays_and_bridge(tree.project()), "relay of catalog", "'ecom.events'", "no RabbitmqSource")

    def test_a_relay_publishing_elsewhere_fails(self, tree: Tree) -> None:
        tree.edit("knative/services/relays.yaml", "value: ecom.events", "value: ecom.other")
        assert reports(check_relays_and_bridge(tree.project()), "'ecom.other'")

    def test_a_source_delivering_to_a_service_fails(self, tree: Tree) -> None:
        tree.edit(self.BRIDGE, "      kind: Broker\n      name: default", "      kind: Service\n      name: dead-letter-sink")
        tree.edit(self.BRIDGE, "apiVersion: eventing.knative.dev/v1\n      kind: Service", "apiVersion: v1\n      kind: Service")
        assert reports(check_relays_and_bridge(tree.project()), "spec.sink must be the Broker")

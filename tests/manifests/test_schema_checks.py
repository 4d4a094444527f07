"""The schema checks (CRDs made strict, built-in kinds, our own schemas) and yamllint catch mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.manifests.checks.tools import check_yamllint
from tests.manifests.checks.validate import check_schemas, strict
from tests.manifests.conftest import Tree, ksvc, reports

KONG = "knative/kong/kong.yaml"


class TestStrictCrdSchemas:
    def test_objects_with_properties_are_closed(self) -> None:
        schema = strict({"type": "object", "properties": {"spec": {"type": "object", "properties": {}}}})
        assert schema["additionalProperties"] is False
        assert schema["properties"]["spec"]["additionalProperties"] is False

    def test_preserved_and_free_form_objects_stay_open(self) -> None:
        schema = strict(
            {
                "type": "object",
                "properties": {
                    "free": {"type": "object"},
                    "kept": {
                        "type": "object",
                        "properties": {},
                        "x-kubernetes-preserve-unknown-fields": True,
                    },
                },
            }
        )
        assert "additionalProperties" not in schema["properties"]["free"]
        assert "additionalProperties" not in schema["properties"]["kept"]

    def test_the_root_allows_type_and_object_metadata(self) -> None:
        assert {"apiVersion", "kind", "metadata"} <= set(strict({"properties": {}})["properties"])


class TestKubernetesObjects:
    def test_a_misspelt_knative_service_field_fails(self, tree: Tree) -> None:
        tree.write("knative/services/demo.yaml", ksvc(spec={"containerConcurency": 10}))
        assert reports(check_schemas(tree.project()), "containerConcurency", "unexpected")

    def test_a_value_outside_a_crd_enum_fails(self, tree: Tree) -> None:
        tree.edit("knative/eventing/broker.yaml", "queueType: quorum", "queueType: lazy")
        assert reports(check_schemas(tree.project()), "queueType", "'lazy' is not one of")

    def test_a_misspelt_cloudnative_pg_field_fails(self, tree: Tree) -> None:
        tree.edit("knative/database/cluster.yaml", "enableSuperuserAccess", "enableSuperUserAccess")
        assert reports(check_schemas(tree.project()), "enableSuperUserAccess")

    def test_a_misspelt_built_in_field_fails(self, tree: Tree) -> None:
        tree.edit(
            "knative/eventing/dead-letter-sink.yaml", "readOnlyRootFilesystem", "readOnlyRootFileSystem"
        )
        assert reports(check_schemas(tree.project()), "Deployment/dead-letter-sink", "readOnlyRootFileSystem")

    def test_a_wrong_built_in_type_fails(self, tree: Tree) -> None:
        tree.edit("knative/migrations/migrate-job.yaml", "backoffLimit: 10", "backoffLimit: ten")
        assert reports(check_schemas(tree.project()), "Job/ecom-migrate", "backoffLimit")

    def test_an_unknown_kind_fails(self, tree: Tree) -> None:
        tree.write(
            "knative/widget.yaml",
            {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}},
        )
        assert reports(check_schemas(tree.project()), "unknown kind Widget")

    def test_a_file_that_is_nothing_known_fails(self, tree: Tree) -> None:
        tree.write("knative/notes.yaml", {"hello": "world"})
        assert reports(check_schemas(tree.project()), "notes.yaml", "neither a Kubernetes object")

    def test_yaml_that_does_not_parse_fails(self, tree: Tree) -> None:
        tree.write("kind-cluster/broken.yaml", "a: [b\n")
        assert reports(check_schemas(tree.project()), "broken.yaml", "not valid YAML")

    def test_without_the_vendored_crds_the_check_fails_clearly(self, tree: Tree, tmp_path: Path) -> None:
        assert reports(check_schemas(tree.project(crds=tmp_path / "nowhere")), "has no CRDs", "refresh.sh")


class TestOwnSchemas:
    def test_a_misspelt_kong_route_field_fails(self, tree: Tree) -> None:
        tree.edit(KONG, "strip_path: false", "stripPath: false")
        assert reports(check_schemas(tree.project()), "kong.yaml", "stripPath")

    @pytest.mark.parametrize(
        "plugin, field",
        [
            ("{name: rate-limiting, config: {minute: 60, policy: cluster}}", "policy"),
            ("{name: rate-limiting, config: {policy: local}}", "config"),
            ("{name: correlation-id, config: {header_name: X-Request-ID, generator: random}}", "generator"),
            ("{name: cors, config: {origins: ['*'], methods: [FETCH]}}", "methods"),
            ("{name: jwt, config: {claims_to_verify: [iat]}}", "claims_to_verify"),
            (
                "{name: request-size-limiting, config: {allowed_payload_size: 1, size_unit: gigabytes}}",
                "size_unit",
            ),
            ("{name: prometheus, config: {per_consumers: true}}", "per_consumers"),
            ("{name: basic-auth}", "name"),
        ],
    )
    def test_a_kong_plugin_with_a_bad_setting_fails(self, tree: Tree, plugin: str, field: str) -> None:
        tree.add_kong("plugins", plugin)
        assert reports(check_schemas(tree.project()), "kong.yaml", field)

    def test_a_jwt_consumer_with_an_rsa_algorithm_needs_its_public_key(self, tree: Tree) -> None:
        tree.add_kong("consumers", "{username: someone, jwt_secrets: [{key: k, algorithm: RS256}]}")
        assert reports(check_schemas(tree.project()), "kong.yaml", "rsa_public_key")

    def test_what_kong_allows_beyond_our_current_file_is_accepted(self, tree: Tree) -> None:
        tree.add_kong(
            "plugins",
            "{name: rate-limiting, route: catalog-products, config: {minute: 600, policy: local, limit_by: ip}}",
            "{name: rate-limiting, route: {name: catalog-product}, config: {second: 5, error_code: 429}}",
        )
        tree.add_kong(
            "consumers",
            """
            username: a-service
            id: 0b9c1f7e-4a61-4c1e-9a5e-3f1d2c4b5a60
            jwt_secrets:
              - {key: a-service, algorithm: HS256, secret: not-a-real-one}
              - {key: a-service-2, algorithm: ES256, rsa_public_key: "{vault://env/ecom-jwt-public-pem}"}
            """,
        )
        assert check_schemas(tree.project()) == []

    def test_a_misspelt_kind_config_field_fails(self, tree: Tree) -> None:
        tree.edit("kind-cluster/kind-config.yaml", "extraPortMappings", "extraPortMapping")
        assert reports(check_schemas(tree.project()), "kind-config.yaml", "extraPortMapping")

    def test_a_misspelt_kustomization_field_fails(self, tree: Tree) -> None:
        tree.edit("knative/eventing/kustomization.yaml", "configMapGenerator", "configMapGenerators")
        assert reports(check_schemas(tree.project()), "eventing/kustomization.yaml", "configMapGenerators")

    def test_a_bad_func_template_manifest_fails(self, tree: Tree) -> None:
        tree.edit("knative/func-templates/python/http/manifest.yaml", "invoke: http", "invoke: rest")
        assert reports(check_schemas(tree.project()), "manifest.yaml", "invoke")


class TestYamllint:
    def test_a_long_line_fails(self, tree: Tree) -> None:
        tree.write("knative/long.yaml", f"key: {'x' * 130}\n")
        assert reports(check_yamllint(tree.project()), "knative/long.yaml", "line too long")

    def test_a_duplicated_key_fails(self, tree: Tree) -> None:
        tree.write("kind-cluster/twice.yaml", "name: a\nname: b\n")
        assert reports(check_yamllint(tree.project()), "twice.yaml", "duplication of key")

    def test_yaml_outside_the_manifest_folders_is_linted_too(self, tree: Tree) -> None:
        tree.write("events/catalog.yaml", "events:   \n  - type: x\n")
        assert reports(check_yamllint(tree.project()), "events/catalog.yaml", "trailing spaces")

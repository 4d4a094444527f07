"""The cross-file checks (images, kustomization, database, function Services, builds) can fail."""

from __future__ import annotations

from tests.manifests.checks.builds import (
    check_domain_builds,
    check_func_templates,
    check_images,
    check_kustomization,
)
from tests.manifests.checks.consistency import (
    check_database,
    check_function_services,
    check_kong_references,
    check_kong_secrets,
)
from tests.manifests.conftest import Tree, ksvc, reports

CATALOG = "knative/services/catalog.yaml"
KONG = "knative/kong/kong.yaml"


def new_domain(tree: Tree, domain: str = "returns") -> None:
    tree.write(f"functions/{domain}/main.py", '__all__ = ["returns"]\n')


class TestImages:
    def test_an_image_make_images_does_not_build_fails(self, tree: Tree) -> None:
        doc = ksvc()
        doc["spec"]["template"]["spec"]["containers"][0]["image"] = "localhost:5001/ecom-returns:latest"
        tree.write("knative/services/demo.yaml", doc)
        assert reports(check_images(tree.project()), "ecom-returns", "not built by `make images`")

    def test_an_image_make_images_stopped_building_fails(self, tree: Tree) -> None:
        tree.edit("Makefile", "IMAGE_NAMES := $(DOMAINS) migrate", "IMAGE_NAMES := $(DOMAINS)")
        assert reports(check_images(tree.project()), "Job/ecom-migrate", "ecom-migrate:latest")

    def test_a_new_domain_gets_its_image_from_the_one_dockerfile(self, tree: Tree) -> None:
        new_domain(tree)
        doc = ksvc("returns-returns")
        doc["spec"]["template"]["spec"]["containers"][0]["image"] = "localhost:5001/ecom-returns:latest"
        tree.write("knative/services/returns.yaml", doc)
        assert not reports(check_images(tree.project()), "ecom-returns")

    def test_an_upstream_image_without_a_fixed_tag_fails(self, tree: Tree) -> None:
        tree.edit("knative/kong/gateway.yaml", "image: kong:3.9.1", "image: kong")
        tree.edit("knative/eventing/dead-letter-sink.yaml", "image: python:3.12-slim", "image: python:latest")
        problems = check_images(tree.project())
        assert reports(problems, "image kong ", "fixed tag") and reports(
            problems, "python:latest", "fixed tag"
        )


class TestKustomization:
    def test_a_manifest_left_out_of_the_kustomization_fails(self, tree: Tree) -> None:
        tree.write("knative/services/returns.yaml", ksvc("returns-returns"))
        assert reports(check_kustomization(tree.project()), "knative/services/returns.yaml", "not applied")

    def test_a_listed_file_that_does_not_exist_fails(self, tree: Tree) -> None:
        tree.remove("knative/eventing/rabbitmq.yaml")
        assert reports(check_kustomization(tree.project()), "eventing/kustomization.yaml: resource rabbitmq.yaml does not exist")

    def test_a_generator_file_that_does_not_exist_fails(self, tree: Tree) -> None:
        tree.remove(KONG)
        assert reports(check_kustomization(tree.project()), "configMapGenerator file kong.yaml")

    def test_a_kind_cluster_manifest_no_script_applies_fails(self, tree: Tree) -> None:
        tree.write(
            "kind-cluster/extra.yaml",
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "extra", "namespace": "ecom"}},
        )
        assert reports(check_kustomization(tree.project()), "kind-cluster/extra.yaml", "no kind-cluster/*.sh")


class TestDatabase:
    def test_a_new_domain_without_its_role_fails(self, tree: Tree) -> None:
        new_domain(tree)
        assert reports(check_database(tree.project()), "managed role ecom_returns")

    def test_a_service_reading_another_domains_database_fails(self, tree: Tree) -> None:
        tree.edit(CATALOG, "name: ecom-db-catalog", "name: ecom-db-accounts")
        assert reports(check_database(tree.project()), "Service/catalog-categories", "Secret ecom-db-catalog")

    def test_a_secret_deploy_does_not_make_fails(self, tree: Tree) -> None:
        tree.edit(CATALOG, "name: ecom-jwt\n", "name: ecom-payments-key\n")
        assert reports(check_database(tree.project()), "Secret ecom-payments-key", "deploy.sh")


class TestFunctionServices:
    def test_a_service_without_max_scale_fails(self, tree: Tree) -> None:
        tree.edit(CATALOG, '        autoscaling.knative.dev/max-scale: "10"\n', "")
        assert reports(check_function_services(tree.project()), "catalog-categories", "a max-scale")

    def test_a_service_that_does_not_scale_to_zero_fails(self, tree: Tree) -> None:
        tree.edit(CATALOG, 'min-scale: "0"', 'min-scale: "1"')
        assert reports(check_function_services(tree.project()), "catalog-categories", 'min-scale "0"')

    def test_a_readiness_probe_elsewhere_fails(self, tree: Tree) -> None:
        tree.edit(CATALOG, "path: /health/readiness", "path: /healthz")
        assert reports(check_function_services(tree.project()), "readiness probe on /health/readiness")

    def test_a_service_without_limits_fails(self, tree: Tree) -> None:
        tree.edit(CATALOG, "            limits:\n", "            limitz:\n")
        assert reports(check_function_services(tree.project()), "requests and limits")

    def test_a_target_main_py_does_not_export_fails(self, tree: Tree) -> None:
        tree.edit(CATALOG, "value: categories", "value: shelves")
        assert reports(check_function_services(tree.project()), "FUNCTION_TARGET of its main.py")

    def test_an_event_handler_needs_no_http_readiness_probe(self, tree: Tree) -> None:
        doc = ksvc(
            "catalog-products",
            signature="cloudevent",
            annotations={"autoscaling.knative.dev/min-scale": "0", "autoscaling.knative.dev/max-scale": "5"},
        )
        container = doc["spec"]["template"]["spec"]["containers"][0]
        container.update(
            envFrom=[{"configMapRef": {"name": "ecom-config"}}],
            resources={
                "requests": {"cpu": "10m", "memory": "64Mi"},
                "limits": {"cpu": "1", "memory": "256Mi"},
            },
        )
        doc["metadata"]["labels"] = {"ecom.dev/domain": "catalog"}
        tree.write(CATALOG, doc)
        assert check_function_services(tree.project()) == []


class TestDomainBuilds:
    def test_a_new_domain_without_a_func_yaml_fails(self, tree: Tree) -> None:
        new_domain(tree)
        assert reports(check_domain_builds(tree.project()), "no functions/returns/func.yaml")

    def test_a_dockerfile_that_copies_another_domain_fails(self, tree: Tree) -> None:
        tree.edit(
            "knative/images/Dockerfile",
            "COPY functions/${DOMAIN}/ functions/${DOMAIN}/\n",
            "COPY functions/${DOMAIN}/ functions/${DOMAIN}/\nCOPY functions/accounts/ functions/accounts/\n",
        )
        assert reports(check_domain_builds(tree.project()), "Dockerfile", "must copy exactly")

    def test_a_dockerfile_without_the_domain_argument_or_bytecode_fails(self, tree: Tree) -> None:
        tree.edit("knative/images/Dockerfile", "ARG DOMAIN\n", "ENV DOMAIN=catalog\n")
        tree.edit("knative/images/Dockerfile", "RUN python -m compileall -q functions\n", "")
        problems = check_domain_builds(tree.project())
        assert reports(problems, "ARG DOMAIN") and reports(problems, "compileall")

    def test_a_func_yaml_of_another_spec_version_fails(self, tree: Tree) -> None:
        tree.edit("functions/catalog/func.yaml", "specVersion: 0.36.0", "specVersion: 0.35.0")
        assert reports(check_domain_builds(tree.project()), "func.yaml", "specVersion")

    def test_a_func_yaml_naming_another_image_fails(self, tree: Tree) -> None:
        tree.edit(
            "functions/catalog/func.yaml",
            "image: localhost:5001/ecom-catalog:latest",
            "image: localhost:5001/catalog:latest",
        )
        assert reports(check_domain_builds(tree.project()), "func.yaml", "image")


class TestFuncTemplates:
    def test_a_template_without_its_function_fails(self, tree: Tree) -> None:
        tree.remove("knative/func-templates/python/cloudevents/main.py")
        assert reports(check_func_templates(tree.project()), "python/cloudevents/main.py is missing")


class TestKongReferences:
    def test_a_plugin_on_a_route_that_does_not_exist_fails(self, tree: Tree) -> None:
        tree.add_kong("plugins", "{name: rate-limiting, route: nowhere, config: {minute: 5}}")
        assert reports(check_kong_references(tree.project()), "route 'nowhere'")

    def test_a_plugin_on_a_consumer_named_by_a_missing_id_fails(self, tree: Tree) -> None:
        missing = "5f1e2a4c-0000-4000-8000-000000000001"
        tree.add_kong(
            "plugins", {"name": "rate-limiting", "consumer": {"id": missing}, "config": {"minute": 5}}
        )
        assert reports(check_kong_references(tree.project()), f"consumer '{missing}'")

    def test_a_service_defined_twice_fails(self, tree: Tree) -> None:
        tree.update(KONG, lambda kong: kong["services"].append(dict(kong["services"][0])))
        assert reports(check_kong_references(tree.project()), "is defined twice")


class TestKongSecrets:
    VAULT = "{vault://env/ecom-signing-service}"

    def test_a_vault_reference_kong_gets_no_variable_for_fails(self, tree: Tree) -> None:
        tree.add_kong(
            "consumers",
            {
                "username": "svc",
                "jwt_secrets": [{"key": "svc", "algorithm": "RS256", "rsa_public_key": self.VAULT}],
            },
        )
        assert reports(check_kong_secrets(tree.project()), self.VAULT, "ECOM_SIGNING_SERVICE")

    def test_a_vault_reference_with_its_variable_from_a_secret_passes(self, tree: Tree) -> None:
        tree.add_kong(
            "consumers",
            {
                "username": "svc",
                "jwt_secrets": [{"key": "svc", "algorithm": "RS256", "rsa_public_key": self.VAULT}],
            },
        )
        tree.edit(
            "knative/kong/gateway.yaml",
            "          env:\n",
            "          env:\n"
            "            - name: ECOM_SIGNING_SERVICE\n"
            "              valueFrom: {secretKeyRef: {name: ecom-jwt, key: public.pem}}\n",
        )
        assert check_kong_secrets(tree.project()) == []

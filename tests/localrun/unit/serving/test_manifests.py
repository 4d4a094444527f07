"""The local runtime reads each function's target and environment from the Knative manifests."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from localrun.serving.manifests import ManifestError, load_config_maps, load_services

REPO = Path(__file__).resolve().parents[4]

CONFIG_MAP = """
apiVersion: v1
kind: ConfigMap
metadata: {name: shared, namespace: ecom}
data:
  LOG_LEVEL: INFO
  GREETING: from-config-map
  POOL_SIZE: 4
"""


def ksvc(name: str, env: str = "", env_from: str = "", annotations: str = "") -> str:
    """Return a Knative Service manifest; env, env_from and annotations are YAML snippets."""
    container = {
        "image": "example",
        "env": [{"name": "FUNCTION_SOURCE", "value": "functions/demo/main.py"},
                {"name": "FUNCTION_TARGET", "value": name}] + (yaml.safe_load(env) or []),
    }
    if env_from:
        container["envFrom"] = yaml.safe_load(env_from)
    return yaml.safe_dump({
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "ecom"},
        "spec": {"template": {"metadata": {"annotations": yaml.safe_load(annotations) or {}},
                              "spec": {"containers": [container]}}},
    })


def write(root: Path, name: str, *docs: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n---\n".join(docs))


SECRETS = {("db", "url"): "postgresql://secret", ("jwt", "public.pem"): "PEM"}


class TestEnvironment:
    def test_plain_values_become_env(self, tmp_path: Path) -> None:
        write(tmp_path, "svc.yaml", ksvc("demo", env="- {name: COLOR, value: blue}\n"))
        spec = load_services(tmp_path, SECRETS)["demo"]
        assert spec.env["COLOR"] == "blue"

    def test_secret_key_ref_takes_the_supplied_secret(self, tmp_path: Path) -> None:
        env = "- name: DATABASE_URL\n  valueFrom: {secretKeyRef: {name: db, key: url}}\n"
        write(tmp_path, "svc.yaml", ksvc("demo", env=env))
        assert load_services(tmp_path, SECRETS)["demo"].env["DATABASE_URL"] == "postgresql://secret"

    def test_config_map_key_ref_reads_the_config_map(self, tmp_path: Path) -> None:
        env = "- name: LEVEL\n  valueFrom: {configMapKeyRef: {name: shared, key: LOG_LEVEL}}\n"
        write(tmp_path, "config.yaml", CONFIG_MAP)
        write(tmp_path, "services/svc.yaml", ksvc("demo", env=env))
        assert load_services(tmp_path, SECRETS)["demo"].env["LEVEL"] == "INFO"

    def test_env_from_brings_every_key_as_a_string(self, tmp_path: Path) -> None:
        write(tmp_path, "config.yaml", CONFIG_MAP)
        write(tmp_path, "svc.yaml", ksvc("demo", env_from="- configMapRef: {name: shared}\n"))
        env = load_services(tmp_path, SECRETS)["demo"].env
        assert env["LOG_LEVEL"] == "INFO" and env["POOL_SIZE"] == "4"

    def test_explicit_env_overrides_env_from(self, tmp_path: Path) -> None:
        write(tmp_path, "config.yaml", CONFIG_MAP)
        write(tmp_path, "svc.yaml", ksvc("demo", env="- {name: GREETING, value: explicit}\n",
                                         env_from="- configMapRef: {name: shared}\n"))
        assert load_services(tmp_path, SECRETS)["demo"].env["GREETING"] == "explicit"

    def test_dollar_references_expand_earlier_variables(self, tmp_path: Path) -> None:
        env = "- {name: HOST, value: db}\n- {name: URL, value: 'pg://$(HOST)/x $$(HOST)'}\n"
        write(tmp_path, "svc.yaml", ksvc("demo", env=env))
        assert load_services(tmp_path, SECRETS)["demo"].env["URL"] == "pg://db/x $(HOST)"

    def test_missing_secret_names_service_secret_and_key(self, tmp_path: Path) -> None:
        env = "- name: DATABASE_URL\n  valueFrom: {secretKeyRef: {name: db, key: password}}\n"
        write(tmp_path, "svc.yaml", ksvc("demo", env=env))
        with pytest.raises(ManifestError, match=r"'demo'.*'db'.*'password'"):
            load_services(tmp_path, SECRETS)

    def test_missing_config_map_key_is_an_error(self, tmp_path: Path) -> None:
        env = "- name: X\n  valueFrom: {configMapKeyRef: {name: shared, key: NOPE}}\n"
        write(tmp_path, "config.yaml", CONFIG_MAP)
        write(tmp_path, "svc.yaml", ksvc("demo", env=env))
        with pytest.raises(ManifestError, match="NOPE"):
            load_services(tmp_path, SECRETS)


class TestFunctionSpec:
    def test_target_source_and_default_signature_come_from_env(self, tmp_path: Path) -> None:
        write(tmp_path, "svc.yaml", ksvc("demo"))
        spec = load_services(tmp_path, SECRETS)["demo"]
        assert (spec.name, spec.namespace, spec.source, spec.target, spec.signature_type) == (
            "demo", "ecom", "functions/demo/main.py", "demo", "http")

    def test_min_scale_is_parsed_from_the_template_annotation(self, tmp_path: Path) -> None:
        write(tmp_path, "svc.yaml", ksvc("warm", annotations='autoscaling.knative.dev/min-scale: "2"'),
              ksvc("cold"))
        specs = load_services(tmp_path, SECRETS)
        assert specs["warm"].min_scale == 2 and specs["cold"].min_scale == 0

    def test_bad_min_scale_is_an_error(self, tmp_path: Path) -> None:
        write(tmp_path, "svc.yaml", ksvc("demo", annotations='autoscaling.knative.dev/min-scale: "lots"'))
        with pytest.raises(ManifestError, match="min-scale"):
            load_services(tmp_path, SECRETS)

    def test_other_kinds_and_files_are_ignored(self, tmp_path: Path) -> None:
        trigger = "apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {name: t}\n"
        write(tmp_path, "svc.yaml", CONFIG_MAP, ksvc("demo"), trigger)
        write(tmp_path, "kong/kong.yaml", '_format_version: "3.0"\nservices: []\n')
        assert list(load_services(tmp_path, SECRETS)) == ["demo"]

    def test_config_maps_are_listed_by_name(self, tmp_path: Path) -> None:
        write(tmp_path, "config.yaml", CONFIG_MAP)
        assert load_config_maps(tmp_path)["shared"]["GREETING"] == "from-config-map"

    def test_repository_manifests_resolve_with_the_secrets_make_dev_provides(self) -> None:
        from localrun.dev.stack import secrets_for

        secrets = secrets_for("postgresql+pg8000://postgres@127.0.0.1/x", ("PRIVATE", "PEM"))
        specs = load_services(REPO / "knative", secrets)
        assert specs["accounts-login"].env["JWT_PRIVATE_KEY"] == "PRIVATE"
        assert "JWT_PRIVATE_KEY" not in specs["accounts-me"].env  # only token issuers get the key
        products = specs["catalog-products"]
        assert products.target == "products" and products.min_scale == 0
        assert products.env["DATABASE_URL"].startswith("postgresql+pg8000://ecom_catalog@")
        assert products.env["JWT_PUBLIC_KEY"] == "PEM" and products.env["JWT_ISSUER"] == "ecom-accounts"

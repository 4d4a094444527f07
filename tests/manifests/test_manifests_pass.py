"""The repository's manifests pass every check (each check's ability to fail is proven beside it)."""

from __future__ import annotations

import pytest

from tests.manifests.checks import CHECKS, Project


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_the_manifests_pass(project: Project, name: str) -> None:
    problems = CHECKS[name](project)
    assert problems == [], "\n".join(problems)


class TestTheChecksSeeWhatTheyCheck:
    def test_every_manifest_folder_is_read(self, project: Project) -> None:
        folders = {doc.path.parts[0] for doc in project.docs}
        assert folders == {"knative", "kind-cluster"}

    def test_the_platform_pieces_are_there(self, project: Project) -> None:
        kinds = {(doc.group, doc.kind) for doc in project.objects()}
        assert {
            ("serving.knative.dev", "Service"),
            ("eventing.knative.dev", "Broker"),
            ("eventing.knative.dev", "RabbitmqBrokerConfig"),
            ("rabbitmq.com", "RabbitmqCluster"),
            ("postgresql.cnpg.io", "Cluster"),
            ("batch", "Job"),
            ("apps", "Deployment"),
            ("kind.x-k8s.io", "Cluster"),
            ("kustomize.config.k8s.io", "Kustomization"),
        } <= kinds

    def test_every_domain_is_found(self, project: Project) -> None:
        assert "catalog" in project.domains

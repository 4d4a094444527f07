# shellcheck shell=bash
# Pinned versions of everything make cluster installs; sourced by the scripts beside it.
# The CRDs the manifests are checked against are of these releases (tests/manifests/crds/SOURCES;
# a manifest test compares the two).
# shellcheck disable=SC2034  # each script uses the ones it needs

CLUSTER_NAME=ecom                          # kind cluster; kubectl context kind-ecom
REGISTRY_NAME=kind-registry
REGISTRY_PORT=5001
REGISTRY_IMAGE=registry:2

KNATIVE_SERVING_VERSION=knative-v1.23.0    # and net-kourier of the same release
KNATIVE_EVENTING_VERSION=knative-v1.22.0
EVENTING_RABBITMQ_VERSION=knative-v1.22.1  # matches Eventing's minor
CERT_MANAGER_VERSION=v1.19.1
RABBITMQ_CLUSTER_OPERATOR_VERSION=v2.22.3
RABBITMQ_TOPOLOGY_OPERATOR_VERSION=v1.20.1
CNPG_VERSION=1.30.0

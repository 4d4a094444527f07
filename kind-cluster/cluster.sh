#!/usr/bin/env bash
# Creates the kind cluster with everything the platform runs on, or completes it: running it
# again changes nothing that is already in place. Installs, at the versions in versions.sh:
# a local registry (localhost:5001), Knative Serving with Kourier, Knative Eventing,
# cert-manager, the RabbitMQ cluster operator and then the messaging-topology operator (which
# manages objects of the cluster operator's RabbitmqClusters), eventing-rabbitmq's broker and
# source, and CloudNativePG. Kong, at the edge, comes with `make deploy`: its pod reads the
# ecom-jwt Secret, which deploy.sh makes first.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.sh
. "$HERE/versions.sh"

say() { printf '\n== %s\n' "$*"; }
k() { kubectl --context "kind-$CLUSTER_NAME" "$@"; }

check_prerequisites() {
  local missing=()
  local tool
  for tool in docker kind kubectl kn; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if ! { command -v kn >/dev/null 2>&1 && kn func version >/dev/null 2>&1; } \
      && ! command -v func >/dev/null 2>&1 && ! command -v ko >/dev/null 2>&1; then
    missing+=("kn func (the kn plugin or the func binary) or ko")
  fi
  if ((${#missing[@]})); then
    {
      echo "cluster.sh: missing prerequisites:"
      printf '  - %s\n' "${missing[@]}"
      echo "Install them: docker (https://docs.docker.com/engine/install/),"
      echo "kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation),"
      echo "kubectl (https://kubernetes.io/docs/tasks/tools/), kn and kn func"
      echo "(https://knative.dev/docs/client/install-kn/, https://knative.dev/docs/functions/install-func/)."
    } >&2
    exit 1
  fi
  if ! docker info >/dev/null 2>&1; then
    echo "cluster.sh: docker is installed but its engine does not answer (is it running?)" >&2
    exit 1
  fi
}

# Applies a release manifest; server-side, as some CRDs are too big for client-side apply.
# Retried: a webhook installed by the step before may take a moment to answer.
apply_release() {
  local attempt
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    if k apply --server-side --force-conflicts -f "$1" >/dev/null; then
      return 0
    fi
    echo "   (attempt $attempt failed; retrying in 10 s)"
    sleep 10
  done
  echo "cluster.sh: could not apply $1" >&2
  return 1
}

wait_deployments() {  # namespace
  k wait --for=condition=Available deployment --all -n "$1" --timeout=600s >/dev/null
  echo "   every deployment in $1 is available"
}

start_registry() {
  say "local registry $REGISTRY_NAME on localhost:$REGISTRY_PORT"
  if [ "$(docker inspect -f '{{.State.Running}}' "$REGISTRY_NAME" 2>/dev/null || true)" = true ]; then
    echo "   running"
  elif docker inspect "$REGISTRY_NAME" >/dev/null 2>&1; then
    docker start "$REGISTRY_NAME" >/dev/null
  else
    docker run -d --restart=always -p "127.0.0.1:$REGISTRY_PORT:5000" --network bridge \
      --name "$REGISTRY_NAME" "$REGISTRY_IMAGE" >/dev/null
  fi
}

create_cluster() {
  say "kind cluster $CLUSTER_NAME"
  if kind get clusters 2>/dev/null | grep -x "$CLUSTER_NAME" >/dev/null; then
    echo "   exists"
  else
    kind create cluster --name "$CLUSTER_NAME" --config "$HERE/kind-config.yaml" --wait 180s
  fi
  # Each node pulls localhost:5001/... from the registry container over the kind network.
  local node dir="/etc/containerd/certs.d/localhost:$REGISTRY_PORT"
  for node in $(kind get nodes --name "$CLUSTER_NAME"); do
    docker exec "$node" mkdir -p "$dir"
    printf '[host."http://%s:5000"]\n' "$REGISTRY_NAME" | docker exec -i "$node" cp /dev/stdin "$dir/hosts.toml"
  done
  if [ "$(docker inspect -f '{{json .NetworkSettings.Networks.kind}}' "$REGISTRY_NAME")" = null ]; then
    docker network connect kind "$REGISTRY_NAME"
  fi
  k apply -f "$HERE/local-registry-hosting.yaml" >/dev/null
}

install_serving() {
  say "Knative Serving $KNATIVE_SERVING_VERSION with Kourier"
  local base="https://github.com/knative/serving/releases/download/$KNATIVE_SERVING_VERSION"
  apply_release "$base/serving-crds.yaml"
  k wait --for=condition=Established crd --all --timeout=120s >/dev/null
  apply_release "$base/serving-core.yaml"
  apply_release "https://github.com/knative/net-kourier/releases/download/$KNATIVE_SERVING_VERSION/kourier.yaml"
  k patch configmap/config-network -n knative-serving --type merge \
    -p '{"data":{"ingress-class":"kourier.ingress.networking.knative.dev"}}'
  k patch configmap/config-domain -n knative-serving --type merge -p '{"data":{"127.0.0.1.sslip.io":""}}'
  # The controller cannot reach localhost:5001 to resolve tags to digests: skip it for ours.
  k patch configmap/config-deployment -n knative-serving --type merge \
    -p "{\"data\":{\"registries-skipping-tag-resolving\":\"kind.local,ko.local,dev.local,localhost:$REGISTRY_PORT\"}}"
  wait_deployments knative-serving
  wait_deployments kourier-system
}

install_eventing() {
  say "Knative Eventing $KNATIVE_EVENTING_VERSION"
  local base="https://github.com/knative/eventing/releases/download/$KNATIVE_EVENTING_VERSION"
  apply_release "$base/eventing-crds.yaml"
  k wait --for=condition=Established crd --all --timeout=120s >/dev/null
  apply_release "$base/eventing-core.yaml"
  wait_deployments knative-eventing
}

install_rabbitmq() {
  say "cert-manager $CERT_MANAGER_VERSION"
  apply_release "https://github.com/cert-manager/cert-manager/releases/download/$CERT_MANAGER_VERSION/cert-manager.yaml"
  wait_deployments cert-manager

  say "RabbitMQ cluster operator $RABBITMQ_CLUSTER_OPERATOR_VERSION, then messaging-topology operator $RABBITMQ_TOPOLOGY_OPERATOR_VERSION"
  apply_release "https://github.com/rabbitmq/cluster-operator/releases/download/$RABBITMQ_CLUSTER_OPERATOR_VERSION/cluster-operator.yml"
  k wait --for=condition=Established crd/rabbitmqclusters.rabbitmq.com --timeout=120s >/dev/null
  wait_deployments rabbitmq-system
  apply_release "https://github.com/rabbitmq/messaging-topology-operator/releases/download/$RABBITMQ_TOPOLOGY_OPERATOR_VERSION/messaging-topology-operator-with-certmanager.yaml"
  wait_deployments rabbitmq-system

  say "eventing-rabbitmq $EVENTING_RABBITMQ_VERSION (broker and source)"
  local base="https://github.com/knative-extensions/eventing-rabbitmq/releases/download/$EVENTING_RABBITMQ_VERSION"
  apply_release "$base/rabbitmq-broker.yaml"
  apply_release "$base/rabbitmq-source.yaml"
  local ns
  for ns in knative-eventing knative-sources; do
    if k get namespace "$ns" >/dev/null 2>&1; then wait_deployments "$ns"; fi
  done
}

install_cloudnative_pg() {
  say "CloudNativePG $CNPG_VERSION"
  apply_release "https://raw.githubusercontent.com/cloudnative-pg/cloudnative-pg/release-${CNPG_VERSION%.*}/releases/cnpg-$CNPG_VERSION.yaml"
  wait_deployments cnpg-system
}

main() {
  check_prerequisites
  start_registry
  create_cluster
  install_serving
  install_eventing
  install_rabbitmq
  install_cloudnative_pg
  say "cluster kind-$CLUSTER_NAME is ready: now make deploy (the Secrets, then Kong and the platform)"
}

main "$@"

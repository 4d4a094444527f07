#!/usr/bin/env bash
# Deploys the platform to the cluster cluster.sh made: the Secrets the manifests name (made once,
# kept afterwards), everything in knative/ (kubectl apply -k), the migrations, the demo catalog;
# then waits until the functions, the broker and Kong are ready. `make deploy` builds and
# pushes the images (make images) before running it.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
# shellcheck source=versions.sh
. "$HERE/versions.sh"
NS=ecom

say() { printf '\n== %s\n' "$*"; }
k() { kubectl --context "kind-$CLUSTER_NAME" "$@"; }
has_secret() { k get secret "$1" -n "$NS" >/dev/null 2>&1; }

check_prerequisites() {
  local tool
  for tool in kubectl openssl; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "deploy.sh: $tool is missing; install it and run again" >&2
      exit 1
    fi
  done
  if ! kubectl config get-contexts "kind-$CLUSTER_NAME" >/dev/null 2>&1; then
    echo "deploy.sh: no kubectl context kind-$CLUSTER_NAME: run make cluster first" >&2
    exit 1
  fi
}

domains() {  # every domain with functions: functions/<domain>/main.py
  local main
  for main in "$REPO"/functions/*/main.py; do
    basename "$(dirname "$main")"
  done
}

# Per domain: the role's password (Secret ecom-db-<domain>-role, which the CloudNativePG
# Cluster's managed roles read) and the URL its functions connect with (ecom-db-<domain>, key url).
ensure_database_secrets() {
  local domain password
  for domain in $(domains); do
    if has_secret "ecom-db-${domain}" && has_secret "ecom-db-${domain}-role"; then
      continue
    fi
    password=$(openssl rand -hex 24)
    k delete secret "ecom-db-${domain}" "ecom-db-${domain}-role" -n "$NS" --ignore-not-found >/dev/null
    k create secret generic "ecom-db-${domain}-role" -n "$NS" --type=kubernetes.io/basic-auth \
      --from-literal=username="ecom_${domain}" --from-literal=password="$password" >/dev/null
    k label secret "ecom-db-${domain}-role" -n "$NS" cnpg.io/reload=true >/dev/null
    k create secret generic "ecom-db-${domain}" -n "$NS" \
      --from-literal=url="postgresql+pg8000://ecom_${domain}:${password}@ecom-db-rw.${NS}.svc.cluster.local:5432/ecom" \
      >/dev/null
    echo "   made the database Secrets of $domain"
  done
}

# The access-token key pair: accounts signs with ecom-jwt-signing (private.pem), every function
# verifies with ecom-jwt (public.pem).
ensure_jwt_secrets() {
  if has_secret ecom-jwt && has_secret ecom-jwt-signing; then
    return
  fi
  local dir
  dir=$(mktemp -d)
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/private.pem" 2>/dev/null
  openssl pkey -in "$dir/private.pem" -pubout -out "$dir/public.pem"
  k delete secret ecom-jwt ecom-jwt-signing -n "$NS" --ignore-not-found >/dev/null
  k create secret generic ecom-jwt-signing -n "$NS" --from-file=private.pem="$dir/private.pem" >/dev/null
  k create secret generic ecom-jwt -n "$NS" --from-file=public.pem="$dir/public.pem" >/dev/null
  rm -rf "$dir"
  echo "   made the token signing key pair"
}

# The outside event producer's API key (Kong key-auth credential of consumer producer-warehouse,
# read by knative/kong/gateway.yaml): kubectl get secret ecom-producer-warehouse -o
# jsonpath='{.data.key}' | base64 -d gives it to the warehouse systems.
ensure_producer_secrets() {
  if has_secret ecom-producer-warehouse; then
    return
  fi
  k create secret generic ecom-producer-warehouse -n "$NS" --from-literal=key="$(openssl rand -hex 32)" >/dev/null
  echo "   made the API key of event producer warehouse"
}

run_job() {  # name manifest-to-apply-or-empty
  if [ -n "$2" ]; then
    k apply -f "$2" >/dev/null
  fi
  if ! k wait --for=condition=Complete "job/$1" -n "$NS" --timeout=600s >/dev/null; then
    echo "deploy.sh: job $1 did not complete; its log:" >&2
    k logs "job/$1" -n "$NS" --tail=50 >&2 || true
    exit 1
  fi
  k logs "job/$1" -n "$NS" --tail=1
}

main() {
  check_prerequisites
  say "Secrets"
  k apply -f "$REPO/knative/namespace.yaml" >/dev/null
  ensure_database_secrets
  ensure_jwt_secrets
  ensure_producer_secrets

  say "knative/ (kubectl apply -k)"
  # Jobs cannot be changed in place: the finished ones go, so this deploy runs them again.
  k delete job ecom-migrate ecom-seed-demo -n "$NS" --ignore-not-found >/dev/null
  k apply -k "$REPO/knative"

  say "database, migrations, demo catalog"
  k wait --for=condition=Ready cluster.postgresql.cnpg.io/ecom-db -n "$NS" --timeout=600s
  run_job ecom-migrate ""
  run_job ecom-seed-demo "$HERE/seed-job.yaml"

  say "functions, broker, Kong"
  k wait --for=condition=Ready ksvc --all -n "$NS" --timeout=600s
  k wait --for=condition=Ready broker --all -n "$NS" --timeout=600s
  k rollout status deployment/kong -n "$NS" --timeout=300s
  k rollout status deployment/dead-letter-sink -n "$NS" --timeout=300s

  say "deployed: through Kong on localhost:80"
  echo "  curl 'http://localhost/api/products?q=tent&page_size=3'"
  echo "  kubectl get pods -n $NS -w     # functions scale to zero after about a minute idle"
}

main "$@"

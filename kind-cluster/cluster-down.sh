#!/usr/bin/env bash
# Removes what cluster.sh made: the kind cluster and the local registry container (keep the
# registry, and the images pushed to it, with KEEP_REGISTRY=1). Safe to run when they are gone.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.sh
. "$HERE/versions.sh"

for tool in docker kind; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "cluster-down.sh: $tool is not installed; nothing it made can exist here" >&2
    exit 1
  fi
done

if kind get clusters 2>/dev/null | grep -x "$CLUSTER_NAME" >/dev/null; then
  kind delete cluster --name "$CLUSTER_NAME"
else
  echo "no kind cluster $CLUSTER_NAME"
fi
if [ "${KEEP_REGISTRY:-0}" = 1 ]; then
  echo "kept the registry container $REGISTRY_NAME"
elif docker inspect "$REGISTRY_NAME" >/dev/null 2>&1; then
  docker rm -f "$REGISTRY_NAME" >/dev/null
  echo "removed the registry container $REGISTRY_NAME"
fi

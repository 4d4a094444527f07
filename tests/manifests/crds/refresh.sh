#!/usr/bin/env bash
# Downloads every CRD listed in SOURCES again, from raw.githubusercontent.com at the commit listed,
# and says which files changed. Needs network access (curl); the tests never run it.
# To move to a new release: change that repository's tag and commit in SOURCES (and the version
# in kind-cluster/versions.sh, which a manifest test compares), run this, then `make test-manifests`.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

command -v curl >/dev/null 2>&1 || { echo "refresh.sh: curl is missing" >&2; exit 1; }
changed=0
while read -r file repo _tag commit upstream; do
  case "$file" in '' | '#'*) continue ;; esac
  mkdir -p "$(dirname "$HERE/$file")"
  tmp=$(mktemp)
  if ! curl -fsSL --retry 3 "https://raw.githubusercontent.com/$repo/$commit/$upstream" -o "$tmp"; then
    rm -f "$tmp"
    echo "refresh.sh: could not download $repo@$commit:$upstream" >&2
    exit 1
  fi
  if ! cmp -s "$tmp" "$HERE/$file"; then
    mv "$tmp" "$HERE/$file"
    echo "updated $file"
    changed=$((changed + 1))
  else
    rm -f "$tmp"
  fi
done <"$HERE/SOURCES"
echo "$changed file(s) changed"

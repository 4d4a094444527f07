#!/usr/bin/env bash
# Prints the tag `make images` gives the images and deploy.sh deploys: the git revision
# (git-<short hash>), with a hash of the uncommitted changes when the tree is dirty. A new tag is a
# new image reference, so each deploy of a change makes new Knative revisions (the cluster skips
# tag-to-digest resolution for the local registry, so a reused tag such as :latest would not).
# IMAGE_TAG, when set, wins (CI, or a tree that is not a git checkout).
set -euo pipefail
if [ -n "${IMAGE_TAG:-}" ]; then
  echo "$IMAGE_TAG"
  exit 0
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! revision=$(git rev-parse --short=12 HEAD 2>/dev/null); then
  echo "image-tag.sh: not a git checkout; set IMAGE_TAG" >&2
  exit 1
fi
if [ -z "$(git status --porcelain --untracked-files=normal)" ]; then
  echo "git-$revision"
else
  changes=$({ git diff HEAD; git ls-files --others --exclude-standard -z | xargs -0 -r cat; } | sha256sum)
  echo "git-$revision-dirty-${changes:0:8}"
fi

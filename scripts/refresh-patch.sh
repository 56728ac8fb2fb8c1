#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Developer helper: after editing upstream files in the cache tree, write
# each one's diff against the base commit to PATH.patch in the repository.
#   scripts/refresh-patch.sh drivers/gpu/drm/amd/amdgpu/Kconfig ...
set -euo pipefail
. "$(dirname "$0")/lib.sh"
tree=$(ls -d "$CACHE"/linux-*/ | head -n 1)
for f in "$@"; do
	mkdir -p "$REPO/$(dirname "$f")"
	git -C "$tree" diff svm-base -- "$f" > "$REPO/$f.patch"
	[ -s "$REPO/$f.patch" ] || { rm -f "$REPO/$f.patch"; log "$f: no change"; }
done

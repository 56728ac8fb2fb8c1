#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Developer helper: after editing upstream files in the cache tree, write
# each one's diff against the base commit to PATH.patch in the repository.
#   scripts/refresh-patch.sh drivers/gpu/drm/amd/amdgpu/Kconfig ...
# The tree is the one scripts/prepare-tree.sh prepares (base_tree); it is
# only read, never re-applied.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
tree=$(base_tree "$(base_deb)")
[ -f "$tree/.git/info/svm-base-rev" ] ||
	die "$tree is not prepared: run scripts/prepare-tree.sh first"
for f in "$@"; do
	mkdir -p "$REPO/$(dirname "$f")"
	git -C "$tree" diff svm-base -- "$f" > "$REPO/$f.patch"
	[ -s "$REPO/$f.patch" ] || { rm -f "$REPO/$f.patch"; log "$f: no change"; }
done

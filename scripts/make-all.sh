#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job: patched tree, x86_64 compile of the amdgpu directory with
# SVM on, and the series as git format-patch output with a cover letter.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$("$REPO/scripts/prepare-tree.sh")
log "compiling drivers/gpu/drm/amd/amdgpu for x86_64 (directory only, no vmlinux/modpost)"
x86=$("$REPO/scripts/build-x86.sh" "$tree" svm-hsa DRM_AMDGPU_SVM=y HSA_AMD=y)
series=$("$REPO/scripts/emit-series.sh" "$tree")
echo "series:  $series ($(ls "$series" | wc -l) files, cover letter included)"
echo "module:  $x86/drivers/gpu/drm/amd/amdgpu/amdgpu.o (amdgpu compiled, not linked into a .ko)"
echo "tree:    $tree (base tag svm-base, one commit per patch)"

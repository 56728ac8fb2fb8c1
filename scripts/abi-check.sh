#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Export the patched tree's UAPI headers (make headers_install) and build
# and run the ABI compile test against them.  Prints PASS/FAIL lines.
#   scripts/abi-check.sh TREE
set -uo pipefail
. "$(dirname "$0")/lib.sh"

tree=$1
hdr=$CACHE/headers
if make -s -C "$tree" O="$CACHE/headers-build" ARCH=x86_64 \
	INSTALL_HDR_PATH="$hdr" headers_install > "$CACHE/headers.log" 2>&1 &&
   grep -q DRM_AMDGPU_GEM_SVM "$hdr/include/drm/amdgpu_drm.h"; then
	echo "PASS headers_install exports DRM_AMDGPU_GEM_SVM"
else
	tail -n 20 "$CACHE/headers.log"
	echo "FAIL headers_install exports DRM_AMDGPU_GEM_SVM"
	exit 0
fi
src=$REPO/tools/testing/selftests/drm/amdgpu_svm/svm_abi.c
if gcc -std=gnu11 -Wall -Werror -isystem "$hdr/include" -o "$CACHE/svm_abi" "$src" &&
   "$CACHE/svm_abi" >/dev/null; then
	echo "PASS uapi ABI compile test (svm_abi.c)"
else
	echo "FAIL uapi ABI compile test (svm_abi.c)"
fi

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xe does not opt in to what the series adds to drm_gpusvm, and must build
# as before: compile, with W=1, every xe file that uses drm_gpusvm (or the
# xe headers that wrap it) against the final x86_64 KUnit configuration
# with xe and its GPU SVM on. The rest of xe does not see drm_gpusvm.
#   scripts/xe-check.sh TREE X86_KUNIT_BUILD_DIR
# Prints one PASS or FAIL line; a warning fails it.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

tree=$1 kunit=$2
build=$CACHE/x86-xe
log=$build/build.log conf=$build/config.log
mkdir -p "$build"
mk() { make -s -C "$tree" O="$build" ARCH=x86_64 CC="$CC_WRAP" -j"$JOBS" "$@"; }

{ cat "$kunit/.config"; printf 'CONFIG_%s\n' DRM_XE=y DRM_XE_GPUSVM=y \
	DRM_XE_WERROR=n; } > "$build/.config"
if ! mk olddefconfig > "$conf" 2>&1 ||
   ! grep -qx CONFIG_DRM_XE_GPUSVM=y "$build/.config"; then
	echo "FAIL xe compile: CONFIG_DRM_XE_GPUSVM does not resolve"
	exit 0
fi
objs=()
for f in $(cd "$tree" && grep -lE 'drm_gpusvm|xe_svm\.h|xe_userptr\.h' \
		drivers/gpu/drm/xe/*.c); do
	objs+=("${f%.c}.o")
done
if mk W=1 "${objs[@]}" > "$log" 2>&1 && ! grep -q 'warning:' "$log"; then
	echo "PASS xe compile against the changed drm_gpusvm (${#objs[@]} files, W=1)"
else
	grep -E 'error|warning' "$log" | head -n 20 >&2
	echo "FAIL xe compile against the changed drm_gpusvm"
fi

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Compile the amdgpu directory of a tree for x86_64 (no vmlinux, no modpost:
# the directory compile is what proves the driver builds; a full kernel
# build costs far more on two cores).
#   scripts/build-x86.sh TREE NAME [CONFIG=y|n ...] [-- make args...]
#   scripts/build-x86.sh TREE NAME [CONFIG=y|n ...] --objects OBJ...
# The config is x86_64 defconfig + Kconfig.fragment + display off + the
# CONFIG settings given.  The build dir is $CACHE/x86-NAME.  With
# --objects, only those objects are compiled, not the whole directory.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$1 name=$2; shift 2
build=$CACHE/x86-$name
settings=()
while [ $# -gt 0 ] && [ "$1" != "--" ] && [ "$1" != "--objects" ]; do
	settings+=("$1"); shift
done
targets=(drivers/gpu/drm/amd/amdgpu/)
case ${1:-} in
--) shift;;
--objects) shift; targets=("$@"); set --;;
esac

mk() { make -s -C "$tree" O="$build" ARCH=x86_64 CC="$CC_WRAP" -j"$JOBS" "$@"; }

frag=$build/fragment.config
mkdir -p "$build"
{ cat "$REPO/Kconfig.fragment"; echo "CONFIG_DRM_AMD_DC=n"
  echo "CONFIG_DRM_AMDGPU_WERROR=n"; printf 'CONFIG_%s\n' "${settings[@]}"; } > "$frag.new"
if ! cmp -s "$frag.new" "$frag" || [ ! -f "$build/.config" ]; then
	mv "$frag.new" "$frag"
	{ mk defconfig &&
	  "$tree/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" "$frag" &&
	  mk olddefconfig; } > "$build/config.log" 2>&1 || die "$name: config failed"
	rm -f "$build/.prepared"
fi
rm -f "$frag.new"
for s in "${settings[@]}"; do
	case $s in
	*=n) ! grep -q "^CONFIG_${s%=n}=[ym]" "$build/.config";;
	*) grep -qx "CONFIG_$s" "$build/.config";;
	esac || die "$name: CONFIG_$s did not stick"
done
if [ ! -f "$build/.prepared" ]; then
	mk modules_prepare
	touch "$build/.prepared"
fi
mk "$@" "${targets[@]}"
echo "$build"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the patched tree for UML with the SVM kunitconfig and run the KUnit
# suites.  Extra arguments go to kunit.py (e.g. a filter glob).
#   scripts/kunit.sh TREE [kunitconfig] [kunit.py args...]
# KUNIT_ARCH=x86_64 builds for x86_64 and boots it under QEMU instead (no
# /dev/kvm here: software emulation), for what UML cannot run.
# KUNIT_EXEC=NAME only boots the kernel an earlier run built (other suites).
# Leaves in $CACHE/kunit-<name>/: test.log (kernel log), results.json, kunit.out.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$1; shift
kconf=${1:-drivers/gpu/drm/amd/amdgpu/tests/.kunitconfig}; [ $# -gt 0 ] && shift
# UML memory: kunit.py always boots UML with mem=1G (it appends it after
# any --kernel_args), which the suites are sized for.
arch=${KUNIT_ARCH:-um}
name=$(basename "$(dirname "$kconf")")$(basename "$kconf" | tr -d .)
[ "$arch" = um ] || { name=$name-$arch; need_packages qemu-system-x86; }
build=$CACHE/kunit-$name
mkdir -p "$build"

cd "$tree"
if [ -n "${KUNIT_EXEC:-}" ]; then
	# Boot the kernel built by an earlier run again, for other suites;
	# results-$KUNIT_EXEC.json and kunit-$KUNIT_EXEC.out (test.log is
	# the new boot's).
	python3 tools/testing/kunit/kunit.py exec \
		--build_dir="$build" \
		--arch="$arch" \
		--timeout="${KUNIT_TIMEOUT:-1800}" \
		--json="$build/results-$KUNIT_EXEC.json" \
		"$@" > "$build/kunit-$KUNIT_EXEC.out" 2>&1 || true
	echo "$build"
	exit 0
fi
python3 tools/testing/kunit/kunit.py run \
	--kunitconfig="$kconf" \
	--build_dir="$build" \
	--arch="$arch" \
	--jobs="$JOBS" \
	--timeout="${KUNIT_TIMEOUT:-1800}" \
	--make_options="CC=$CC_WRAP" \
	--json="$build/results.json" \
	"$@" > "$build/kunit.out" 2>&1 || true
echo "$build"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the patched tree for UML with the SVM kunitconfig and run the KUnit
# suites.  Extra arguments go to kunit.py (e.g. a filter glob).
#   scripts/kunit.sh TREE [kunitconfig] [kunit.py args...]
# KUNIT_ARCH=x86_64 builds for x86_64 and boots it under QEMU instead, in
# software emulation, for what UML cannot run.
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
# A boot under QEMU takes seconds: a hang must not eat CI's budget.
[ "$arch" = um ] || : "${KUNIT_TIMEOUT:=600}"

# kunit.py asks QEMU for KVM before TCG. A /dev/kvm that cannot run an
# ordinary guest (a paravirtual KVM such as PVM, on some cloud machines)
# hangs the boot with no output until the timeout. The x86_64 run hides
# /dev/kvm in a mount namespace of its own, so that QEMU fails to set up
# KVM and emulates, as on a machine without it.
without_kvm() {
	if [ "$arch" != um ] && [ -e /dev/kvm ] && unshare -m true 2>/dev/null; then
		unshare -m sh -c 'mount --bind /dev/null /dev/kvm && exec "$@"' sh "$@"
	else
		"$@"
	fi
}

cd "$tree"
if [ -n "${KUNIT_EXEC:-}" ]; then
	# Boot the kernel built by an earlier run again, for other suites;
	# results-$KUNIT_EXEC.json and kunit-$KUNIT_EXEC.out (test.log is
	# the new boot's).
	without_kvm python3 tools/testing/kunit/kunit.py exec \
		--build_dir="$build" \
		--arch="$arch" \
		--timeout="${KUNIT_TIMEOUT:-1800}" \
		--json="$build/results-$KUNIT_EXEC.json" \
		"$@" > "$build/kunit-$KUNIT_EXEC.out" 2>&1 || true
	echo "$build"
	exit 0
fi
without_kvm python3 tools/testing/kunit/kunit.py run \
	--kunitconfig="$kconf" \
	--build_dir="$build" \
	--arch="$arch" \
	--jobs="$JOBS" \
	--timeout="${KUNIT_TIMEOUT:-1800}" \
	--make_options="CC=$CC_WRAP" \
	--json="$build/results.json" \
	"$@" > "$build/kunit.out" 2>&1 || true
echo "$build"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'make bench': build the patched tree for UML without lockdep and KASAN,
# run the amdgpu_svm_bench suite and print its figures as a table, which is
# also written to out/bench.md.  Then the migration benchmarks
# (amdgpu_svm_bench_migrate), which need ZONE_DEVICE: in the x86_64 KUnit
# kernel of 'make test' under QEMU (lockdep on, emulated: ratios only).
# Figures never decide success: this fails only if a suite did not run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_packages "${BUILD_PACKAGES[@]}"
tree=$("$REPO/scripts/prepare-tree.sh")
log "KUnit benchmarks under UML"
build=$("$REPO/scripts/kunit.sh" "$tree" \
	drivers/gpu/drm/amd/amdgpu/tests/bench.kunitconfig 'amdgpu_svm_bench' \
	--kernel_args amdgpu.svm_bench=1)
log "KUnit migration benchmarks on x86_64 under QEMU"
x86=$(KUNIT_ARCH=x86_64 "$REPO/scripts/kunit.sh" "$tree" \
	drivers/gpu/drm/amd/amdgpu/tests/kfd.kunitconfig 'amdgpu_svm_bench_migrate' \
	--kernel_args amdgpu.svm_bench=1)
{
	python3 "$REPO/scripts/bench-table.py" "$build/test.log"
	echo
	python3 "$REPO/scripts/bench-table.py" "$x86/test.log" \
		"x86_64 KUnit kernel under QEMU (TCG), lockdep on: compare ratios only"
} | tee "$OUT/bench.md"
grep -q "BENCH|" "$build/test.log" || { tail -n 30 "$build/kunit.out"; exit 1; }
grep -q "BENCH|" "$x86/test.log" || { tail -n 30 "$x86/kunit.out"; exit 1; }

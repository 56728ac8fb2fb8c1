#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'make bench': build the patched tree for UML without lockdep and KASAN,
# run the amdgpu_svm_bench suite and print its figures as a table, which is
# also written to out/bench.md.  Figures never decide success: this fails
# only if the suite did not run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_packages "${BUILD_PACKAGES[@]}"
tree=$("$REPO/scripts/prepare-tree.sh")
log "KUnit benchmarks under UML"
build=$("$REPO/scripts/kunit.sh" "$tree" \
	drivers/gpu/drm/amd/amdgpu/tests/bench.kunitconfig 'amdgpu_svm_bench' \
	--kernel_args amdgpu.svm_bench=1)
python3 "$REPO/scripts/bench-table.py" "$build/test.log" | tee "$OUT/bench.md"
grep -q "BENCH|" "$build/test.log" || { tail -n 30 "$build/kunit.out"; exit 1; }

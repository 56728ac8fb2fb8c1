#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole test suite ('make test').  Every check prints PASS or FAIL
# lines; KUnit cases are counted one by one.  Ends with one line
# 'N passed, N failed, N skipped' and exits non-zero if anything failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

results=$CACHE/test-results.txt
: > "$results"
start=$(date +%s)
record() { tee -a "$results"; }
step() { log "$* ($(( $(date +%s) - start ))s)"; }

step "preparing the tree"
tree=$("$REPO/scripts/prepare-tree.sh") || { echo "FAIL prepare-tree" | record; tree=; }

if [ -n "$tree" ]; then
	step "emitting the series"
	series=$("$REPO/scripts/emit-series.sh" "$tree") || series=

	step "KUnit under UML"
	# Every suite but the benchmarks (make bench runs those).
	kbuild=$("$REPO/scripts/kunit.sh" "$tree" \
		drivers/gpu/drm/amd/amdgpu/tests/.kunitconfig 'amdgpu_svm_[!b]*')
	python3 "$REPO/scripts/kunit-results.py" "$kbuild/results.json" \
		"$kbuild/test.log" | record
	grep -q '"status"' "$kbuild/results.json" 2>/dev/null ||
		tail -n 30 "$kbuild/kunit.out"
	# What the suites measured, for the cover letter (seeds left out).
	sed -nE 's/^ *# ([a-z_]+: .*)$/\1/p' "$kbuild/test.log" |
		grep -vE ': seed [0-9]+ \(|\.speed: |^module: |^[a-z_]+: (pass|fail|skip):' \
		> "$CACHE/last-test-figures.txt" || true

	# GPU SVM's own suite, in the same UML kernel (a second boot).
	step "KUnit: drm_gpusvm under UML"
	KUNIT_EXEC=gpusvm "$REPO/scripts/kunit.sh" "$tree" \
		drivers/gpu/drm/amd/amdgpu/tests/.kunitconfig 'drm_gpusvm' > /dev/null
	python3 "$REPO/scripts/kunit-results.py" "$kbuild/results-gpusvm.json" \
		"$kbuild/test.log" | record
	grep -q '"status"' "$kbuild/results-gpusvm.json" 2>/dev/null ||
		tail -n 30 "$kbuild/kunit-gpusvm.out"

	# KFD's SVM needs ZONE_DEVICE, which UML lacks: the suites that run
	# KFD's own code boot an x86_64 KUnit kernel under QEMU. That kernel
	# compiles the whole amdgpu directory with SVM and KFD on, built in.
	step "KUnit on x86_64 under QEMU"
	x86=$(KUNIT_ARCH=x86_64 "$REPO/scripts/kunit.sh" "$tree" \
		drivers/gpu/drm/amd/amdgpu/tests/kfd.kunitconfig 'amdgpu_svm_[km]*')
	python3 "$REPO/scripts/kunit-results.py" "$x86/results.json" \
		"$x86/test.log" | record
	grep -q '"status"' "$x86/results.json" 2>/dev/null ||
		tail -n 30 "$x86/kunit.out"

	# x86_64 defconfig, amdgpu as a module, each combination of SVM and
	# KFD: the files whose code the series changes under those options
	# (its own files, the hooks with their stubs, KFD's side). The rest
	# of the directory is upstream's and compiles the same; the KUnit
	# kernel above compiled all of it. One build dir, configured in turn:
	# the tools and generated headers are made once.
	step "x86_64 module compiles of what the series changes"
	for svm in y n; do
		for hsa in y n; do
			name=svm$svm-hsa$hsa what=(--objects $(python3 \
				"$REPO/scripts/series-objects.py" $svm $hsa))
			if "$REPO/scripts/build-x86.sh" "$tree" series DRM_AMDGPU_SVM=$svm \
				HSA_AMD=$hsa "${what[@]}" > "$CACHE/x86-$name.log" 2>&1; then
				echo "PASS x86_64 compile SVM=$svm HSA_AMD=$hsa" | record
			else
				grep -E 'error|warning' "$CACHE/x86-$name.log" | head -n 20
				echo "FAIL x86_64 compile SVM=$svm HSA_AMD=$hsa" | record
			fi
		done
	done

	step "xe against the changed drm_gpusvm"
	"$REPO/scripts/xe-check.sh" "$tree" "$x86" | record

	step "uapi headers and ABI"
	"$REPO/scripts/abi-check.sh" "$tree" | record
	step "kselftests"
	"$REPO/scripts/selftests.sh" "$tree" | record

	step "checkpatch"
	"$REPO/scripts/checks.sh" checkpatch "$series" "$tree" | record
	step "kernel-doc"
	"$REPO/scripts/checks.sh" kernel-doc "$tree" | record
	step "htmldocs"
	"$REPO/scripts/checks.sh" htmldocs "$tree" | record
	step "sparse and W=1"
	"$REPO/scripts/checks.sh" sparse-w1 "$tree" "$x86" "$kbuild" | record
	step "bisect build"
	"$REPO/scripts/bisect-build.sh" "$tree" "$x86" | record
fi

step "done"
echo "(took $(( $(date +%s) - start ))s)"
python3 - "$results" <<'PY' | tee "$CACHE/last-test-summary.txt"
import re, sys
p = f = s = 0
for line in open(sys.argv[1]):
    m = re.match(r"kunit: (\d+) passed, (\d+) failed, (\d+) skipped", line)
    if m:
        p += int(m.group(1)); f += int(m.group(2)); s += int(m.group(3))
    elif line.startswith("PASS "):
        p += 1
    elif line.startswith("FAIL "):
        f += 1
    elif line.startswith("SKIP "):
        s += 1
print("%d passed, %d failed, %d skipped" % (p, f, s))
PY
# The cover letter carries this run's summary and figures.
[ -n "$tree" ] && "$REPO/scripts/emit-series.sh" "$tree" > /dev/null
grep -qE "(^| )0 failed" "$CACHE/last-test-summary.txt" || exit 1
exit 0

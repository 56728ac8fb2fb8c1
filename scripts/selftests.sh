#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the amdgpu SVM kselftests (kselftest harness, libdrm) against the
# patched tree's exported headers (scripts/abi-check.sh installs them) and
# run them.  Each case
# prints PASS, FAIL or SKIP (with the harness's reason); without an amdgpu
# device every case skips.
#   scripts/selftests.sh TREE
set -uo pipefail
. "$(dirname "$0")/lib.sh"

need_packages libdrm-dev pkg-config
tree=$1
out=$CACHE/selftests
mkdir -p "$out"
if ! make -s -C "$tree/tools/testing/selftests/drm/amdgpu_svm" OUTPUT="$out" \
	KHDR_INCLUDES="-isystem $CACHE/headers/include" > "$out/build.log" 2>&1; then
	tail -n 20 "$out/build.log"
	echo "FAIL selftests build"
	exit 0
fi
echo "PASS selftests build"
"$out/svm_ioctl" > "$out/run.log" 2>&1
sed -nE 's/^(not )?ok [0-9]+ (svm\.[a-z_]+)( # SKIP ?(.*))?$/\1|\2|\4|\3/p' "$out/run.log" |
while IFS='|' read -r not name reason skip; do
	if [ -n "$not" ]; then
		echo "FAIL selftest $name"
	elif [ -n "$skip" ]; then
		echo "SKIP selftest $name: $reason"
	else
		echo "PASS selftest $name"
	fi
done
grep -q '^# Totals' "$out/run.log" || echo "FAIL selftests did not finish"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks of the series.  Each check prints 'PASS name' or
# 'FAIL name: why' (with details above it) and the script always exits 0;
# scripts/test.sh counts the lines.
#   scripts/checks.sh checkpatch SERIES_DIR TREE
#   scripts/checks.sh kernel-doc TREE
#   scripts/checks.sh sparse-w1 TREE X86_BUILD UML_BUILD
#   scripts/checks.sh htmldocs TREE
set -uo pipefail
. "$(dirname "$0")/lib.sh"

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# checkpatch --strict on every patch: nothing but FILE_PATH_CHANGES, and
# that one only before the patch that adds the MAINTAINERS entry.
check_checkpatch() {
	local dir=$1 tree=$2 p out bad maint_seen=0
	for p in "$dir"/[0-9][0-9][0-9][0-9]-*.patch; do
		case $p in *0000-cover-letter.patch) continue;; esac
		out=$(cd "$tree" && perl scripts/checkpatch.pl --strict --show-types \
			--no-summary --terse "$p" 2>&1)
		bad=$(echo "$out" | grep -E '(ERROR|WARNING|CHECK):' |
			{ if [ $maint_seen = 0 ]; then grep -v ':FILE_PATH_CHANGES:'; else cat; fi } || true)
		grep -q '^+++ b/MAINTAINERS' "$p" && maint_seen=1
		if [ -n "$bad" ]; then
			echo "$bad"
			fail "checkpatch $(basename "$p")" "$(echo "$bad" | wc -l) report(s)"
		else
			pass "checkpatch $(basename "$p")"
		fi
	done
}

c_and_h_files() { "$REPO/scripts/series-files.py" | grep -E '\.[ch]$' |
	grep -v '^tools/' || true; }

check_kernel_doc() {
	local tree=$1 files out
	files=$(c_and_h_files)
	[ -n "$files" ] || { pass "kernel-doc (no files)"; return; }
	out=$(cd "$tree" && scripts/kernel-doc -Wall -none $files 2>&1)
	if [ -n "$out" ]; then
		echo "$out"
		fail kernel-doc "$(echo "$out" | wc -l) warning(s)"
	else
		pass "kernel-doc ($(echo "$files" | wc -w) files)"
	fi
}

# Rebuild each new C file of the amdgpu directory with W=1 and sparse (C=2
# forces sparse even on up-to-date objects).  Test files live in the UML
# KUnit build, but for those of the suites that need ZONE_DEVICE (KFD,
# migration); the others in the x86_64
# KUnit build.  A .c file that an upstream file #includes (the xe pattern
# for static functions), or a test file does, is checked as part of the
# object that includes it.
check_sparse_w1() {
	local tree=$1 x86=$2 uml=$3 f obj build arch out host
	for f in $("$REPO/scripts/series-files.py" | grep '^drivers/.*\.c$'); do
		obj=${f%.c}.o
		host=$(grep -l -e "^#include \"tests/$(basename "$f")\"" \
			-e "^#include \"$(basename "$f")\"" \
			-e "^#include \"../amdgpu/tests/$(basename "$f")\"" \
			"$tree/drivers/gpu/drm/amd/amdgpu"/*.c \
			"$tree/drivers/gpu/drm/amd/amdgpu/tests"/*.c \
			"$tree/drivers/gpu/drm/amd/amdkfd"/*.c 2>/dev/null | head -n 1)
		[ -n "$host" ] && obj=${host#"$tree/"} && obj=${obj%.c}.o
		# amdgpu's Makefile builds KFD's files as ../amdkfd.
		obj=${obj/drivers\/gpu\/drm\/amd\/amdkfd\//drivers/gpu/drm/amd/amdgpu/../amdkfd/}
		case $f in
		*/tests/*kfd* | */tests/*migrate*) build=$x86 arch=x86_64;;
		*/tests/*) build=$uml arch=um;;
		*) build=$x86 arch=x86_64;;
		esac
		rm -f "$build/$obj"
		out=$(make -s -C "$tree" O="$build" ARCH=$arch CC="$CC_WRAP" \
			W=1 C=2 "$obj" 2>&1 | grep -v '^  ' | grep -E 'warning|error' || true)
		if [ -n "$out" ]; then
			echo "$out"
			fail "sparse+W=1 $f" "$(echo "$out" | wc -l) warning(s)"
		elif [ ! -f "$build/$obj" ]; then
			fail "sparse+W=1 $f" "not compiled"
		else
			pass "sparse+W=1 $f"
		fi
	done
}

# Render Documentation/gpu with Sphinx; any warning that names an SVM file
# or identifier fails.  The base tree's own warnings are not ours.
check_htmldocs() {
	local tree=$1 out=$CACHE/docs-build bad
	need_packages python3-sphinx python3-yaml
	if ! make -s -C "$tree" O="$out" SPHINXDIRS=gpu htmldocs > "$out.log" 2>&1; then
		tail -n 20 "$out.log"
		fail "htmldocs SPHINXDIRS=gpu" "sphinx failed"
		return
	fi
	bad=$(sed "s|$CACHE/||g" "$out.log" | grep -iE 'warning|error' |
		grep -E 'svm\.rst|amdgpu_svm|drm_amdgpu_(gem_)?svm|AMDGPU_SVM' || true)
	if [ -n "$bad" ]; then
		echo "$bad"
		fail "htmldocs SPHINXDIRS=gpu" "$(echo "$bad" | wc -l) SVM warning(s)"
	elif [ ! -f "$out/Documentation/output/gpu/amdgpu/svm.html" ]; then
		fail "htmldocs SPHINXDIRS=gpu" "svm.html was not rendered"
	else
		pass "htmldocs SPHINXDIRS=gpu (svm.html, no SVM warnings)"
	fi
}

case ${1:-} in
htmldocs) check_htmldocs "$2";;
checkpatch) check_checkpatch "$2" "$3";;
kernel-doc) check_kernel_doc "$2";;
sparse-w1) check_sparse_w1 "$2" "$3" "$4";;
*) die "usage: checks.sh checkpatch|kernel-doc|sparse-w1|htmldocs ...";;
esac

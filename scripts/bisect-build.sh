#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that every commit of the applied series compiles on its own.
#
# The rule: the bisect build need not build a whole kernel per distinct
# .config; compiling what each patch touches against the final config
# proves the same.  A patch can only break what is compiled from the files
# it changes, and rebuilding everything else per commit (a whole UML kernel
# per distinct .config, 22-30 min cold on two cores) proves nothing more.
#
# The last commit is the tree the KUnit run has just built whole; the
# x86_64 one, whose config also builds KFD's SVM (kfd_svm.c), which UML
# cannot.  For each earlier one, in one build dir that holds that final
# KUnit .config and is prepared once, we compile:
#   - every .c file the commit adds or changes;
#   - for every header it changes, the .c files of the series that include
#     it, directly or through another header of the series (a .c file that
#     another one #includes counts as a header);
#   - for a Makefile it changes, the .c files the series adds below it;
# and for a Kconfig file it changes, we check that the final .config still
# resolves with the commit's Kconfig files (olddefconfig on a copy).
# Everything is compiled with the final config, even where the Kconfig
# option or the Makefile line that builds a file only comes later in the
# series: that is intended.
#
# Prints 'PASS bisect-build N subject [(note)]' or 'FAIL ...' per commit.
#   scripts/bisect-build.sh TREE KUNIT_BUILD_DIR   (UML or x86_64)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

tree=$1 kbuild=$2
wt=$CACHE/bisect-tree objs=$CACHE/bisect-objs cfg=$CACHE/bisect-config
arch=x86_64
grep -qx CONFIG_UML=y "$kbuild/.config" 2>/dev/null && arch=um
kmake() { make -C "$wt" ARCH=$arch CC="$CC_WRAP" -j"$JOBS" "$@"; }

[ -f "$kbuild/.config" ] || { echo "FAIL bisect-build: no KUnit .config in $kbuild"; exit 0; }
head=$(git -C "$tree" rev-parse HEAD)
if ! git -C "$wt" rev-parse -q --verify HEAD > /dev/null 2>&1; then
	rm -rf "$wt"
	git -C "$tree" worktree prune
	git -C "$tree" worktree add -q --detach "$wt" "$head" || {
		echo "FAIL bisect-build: cannot make a worktree"; exit 0; }
fi
rm -rf "$CACHE"/bisect-build-*	# the whole-kernel build dirs of the old rule

# The one build dir: the final config, prepared at the last commit.
[ "$(cat "$objs/.arch" 2>/dev/null)" = "$arch" ] || rm -rf "$objs" "$cfg"
mkdir -p "$objs" "$cfg"
echo "$arch" > "$objs/.arch"
cp "$kbuild/.config" "$objs/.config"
if ! { git -C "$wt" checkout -q --detach "$head" &&
       kmake O="$objs" olddefconfig && kmake O="$objs" prepare; } > "$objs/log" 2>&1; then
	tail -n 20 "$objs/log"
	echo "FAIL bisect-build: cannot prepare $objs"
	exit 0
fi

series=$(git -C "$tree" diff --name-only svm-base "$head" | grep -vE '^(Documentation|tools)/')
added=$(git -C "$tree" diff --name-only --diff-filter=A svm-base "$head" | grep '\.c$')

# The files of the series, as checked out, that #include one of the files
# named (matched by base name).
includers() {
	[ $# -gt 0 ] || return 0
	local re f
	re=$(printf '%s\n' "$@" | sed 's|.*/||; s|\.|\\.|g' | paste -sd'|')
	for f in $series; do
		[ -f "$wt/$f" ] && grep -qE \
			"^#[[:space:]]*include[[:space:]]*[<\"]([^>\"]*/)?($re)[>\"]" "$wt/$f" &&
			echo "$f"
	done
}

n=0
for c in $(git -C "$tree" rev-list --reverse svm-base.."$head"); do
	n=$((n + 1))
	subj=$(git -C "$tree" log -1 --format=%s "$c")
	if [ "$c" = "$head" ]; then
		echo "PASS bisect-build $n $subj (built by the KUnit run)"
		continue
	fi
	changed=$(git -C "$tree" diff --name-only "$c^" "$c" |
		grep -vE '^(Documentation/|tools/|MAINTAINERS$)')
	if [ -z "$changed" ]; then
		echo "PASS bisect-build $n $subj (touches no built file)"
		continue
	fi
	git -C "$wt" checkout -q --detach "$c" || {
		echo "FAIL bisect-build $n $subj (checkout)"; continue; }
	# Keep the final config: the Kconfig files the checkout changed would
	# otherwise make kbuild re-sync it against this commit's Kconfig.
	touch -c "$objs"/include/config/auto.conf{,.cmd} \
		"$objs"/include/generated/{autoconf.h,rustc_cfg}

	note=
	kconfigs=$(grep -E '(^|/)Kconfig[^/]*$' <<< "$changed" | sed 's/$/:/')
	if [ -n "$kconfigs" ]; then
		cp "$kbuild/.config" "$cfg/.config"
		if ! kmake O="$cfg" olddefconfig > "$cfg/log" 2>&1 ||
		   grep -F "$kconfigs" "$cfg/log"; then
			tail -n 20 "$cfg/log"
			echo "FAIL bisect-build $n $subj (config)"
			continue
		fi
		note="config resolves; "
	fi

	# Headers, and .c files another file #includes (amdgpu_ttm.c takes a
	# test file so), are compiled through the series' files that include
	# them, directly or through another such file.
	inc=$(for f in $series; do [ -f "$wt/$f" ] && cat "$wt/$f"; done |
		sed -nE 's|^#[[:space:]]*include[[:space:]]*"([^"]*/)?([^"/]+\.c)".*|\2|p')
	dirs=$(grep -E '(^|/)(Makefile|Kbuild)$' <<< "$changed" | xargs -rn1 dirname)
	new=$( { grep -E '\.[ch]$' <<< "$changed"
		 for d in $dirs; do grep "^$d/" <<< "$added"; done; } | sort -u)
	hdrs='' files=''
	while [ -n "$new" ]; do
		for f in $new; do
			[ -f "$wt/$f" ] || continue
			if [[ $f == *.h ]] || grep -qxF "${f##*/}" <<< "$inc"; then
				hdrs+=$f$'\n'
			else
				files+=$f$'\n'
			fi
		done
		new=$(includers $hdrs | grep -vxF "$hdrs$files")
	done
	targets=
	for f in $files; do
		[[ $f == *.c ]] || continue
		# amdgpu's Makefile compiles the other amd directories as ../DIR.
		case $f in
		drivers/gpu/drm/amd/amdgpu/* | drivers/gpu/drm/amd/amdxcp/*) ;;
		drivers/gpu/drm/amd/*) f=drivers/gpu/drm/amd/amdgpu/../${f#drivers/gpu/drm/amd/} ;;
		esac
		# Only what the final config builds (UML has no DEVICE_PRIVATE,
		# so not the VRAM pagemap; the x86_64 KUnit kernel compiles it).
		[ -f "$kbuild/${f%.c}.o" ] || continue
		targets+=" ${f%.c}.o"
	done
	if [ -z "$targets" ]; then
		echo "PASS bisect-build $n $subj (${note}touches no built file)"
		continue
	fi
	log "bisect-build $n:$targets"
	kmake O="$objs" $targets > "$objs/log" 2>&1
	rc=$?
	if grep -q ' SYNC ' "$objs/log"; then
		# Not the final config any more: nothing after this would prove anything.
		echo "FAIL bisect-build $n $subj (kbuild re-synced the config; stopping)"
		exit 0
	elif [ $rc != 0 ]; then
		tail -n 20 "$objs/log"
		echo "FAIL bisect-build $n $subj"
	else
		k=$(wc -w <<< "$targets")
		echo "PASS bisect-build $n $subj (${note}$k object$([ "$k" = 1 ] || echo s) compiled)"
	fi
done

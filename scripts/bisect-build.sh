#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build every commit of the applied series on its own, oldest first, with
# the UML KUnit configuration, incrementally (a git worktree and a build
# dir of its own in the cache; ccache makes the unchanged objects cheap).
# Prints 'PASS bisect-build N subject' or 'FAIL ...' per commit.
#   scripts/bisect-build.sh TREE KUNIT_BUILD_DIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"

tree=$1 kbuild=$2
wt=$CACHE/bisect-tree
[ -f "$kbuild/.config" ] || { echo "FAIL bisect-build: no KUnit .config in $kbuild"; exit 0; }
if [ ! -e "$wt/.git" ]; then
	rm -rf "$wt"
	git -C "$tree" worktree prune
	git -C "$tree" worktree add -q --detach "$wt" svm-base || {
		echo "FAIL bisect-build: cannot make a worktree"; exit 0; }
fi
# Commits before the Kconfig patch resolve to another .config; each distinct
# config gets its own build dir, so every dir stays incremental.
n=0
head=$(git -C "$tree" rev-parse HEAD)
for c in $(git -C "$tree" rev-list --reverse svm-base..HEAD); do
	n=$((n + 1))
	subj=$(git -C "$tree" log -1 --format=%s "$c")
	# The last commit is the tree the KUnit run just built.
	if [ "$c" = "$head" ]; then
		echo "PASS bisect-build $n $subj (built by the KUnit run)"
		continue
	fi
	# Nothing the kernel build reads changed: the previous build stands.
	if ! git -C "$tree" diff --name-only "$c^" "$c" |
	     grep -qvE '^(Documentation/|tools/|MAINTAINERS$)'; then
		echo "PASS bisect-build $n $subj (touches no built file)"
		continue
	fi
	git -C "$wt" checkout -q --detach "$c"
	cfg=$CACHE/bisect-config
	mkdir -p "$cfg"
	cp "$kbuild/.config" "$cfg/.config"
	if ! make -s -C "$wt" O="$cfg" ARCH=um CC="$CC_WRAP" olddefconfig >/dev/null 2>&1; then
		echo "FAIL bisect-build $n $subj (config)"
		continue
	fi
	build=$CACHE/bisect-build-$(grep -v '^#' "$cfg/.config" | md5sum | cut -c1-12)
	mkdir -p "$build"
	cmp -s "$cfg/.config" "$build/.config" || cp "$cfg/.config" "$build/.config"
	if make -s -C "$wt" O="$build" ARCH=um CC="$CC_WRAP" -j"$JOBS" > "$build/log" 2>&1; then
		echo "PASS bisect-build $n $subj"
	else
		tail -n 20 "$build/log"
		echo "FAIL bisect-build $n $subj"
	fi
done

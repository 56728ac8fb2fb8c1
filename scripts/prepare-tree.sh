#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make sure the cache holds the base kernel tree as a git repository with
# one base commit, and the series applied on top, one commit per SERIES
# entry.  A tree whose applied series matches the repository is reused.
#
# Prints the tree's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_packages "${BUILD_PACKAGES[@]}"
src=$("$REPO/scripts/fetch-base.sh")
tree=$src

if [ ! -f "$tree/.git/info/svm-base-rev" ]; then
	log "making $tree a git repository (one base commit)"
	# Made by whoever makes the series' commits (see scripts/series.py).
	ident=$(python3 "$REPO/scripts/series.py" identity)
	name=${ident% <*} email=${ident##*<}
	email=${email%>}
	rm -rf "$tree/.git"
	git -C "$tree" init -q
	git -C "$tree" config core.autocrlf false
	git -C "$tree" config gc.auto 0
	ver=$(make -s -C "$tree" kernelversion)
	git -C "$tree" add -A -f .
	GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email \
	GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email \
		git -C "$tree" commit -q -m "Linux $ver (Debian linux-source)" --no-verify
	git -C "$tree" tag -f svm-base >/dev/null
	git -C "$tree" rev-parse svm-base > "$tree/.git/info/svm-base-rev"
fi

want=$(python3 "$REPO/scripts/series.py" hash)
have=$(cat "$tree/.git/info/svm-series-hash" 2>/dev/null || true)
# A tree edited by hand since is applied again too: it is not the series.
if [ -n "$(git -C "$tree" status --porcelain --untracked-files=no)" ]; then
	have=dirty
fi
if [ "$want" != "$have" ]; then
	log "applying the series to $tree"
	python3 "$REPO/scripts/series.py" apply "$tree" svm-base
	echo "$want" > "$tree/.git/info/svm-series-hash"
fi
echo "$tree"

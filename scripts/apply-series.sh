#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Apply the emitted series with 'git am' onto any kernel git tree.
#   scripts/apply-series.sh /path/to/linux
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ksrc=${1:-}
[ -n "$ksrc" ] || die "usage: make apply KSRC=/path/to/linux"
git -C "$ksrc" rev-parse --git-dir >/dev/null 2>&1 || die "$ksrc is not a git tree"
[ -d "$OUT/series" ] || "$REPO/scripts/make-all.sh" >/dev/null
patches=$(ls "$OUT"/series/[0-9][0-9][0-9][0-9]-*.patch | grep -v 0000-cover-letter)
if ! git -C "$ksrc" am -3 $patches; then
	git -C "$ksrc" am --abort || true
	die "the series does not apply to $ksrc (left unchanged)"
fi
echo "applied $(echo "$patches" | wc -l) patches to $ksrc"

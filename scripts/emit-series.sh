#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Write the applied series of TREE as git format-patch output with a cover
# letter into out/series/.  The cover letter's subject and text come from
# COVER (first line: subject; the rest: text).  @TESTED@ in the text is
# replaced by the summary of the last 'make test' run, when there is one,
# and the figures its KUnit cases printed.
#   scripts/emit-series.sh TREE
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$1
dir=$OUT/series
rm -rf "$dir"
git -C "$tree" format-patch -q --cover-letter --base=svm-base \
	--subject-prefix="PATCH" -o "$dir" svm-base..HEAD >/dev/null

cover=$(ls "$dir"/0000-cover-letter.patch)
tested=$CACHE/last-test-summary.txt
python3 - "$cover" "$REPO/COVER" "$tested" "$CACHE/last-test-figures.txt" <<'PY'
import os, sys
cover, template, tested, figures = sys.argv[1:5]
lines = open(template, encoding="utf-8").read().split("\n")
lines = [l for l in lines if not l.startswith("#")]
subject, blurb = lines[0].strip(), "\n".join(lines[1:]).strip("\n")
summary = "(no 'make test' run recorded on this machine yet)"
if os.path.exists(tested):
    summary = "'make test': " + open(tested, encoding="utf-8").read().rstrip("\n")
if os.path.exists(figures):
    lines = open(figures, encoding="utf-8").read().split("\n")
    summary += "\n\nWhat the KUnit cases of that run measured:\n\n"
    summary += "\n".join("  " + l for l in lines if l)
blurb = blurb.replace("@TESTED@", summary)
text = open(cover, encoding="utf-8").read()
text = text.replace("*** SUBJECT HERE ***", subject)
text = text.replace("*** BLURB HERE ***", blurb)
open(cover, "w", encoding="utf-8").write(text)
PY
echo "$dir"

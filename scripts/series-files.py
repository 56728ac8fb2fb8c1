#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the files the series carries, one per line.

    series-files.py new       files the series creates
    series-files.py patched   upstream files the series changes (no .patch)
"""
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import series  # noqa: E402

kind = sys.argv[1] if len(sys.argv) > 1 else "new"
for p in series.parse():
    for name in p.files:
        if name.endswith(".patch"):
            if kind == "patched":
                print(name[:-len(".patch")])
        elif kind == "new":
            print(name)

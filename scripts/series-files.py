#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the files the series creates (not the .patch diffs), one per line."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import series  # noqa: E402

for p in series.parse():
    for name in p.files:
        if not name.endswith(".patch"):
            print(name)

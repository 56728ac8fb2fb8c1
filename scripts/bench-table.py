#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Turn the "BENCH|benchmark|parameter|value|unit" lines of a KUnit log into
# a Markdown table headed with the date and the machine it ran on.
#   scripts/bench-table.py test.log [what the kernel was]
import datetime
import os
import platform
import re
import sys


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def value(v, unit):
    if unit.startswith("x1/100"):
        return "%.2f%s" % (int(v) / 100, unit[len("x1/100"):] or "x")
    return "{:,} {}".format(int(v), unit)


def main():
    rows = []
    for line in open(sys.argv[1], errors="replace"):
        m = re.search(r"BENCH\|([^|]+)\|([^|]+)\|(\d+)\|(.+)$", line.rstrip())
        if m:
            rows.append(m.groups())
    kind = sys.argv[2] if len(sys.argv) > 2 else "UML, no lockdep/KASAN"
    print("Benchmarks of %s on %s, %d CPUs (%s), %s"
          % (datetime.date.today().isoformat(), cpu_model(), os.cpu_count(),
             platform.machine(), kind))
    print()
    print("| benchmark | parameter | figure |")
    print("|---|---|---|")
    for name, param, v, unit in rows:
        print("| %s | %s | %s |" % (name, param, value(v, unit.strip())))
    if not rows:
        print("| (no figures: the suite did not run) | | |")


main()

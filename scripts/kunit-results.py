#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise a kunit.py JSON result and the kernel log it came with.

Prints one line per failed or skipped case, then 'kunit: P passed, F failed,
S skipped'.  Exits 1 if a case failed, no case ran, or the kernel log holds
a lockdep, KASAN, WARN or BUG report (each such report counts as a failure).

    kunit-results.py results.json test.log
"""
import json
import re
import sys

# Reports that must never appear in a test run's kernel log.
REPORTS = re.compile(
    r"(BUG: |WARNING: |KASAN: |UBSAN: |possible circular locking|"
    r"possible recursive locking|inconsistent lock state|"
    r"suspicious RCU usage|INFO: lockdep|DEBUG_LOCKS_WARN_ON|"
    r"ODEBUG: |Kernel panic|kernel BUG at|general protection fault|"
    r"Unable to handle kernel|Oops|refcount_t: )")


def walk(test, path, out):
    name = path + [test["name"]] if test.get("name") else path
    subs = test.get("sub_groups", []) + test.get("test_cases", [])
    if not subs and "status" in test:
        out.append((".".join(name), test["status"]))
    for sub in subs:
        walk(sub, name, out)


def main():
    results, log = sys.argv[1], sys.argv[2]
    cases = []
    try:
        with open(results) as f:
            walk(json.load(f), [], cases)
    except (OSError, ValueError) as e:
        print("kunit: no results (%s)" % e)
    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    for name, status in cases:
        key = status if status in counts else "FAIL"
        counts[key] += 1
        if key != "PASS":
            print("kunit %s %s" % (key, name))
    reports = []
    try:
        with open(log, errors="replace") as f:
            reports = [l.rstrip() for l in f if REPORTS.search(l)]
    except OSError:
        reports = ["kernel log missing"]
    for r in reports:
        print("kernel log: %s" % r)
    counts["FAIL"] += len(reports)
    if not cases:
        counts["FAIL"] += 1
    print("kunit: %d passed, %d failed, %d skipped" %
          (counts["PASS"], counts["FAIL"], counts["SKIP"]))
    sys.exit(1 if counts["FAIL"] else 0)


if __name__ == "__main__":
    main()

# SPDX-License-Identifier: GPL-2.0
#
# make          prepare the patched tree, compile the amdgpu directory for
#               x86_64 and write the series (git format-patch) to out/series
# make test     the whole test suite (see README.md)
# make bench    the KUnit benchmarks, printed as a table (never pass/fail)
# make apply KSRC=/path/to/linux   apply the series with git am onto a tree

SHELL := /bin/bash
.PHONY: all test bench apply clean

all:
	@scripts/make-all.sh

test:
	@scripts/test.sh

bench:
	@scripts/bench.sh

apply:
	@scripts/apply-series.sh "$(KSRC)"

clean:
	rm -rf out

// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

/*
 * Benchmarks of SVM on a real mm under KUnit. They print figures, as lines
 * "BENCH|<benchmark>|<parameter>|<value>|<unit>", and never fail on timing.
 * Every figure is the median of several runs; ratios compare two
 * measurements of the same run. Build without lockdep and KASAN
 * (tests/bench.kunitconfig) for figures that mean something. They only
 * run when asked for with amdgpu.svm_bench=1; otherwise they skip.
 */

#include <kunit/test.h>
#include <linux/dma-mapping.h>
#include <linux/hmm.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/sizes.h>
#include <linux/sort.h>

#include <drm/drm_device.h>

#include "../amdgpu_svm.h"
#include "../amdgpu_svm_ioctl.h"
#include "amdgpu_svm_test_helpers.h"
#include "amdgpu_svm_test_pt.h"

#define BENCH_RUNS	5
#define HOT_NODES	64

static bool svm_bench;
module_param(svm_bench, bool, 0444);
MODULE_PARM_DESC(svm_bench, "Run the SVM KUnit benchmarks (default: skip them)");

/**
 * amdgpu_svm_test_bench_requested() - Whether the benchmarks were asked for
 *
 * Return: true if amdgpu.svm_bench=1 was given.
 */
bool amdgpu_svm_test_bench_requested(void)
{
	return svm_bench;
}

static int bench_init(struct kunit *test)
{
	if (!svm_bench)
		kunit_skip(test, "benchmarks run with amdgpu.svm_bench=1");
	return 0;
}

static void report(struct kunit *test, const char *bench, const char *param,
		   u64 value, const char *unit)
{
	kunit_info(test, "BENCH|%s|%s|%llu|%s\n", bench, param, value, unit);
}

/* A ratio a/b in hundredths, as an integer. */
static u64 ratio_x100(u64 a, u64 b)
{
	return b ? div64_u64(a * 100, b) : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 median(u64 *v, int n)
{
	sort(v, n, sizeof(*v), cmp_u64, NULL);
	return v[n / 2];
}

static u64 rate(u64 count, u64 ns)
{
	return ns ? div64_u64(count * NSEC_PER_SEC, ns) : 0;
}

/**
 * amdgpu_svm_test_bench_report() - Print one figure as a BENCH line
 * @test: the case
 * @bench: the benchmark
 * @param: its parameter
 * @value: the figure
 * @unit: its unit ("x1/100" for a ratio in hundredths)
 *
 * For the benchmarks of other files (migration).
 */
void amdgpu_svm_test_bench_report(struct kunit *test, const char *bench, const char *param,
				  u64 value, const char *unit)
{
	report(test, bench, param, value, unit);
}

/**
 * amdgpu_svm_test_bench_median() - The median of some figures
 * @v: the figures, sorted in place
 * @n: how many
 *
 * Return: the median.
 */
u64 amdgpu_svm_test_bench_median(u64 *v, int n)
{
	return median(v, n);
}

/* The raw limit: hmm_range_fault() and dma_map_page(), no SVM code. */
struct raw_mirror {
	struct mmu_interval_notifier notifier;
	unsigned long *pfns;
	dma_addr_t *dma;
};

static bool raw_invalidate(struct mmu_interval_notifier *mni,
			   const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops raw_ops = {
	.invalidate = raw_invalidate,
};

/* Fault and DMA-map [start, start + size) 2 MiB at a time, as SVM's chunks. */
static int raw_map(struct raw_mirror *m, struct device *dev, unsigned long start,
		   unsigned long size)
{
	struct mm_struct *mm = current->mm;
	unsigned long addr, i, n = SZ_2M >> PAGE_SHIFT;
	int ret;

	for (addr = start; addr < start + size; addr += SZ_2M) {
		unsigned long base = (addr - start) >> PAGE_SHIFT;
		struct hmm_range range = {
			.notifier = &m->notifier,
			.start = addr,
			.end = addr + SZ_2M,
			.hmm_pfns = m->pfns + base,
			.default_flags = HMM_PFN_REQ_FAULT | HMM_PFN_REQ_WRITE,
		};

		do {
			range.notifier_seq = mmu_interval_read_begin(&m->notifier);
			mmap_read_lock(mm);
			ret = hmm_range_fault(&range);
			mmap_read_unlock(mm);
		} while (ret == -EBUSY);
		if (ret)
			return ret;
		for (i = 0; i < n; i++)
			m->dma[base + i] = dma_map_page(dev, hmm_pfn_to_page(m->pfns[base + i]),
							0, PAGE_SIZE, DMA_BIDIRECTIONAL);
	}
	return 0;
}

static void raw_unmap(struct raw_mirror *m, struct device *dev, unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++)
		dma_unmap_page(dev, m->dma[i], PAGE_SIZE, DMA_BIDIRECTIONAL);
}

/*
 * SET_ATTR(IN_PLACE) over the span, timed, then INACCESSIBLE again. With
 * @count_only the software page table stores nothing, so the time is that
 * of SVM and drm_gpusvm alone.
 */
static u64 timed_map(struct kunit *test, struct amdgpu_svm_test_pt *pt,
		     unsigned long start, unsigned long size, bool count_only)
{
	s64 written = atomic64_read(&pt->pages_written);
	u64 t;

	pt->count_only = count_only;
	t = ktime_get_ns();
	amdgpu_svm_test_set_ok(test, &pt->svm, start, size, AMDGPU_SVM_ATTR_ACCESS,
			       AMDGPU_SVM_ACCESS_IN_PLACE);
	t = ktime_get_ns() - t;
	KUNIT_EXPECT_GE(test, atomic64_read(&pt->pages_written) - written,
			size >> PAGE_SHIFT);
	if (!count_only)
		KUNIT_EXPECT_EQ(test, amdgpu_svm_test_pt_count(pt, 0, ULONG_MAX),
				size >> PAGE_SHIFT);
	amdgpu_svm_test_set_ok(test, &pt->svm, start, size, AMDGPU_SVM_ATTR_ACCESS,
			       AMDGPU_SVM_ACCESS_INACCESSIBLE);
	pt->count_only = false;
	return t;
}

/* 1. XNACK off: SET_ATTR(ACCESS) mapping populated memory, against raw HMM. */
static void bench_map(struct kunit *test, unsigned long size, const char *param)
{
	struct amdgpu_svm_test_pt *pt = amdgpu_svm_test_pt_create(test, false);
	struct device *dev = pt->svm.drm->dev;
	unsigned long npages = size >> PAGE_SHIFT, start;
	u64 svm_ns[BENCH_RUNS], bare_ns[BENCH_RUNS], raw_ns[BENCH_RUNS], t;
	u64 svm, bare, raw;
	struct raw_mirror m = {};
	int run;

	start = amdgpu_svm_test_mmap(test, size, SZ_2M);
	amdgpu_svm_test_fill(test, start, size, 1);
	m.pfns = kvmalloc_array(npages, sizeof(*m.pfns), GFP_KERNEL);
	m.dma = kvmalloc_array(npages, sizeof(*m.dma), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, m.pfns && m.dma);
	KUNIT_ASSERT_EQ(test, mmu_interval_notifier_insert(&m.notifier, current->mm,
							   start, size, &raw_ops), 0);

	for (run = 0; run < BENCH_RUNS; run++) {
		t = ktime_get_ns();
		KUNIT_ASSERT_EQ(test, raw_map(&m, dev, start, size), 0);
		raw_ns[run] = ktime_get_ns() - t;
		raw_unmap(&m, dev, npages);

		svm_ns[run] = timed_map(test, pt, start, size, false);
		bare_ns[run] = timed_map(test, pt, start, size, true);
	}
	mmu_interval_notifier_remove(&m.notifier);
	kvfree(m.pfns);
	kvfree(m.dma);

	svm = rate(npages, median(svm_ns, BENCH_RUNS));
	bare = rate(npages, median(bare_ns, BENCH_RUNS));
	raw = rate(npages, median(raw_ns, BENCH_RUNS));
	report(test, "map_set_attr", param, svm, "pages/s");
	report(test, "map_set_attr_count_only_pt", param, bare, "pages/s");
	report(test, "map_raw_hmm", param, raw, "pages/s");
	report(test, "map_svm_vs_raw", param, ratio_x100(svm, raw), "x1/100");
	report(test, "map_svm_count_only_pt_vs_raw", param, ratio_x100(bare, raw),
	       "x1/100");
	amdgpu_svm_test_pt_destroy(test, pt);
}

static void bench_map_64m(struct kunit *test)
{
	bench_map(test, SZ_64M, "64MiB");
}

static void bench_map_512m(struct kunit *test)
{
	bench_map(test, SZ_512M, "512MiB");
}

/*
 * 2. Partial munmap inside mapped 2 MiB ranges: rebuild cost (XNACK off).
 * Pages scattered in physical memory keep the rest of a range; where the
 * hole cuts a physically contiguous run (the "_contig" rows), which amdgpu
 * maps in fragments, the whole range goes and is mapped again.
 */
static void bench_partial_munmap(struct kunit *test)
{
	static const unsigned long holes[] = { SZ_4K, SZ_64K, SZ_1M,
					       SZ_4K, SZ_64K, SZ_1M };
	static const char * const names[] = { "4KiB", "64KiB", "1MiB",
					       "4KiB_contig", "64KiB_contig",
					       "1MiB_contig" };
	const unsigned long size = 2 * BENCH_RUNS * SZ_2M;
	struct amdgpu_svm_test_pt *pt = amdgpu_svm_test_pt_create(test, false);
	struct amdgpu_svm *svm = &pt->svm;
	u64 ns[BENCH_RUNS], rebuilt, quiesces, t;
	unsigned long start, hole;
	int h, run;

	for (h = 0; h < ARRAY_SIZE(holes); h++) {
		start = amdgpu_svm_test_mmap(test, size, SZ_2M);
		if (h < 3)
			amdgpu_svm_test_fill_scattered(test, start, size, 2);
		else
			amdgpu_svm_test_fill(test, start, size, 2);
		amdgpu_svm_test_set_ok(test, svm, start, size, AMDGPU_SVM_ATTR_ACCESS,
				       AMDGPU_SVM_ACCESS_IN_PLACE);
		rebuilt = amdgpu_svm_stat_read(&svm->stats.pages_rebuilt);
		quiesces = amdgpu_svm_stat_read(&svm->stats.quiesces);
		for (run = 0; run < BENCH_RUNS; run++) {
			/* A hole in the middle of every other 2 MiB range. */
			hole = start + 2 * run * SZ_2M + SZ_1M - holes[h] / 2;
			hole = ALIGN_DOWN(hole, PAGE_SIZE);
			t = ktime_get_ns();
			KUNIT_ASSERT_EQ(test, vm_munmap(hole, holes[h]), 0);
			amdgpu_svm_flush_work(svm);
			ns[run] = ktime_get_ns() - t;
		}
		rebuilt = amdgpu_svm_stat_read(&svm->stats.pages_rebuilt) - rebuilt;
		quiesces = amdgpu_svm_stat_read(&svm->stats.quiesces) - quiesces;
		report(test, "partial_munmap_ns", names[h], median(ns, BENCH_RUNS), "ns/event");
		report(test, "partial_munmap_rebuilt_per_page", names[h],
		       ratio_x100(rebuilt, BENCH_RUNS * (holes[h] >> PAGE_SHIFT)),
		       "x1/100 pages");
		report(test, "partial_munmap_quiesces", names[h],
		       ratio_x100(quiesces, BENCH_RUNS), "x1/100 per event");
		amdgpu_svm_test_mirror_check(test, pt, start, size);
		amdgpu_svm_test_set_ok(test, svm, start, size, AMDGPU_SVM_ATTR_ACCESS,
				       AMDGPU_SVM_ACCESS_INACCESSIBLE);
	}
	amdgpu_svm_test_pt_destroy(test, pt);
}

/*
 * 3. The attribute tree with 100, 10k and 100k intervals: SET and GET at
 * random pages, and GET within 64 neighbouring nodes, whose paths stay in
 * the cache, to tell the depth of the tree from cache misses.
 */
static void bench_attr_scaling(struct kunit *test)
{
	static const unsigned long sizes[] = { 100, 10000, 100000 };
	static const char * const names[] = { "100", "10k", "100k" };
	const int ops = 2000;
	struct amdgpu_svm_attr_tree *tree = kunit_kzalloc(test, sizeof(*tree), GFP_KERNEL);
	struct drm_amdgpu_svm_attribute a = { AMDGPU_SVM_ATTR_GRANULARITY };
	u64 set_ns[3], get_ns[3], hot_ns[3], t;
	u64 set_run[BENCH_RUNS], get_run[BENCH_RUNS], hot_run[BENCH_RUNS];
	struct amdgpu_svm_attrs defaults;
	struct amdgpu_svm_attr_req req;
	struct rnd_state rnd;
	unsigned long page, base, hot;
	int s, run, i;

	KUNIT_ASSERT_NOT_NULL(test, tree);
	KUNIT_ASSERT_EQ(test, kunit_attach_mm(), 0);
	prandom_seed_state(&rnd, 42);
	amdgpu_svm_attr_defaults(&defaults, false, 9);
	/* The tree needs no memory behind its intervals. */
	base = SZ_4G >> PAGE_SHIFT;
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		amdgpu_svm_attr_tree_init(tree, current->mm, &defaults);
		/* Every other page differs from the defaults: one node each. */
		for (page = 0; page < sizes[s]; page++) {
			a.value = 1 + page % 2;
			KUNIT_ASSERT_EQ(test, amdgpu_svm_ioctl_parse_attrs(&req, &a, 1), 0);
			KUNIT_ASSERT_EQ(test,
					amdgpu_svm_attr_tree_set(tree, base + page,
								 base + page, &req,
								 NULL, NULL), 0);
		}
		KUNIT_ASSERT_EQ(test, amdgpu_svm_live_read(&tree->nr_nodes), sizes[s]);
		for (run = 0; run < BENCH_RUNS; run++) {
			t = ktime_get_ns();
			for (i = 0; i < ops; i++) {
				page = base + prandom_u32_state(&rnd) % sizes[s];
				/* Same value as it has: the tree keeps its shape. */
				a.value = 1 + (page - base) % 2;
				amdgpu_svm_ioctl_parse_attrs(&req, &a, 1);
				amdgpu_svm_attr_tree_set(tree, page, page, &req, NULL, NULL);
			}
			set_run[run] = ktime_get_ns() - t;
			t = ktime_get_ns();
			for (i = 0; i < ops; i++) {
				page = base + prandom_u32_state(&rnd) % sizes[s];
				amdgpu_svm_ioctl_read_attrs(tree, page, page, &a, 1);
			}
			get_run[run] = ktime_get_ns() - t;
			/* The same lookups within 64 nodes: cache-hot paths. */
			hot = prandom_u32_state(&rnd) % (sizes[s] - HOT_NODES);
			t = ktime_get_ns();
			for (i = 0; i < ops; i++)
				amdgpu_svm_ioctl_read_attrs(tree, base + hot + i % HOT_NODES,
							    base + hot + i % HOT_NODES, &a, 1);
			hot_run[run] = ktime_get_ns() - t;
		}
		set_ns[s] = div_u64(median(set_run, BENCH_RUNS), ops);
		get_ns[s] = div_u64(median(get_run, BENCH_RUNS), ops);
		hot_ns[s] = div_u64(median(hot_run, BENCH_RUNS), ops);
		report(test, "attr_set_ns", names[s], set_ns[s], "ns/op");
		report(test, "attr_get_ns", names[s], get_ns[s], "ns/op");
		report(test, "attr_get_hot_ns", names[s], hot_ns[s], "ns/op");
		amdgpu_svm_attr_tree_fini(tree);
	}
	report(test, "attr_set_100k_vs_100", "-", ratio_x100(set_ns[2], set_ns[0]), "x1/100");
	report(test, "attr_get_100k_vs_100", "-", ratio_x100(get_ns[2], get_ns[0]), "x1/100");
	report(test, "attr_get_hot_100k_vs_100", "-", ratio_x100(hot_ns[2], hot_ns[0]),
	       "x1/100");
}

/* One munmap of 256 MiB at a new mapping; with @svm, GPU-mapped through it. */
static u64 munmap_256m_ns(struct kunit *test, struct amdgpu_svm *svm)
{
	unsigned long start = amdgpu_svm_test_mmap(test, SZ_256M, SZ_2M);
	u64 t;

	amdgpu_svm_test_fill(test, start, SZ_256M, 3);
	if (svm)
		amdgpu_svm_test_set_ok(test, svm, start, SZ_256M, AMDGPU_SVM_ATTR_ACCESS,
				       AMDGPU_SVM_ACCESS_IN_PLACE);
	t = ktime_get_ns();
	KUNIT_ASSERT_EQ(test, vm_munmap(start, SZ_256M), 0);
	t = ktime_get_ns() - t;
	if (svm) {
		amdgpu_svm_flush_work(svm);
		KUNIT_ASSERT_EQ(test, amdgpu_svm_live_read(&svm->nr_ranges), 0);
	}
	return t;
}

/*
 * 4. munmap of 256 MiB, GPU-mapped through SVM, against no SVM; and with
 * a software page table that stores nothing, so that what is left is the
 * notifier, drm_gpusvm and the DMA unmap, without the table's own erase.
 */
static void bench_munmap_latency(struct kunit *test)
{
	struct amdgpu_svm_test_pt *pt = amdgpu_svm_test_pt_create(test, false);
	u64 svm_ns[3], bare_ns[3], only_ns[3], svm, bare, only;
	int run;

	for (run = 0; run < 3; run++) {
		bare_ns[run] = munmap_256m_ns(test, NULL);
		svm_ns[run] = munmap_256m_ns(test, &pt->svm);
		pt->count_only = true;
		only_ns[run] = munmap_256m_ns(test, &pt->svm);
		pt->count_only = false;
	}
	svm = median(svm_ns, 3);
	bare = median(bare_ns, 3);
	only = median(only_ns, 3);
	report(test, "munmap_256MiB_svm", "-", svm, "ns");
	report(test, "munmap_256MiB_svm_count_only_pt", "-", only, "ns");
	report(test, "munmap_256MiB_bare", "-", bare, "ns");
	report(test, "munmap_svm_vs_bare", "-", ratio_x100(svm, bare), "x1/100");
	report(test, "munmap_svm_count_only_pt_vs_bare", "-", ratio_x100(only, bare),
	       "x1/100");
	amdgpu_svm_test_pt_destroy(test, pt);
}

/* 5. XNACK on: faults over 64 MiB at three granularities. */
static void bench_faults(struct kunit *test)
{
	static const u32 grans[] = { 0, 4, 9 };
	static const char * const names[] = { "4KiB", "64KiB", "2MiB" };
	struct amdgpu_svm_test_pt *pt = amdgpu_svm_test_pt_create(test, true);
	struct amdgpu_svm *svm = &pt->svm;
	u64 ns[BENCH_RUNS], t, faults;
	unsigned long start, addr, step;
	int g, run;

	start = amdgpu_svm_test_mmap(test, SZ_64M, SZ_2M);
	amdgpu_svm_test_fill(test, start, SZ_64M, 4);
	for (g = 0; g < ARRAY_SIZE(grans); g++) {
		amdgpu_svm_test_set_ok(test, svm, start, SZ_64M, AMDGPU_SVM_ATTR_GRANULARITY,
				       grans[g]);
		step = PAGE_SIZE << grans[g];
		faults = SZ_64M / step;
		for (run = 0; run < BENCH_RUNS; run++) {
			amdgpu_svm_test_remove_all_ranges(svm);
			t = ktime_get_ns();
			for (addr = start; addr < start + SZ_64M; addr += step)
				KUNIT_ASSERT_EQ(test,
						amdgpu_svm_handle_fault(svm, addr, 0, true), 0);
			ns[run] = ktime_get_ns() - t;
			KUNIT_ASSERT_EQ(test, amdgpu_svm_test_pt_count(pt, 0, ULONG_MAX),
					SZ_64M >> PAGE_SHIFT);
		}
		report(test, "faults_per_s", names[g], rate(faults, median(ns, BENCH_RUNS)),
		       "faults/s");
		report(test, "fault_pages_per_s", names[g],
		       rate(SZ_64M >> PAGE_SHIFT, median(ns, BENCH_RUNS)), "pages/s");
	}
	amdgpu_svm_test_pt_destroy(test, pt);
}

static void bench_fuzz_100k(struct kunit *test)
{
	u64 t = ktime_get_ns();

	amdgpu_svm_test_fuzz(test, 100000);
	report(test, "fuzz_requests", "100k", div_u64(ktime_get_ns() - t, 100000),
	       "ns/request");
}

static struct kunit_case amdgpu_svm_bench_cases[] = {
	KUNIT_CASE_SLOW(bench_map_64m),
	KUNIT_CASE_SLOW(bench_map_512m),
	KUNIT_CASE_SLOW(bench_partial_munmap),
	KUNIT_CASE_SLOW(bench_attr_scaling),
	KUNIT_CASE_SLOW(bench_munmap_latency),
	KUNIT_CASE_SLOW(bench_faults),
	KUNIT_CASE_SLOW(bench_fuzz_100k),
	{}
};

static struct kunit_suite amdgpu_svm_bench_suite = {
	.name = "amdgpu_svm_bench",
	.init = bench_init,
	.test_cases = amdgpu_svm_bench_cases,
};

kunit_test_suite(amdgpu_svm_bench_suite);

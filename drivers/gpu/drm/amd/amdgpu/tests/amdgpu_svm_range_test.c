// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

/*
 * The range layer, notifier and workers on a real mm against the software
 * GPU page table, with the mirror check after every step.
 */

#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>

#include "../amdgpu_svm.h"
#include "../amdgpu_svm_ioctl.h"
#include "../amdgpu_svm_range.h"
#include "amdgpu_svm_test_helpers.h"
#include "amdgpu_svm_test_pt.h"

static u32 get_attr(struct kunit *test, struct amdgpu_svm *svm,
		    unsigned long addr, unsigned long size, u32 type)
{
	struct drm_amdgpu_svm_attribute a = { .type = type };

	KUNIT_ASSERT_EQ(test, amdgpu_svm_ioctl_read_attrs(&svm->attrs, addr >> PAGE_SHIFT,
							  ((addr + size) >> PAGE_SHIFT) - 1,
						  &a, 1), 0);
	return a.value;
}

static unsigned long pages(unsigned long size)
{
	return size >> PAGE_SHIFT;
}

static unsigned long mapped(struct amdgpu_svm_test_pt *pt, unsigned long addr,
			    unsigned long size)
{
	return amdgpu_svm_test_pt_count(pt, addr >> PAGE_SHIFT,
					((addr + size) >> PAGE_SHIFT) - 1);
}

/*
 * XNACK off: an 8 MiB span of written memory, made accessible. Its pages
 * are not physically contiguous, so that a partial munmap keeps the rest
 * (range_cut_runs_on() in the range layer).
 */
static struct amdgpu_svm_test_pt *mapped_8m(struct kunit *test, unsigned long *start)
{
	struct amdgpu_svm_test_pt *pt = amdgpu_svm_test_pt_create(test, false);

	*start = amdgpu_svm_test_mmap(test, SZ_8M, SZ_2M);
	amdgpu_svm_test_fill_scattered(test, *start, SZ_8M, 1);
	amdgpu_svm_test_set_ok(test, &pt->svm, *start, SZ_8M, AMDGPU_SVM_ATTR_ACCESS,
			       AMDGPU_SVM_ACCESS_IN_PLACE);
	return pt;
}

static void xnack_off_set_attr_maps_everything(struct kunit *test)
{
	unsigned long start;
	struct amdgpu_svm_test_pt *pt = mapped_8m(test, &start);

	KUNIT_EXPECT_EQ(test, mapped(pt, start, SZ_8M), pages(SZ_8M));
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&pt->svm.nr_ranges), 4);
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_8M);

	/* INACCESSIBLE unmaps. */
	amdgpu_svm_test_set_ok(test, &pt->svm, start + SZ_2M, SZ_2M, AMDGPU_SVM_ATTR_ACCESS,
			       AMDGPU_SVM_ACCESS_INACCESSIBLE);
	KUNIT_EXPECT_EQ(test, mapped(pt, start, SZ_8M), pages(SZ_8M - SZ_2M));
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_8M);

	/* Nothing is mapped on demand: a fault is refused, as KFD does. */
	KUNIT_EXPECT_EQ(test, amdgpu_svm_handle_fault(&pt->svm, start + SZ_2M, 0, false),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, mapped(pt, start, SZ_8M), pages(SZ_8M - SZ_2M));
	amdgpu_svm_test_pt_destroy(test, pt);
}

/*
 * Unmap [hole, hole + size) of the 8 MiB at @start: the GPU keeps every
 * other page, mapped to the same DMA address, before, during (checked in
 * the notifier, amdgpu_svm_test_pt_watch()) and after the event; the hole
 * loses its PTEs; no page is obtained or written again and no queue stops.
 */
static void munmap_keeps_neighbours(struct kunit *test, struct amdgpu_svm_test_pt *pt,
				    unsigned long start, unsigned long hole,
				    unsigned long size)
{
	struct amdgpu_svm *svm = &pt->svm;
	u64 rebuilt = amdgpu_svm_stat_read(&svm->stats.pages_rebuilt);
	u64 written = atomic64_read(&pt->pages_written);
	int quiesces = atomic_read(&pt->quiesces);

	amdgpu_svm_test_pt_watch(test, pt, start, SZ_8M);
	KUNIT_ASSERT_EQ(test, vm_munmap(hole, size), 0);
	amdgpu_svm_flush_work(svm);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_test_pt_unwatch(pt, hole, size), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.pages_rebuilt), rebuilt);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt->pages_written), written);
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->quiesces), quiesces);
	KUNIT_EXPECT_EQ(test, mapped(pt, hole, size), 0);
}

static void xnack_off_partial_munmap_keeps_neighbours(struct kunit *test)
{
	unsigned long start;
	struct amdgpu_svm_test_pt *pt = mapped_8m(test, &start);
	struct amdgpu_svm *svm = &pt->svm;

	/* 4 KiB inside the first 2 MiB range. */
	munmap_keeps_neighbours(test, pt, start, start + SZ_1M, SZ_4K);
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_8M);
	KUNIT_EXPECT_EQ(test, get_attr(test, svm, start + SZ_1M, SZ_4K,
				       AMDGPU_SVM_ATTR_ACCESS),
			AMDGPU_SVM_ACCESS_INACCESSIBLE);
	/* Its head and tail: one range each now. */
	munmap_keeps_neighbours(test, pt, start, start, SZ_64K);
	munmap_keeps_neighbours(test, pt, start, start + SZ_2M - SZ_64K, SZ_64K);

	/* 128 KiB across the boundary of the third and fourth 2 MiB ranges. */
	munmap_keeps_neighbours(test, pt, start, start + 3 * SZ_2M - SZ_64K, SZ_128K);
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_8M);

	/* The whole second range. */
	munmap_keeps_neighbours(test, pt, start, start + SZ_2M, SZ_2M);
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_8M);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.ranges_split), 5);
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->quiesces), 0);
	amdgpu_svm_test_pt_destroy(test, pt);
}

static void xnack_off_dontneed_restores(struct kunit *test)
{
	unsigned long start;
	struct amdgpu_svm_test_pt *pt = mapped_8m(test, &start);
	struct amdgpu_svm *svm = &pt->svm;

	KUNIT_ASSERT_EQ(test, do_madvise(current->mm, start + SZ_1M, SZ_1M,
					 MADV_DONTNEED), 0);
	KUNIT_EXPECT_GE(test, atomic_read(&pt->quiesces), 1);
	amdgpu_svm_flush_work(svm);
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->quiesce_depth), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->quiesces), atomic_read(&pt->resumes));
	KUNIT_EXPECT_EQ(test, mapped(pt, start, SZ_8M), pages(SZ_8M));

	/* The CPU writes after the restore land in the pages the GPU sees. */
	amdgpu_svm_test_fill(test, start, SZ_8M, 2);
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_8M);
	amdgpu_svm_test_pt_destroy(test, pt);
}

static void xnack_on_faults_map_on_demand(struct kunit *test)
{
	struct amdgpu_svm_test_pt *pt = amdgpu_svm_test_pt_create(test, true);
	struct amdgpu_svm *svm = &pt->svm;
	unsigned long start, ro;

	start = amdgpu_svm_test_mmap(test, SZ_4M, SZ_2M);
	amdgpu_svm_test_fill(test, start, SZ_4M, 3);
	KUNIT_EXPECT_EQ(test, mapped(pt, start, SZ_4M), 0);

	KUNIT_ASSERT_EQ(test, amdgpu_svm_handle_fault(svm, start + SZ_4K, 0, false), 0);
	KUNIT_EXPECT_EQ(test, mapped(pt, start, SZ_2M), pages(SZ_2M));
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_4M);

	/* DONTNEED only clears: no quiesce, no restore; the next fault maps. */
	KUNIT_ASSERT_EQ(test, do_madvise(current->mm, start, SZ_64K, MADV_DONTNEED), 0);
	amdgpu_svm_flush_work(svm);
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->quiesces), 0);
	KUNIT_EXPECT_EQ(test, mapped(pt, start, SZ_2M), 0);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_handle_fault(svm, start, 0, true), 0);
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_4M);

	/* INACCESSIBLE refuses the fault. */
	amdgpu_svm_test_set_ok(test, svm, start + SZ_2M, SZ_64K, AMDGPU_SVM_ATTR_ACCESS,
			       AMDGPU_SVM_ACCESS_INACCESSIBLE);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_handle_fault(svm, start + SZ_2M, 0, false),
			-EACCES);

	/* GPU_RO: a write fault fails, a read fault maps read-only. */
	amdgpu_svm_test_set_ok(test, svm, start + 3 * SZ_1M, SZ_1M, AMDGPU_SVM_ATTR_GPU_RO, 1);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_handle_fault(svm, start + 3 * SZ_1M, 0, true),
			-EPERM);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_handle_fault(svm, start + 3 * SZ_1M, 0, false), 0);
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_4M);

	/* A read-only VMA maps read-only; writing to it is refused. */
	ro = kunit_vm_mmap(test, NULL, 0, SZ_2M, PROT_READ,
			   MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(ro));
	KUNIT_EXPECT_EQ(test, amdgpu_svm_handle_fault(svm, ro, 0, true), -EPERM);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_handle_fault(svm, ro, 0, false), 0);
	KUNIT_EXPECT_GT(test, mapped(pt, ro, SZ_2M), 0);
	amdgpu_svm_test_mirror_check(test, pt, ro, SZ_2M);
	amdgpu_svm_test_pt_destroy(test, pt);
}

/*
 * The SVM branch of the GPU fault path: a duplicate fault maps nothing;
 * after a CPU unmap of GPU-mapped pages, faults raised up to the IH
 * checkpoint are dropped as stale, and the first later one (also across
 * the 48-bit wrap of the timestamps) is served and clears the checkpoint.
 */
static void xnack_on_drops_stale_and_duplicate_faults(struct kunit *test)
{
	struct amdgpu_svm_test_pt *pt = amdgpu_svm_test_pt_create(test, true);
	struct amdgpu_svm *svm = &pt->svm;
	const u64 wrap = BIT_ULL(48);
	unsigned long start;

	start = amdgpu_svm_test_mmap(test, SZ_4M, SZ_2M);
	amdgpu_svm_test_fill_scattered(test, start, SZ_4M, 5);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_handle_fault(svm, start, 100, true), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.faults_handled), 1);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_handle_fault(svm, start + SZ_4K, 101, true), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.faults_duplicate), 1);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.pages_obtained), pages(SZ_2M));

	/*
	 * Faults up to the checkpoint of the unmap may be about the old pages.
	 * The unmap takes the PTEs of its hole only.
	 */
	atomic64_set(&pt->checkpoint, wrap - 16);
	KUNIT_ASSERT_EQ(test, vm_munmap(start + SZ_1M, SZ_64K), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&svm->fault_checkpoint), wrap - 16);
	KUNIT_EXPECT_EQ(test, mapped(pt, start, SZ_2M), pages(SZ_2M - SZ_64K));
	KUNIT_ASSERT_EQ(test, amdgpu_svm_handle_fault(svm, start + SZ_2M, wrap - 20,
						      false), 0);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_handle_fault(svm, start + SZ_2M, wrap - 16,
						      false), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.faults_stale), 2);
	KUNIT_EXPECT_EQ(test, mapped(pt, start + SZ_2M, SZ_2M), 0);

	/* Raised after the checkpoint, past the wrap: served. */
	KUNIT_ASSERT_EQ(test, amdgpu_svm_handle_fault(svm, start + SZ_2M, 8, false), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.faults_handled), 2);
	KUNIT_EXPECT_EQ(test, atomic64_read(&svm->fault_checkpoint), 0);
	KUNIT_EXPECT_EQ(test, mapped(pt, start + SZ_2M, SZ_2M), pages(SZ_2M));
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_4M);
	amdgpu_svm_test_pt_destroy(test, pt);
}

/*
 * XNACK on: one fault maps the whole granularity-aligned granule around
 * its address, as KFD does, whatever the granularity (1 to 512 pages),
 * and nothing outside it.
 */
static void xnack_on_fault_maps_the_granule(struct kunit *test)
{
	const unsigned int granularity = *(const unsigned int *)test->param_value;
	struct amdgpu_svm_test_pt *pt = amdgpu_svm_test_pt_create(test, true);
	struct amdgpu_svm *svm = &pt->svm;
	unsigned long start, granule, addr, lo;

	start = amdgpu_svm_test_mmap(test, SZ_4M, SZ_2M);
	amdgpu_svm_test_fill(test, start, SZ_4M, 7);
	amdgpu_svm_test_set_ok(test, svm, start, SZ_4M, AMDGPU_SVM_ATTR_GRANULARITY,
			       granularity);
	granule = PAGE_SIZE << granularity;
	/* A page in the middle of a granule, away from the 2 MiB boundary. */
	addr = start + SZ_1M + granule / 2 + PAGE_SIZE * 3;
	lo = ALIGN_DOWN(addr, granule);

	KUNIT_ASSERT_EQ(test, amdgpu_svm_handle_fault(svm, addr, 0, false), 0);
	KUNIT_EXPECT_EQ_MSG(test, mapped(pt, lo, granule), pages(granule),
			    "granularity %u: the fault did not map its granule",
			    granularity);
	KUNIT_EXPECT_EQ_MSG(test, mapped(pt, start, SZ_4M), pages(granule),
			    "granularity %u: the fault mapped beyond its granule",
			    granularity);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.faults_handled), 1);
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_4M);

	/* Another page of the granule obtains no page again. */
	KUNIT_ASSERT_EQ(test, amdgpu_svm_handle_fault(svm, lo, 0, false), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.pages_obtained), pages(granule));
	amdgpu_svm_test_pt_destroy(test, pt);
}

static const unsigned int granularities[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };

static void granularity_desc(const unsigned int *g, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "granularity %u", *g);
}

KUNIT_ARRAY_PARAM(granularity, granularities, granularity_desc);

static void gpu_ro_on_one_page_splits_the_range(struct kunit *test)
{
	unsigned long start, mid;
	struct amdgpu_svm_test_pt *pt = mapped_8m(test, &start);
	const struct amdgpu_svm_test_pte *e;

	mid = start + SZ_1M;
	amdgpu_svm_test_set_ok(test, &pt->svm, mid, SZ_4K, AMDGPU_SVM_ATTR_GPU_RO, 1);
	KUNIT_EXPECT_EQ(test, mapped(pt, start, SZ_8M), pages(SZ_8M));
	e = amdgpu_svm_test_pt_lookup(pt, mid >> PAGE_SHIFT);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_FALSE(test, e->pte & AMDGPU_SVM_PTE_WRITE);
	e = amdgpu_svm_test_pt_lookup(pt, (mid >> PAGE_SHIFT) - 1);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_TRUE(test, e->pte & AMDGPU_SVM_PTE_WRITE);
	e = amdgpu_svm_test_pt_lookup(pt, (mid >> PAGE_SHIFT) + 1);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_TRUE(test, e->pte & AMDGPU_SVM_PTE_WRITE);
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_8M);
	amdgpu_svm_test_pt_destroy(test, pt);
}

/*
 * XNACK off: the process unmaps other memory of the same 512 MiB block
 * while SET maps a span (malloc and free churn). Only unmaps under the
 * range just mapped make its attributes suspect: the span is mapped once,
 * completely, with no range made again.
 */
static void xnack_off_unrelated_munmaps_do_not_stall_mapping(struct kunit *test)
{
	struct amdgpu_svm_test_pt *pt = amdgpu_svm_test_pt_create(test, false);
	struct amdgpu_svm *svm = &pt->svm;
	unsigned long start = amdgpu_svm_test_mmap(test, SZ_4M, SZ_2M);

	KUNIT_ASSERT_EQ(test, start >> 29, (start + SZ_4M - 1) >> 29);
	amdgpu_svm_test_fill(test, start, SZ_2M, 9);
	pt->churn = start + SZ_2M;
	pt->churn_end = start + SZ_4M;
	amdgpu_svm_test_set_ok(test, svm, start, SZ_2M, AMDGPU_SVM_ATTR_ACCESS,
			       AMDGPU_SVM_ACCESS_IN_PLACE);
	flush_work(&pt->churn_work);
	WRITE_ONCE(pt->churn, 0);
	KUNIT_EXPECT_GT(test, atomic_read(&svm->attrs.unmaps.seq), 0);
	KUNIT_EXPECT_EQ_MSG(test, amdgpu_svm_stat_read(&svm->stats.pages_obtained), pages(SZ_2M),
			    "unrelated munmaps made the mapping start over");
	KUNIT_EXPECT_EQ(test, mapped(pt, start, SZ_2M), pages(SZ_2M));
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_2M);
	amdgpu_svm_test_pt_destroy(test, pt);
}

static void teardown_with_work_queued(struct kunit *test)
{
	unsigned long start;
	struct amdgpu_svm_test_pt *pt = mapped_8m(test, &start);

	KUNIT_ASSERT_EQ(test, vm_munmap(start + SZ_1M, SZ_4K), 0);
	KUNIT_ASSERT_EQ(test, do_madvise(current->mm, start + SZ_4M, SZ_1M,
					 MADV_DONTNEED), 0);
	/* No flush: fini must cope with queued ranges. */
	amdgpu_svm_test_pt_destroy(test, pt);
}

/* Make the retry delay the longest, so that only a flush of the work runs it. */
static void slow_retries(struct amdgpu_svm *svm)
{
	spin_lock(&svm->work.lock);
	svm->work.retry.delay_ms = AMDGPU_SVM_RETRY_MAX_MS;
	spin_unlock(&svm->work.lock);
}

/* Give the warnings their burst back, with no worker running. */
static void quiet_warnings_reset(struct amdgpu_svm *svm)
{
	amdgpu_svm_flush_work(svm);
	ratelimit_state_init(&svm->warn_rs, DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST);
	ratelimit_state_init(&svm->notifier_warn_rs, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
}

/* Whether a warning since @mark ends in ": <err>; <text>...", whatever errno numbers are. */
static bool logged(struct kunit *test, u64 mark, int err, const char *text)
{
	char *needle = kunit_kzalloc(test, 96, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, needle);
	snprintf(needle, 96, ": %d; %s", err, text);
	return amdgpu_svm_test_log_has(test, mark, needle);
}

/* Whether the range at @addr is still there, DMA-unmapped, waiting for a clear. */
static bool clear_pending_at(struct amdgpu_svm *svm, unsigned long addr)
{
	struct drm_gpusvm_notifier *notifier;
	struct drm_gpusvm_range *range;
	struct amdgpu_svm_range *r;
	bool pending = false;

	mutex_lock(&svm->lock);
	notifier = drm_gpusvm_notifier_find(&svm->gpusvm, addr, addr + 1);
	range = notifier ? drm_gpusvm_range_find(notifier, addr, addr + 1) : NULL;
	if (range) {
		r = container_of(range, struct amdgpu_svm_range, base);
		drm_gpusvm_notifier_lock(&svm->gpusvm);
		/* DMA-unmapped all the same: the CPU frees the pages. */
		pending = r->clear_pending && !r->pages.flags.has_dma_mapping;
		drm_gpusvm_notifier_unlock(&svm->gpusvm);
	}
	mutex_unlock(&svm->lock);
	return pending;
}

/* 8 MiB at *@start, GPU-mapped in either XNACK mode. */
static struct amdgpu_svm_test_pt *mapped_8m_in(struct kunit *test, bool xnack_on,
					       unsigned long *start)
{
	struct amdgpu_svm_test_pt *pt;
	unsigned long addr;
	bool dup;

	if (!xnack_on)
		return mapped_8m(test, start);
	pt = amdgpu_svm_test_pt_create(test, true);
	*start = amdgpu_svm_test_mmap(test, SZ_8M, SZ_2M);
	amdgpu_svm_test_fill_scattered(test, *start, SZ_8M, 1);
	amdgpu_svm_test_set_ok(test, &pt->svm, *start, SZ_8M, AMDGPU_SVM_ATTR_ACCESS,
			       AMDGPU_SVM_ACCESS_IN_PLACE);
	mutex_lock(&pt->svm.lock);
	for (addr = *start; addr < *start + SZ_8M; addr += SZ_2M)
		KUNIT_ASSERT_EQ(test, amdgpu_svm_range_map_fault(&pt->svm, addr, true, &dup), 0);
	mutex_unlock(&pt->svm.lock);
	KUNIT_ASSERT_EQ(test, mapped(pt, *start, SZ_8M), pages(SZ_8M));
	return pt;
}

static const bool xnack_modes[] = { false, true };

static void xnack_desc(const bool *on, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "xnack %s", *on ? "on" : "off");
}

KUNIT_ARRAY_PARAM(xnack, xnack_modes, xnack_desc);

/*
 * 8 MiB GPU-mapped in the case's XNACK mode, with retries slowed so that
 * only a flush of the work runs them; then 64 KiB at 1 MiB unmapped while
 * the next @fails flushes (@flushes) or clears of the page table fail (-1:
 * all of them). *@mark: the log before the munmap.
 */
static struct amdgpu_svm_test_pt *munmap_failing(struct kunit *test, bool flushes, int fails,
						 unsigned long *start, u64 *mark)
{
	const bool *xnack_on = test->param_value;
	struct amdgpu_svm_test_pt *pt = mapped_8m_in(test, *xnack_on, start);

	slow_retries(&pt->svm);
	atomic_set(flushes ? &pt->fail_flushes : &pt->fail_clears, fails);
	*mark = amdgpu_svm_test_log_mark();
	KUNIT_ASSERT_EQ(test, vm_munmap(*start + SZ_1M, SZ_64K), 0);
	return pt;
}

/*
 * The TLB flush after a munmap cleared the PTEs fails: the GPU may still
 * reach the hole through what it cached. The range stays, DMA-unmapped as
 * drm_gpusvm requires, and the queues stay stopped, in both XNACK modes,
 * until a worker has flushed; teardown meanwhile unmaps all the same.
 */
static void failed_flush_holds_until_a_worker_flushes(struct kunit *test)
{
	const bool *xnack_on = test->param_value;
	struct amdgpu_svm_test_pt *pt;
	struct amdgpu_svm *svm;
	unsigned long start;
	u64 mark;

	pt = munmap_failing(test, true, -1, &start, &mark);
	svm = &pt->svm;
	KUNIT_EXPECT_TRUE(test, logged(test, mark, -ETIME, "queues held until a worker"));
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->held_in_notifier), 1);
	KUNIT_EXPECT_TRUE_MSG(test, clear_pending_at(svm, start + SZ_1M - PAGE_SIZE),
			      "not pending, or still DMA-mapped after the CPU let go");

	/* The GC's try fails too: parked, for the delayed retry. */
	flush_workqueue(svm->work.wq);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.ranges_parked), 1);
	KUNIT_EXPECT_TRUE(test, delayed_work_pending(&svm->work.restore_work));
	KUNIT_EXPECT_TRUE(test, clear_pending_at(svm, start + SZ_1M - PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, logged(test, mark, -ETIME, "queues held, retry"));
	KUNIT_EXPECT_GT(test, atomic_read(&pt->quiesce_depth), 0);

	/* The retry, run now, tries once; the remap waits for the range. */
	amdgpu_svm_flush_work(svm);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.ranges_parked), 2);
	KUNIT_EXPECT_TRUE(test, clear_pending_at(svm, start + SZ_1M - PAGE_SIZE));
	KUNIT_EXPECT_GT(test, atomic_read(&pt->quiesce_depth), 0);

	atomic_set(&pt->fail_flushes, 0);
	amdgpu_svm_flush_work(svm);
	KUNIT_EXPECT_FALSE(test, clear_pending_at(svm, start + SZ_1M - PAGE_SIZE));
	KUNIT_EXPECT_FALSE(test, amdgpu_svm_work_pending(svm));
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->quiesce_depth), 0);
	KUNIT_EXPECT_EQ(test, mapped(pt, start + SZ_1M, SZ_64K), 0);
	if (!*xnack_on)
		KUNIT_EXPECT_EQ(test, mapped(pt, start, SZ_8M), pages(SZ_8M - SZ_64K));
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_8M);

	/* Teardown does not wait for a parked range whose flush keeps failing. */
	quiet_warnings_reset(svm);
	atomic_set(&pt->fail_flushes, -1);
	KUNIT_ASSERT_EQ(test, vm_munmap(start + SZ_4M, SZ_64K), 0);
	flush_workqueue(svm->work.wq);
	KUNIT_EXPECT_TRUE(test, clear_pending_at(svm, start + SZ_4M + SZ_64K));
	mark = amdgpu_svm_test_log_mark();
	amdgpu_svm_test_pt_destroy(test, pt);
	KUNIT_EXPECT_TRUE(test, logged(test, mark, -ETIME, "unmapped all the same"));
}

/*
 * The clear in a notifier fails, and so does the first one the garbage
 * collector tries: the range stays, DMA-unmapped, parked until the
 * retry delay has passed, and the next try removes it.
 */
static void failed_clear_is_retried_by_the_worker(struct kunit *test)
{
	struct amdgpu_svm_test_pt *pt;
	struct amdgpu_svm *svm;
	unsigned long start;
	u64 mark;

	pt = munmap_failing(test, false, 2, &start, &mark);
	svm = &pt->svm;
	KUNIT_EXPECT_TRUE(test, logged(test, mark, -EBUSY, "queues held until a worker"));
	/* The PTEs of the hole survived the notifier that failed to clear them. */
	KUNIT_EXPECT_EQ(test, atomic_xchg(&pt->survivors, 0), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->held_in_notifier), 1);
	flush_workqueue(svm->work.wq);
	/* Not removed by the pass that failed, nor mapped over. */
	KUNIT_EXPECT_TRUE(test, clear_pending_at(svm, start + SZ_1M - PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, delayed_work_pending(&svm->work.restore_work));
	KUNIT_EXPECT_TRUE(test, logged(test, mark, -EBUSY, "queues held, retry"));
	amdgpu_svm_flush_work(svm);
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->fail_clears), 0);
	KUNIT_EXPECT_FALSE(test, clear_pending_at(svm, start + SZ_1M - PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->quiesce_depth), 0);
	KUNIT_EXPECT_EQ(test, mapped(pt, start + SZ_1M, SZ_64K), 0);
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_8M);
	amdgpu_svm_test_pt_destroy(test, pt);
}

static struct kunit_case amdgpu_svm_range_cases[] = {
	KUNIT_CASE(xnack_off_set_attr_maps_everything),
	KUNIT_CASE(xnack_off_partial_munmap_keeps_neighbours),
	KUNIT_CASE(xnack_off_dontneed_restores),
	KUNIT_CASE(xnack_on_faults_map_on_demand),
	KUNIT_CASE(xnack_on_drops_stale_and_duplicate_faults),
	KUNIT_CASE_PARAM(xnack_on_fault_maps_the_granule, granularity_gen_params),
	KUNIT_CASE(gpu_ro_on_one_page_splits_the_range),
	KUNIT_CASE(xnack_off_unrelated_munmaps_do_not_stall_mapping),
	KUNIT_CASE(teardown_with_work_queued),
	KUNIT_CASE_PARAM(failed_flush_holds_until_a_worker_flushes, xnack_gen_params),
	KUNIT_CASE_PARAM(failed_clear_is_retried_by_the_worker, xnack_gen_params),
	{}
};

static struct kunit_suite amdgpu_svm_range_suite = {
	.name = "amdgpu_svm_range",
	.test_cases = amdgpu_svm_range_cases,
};

kunit_test_suite(amdgpu_svm_range_suite);

// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include <drm/drm_device.h>
#include <drm/drm_gpusvm.h>
#include <drm/drm_pagemap.h>

#include "amdgpu_svm.h"
#include "amdgpu_svm_migrate.h"
#include "amdgpu_svm_test_hooks.h"
#include "amdgpu_svm_range.h"
#include "amdgpu_svm_vram.h"

/**
 * DOC: SVM ranges
 *
 * The GPU mappings of SVM memory are drm_gpusvm ranges: drm_gpusvm picks a
 * range's size from the chunk sizes (2 MiB, 64 KiB, 4 KiB) that fit the
 * VMA and the bounds the driver gives, faults the pages in through HMM and
 * DMA-maps them; the driver writes the GPU page tables.
 *
 * A range never straddles two attribute settings that shape its mapping
 * (access, PTE flags): ranges are created inside the attribute interval
 * around their address, and an attribute change that affects access or
 * PTE flags removes the ranges of the changed span. With XNACK off they
 * are created again at once; with XNACK on at the next GPU fault.
 *
 * drm_gpusvm_get_pages() always faults pages in, so mapping an accessible
 * span populates it, as KFD's XNACK-off path does.
 *
 * On an MMU notifier (&amdgpu_svm_range_ops.invalidate), in this order,
 * because the pages may be freed as soon as the callback returns:
 *
 * 1. XNACK off, and the invalidation takes PTEs from memory the CPU still
 *    maps: quiesce the queues first. An unmap takes PTEs only from what it
 *    unmapped, which is not memory the queues may use (as in KFD): no
 *    quiesce.
 * 2. Clear the PTEs (notifier-safe path): when an unmap cuts a range, of
 *    the unmapped span only (amdgpu_svm_range_keeps_rest()); otherwise of the whole
 *    range.
 * 3. Wait for that update and flush the TLB (heavyweight).
 * 4. Only then DMA-unmap the same span (drm_gpusvm_unmap_pages_span()) or
 *    range; on MMU_NOTIFY_UNMAP mark the ranges unmapped.
 * 5. Queue work: UNMAP to the garbage collector, which replaces a range an
 *    unmap cut by the runs of it still mapped, with their pages and PTEs
 *    (drm_gpusvm_range_split()), and removes the others; other events with
 *    XNACK off to the restore worker; with XNACK on nothing, the next fault
 *    maps again.
 *
 * The rest of a cut range stays mapped throughout. It is taken too, with
 * XNACK off after a quiesce, where a DMA entry reaches out of the unmapped
 * span (a transparent huge page: its split, before the unmap, invalidates
 * the whole of it anyway), where the pages share one IOVA reservation, and
 * where a clear or the split fails; the garbage collector then maps it
 * again (counted in &amdgpu_svm_stats.partial_unmap_fallbacks, the pages
 * in &amdgpu_svm_stats.pages_rebuilt).
 *
 * A notifier cannot refuse an invalidation. When a clear or the TLB flush
 * fails, the range is marked &amdgpu_svm_range.clear_pending, its pages
 * are DMA-unmapped all the same (the CPU frees them once the notifier
 * returns; behind an IOMMU a stale PTE then faults rather than reach the
 * page's next owner), the queues are held (with XNACK on, new work is
 * refused), and nothing maps over the range until the garbage collector
 * has cleared, flushed and removed it. A removal that fails the same way
 * parks the range for the retry delay (amdgpu_svm_work_park_range());
 * pages the CPU still maps stay DMA-mapped until it invalidates them.
 */

#define AMDGPU_SVM_MAP_RETRIES	16

static struct amdgpu_svm *amdgpu_svm_from_gpusvm(struct drm_gpusvm *gpusvm)
{
	return container_of(gpusvm, struct amdgpu_svm, gpusvm);
}

static struct amdgpu_svm_range *amdgpu_svm_range_from_base(struct drm_gpusvm_range *range)
{
	return container_of(range, struct amdgpu_svm_range, base);
}

static unsigned long amdgpu_svm_range_first(struct amdgpu_svm_range *r)
{
	return drm_gpusvm_range_start(&r->base) >> PAGE_SHIFT;
}

static unsigned long amdgpu_svm_range_last(struct amdgpu_svm_range *r)
{
	return (drm_gpusvm_range_end(&r->base) >> PAGE_SHIFT) - 1;
}

static unsigned long amdgpu_svm_range_npages(struct amdgpu_svm_range *r)
{
	return drm_gpusvm_range_size(&r->base) >> PAGE_SHIFT;
}

static struct kmem_cache *amdgpu_svm_range_cache;

/**
 * amdgpu_svm_range_cache_create() - Create the slab cache of ranges
 *
 * Called once, at module init.
 *
 * Return: 0 or -ENOMEM.
 */
int amdgpu_svm_range_cache_create(void)
{
	amdgpu_svm_range_cache = KMEM_CACHE(amdgpu_svm_range, 0);
	return amdgpu_svm_range_cache ? 0 : -ENOMEM;
}

/**
 * amdgpu_svm_range_cache_destroy() - Destroy the slab cache of ranges
 *
 * Called once, at module exit, when no SVM is left.
 */
void amdgpu_svm_range_cache_destroy(void)
{
	kmem_cache_destroy(amdgpu_svm_range_cache);
	amdgpu_svm_range_cache = NULL;
}

static struct drm_gpusvm_range *amdgpu_svm_range_alloc(struct drm_gpusvm *gpusvm)
{
	struct amdgpu_svm *svm = amdgpu_svm_from_gpusvm(gpusvm);
	struct amdgpu_svm_range *r;

	if (amdgpu_svm_should_fail_alloc())
		return NULL;
	r = kmem_cache_zalloc(amdgpu_svm_range_cache, GFP_KERNEL);
	if (!r)
		return NULL;
	drm_gpusvm_init_pages(&r->pages, svm->drm);
	INIT_LIST_HEAD(&r->work_link);
	amdgpu_svm_live_inc(&svm->nr_ranges);
	return &r->base;
}

/* The range's PTEs are gone, or the GPU with them: VRAM may be reused. */
static void amdgpu_svm_range_drop_stale(struct amdgpu_svm_range *r)
{
	if (r->stale_vram)
		amdgpu_svm_vram_release_stale(r->stale_vram);
	r->stale_vram = NULL;
}

static void amdgpu_svm_range_free(struct drm_gpusvm_range *range)
{
	struct amdgpu_svm *svm = amdgpu_svm_from_gpusvm(range->gpusvm);
	struct amdgpu_svm_range *r = amdgpu_svm_range_from_base(range);

	drm_gpusvm_free_pages(range->gpusvm, &r->pages, amdgpu_svm_range_npages(r));
	amdgpu_svm_range_drop_stale(r);
	kmem_cache_free(amdgpu_svm_range_cache, r);
	amdgpu_svm_live_dec(&svm->nr_ranges);
}

/**
 * amdgpu_svm_range_pte() - Work out the mapping a range gets from its attributes
 * @attrs: the attributes of the range
 * @read_only: the CPU mapping is read-only
 *
 * Return: &enum amdgpu_svm_pte bits.
 */
u32 amdgpu_svm_range_pte(const struct amdgpu_svm_attrs *attrs, bool read_only)
{
	u32 pte = AMDGPU_SVM_PTE_READ | AMDGPU_SVM_PTE_SNOOP;

	if (!read_only && !(attrs->flags & AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_GPU_RO)))
		pte |= AMDGPU_SVM_PTE_WRITE;
	if (attrs->flags & AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_GPU_EXEC))
		pte |= AMDGPU_SVM_PTE_EXEC;
	if (attrs->flags & AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_COHERENT))
		pte |= AMDGPU_SVM_PTE_COHERENT;
	if (attrs->flags & AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_EXT_COHERENT))
		pte |= AMDGPU_SVM_PTE_EXT_COHERENT;
	return pte;
}

/*
 * Clear the PTEs an invalidation takes from @r: its cut span if it keeps
 * its rest, else all of it. Notifier lock held for write.
 */
static int amdgpu_svm_range_clear_invalidated(struct amdgpu_svm *svm, struct amdgpu_svm_range *r)
{
	unsigned long first = amdgpu_svm_range_first(r), last = amdgpu_svm_range_last(r);
	int ret;

	lockdep_assert_held_write(&svm->gpusvm.notifier_lock);
	if (r->keep_rest) {
		first = r->cut_start >> PAGE_SHIFT;
		last = (r->cut_end >> PAGE_SHIFT) - 1;
	}
	ret = svm->ops->clear(svm, first, last);
	if (ret)
		amdgpu_svm_notifier_warn(svm, "cannot clear GPU pages %#lx-%#lx: %d; %s\n", first,
					 last, ret, "queues held until a worker clears them");
	return ret;
}

/*
 * The GPU may still reach @r: its clear failed, or the TLB flush after it.
 * It stays counted as GPU-mapped, keeps no rest, and the worker that
 * clears it removes it whole. In a notifier its pages are DMA-unmapped
 * all the same (amdgpu_svm_range_invalidate()), as drm_gpusvm requires of
 * an invalidation: the CPU frees them once the notifier returns, and
 * behind an IOMMU a stale PTE then faults instead of reaching the page's
 * next owner; a failed removal leaves pages the CPU still owns mapped.
 * Notifier lock held for write.
 */
static void amdgpu_svm_range_mark_clear_pending(struct amdgpu_svm_range *r)
{
	lockdep_assert_held_write(&r->base.gpusvm->notifier_lock);
	r->clear_pending = true;
	r->keep_rest = false;
	/* No IOMMU stands between the PTEs and VRAM: keep it from reuse. */
	if (!r->stale_vram && r->pages.dpagemap)
		r->stale_vram = amdgpu_svm_vram_hold_stale(r->pages.dpagemap);
}

/*
 * Clear the GPU mapping of the ranges in [start, end) and flush the TLB;
 * notifier lock held. A range that keeps its rest has only its cut span
 * cleared and stays mapped. A range whose clear failed, or all of them if
 * the flush did, get @clear_pending (see above).
 * Return: whether the GPU may still reach pages of the span.
 */
static bool amdgpu_svm_range_clear_mapped(struct amdgpu_svm *svm,
					  struct drm_gpusvm_notifier *notifier,
					  unsigned long start, unsigned long end)
{
	struct drm_gpusvm_range *range = NULL;
	bool cleared = false, failed = false;
	int ret;

	lockdep_assert_held_write(&svm->gpusvm.notifier_lock);
	drm_gpusvm_for_each_range(range, notifier, start, end) {
		struct amdgpu_svm_range *r = amdgpu_svm_range_from_base(range);

		if (!r->gpu_mapped)
			continue;
		cleared = true;
		if (amdgpu_svm_range_clear_invalidated(svm, r)) {
			amdgpu_svm_range_mark_clear_pending(r);
			failed = true;
		}
	}
	if (!cleared)
		return false;
	ret = svm->ops->flush(svm, true);
	if (ret) {
		amdgpu_svm_notifier_warn(svm, "cannot flush the TLB for %#lx-%#lx: %d; %s\n",
					 start >> PAGE_SHIFT, (end - 1) >> PAGE_SHIFT, ret,
					 "queues held until a worker flushes it");
		failed = true;
	}
	range = NULL;
	drm_gpusvm_for_each_range(range, notifier, start, end) {
		struct amdgpu_svm_range *r = amdgpu_svm_range_from_base(range);

		if (!r->gpu_mapped || r->clear_pending)
			continue;
		/* The TLB may still hold what was cleared. */
		if (ret)
			amdgpu_svm_range_mark_clear_pending(r);
		else if (!r->keep_rest)
			r->gpu_mapped = false;
	}
	return failed;
}

/*
 * A clear or flush failed: the GPU may still reach pages the CPU may free
 * once the notifier returns. Hold the queues until a worker has cleared
 * them (with XNACK on that refuses new work only, see
 * &amdgpu_svm_gpu_ops.quiesce); @held says whether this invalidation
 * holds them already.
 */
static void amdgpu_svm_range_hold_after_failed_clear(struct amdgpu_svm *svm, bool held)
{
	if (!held)
		amdgpu_svm_hold_queues(svm);
}

static bool amdgpu_svm_range_any_mapped(struct drm_gpusvm_notifier *notifier,
					unsigned long start, unsigned long end)
{
	struct drm_gpusvm_range *range = NULL;

	drm_gpusvm_for_each_range(range, notifier, start, end)
		if (amdgpu_svm_range_from_base(range)->gpu_mapped)
			return true;
	return false;
}

/*
 * Whether the DMA addresses of @r run on across an edge of its cut span
 * [@cut_start, @cut_end): the page before the cut is contiguous with its
 * first page, or its last page with the page after it. amdgpu then maps
 * both sides in one contiguous run, in fragments aligned to GPU addresses
 * (or as one huge PDE), and a neighbour's PTE may claim the hole as part
 * of its fragment: a TLB entry made from it would still reach the freed
 * page. Where the contiguity breaks at both edges, no fragment crosses
 * them. Notifier lock held.
 */
static bool amdgpu_svm_range_cut_runs_on(struct amdgpu_svm *svm, struct amdgpu_svm_range *r,
					 unsigned long cut_start, unsigned long cut_end)
{
	const struct drm_pagemap_addr *a, *prev = NULL;
	unsigned long npages = amdgpu_svm_range_npages(r), i = 0, j = 0, at;

	lockdep_assert_held(&svm->gpusvm.notifier_lock);
	if (!r->pages.flags.has_dma_mapping)
		return false;
	while (i < npages) {
		a = &r->pages.dma_addr[j++];
		at = drm_gpusvm_range_start(&r->base) + (i << PAGE_SHIFT);
		if (prev && (at == cut_start || at == cut_end) &&
		    prev->addr != DMA_MAPPING_ERROR && a->addr != DMA_MAPPING_ERROR &&
		    prev->addr + (PAGE_SIZE << prev->order) == a->addr)
			return true;
		prev = a;
		i += 1UL << a->order;
	}
	return false;
}

/*
 * Whether an UNMAP event that cuts @r leaves the rest of @r mapped: only
 * the span it unmapped loses its PTEs and DMA mappings, and the garbage
 * collector splits @r (drm_gpusvm_range_split()). Not when a DMA entry
 * (a huge page) reaches out of the span, when the pages share one IOVA
 * reservation, nor when a physically contiguous run crosses an edge of
 * the span (amdgpu_svm_range_cut_runs_on()): then all of @r goes, as for any other
 * event. Sets
 * @r->cut_start and @r->cut_end. Notifier lock held for write.
 */
static bool amdgpu_svm_range_keeps_rest(struct amdgpu_svm *svm, struct amdgpu_svm_range *r,
					const struct mmu_notifier_range *mmu_range)
{
	unsigned long rs = drm_gpusvm_range_start(&r->base);
	unsigned long re = drm_gpusvm_range_end(&r->base);

	lockdep_assert_held_write(&svm->gpusvm.notifier_lock);
	if (mmu_range->event != MMU_NOTIFY_UNMAP || r->removed ||
	    r->clear_pending || r->base.flags.unmapped ||
	    (rs >= mmu_range->start && re <= mmu_range->end))
		return false;
	r->cut_start = mmu_range->start;
	r->cut_end = mmu_range->end;
	if (!drm_gpusvm_pages_span_extent(&svm->gpusvm, &r->pages, rs,
					  amdgpu_svm_range_npages(r), &r->cut_start,
					  &r->cut_end))
		return false;
	return r->cut_start == max(rs, mmu_range->start) &&
	       r->cut_end == min(re, mmu_range->end) &&
	       !amdgpu_svm_range_cut_runs_on(svm, r, r->cut_start, r->cut_end);
}

/*
 * Decide, for each range of the span, whether it keeps its rest, and
 * whether the invalidation takes PTEs from memory the CPU still maps:
 * then, with XNACK off, the queues must stop first. Pages the CPU
 * unmapped are not memory the queues may use, as KFD has it.
 */
static bool amdgpu_svm_range_invalidation_needs_quiesce(struct amdgpu_svm *svm,
							struct drm_gpusvm_notifier *notifier,
							const struct mmu_notifier_range *mmu_range)
{
	unsigned long start = mmu_range->start, end = mmu_range->end;
	bool unmap = mmu_range->event == MMU_NOTIFY_UNMAP;
	struct drm_gpusvm_range *range = NULL;
	bool quiesce = false;

	drm_gpusvm_for_each_range(range, notifier, start, end) {
		struct amdgpu_svm_range *r = amdgpu_svm_range_from_base(range);
		bool inside = drm_gpusvm_range_start(range) >= start &&
			      drm_gpusvm_range_end(range) <= end;

		r->keep_rest = amdgpu_svm_range_keeps_rest(svm, r, mmu_range);
		if (r->gpu_mapped && !r->keep_rest && !(unmap && inside)) {
			quiesce = true;
			if (unmap)
				amdgpu_svm_stat_inc(&svm->stats.partial_unmap_fallbacks);
		}
	}
	return quiesce && !svm->xnack_on &&
	       mmu_range->event != MMU_NOTIFY_RELEASE;
}

/* Faults raised so far may be about the pages going now (XNACK on). */
static void amdgpu_svm_range_note_fault_checkpoint(struct amdgpu_svm *svm)
{
	u64 ts = svm->ops->fault_checkpoint ? svm->ops->fault_checkpoint(svm) : 0;

	if (ts)
		atomic64_set(&svm->fault_checkpoint, ts);
}

static void amdgpu_svm_range_invalidate(struct drm_gpusvm *gpusvm,
					struct drm_gpusvm_notifier *notifier,
					const struct mmu_notifier_range *mmu_range)
{
	struct amdgpu_svm *svm = amdgpu_svm_from_gpusvm(gpusvm);
	struct drm_gpusvm_ctx ctx = { .in_notifier = true };
	unsigned long start = mmu_range->start, end = mmu_range->end;
	bool unmap = mmu_range->event == MMU_NOTIFY_UNMAP;
	bool release = mmu_range->event == MMU_NOTIFY_RELEASE;
	struct drm_gpusvm_range *range = NULL;
	bool mapped = amdgpu_svm_range_any_mapped(notifier, start, end);
	bool hold = amdgpu_svm_range_invalidation_needs_quiesce(svm, notifier, mmu_range);

	amdgpu_svm_dbg(svm, "invalidate", start >> PAGE_SHIFT, (end - 1) >> PAGE_SHIFT,
		       ": event %d, %s, %s", mmu_range->event,
		       mapped ? "GPU-mapped" : "not GPU-mapped",
		       hold ? "queues held" : "queues running");
	if (hold)
		amdgpu_svm_hold_queues(svm);
	if (mapped && svm->xnack_on && unmap)
		amdgpu_svm_range_note_fault_checkpoint(svm);

	if (amdgpu_svm_range_clear_mapped(svm, notifier, start, end))
		amdgpu_svm_range_hold_after_failed_clear(svm, hold);

	drm_gpusvm_for_each_range(range, notifier, start, end) {
		struct amdgpu_svm_range *r = amdgpu_svm_range_from_base(range);

		if (r->clear_pending) {
			drm_gpusvm_unmap_pages(gpusvm, &r->pages, amdgpu_svm_range_npages(r),
					       &ctx);
			if (unmap)
				drm_gpusvm_range_set_unmapped(range, &r->pages, 1,
							      mmu_range);
			else
				r->remap = !svm->xnack_on;
			if (!r->removed)
				amdgpu_svm_work_queue_range(svm, r, AMDGPU_SVM_RANGE_GC);
			continue;
		}
		if (r->keep_rest) {
			/* The GC splits it; the rest stays mapped meanwhile. */
			drm_gpusvm_unmap_pages_span(gpusvm, &r->pages,
						    drm_gpusvm_range_start(range),
						    amdgpu_svm_range_npages(r), r->cut_start,
						    r->cut_end, &ctx);
			drm_gpusvm_range_set_unmapped(range, &r->pages, 1, mmu_range);
			amdgpu_svm_work_queue_range(svm, r, AMDGPU_SVM_RANGE_GC);
			r->keep_rest = false;
			continue;
		}
		drm_gpusvm_unmap_pages(gpusvm, &r->pages, amdgpu_svm_range_npages(r), &ctx);
		if (r->removed)
			continue;	/* on its way out: no worker may take it */
		if (unmap) {
			drm_gpusvm_range_set_unmapped(range, &r->pages, 1, mmu_range);
			amdgpu_svm_work_queue_range(svm, r, AMDGPU_SVM_RANGE_GC);
		} else if (mapped && !svm->xnack_on && !release) {
			amdgpu_svm_work_queue_range(svm, r, AMDGPU_SVM_RANGE_RESTORE);
		}
		r->keep_rest = false;
	}
#if IS_ENABLED(CONFIG_DRM_AMDGPU_SVM_KUNIT_TEST)
	if (svm->ops->check_invalidated)
		svm->ops->check_invalidated(svm, start >> PAGE_SHIFT,
					    (end - 1) >> PAGE_SHIFT);
#endif
}

static struct drm_gpusvm_pages *amdgpu_svm_range_pages(struct drm_gpusvm_range *range)
{
	return &amdgpu_svm_range_from_base(range)->pages;
}

/*
 * @piece takes over part of @range, with its pages and PTEs, in
 * drm_gpusvm_range_split(): it is mapped as @range was. Not while a clear
 * of @range failed: its PTEs still point at pages the CPU may free, and
 * the worker that clears them removes it whole.
 */
static int amdgpu_svm_range_split_state(struct drm_gpusvm_range *range,
					struct drm_gpusvm_range *piece)
{
	struct amdgpu_svm_range *from = amdgpu_svm_range_from_base(range);
	struct amdgpu_svm_range *to = amdgpu_svm_range_from_base(piece);

	lockdep_assert_held_write(&range->gpusvm->notifier_lock);
	if (from->clear_pending)
		return -EBUSY;
	to->gpu_mapped = from->gpu_mapped;
	to->pte = from->pte;
	to->read_only = from->read_only;
	to->mapped_at = from->mapped_at;
	return 0;
}

/* How drm_gpusvm allocates, frees, invalidates and splits our ranges. */
const struct drm_gpusvm_ops amdgpu_svm_range_ops = {
	.range_alloc = amdgpu_svm_range_alloc,
	.range_free = amdgpu_svm_range_free,
	.invalidate = amdgpu_svm_range_invalidate,
	.range_pages = amdgpu_svm_range_pages,
	.range_split_state = amdgpu_svm_range_split_state,
};

/*
 * Clear all of @r's GPU mapping and flush the TLB; notifier lock held for
 * write. @torn_down: the SVM goes, and @r with it, whatever the outcome.
 * Return: 0, or the error of the clear, else of the flush.
 */
static int amdgpu_svm_range_clear_all(struct amdgpu_svm *svm, struct amdgpu_svm_range *r,
				      bool torn_down)
{
	int ret, flushed;

	lockdep_assert_held_write(&svm->gpusvm.notifier_lock);
	ret = svm->ops->clear(svm, amdgpu_svm_range_first(r), amdgpu_svm_range_last(r));
	flushed = svm->ops->flush(svm, true);
	if (ret || flushed)
		amdgpu_svm_warn(svm, "cannot %s GPU pages %#lx-%#lx: %d%s\n",
				ret ? "clear" : "flush the TLB of",
				amdgpu_svm_range_first(r), amdgpu_svm_range_last(r),
				ret ?: flushed,
				torn_down ? "; unmapped all the same at teardown" :
				"; queues held, retrying");
	return ret ?: flushed;
}

/*
 * Unmap @r from the GPU and DMA, and remove it from drm_gpusvm. The page
 * tables are locked and brought back first if the range is GPU-mapped, so
 * that the clear does not fail on evicted page tables. If the clear or
 * the TLB flush fails all the same, @r stays, counted as GPU-mapped, with
 * the queues stopped, and is parked for the garbage collector to try
 * again (amdgpu_svm_work_park_range()). Its pages stay DMA-mapped as long
 * as the CPU keeps them: the invalidation that takes them DMA-unmaps them
 * (amdgpu_svm_range_invalidate()). Not at teardown:
 * the SVM goes, and the VM, which may outlive it (the mm went first),
 * keeps entries that point at DMA addresses unmapped already, so that
 * behind an IOMMU a job that uses them faults. Return: whether @r was
 * removed.
 */
static bool amdgpu_svm_range_remove(struct amdgpu_svm *svm, struct amdgpu_svm_range *r)
{
	struct drm_gpusvm_ctx ctx = { .in_notifier = true };
	bool torn_down = READ_ONCE(svm->torn_down);
	bool pt_locked = false, stays = false;

	lockdep_assert_held(&svm->lock);
	if (READ_ONCE(r->gpu_mapped))
		pt_locked = !svm->ops->lock_pt(svm);
	down_write(&svm->gpusvm.notifier_lock);
	if (r->gpu_mapped && amdgpu_svm_range_clear_all(svm, r, torn_down) && !torn_down) {
		amdgpu_svm_range_mark_clear_pending(r);
		stays = true;
	} else {
		/* From here on, no notifier queues it again (see amdgpu_svm_range_invalidate()). */
		r->removed = true;
		r->gpu_mapped = false;
		r->clear_pending = false;
		amdgpu_svm_range_drop_stale(r);
		drm_gpusvm_unmap_pages(&svm->gpusvm, &r->pages, amdgpu_svm_range_npages(r),
				       &ctx);
	}
	up_write(&svm->gpusvm.notifier_lock);
	if (pt_locked)
		svm->ops->unlock_pt(svm);
	if (stays) {
		amdgpu_svm_hold_queues(svm);
		amdgpu_svm_work_park_range(svm, r);
		return false;
	}
	amdgpu_svm_work_dequeue_range(svm, r);
	drm_gpusvm_range_remove(&svm->gpusvm, &r->base);
	return true;
}

/*
 * Remove all of @r, which a partial unmap cut but which could not be
 * split. With XNACK off, if the GPU maps its rest, which the CPU still
 * maps too, the queues stop first, and the restore worker maps the rest
 * again and lets them go: the worker or request that got here may have
 * read the eviction count before this hold, and may fail to map it.
 */
static void amdgpu_svm_range_remove_with_rest(struct amdgpu_svm *svm, struct amdgpu_svm_range *r)
{
	bool rest_mapped = READ_ONCE(r->gpu_mapped);

	lockdep_assert_held(&svm->lock);
	if (rest_mapped)
		amdgpu_svm_stat_inc(&svm->stats.partial_unmap_fallbacks);
	rest_mapped &= !svm->xnack_on;
	if (rest_mapped) {
		amdgpu_svm_hold_queues(svm);
		amdgpu_svm_retry_later(svm, amdgpu_svm_range_first(r), amdgpu_svm_range_last(r), 0);
	}
	if (amdgpu_svm_range_remove(svm, r))
		amdgpu_svm_stat_inc(&svm->stats.ranges_removed);
	if (rest_mapped)
		amdgpu_svm_work_kick_restore(svm);
}

/*
 * Take apart a range a partial unmap cut: replace it by the runs of it
 * still mapped, which keep their pages and PTEs (drm_gpusvm_range_split()).
 * If nothing is left, or the split fails, remove it whole: with XNACK off
 * the queues stop first if the GPU still maps its rest, which the CPU
 * still maps too.
 */
static void amdgpu_svm_range_take_apart(struct amdgpu_svm *svm, struct amdgpu_svm_range *r)
{
	int pieces = 0;

	lockdep_assert_held(&svm->lock);
	/* The split drops drm_gpusvm's reference. */
	drm_gpusvm_range_get(&r->base);
	if (r->base.flags.partial_unmap && !r->clear_pending)
		pieces = drm_gpusvm_range_split(&svm->gpusvm, &r->base);
	if (pieces > 0) {
		/* Out of drm_gpusvm's tree: the pieces hold its pages and PTEs. */
		down_write(&svm->gpusvm.notifier_lock);
		r->removed = true;
		r->gpu_mapped = false;
		up_write(&svm->gpusvm.notifier_lock);
		amdgpu_svm_work_dequeue_range(svm, r);
		amdgpu_svm_stat_inc(&svm->stats.ranges_split);
	} else {
		amdgpu_svm_range_remove_with_rest(svm, r);
	}
	drm_gpusvm_range_put(&r->base);
}

/*
 * Remove the ranges that overlap [*start, *last], but for @keep_inside
 * those that lie within it, and widen the span over the ranges removed.
 */
static void amdgpu_svm_range_remove_in(struct amdgpu_svm *svm, unsigned long *start,
				       unsigned long *last, bool keep_inside)
{
	unsigned long s = *start << PAGE_SHIFT, e = (*last + 1) << PAGE_SHIFT;
	unsigned long first = *start, final = *last;
	struct drm_gpusvm_notifier *notifier, *next_notifier;

	lockdep_assert_held(&svm->lock);
	drm_gpusvm_for_each_notifier_safe(notifier, next_notifier, &svm->gpusvm, s, e) {
		struct drm_gpusvm_range *range, *next;

		drm_gpusvm_for_each_range_safe(range, next, notifier, s, e) {
			struct amdgpu_svm_range *r = amdgpu_svm_range_from_base(range);

			if (keep_inside && amdgpu_svm_range_first(r) >= first &&
			    amdgpu_svm_range_last(r) <= final)
				continue;
			*start = min(*start, amdgpu_svm_range_first(r));
			*last = max(*last, amdgpu_svm_range_last(r));
			amdgpu_svm_range_remove(svm, r);
		}
	}
}

/**
 * amdgpu_svm_range_cut_by() - Tell whether ranges reach across a span's edges
 * @svm: the SVM, locked
 * @start: first page of the span
 * @last: last page of it
 * @mapped_only: count only ranges the GPU maps
 *
 * Such a range cannot take attributes that change at the span's edge: it
 * must be removed and made again on both sides.
 *
 * Return: true if a range overlaps [@start, @last] and reaches outside it.
 */
bool amdgpu_svm_range_cut_by(struct amdgpu_svm *svm, unsigned long start,
			     unsigned long last, bool mapped_only)
{
	unsigned long s = start << PAGE_SHIFT, e = (last + 1) << PAGE_SHIFT;
	struct drm_gpusvm_notifier *notifier;
	struct drm_gpusvm_range *range;

	lockdep_assert_held(&svm->lock);
	drm_gpusvm_for_each_notifier(notifier, &svm->gpusvm, s, e) {
		range = NULL;
		drm_gpusvm_for_each_range(range, notifier, s, e) {
			struct amdgpu_svm_range *r = amdgpu_svm_range_from_base(range);

			if ((amdgpu_svm_range_first(r) < start ||
			     amdgpu_svm_range_last(r) > last) &&
			    (!mapped_only || READ_ONCE(r->gpu_mapped)))
				return true;
		}
	}
	return false;
}

/**
 * amdgpu_svm_range_remove_cut() - Remove the ranges that reach across a span's edges
 * @svm: the SVM, locked
 * @start: first page; lowered to the first page of the ranges removed
 * @last: last page; raised to the last page of the ranges removed
 *
 * The ranges inside the span stay, with their pages and PTEs: an
 * attribute change that keeps the span accessible rewrites their PTEs in
 * place (amdgpu_svm_range_map_span()).
 */
void amdgpu_svm_range_remove_cut(struct amdgpu_svm *svm, unsigned long *start,
				 unsigned long *last)
{
	amdgpu_svm_range_remove_in(svm, start, last, true);
}

/**
 * amdgpu_svm_range_mapped_in() - Tell whether the GPU maps part of a span
 * @svm: the SVM, locked
 * @start: first page
 * @last: last page
 *
 * Return: true if a GPU-mapped range overlaps [@start, @last].
 */
bool amdgpu_svm_range_mapped_in(struct amdgpu_svm *svm, unsigned long start,
				unsigned long last)
{
	unsigned long s = start << PAGE_SHIFT, e = (last + 1) << PAGE_SHIFT;
	struct drm_gpusvm_notifier *notifier;

	lockdep_assert_held(&svm->lock);
	drm_gpusvm_for_each_notifier(notifier, &svm->gpusvm, s, e)
		if (amdgpu_svm_range_any_mapped(notifier, s, e))
			return true;
	return false;
}

/**
 * amdgpu_svm_range_remove_span() - Remove every range that overlaps a span
 * @svm: the SVM, locked
 * @start: first page; lowered to the first page of the ranges removed
 * @last: last page; raised to the last page of the ranges removed
 *
 * Used when attributes that shape the mapping change: the ranges are made
 * again, inside the new attribute boundaries, over the widened span (a
 * range may reach beyond the pages whose attributes changed).
 */
void amdgpu_svm_range_remove_span(struct amdgpu_svm *svm, unsigned long *start,
				  unsigned long *last)
{
	amdgpu_svm_range_remove_in(svm, start, last, false);
}

/* The DMA addresses of the pages of @r, one per page; notifier lock held. */
static void amdgpu_svm_range_dma_addrs(struct amdgpu_svm *svm, struct amdgpu_svm_range *r,
				       dma_addr_t *out)
{
	unsigned long npages = amdgpu_svm_range_npages(r), i = 0, j = 0, k;

	lockdep_assert_held(&svm->gpusvm.notifier_lock);
	while (i < npages) {
		const struct drm_pagemap_addr *a = &r->pages.dma_addr[j++];

		for (k = 0; k < (1UL << a->order) && i < npages; k++)
			out[i++] = a->addr + k * PAGE_SIZE;
	}
}

/*
 * Make the page tables of @r before the notifier lock is taken for the
 * commit, in the shape a map of its pages takes, if nothing of it may be
 * mapped: a range the GPU may map, even after a failed update, keeps its
 * tables and must not be made invalid before the rewrite.
 */
static int amdgpu_svm_range_prepare_pt(struct amdgpu_svm *svm, struct amdgpu_svm_range *r,
				       dma_addr_t *dma)
{
	bool prepare;

	if (!svm->ops->prepare_pt)
		return 0;
	drm_gpusvm_notifier_lock(&svm->gpusvm);
	prepare = !r->gpu_mapped;
	if (!drm_gpusvm_pages_valid(&svm->gpusvm, &r->pages))
		prepare = false;	/* the commit will say -EAGAIN */
	else if (prepare)
		amdgpu_svm_range_dma_addrs(svm, r, dma);
	drm_gpusvm_notifier_unlock(&svm->gpusvm);
	if (!prepare)
		return 0;
	return svm->ops->prepare_pt(svm, amdgpu_svm_range_first(r), amdgpu_svm_range_last(r),
				    dma);
}

/* Whether DMA entry @a of a range is a page of this device's VRAM. */
static bool amdgpu_svm_range_entry_in_vram(const struct drm_pagemap_addr *a)
{
	return a->proto == AMDGPU_SVM_INTERCONNECT_VRAM;
}

/*
 * Map the pages of @r (addresses @dma, one per page) with @pte, one call
 * per run of pages in one place: system memory, or VRAM, which takes
 * %AMDGPU_SVM_PTE_VRAM (a range may hold both, drm_gpusvm's allow_mixed).
 * The notifier lock is held.
 */
static int amdgpu_svm_range_map_runs(struct amdgpu_svm *svm, struct amdgpu_svm_range *r,
				     dma_addr_t *dma, u32 pte)
{
	unsigned long npages = amdgpu_svm_range_npages(r), first = amdgpu_svm_range_first(r);
	unsigned long i = 0, j = 0, run = 0;
	bool in_vram = false;
	int ret;

	lockdep_assert_held(&svm->gpusvm.notifier_lock);
	while (i < npages) {
		const struct drm_pagemap_addr *a = &r->pages.dma_addr[j++];

		if (i && amdgpu_svm_range_entry_in_vram(a) != in_vram) {
			ret = svm->ops->map(svm, first + run, first + i - 1, dma + run,
					    in_vram ? pte | AMDGPU_SVM_PTE_VRAM : pte);
			if (ret)
				return ret;
			run = i;
		}
		in_vram = amdgpu_svm_range_entry_in_vram(a);
		i += 1UL << a->order;
	}
	return svm->ops->map(svm, first + run, first + npages - 1, dma + run,
			     in_vram ? pte | AMDGPU_SVM_PTE_VRAM : pte);
}

/* Write the PTEs of @r if its pages are still valid. */
static int amdgpu_svm_range_commit(struct amdgpu_svm *svm, struct amdgpu_svm_range *r,
				   u32 pte, dma_addr_t *dma)
{
	unsigned int noreclaim;
	int ret;

	ret = svm->ops->lock_pt(svm);
	if (ret)
		return ret;
	ret = amdgpu_svm_range_prepare_pt(svm, r, dma);
	if (ret)
		goto out_unlock_pt;
	drm_gpusvm_notifier_lock(&svm->gpusvm);
	noreclaim = memalloc_noreclaim_save();
	if (r->clear_pending) {
		/* A notifier failed to clear it since amdgpu_svm_range_map() looked. */
		ret = -EBUSY;
	} else if (!drm_gpusvm_pages_valid(&svm->gpusvm, &r->pages)) {
		ret = -EAGAIN;
	} else {
		amdgpu_svm_range_dma_addrs(svm, r, dma);
		ret = amdgpu_svm_range_map_runs(svm, r, dma, pte);
		/*
		 * A failed update may have written part of the span: keep it
		 * counted as mapped, with flags no request asks for, so that
		 * the next invalidation clears it and the next map redoes it.
		 */
		r->gpu_mapped = true;
		r->pte = ret ? 0 : pte;
		r->mapped_at = ktime_get_boottime();
		if (!ret)
			r->read_only = !(pte & AMDGPU_SVM_PTE_WRITE);
	}
	memalloc_noreclaim_restore(noreclaim);
	drm_gpusvm_notifier_unlock(&svm->gpusvm);
out_unlock_pt:
	svm->ops->unlock_pt(svm);
	return ret;
}

/*
 * Whether a GPU fault on @r, which SVM believes mapped as asked, comes too
 * late to be a duplicate of the fault that mapped it: then its PTEs are
 * written again rather than trusted.
 */
static bool amdgpu_svm_range_fault_is_late(struct amdgpu_svm_range *r, bool fault)
{
	return fault && ktime_after(ktime_get_boottime(),
				    ktime_add_ms(r->mapped_at,
						 AMDGPU_SVM_FAULT_DUPLICATE_MS));
}

/*
 * Get the pages of @r and map them with @pte (@fault: for a GPU fault;
 * @mmap_locked: the caller holds the mmap lock). -EAGAIN: the pages
 * changed under us, try again; other errors are final for this attempt.
 */
static int amdgpu_svm_range_map(struct amdgpu_svm *svm, struct amdgpu_svm_range *r,
				u32 pte, bool read_only, bool rebuild, bool fault,
				bool mmap_locked, bool *was_mapped)
{
	struct drm_gpusvm_ctx ctx = {
		.read_only = read_only,
		/* Pages in this device's VRAM are mapped there, not moved back. */
		.device_private_page_owner = svm->pgmap_owner,
		.allow_mixed = true,
	};
	unsigned long npages = amdgpu_svm_range_npages(r);
	bool had_pages;
	dma_addr_t *dma;
	int ret;

	lockdep_assert_held(&svm->lock);
	*was_mapped = false;
	/* Not before a worker has cleared what the GPU may still reach. */
	if (READ_ONCE(r->clear_pending))
		return -EBUSY;
	had_pages = r->pages.flags.has_dma_mapping;
	if (!had_pages && amdgpu_svm_should_fail_alloc())
		return -ENOMEM;
	ret = (mmap_locked ? drm_gpusvm_get_pages_locked : drm_gpusvm_get_pages)
		(&svm->gpusvm, &r->pages, svm->gpusvm.mm, &r->base.notifier->notifier,
		 drm_gpusvm_range_start(&r->base), drm_gpusvm_range_end(&r->base), &ctx);
	if (ret)
		return ret;
	if (!had_pages) {
		amdgpu_svm_stat_add(npages, &svm->stats.pages_obtained);
		if (rebuild)
			amdgpu_svm_stat_add(npages, &svm->stats.pages_rebuilt);
	}
	if (r->gpu_mapped && r->pte == pte && !amdgpu_svm_range_fault_is_late(r, fault)) {
		*was_mapped = had_pages;
		return 0;
	}

	dma = amdgpu_svm_should_fail_alloc() ? NULL :
	      kvmalloc_array(npages, sizeof(*dma), GFP_KERNEL);
	if (!dma)
		return -ENOMEM;
	ret = amdgpu_svm_range_commit(svm, r, pte, dma);
	kvfree(dma);
	amdgpu_svm_dbg(svm, "map", amdgpu_svm_range_first(r), amdgpu_svm_range_last(r),
		       ": pte %#x%s: %d", pte, fault ? ", GPU fault" : "", ret);
	return ret;
}

/* Ranges a span is mapped in are 2 MiB aligned, as drm_gpusvm's largest chunk. */
#define AMDGPU_SVM_MAP_CHUNK	SZ_2M

/**
 * struct amdgpu_svm_range_walk - One attribute interval mapped under one mmap lock hold
 * @attrs: the attributes of the interval
 * @pos: where mapping goes on (advanced past what is done)
 * @end: end of the span to map in the interval
 * @fault: for a GPU fault at @fault_addr, which asked for @write access
 * @fault_addr: see @fault
 * @write: see @fault
 * @rebuild: the span is rebuilt after a partial unmap (for the stats)
 * @all_mapped: every range met was mapped as asked already
 * @failed: the range whose pages the CPU took from under the walk, for
 *	the caller to remove once the mmap lock is dropped
 */
struct amdgpu_svm_range_walk {
	struct amdgpu_svm_attrs attrs;
	unsigned long pos;
	unsigned long end;
	bool fault;
	unsigned long fault_addr;
	bool write;
	bool rebuild;
	bool all_mapped;
	struct amdgpu_svm_range *failed;
};

/*
 * Whether mapping failed because the GPU may not reach the memory at all,
 * so that mapping a span goes on past the VMA: no VMA there (-ENOENT), or
 * one that HMM cannot fault in for the access asked (-EFAULT, -EPERM,
 * -EIO). Every other error may pass and is returned.
 */
static bool amdgpu_svm_range_error_means_unreachable(int err)
{
	return err == -ENOENT || err == -EFAULT || err == -EPERM || err == -EIO;
}

/*
 * Where to go on after @pos could not be mapped: past the end of the VMA
 * that holds it (it grants no usable access), or to the next VMA. The
 * mmap lock is held.
 */
static unsigned long amdgpu_svm_range_next_vma(struct mm_struct *mm, unsigned long pos,
					       unsigned long limit)
{
	struct vm_area_struct *vma = find_vma(mm, pos);
	unsigned long next = limit;

	mmap_assert_locked(mm);
	if (vma)
		next = min(limit, vma->vm_start <= pos ? vma->vm_end : vma->vm_start);
	return max(next, pos + PAGE_SIZE);
}

/* The range at @w->pos, made up to the next chunk boundary if there is none. */
static struct drm_gpusvm_range *amdgpu_svm_range_walk_find(struct amdgpu_svm *svm,
							   struct amdgpu_svm_range_walk *w,
							   struct drm_gpusvm_ctx *ctx)
{
	unsigned long end = min(w->end, ALIGN(w->pos + 1, AMDGPU_SVM_MAP_CHUNK));
	struct drm_gpusvm_range *range;

	range = drm_gpusvm_range_find_or_insert_span(&svm->gpusvm, w->pos, end, ctx);
	if (IS_ERR(range) && PTR_ERR(range) == -EPERM && !w->write) {
		/* A read-only VMA: map it read-only. */
		ctx->read_only = true;
		range = drm_gpusvm_range_find_or_insert_span(&svm->gpusvm, w->pos,
							     end, ctx);
	}
	return range;
}

/* Whether [@start, @end) holds the page of the GPU fault @w serves. */
static bool
amdgpu_svm_range_walk_holds_fault(const struct amdgpu_svm_range_walk *w,
				  unsigned long start, unsigned long end)
{
	return w->fault && w->fault_addr >= start && w->fault_addr < end;
}

/*
 * Map the ranges of [@w->pos, @w->end), making those that are missing,
 * with the mmap lock held throughout. Pages the CPU does not map, or maps
 * with no access the GPU may use, are passed over, but for the page of a
 * GPU fault. Stops with -EFAULT at a range whose pages the CPU took
 * (@w->failed), which the caller removes or takes apart once the lock is
 * dropped, and with -EBUSY at a parked one (amdgpu_svm_work_park_range()).
 */
static int amdgpu_svm_range_walk_map_locked(struct amdgpu_svm *svm, struct amdgpu_svm_range_walk *w)
{
	struct drm_gpusvm_range *range;
	struct amdgpu_svm_range *r;
	unsigned long next;
	int ret, tries = 0;
	bool holds_fault, was_mapped = false;

	mmap_assert_locked(svm->gpusvm.mm);
	while (w->pos < w->end) {
		struct drm_gpusvm_ctx ctx = {};

		if (fatal_signal_pending(current))
			return -EINTR;
		range = amdgpu_svm_range_walk_find(svm, w, &ctx);
		if (IS_ERR(range)) {
			ret = PTR_ERR(range);
			next = amdgpu_svm_range_next_vma(svm->gpusvm.mm, w->pos, w->end);
			if (!amdgpu_svm_range_error_means_unreachable(ret) ||
			    amdgpu_svm_range_walk_holds_fault(w, w->pos, next))
				return ret;
			w->pos = next;
			continue;
		}
		r = amdgpu_svm_range_from_base(range);
		/* Not over a range whose clear is still to be retried. */
		if (amdgpu_svm_work_range_parked(svm, r))
			return -EBUSY;
		holds_fault = amdgpu_svm_range_walk_holds_fault(w, drm_gpusvm_range_start(range),
								drm_gpusvm_range_end(range));
		ret = r->base.flags.unmapped ? -EFAULT :
		      amdgpu_svm_range_map(svm, r, amdgpu_svm_range_pte(&w->attrs, ctx.read_only),
					   ctx.read_only, w->rebuild, holds_fault, true,
					   &was_mapped);
		if (ret == -EAGAIN && ++tries < AMDGPU_SVM_MAP_RETRIES)
			continue;
		if (ret < 0 && w->fault && amdgpu_svm_range_error_means_unreachable(ret) &&
		    !holds_fault) {
			/* Left to a fault of its own. */
			w->pos = drm_gpusvm_range_end(range);
			tries = 0;
			continue;
		}
		/* The CPU took the pages; any other -EFAULT is HMM's refusal. */
		if (ret == -EFAULT && r->base.flags.unmapped)
			w->failed = r;
		if (ret < 0)
			return ret;
		if (!was_mapped)
			w->all_mapped = false;
		w->pos = drm_gpusvm_range_end(range);
		tries = 0;
	}
	return 0;
}

/*
 * Map what the CPU maps of [@w->pos, @w->end) under one hold of the mmap
 * lock; the notifiers it needs are inserted before, and those left unused
 * removed after.
 */
static int amdgpu_svm_range_walk_map(struct amdgpu_svm *svm, struct amdgpu_svm_range_walk *w)
{
	struct mm_struct *mm = svm->gpusvm.mm;
	unsigned long start = w->pos;
	int ret;

	ret = drm_gpusvm_notifiers_insert(&svm->gpusvm, start, w->end);
	if (!ret && !mmget_not_zero(mm))
		ret = -ESRCH;
	if (!ret) {
		mmap_read_lock(mm);
		ret = amdgpu_svm_range_walk_map_locked(svm, w);
		mmap_read_unlock(mm);
		mmput(mm);
	}
	drm_gpusvm_notifiers_remove_unused(&svm->gpusvm, start, w->end);
	return ret;
}

/*
 * Remove the range a walk stopped at because the CPU took its pages:
 * one an unmap cut is taken apart, keeping what is left of it.
 */
static void amdgpu_svm_range_walk_remove_failed(struct amdgpu_svm *svm,
						struct amdgpu_svm_range_walk *w)
{
	if (!w->failed)
		return;
	if (w->failed->base.flags.unmapped)
		amdgpu_svm_range_take_apart(svm, w->failed);
	else
		amdgpu_svm_range_remove(svm, w->failed);
	w->failed = NULL;
}

/*
 * Whether the CPU unmapped memory under a range of [@start, @end) since
 * @seq was read: the attributes that range was mapped with may belong to
 * a mapping that is gone (and the memory mapped anew). Then such ranges
 * go, and only they, to be made again from the attributes as they are
 * now; one an unmap cut keeps what is left of it, whose attributes stand.
 *
 * When more unmaps happened than the tracker remembers, every range of
 * the span counts, including ones the GPU may be using: with XNACK off the
 * queues are stopped before the first GPU-mapped one goes (*@held, for the
 * caller to resume them once the span is mapped again).
 */
static bool amdgpu_svm_range_mapped_stale(struct amdgpu_svm *svm, int seq, unsigned long start,
					  unsigned long end, bool *held)
{
	struct drm_gpusvm_notifier *notifier, *next_notifier;
	struct drm_gpusvm_range *range, *next;
	bool stale = false;

	if (start >= end ||
	    !amdgpu_svm_unmap_since(&svm->attrs.unmaps, seq, start >> PAGE_SHIFT,
					    (end >> PAGE_SHIFT) - 1))
		return false;
	drm_gpusvm_for_each_notifier_safe(notifier, next_notifier, &svm->gpusvm,
					  start, end) {
		drm_gpusvm_for_each_range_safe(range, next, notifier, start, end) {
			struct amdgpu_svm_range *r = amdgpu_svm_range_from_base(range);

			/* Not mapped by this walk, and on its way out already. */
			if (amdgpu_svm_work_range_parked(svm, r))
				continue;
			if (!amdgpu_svm_unmap_since(&svm->attrs.unmaps, seq,
						    amdgpu_svm_range_first(r),
							    amdgpu_svm_range_last(r)))
				continue;
			stale = true;
			if (!svm->xnack_on && !*held && READ_ONCE(r->gpu_mapped) &&
			    !range->flags.unmapped) {
				amdgpu_svm_hold_queues(svm);
				*held = true;
			}
			if (range->flags.unmapped)
				amdgpu_svm_range_take_apart(svm, r);
			else
				amdgpu_svm_range_remove(svm, r);
		}
	}
	return stale;
}

/* Past the VMA at @pos, or to the next one, for a caller without the mmap lock. */
static unsigned long amdgpu_svm_range_skip_vma(struct amdgpu_svm *svm, unsigned long pos,
					       unsigned long end)
{
	struct mm_struct *mm = svm->gpusvm.mm;

	if (!mmget_not_zero(mm))
		return end;
	mmap_read_lock(mm);
	pos = amdgpu_svm_range_next_vma(mm, pos, end);
	mmap_read_unlock(mm);
	mmput(mm);
	return pos;
}

/*
 * Map one attribute interval of a span, [*pos, end), with @attrs, read
 * after @seq; again where the CPU took the pages of a range under the
 * walk. Advances *pos past what is mapped. -ESTALE: the CPU unmapped
 * memory under a range just mapped, which is gone again; *pos is left
 * where the walk began, for the caller to look the attributes up anew.
 */
static int amdgpu_svm_range_map_interval(struct amdgpu_svm *svm, unsigned long *pos,
					 unsigned long end, const struct amdgpu_svm_attrs *attrs,
					 int seq, bool rebuild, bool *held)
{
	struct amdgpu_svm_range_walk w = { .attrs = *attrs, .end = end, .rebuild = rebuild };
	int ret, faults = 0;
	unsigned long from;
	bool failed;

	for (;;) {
		from = *pos;
		w.pos = from;
		ret = amdgpu_svm_range_walk_map(svm, &w);
		failed = !!w.failed;
		amdgpu_svm_range_walk_remove_failed(svm, &w);
		if (amdgpu_svm_range_mapped_stale(svm, seq, from, w.pos, held))
			return -ESTALE;
		*pos = w.pos;
		if (!ret)
			return 0;
		if (w.pos > from)
			faults = 0;
		/* The CPU mapping changed under us: once more. */
		if (failed && faults++ < 1)
			continue;
		if (!amdgpu_svm_range_error_means_unreachable(ret))
			return ret;
		/* No usable access here: go on past the VMA. */
		*pos = amdgpu_svm_range_skip_vma(svm, w.pos, end);
		if (*pos >= end)
			return 0;
		faults = 0;
	}
}

/*
 * Map [@start, @last] interval by interval; *@held tells whether the
 * queues were stopped for stale ranges on the way.
 */
static int amdgpu_svm_range_map_span_holding(struct amdgpu_svm *svm, unsigned long start,
					     unsigned long last, bool rebuild, bool *held)
{
	unsigned long pos = start << PAGE_SHIFT, end = (last + 1) << PAGE_SHIFT;
	struct amdgpu_svm_attrs attrs;
	unsigned long istart, ilast, hi;
	int ret, seq, stale = 0;

	while (pos < end) {
		if (fatal_signal_pending(current))
			return -EINTR;
		seq = amdgpu_svm_unmap_seq(&svm->attrs.unmaps);
		ret = amdgpu_svm_attr_tree_lookup(&svm->attrs, pos >> PAGE_SHIFT, &attrs,
						  &istart, &ilast);
		if (ret)
			return ret;
		hi = ilast >= (ULONG_MAX >> PAGE_SHIFT) ? TASK_SIZE : (ilast + 1) << PAGE_SHIFT;
		hi = min(hi, end);
		if (attrs.access == AMDGPU_SVM_ACCESS_INACCESSIBLE) {
			pos = hi;
			continue;
		}
		ret = amdgpu_svm_range_map_interval(svm, &pos, hi, &attrs, seq, rebuild,
						    held);
		if (ret == -ESTALE) {
			/* Look again; never leave a hole behind. */
			if (++stale >= AMDGPU_SVM_MAP_RETRIES)
				return -EAGAIN;
			continue;
		}
		if (ret)
			return ret;
		/* Each interval has its own budget of fresh lookups. */
		stale = 0;
	}
	return 0;
}

/**
 * amdgpu_svm_range_map_span() - Map every accessible page of a span (XNACK off)
 * @svm: the SVM, locked
 * @start: first page
 * @last: last page
 * @rebuild: the span is being rebuilt after a partial unmap (for the stats)
 *
 * Walks the attribute intervals of the span and maps each accessible one
 * under one hold of the mmap lock, in ranges it names itself (2 MiB
 * aligned, inside the interval, the VMA and the ranges already there:
 * drm_gpusvm_range_find_or_insert_span()). Pages outside any VMA, or in a
 * VMA that grants no access, stay unmapped. A range mapped while the CPU
 * unmapped memory under it is removed and made again from a fresh lookup
 * (see amdgpu_svm_unmap_since()). On success no accessible page
 * of the span is left unmapped.
 *
 * Return: 0; -EAGAIN if the CPU mapping kept changing; -EINTR if a fatal
 * signal arrived; -ENOMEM; -EBUSY if the page tables are being evicted,
 * or a range of the span waits for its GPU clear to be retried; -ESRCH if
 * the mm is gone; another error of drm_gpusvm that is not about the CPU
 * mapping. After an error the ranges mapped so far stay mapped
 * and the rest is not.
 */
int amdgpu_svm_range_map_span(struct amdgpu_svm *svm, unsigned long start,
			      unsigned long last, bool rebuild)
{
	bool held = false;
	int ret;

	lockdep_assert_held(&svm->lock);
	ret = amdgpu_svm_range_map_span_holding(svm, start, last, rebuild, &held);
	/* Stopped for stale ranges: they run again on a complete mapping. */
	if (held)
		amdgpu_svm_work_release_hold(svm, start, last, ret);
	return ret;
}

/*
 * Whether a readable VMA holds @addr, and grants a write if @write; its
 * bounds, which bound the granule a fault maps, as KFD bounds it.
 */
static int amdgpu_svm_range_fault_vma_check(struct amdgpu_svm *svm, unsigned long addr, bool write,
					    unsigned long *vm_start, unsigned long *vm_end)
{
	struct mm_struct *mm = svm->gpusvm.mm;
	struct vm_area_struct *vma;
	int ret = 0;

	if (!mmget_not_zero(mm))
		return -ESRCH;
	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (!vma || !(vma->vm_flags & VM_READ))
		ret = -EFAULT;
	else if (write && !(vma->vm_flags & VM_WRITE))
		ret = -EPERM;
	if (!ret) {
		*vm_start = vma->vm_start;
		*vm_end = vma->vm_end;
	}
	mmap_read_unlock(mm);
	mmput(mm);
	return ret;
}

/**
 * amdgpu_svm_range_map_fault() - Map the granule around a GPU fault (XNACK on)
 * @svm: the SVM, locked
 * @addr: the faulting address
 * @write: the access was a write
 * @duplicate: set if the granule was mapped as asked already
 *
 * Maps the granularity-aligned chunk around @addr, as KFD does, whatever
 * the granularity (drm_gpusvm's chunk sizes do not apply: the ranges are
 * named, drm_gpusvm_range_find_or_insert_span()), within the attribute
 * interval and the faulting VMA, as KFD bounds it, under one hold of the
 * mmap lock. Pages of the granule the GPU may not reach are passed over;
 * the faulting page must be reachable. A granule that prefers this
 * device's VRAM moves there first (amdgpu_svm_migrate_fault()).
 *
 * The attributes are looked up again if the CPU unmapped memory with
 * attributes while the granule was being mapped (see
 * amdgpu_svm_unmap_seq()).
 *
 * Return: 0, with *@duplicate set if the granule was mapped as asked less
 * than %AMDGPU_SVM_FAULT_DUPLICATE_MS ago (a duplicate fault); -EACCES if
 * the address is INACCESSIBLE; -EPERM for a write to a GPU_RO
 * span or a read-only VMA; -EFAULT if no readable VMA holds the address
 * or HMM cannot fault it in; -EAGAIN if the CPU kept changing the memory
 * while the granule was mapped; -EINVAL with XNACK off; another error of
 * drm_gpusvm.
 */
int amdgpu_svm_range_map_fault(struct amdgpu_svm *svm, unsigned long addr,
			       bool write, bool *duplicate)
{
	struct amdgpu_svm_attrs attrs;
	unsigned long istart, ilast, gran, lo, hi, vm_start, vm_end;
	struct amdgpu_svm_range_walk w;
	int ret, seq, tries = 0;
	bool held = false;

	lockdep_assert_held(&svm->lock);
	*duplicate = false;
	/* Nothing here would let queues go that a stale range stopped. */
	if (WARN_ON_ONCE(!svm->xnack_on))
		return -EINVAL;
again:
	seq = amdgpu_svm_unmap_seq(&svm->attrs.unmaps);
	ret = amdgpu_svm_attr_tree_lookup(&svm->attrs, addr >> PAGE_SHIFT, &attrs,
					  &istart, &ilast);
	if (ret)
		return ret;
	if (attrs.access == AMDGPU_SVM_ACCESS_INACCESSIBLE)
		return -EACCES;
	if (write && (attrs.flags & AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_GPU_RO)))
		return -EPERM;
	ret = amdgpu_svm_range_fault_vma_check(svm, addr, write, &vm_start, &vm_end);
	if (ret)
		return ret;

	gran = PAGE_SIZE << min_t(unsigned int, attrs.granularity, 30);
	lo = max3(ALIGN_DOWN(addr, gran), istart << PAGE_SHIFT, vm_start);
	hi = min(ALIGN(addr + 1, gran), vm_end);
	if (ilast < (ULONG_MAX >> PAGE_SHIFT))
		hi = min(hi, (ilast + 1) << PAGE_SHIFT);
	/* Memory that prefers this device's VRAM moves there first. */
	if (!tries)
		amdgpu_svm_migrate_fault(svm, &attrs, lo, hi);

	w = (struct amdgpu_svm_range_walk) { .attrs = attrs, .pos = lo, .end = hi,
				.fault = true, .fault_addr = addr,
				.write = write, .all_mapped = true };
	ret = amdgpu_svm_range_walk_map(svm, &w);
	if (ret == -EFAULT && w.failed) {
		amdgpu_svm_range_walk_remove_failed(svm, &w);
		if (++tries < AMDGPU_SVM_MAP_RETRIES)
			goto again;
		return -EAGAIN;
	}
	if (ret == -ENOENT)
		return -EFAULT;
	if (ret < 0)
		return ret;
	/* XNACK on: nothing to hold, the GPU faults again on what went. */
	if (amdgpu_svm_range_mapped_stale(svm, seq, lo, hi, &held)) {
		if (++tries < AMDGPU_SVM_MAP_RETRIES)
			goto again;
		return -EAGAIN;
	}
	*duplicate = w.all_mapped;
	amdgpu_svm_dbg(svm, "fault", lo >> PAGE_SHIFT, (hi - 1) >> PAGE_SHIFT,
		       ": at %#lx, %s%s", addr, write ? "write" : "read",
		       w.all_mapped ? ", duplicate" : "");
	return 0;
}

/*
 * Map [first, last] again for a worker (XNACK off). What could not be
 * mapped is left to the restore worker, which tries again later while the
 * queues stay stopped.
 */
static void amdgpu_svm_range_remap_or_retry(struct amdgpu_svm *svm, unsigned long first,
					    unsigned long last, bool rebuild)
{
	int ret = amdgpu_svm_range_map_span(svm, first, last, rebuild);

	if (ret)
		amdgpu_svm_retry_later(svm, first, last, ret);
}

/**
 * amdgpu_svm_range_collect_garbage() - Remove the ranges the CPU unmapped
 * @svm: the SVM, locked
 *
 * Takes every queued range apart first: a range a partial unmap cut is
 * replaced by what is left of it, with its pages and PTEs; any other is
 * removed (amdgpu_svm_range_take_apart()). Then, with XNACK off, maps again what is
 * still mapped by the CPU of the ranges a partial unmap cut (only those:
 * nothing outside them is touched); the pieces are mapped already, so
 * this maps only what a split could not keep. What cannot be mapped now is
 * retried by the restore worker (amdgpu_svm_retry_later()).
 */
void amdgpu_svm_range_collect_garbage(struct amdgpu_svm *svm)
{
	struct amdgpu_svm_range *r, *next;
	LIST_HEAD(gone);

	lockdep_assert_held(&svm->lock);
	/* All of them first: a rebuild must not find one still there. */
	while ((r = amdgpu_svm_work_pop_range(svm, AMDGPU_SVM_RANGE_GC))) {
		amdgpu_svm_dbg(svm, "gc", amdgpu_svm_range_first(r), amdgpu_svm_range_last(r),
			       "%s%s", r->removed ? ": removed already" : "",
			       r->base.flags.partial_unmap ? ": partly unmapped" : "");
		if (!r->removed)
			amdgpu_svm_range_take_apart(svm, r);
		list_add_tail(&r->gc_link, &gone);
	}
	list_for_each_entry_safe(r, next, &gone, gc_link) {
		if (!svm->xnack_on && (r->base.flags.partial_unmap || r->remap))
			amdgpu_svm_range_remap_or_retry(svm,
							amdgpu_svm_range_first(r),
							amdgpu_svm_range_last(r),
							true);
		list_del(&r->gc_link);
		drm_gpusvm_range_put(&r->base);
	}
}

/*
 * The mapping @r gets now, from the attributes of its span and the VMA
 * that holds it: an mprotect() since it was mapped may have made it
 * writeable or read-only. -EAGAIN when @r no longer fits its attribute
 * interval or no VMA holds it: then it is made again from scratch.
 */
static int amdgpu_svm_range_current_pte(struct amdgpu_svm *svm, struct amdgpu_svm_range *r,
					u32 *pte, bool *read_only)
{
	struct mm_struct *mm = svm->gpusvm.mm;
	struct amdgpu_svm_attrs attrs;
	struct vm_area_struct *vma;
	unsigned long istart, ilast;
	int ret;

	ret = amdgpu_svm_attr_tree_lookup(&svm->attrs, amdgpu_svm_range_first(r), &attrs,
					  &istart, &ilast);
	if (ret)
		return ret;
	if (attrs.access == AMDGPU_SVM_ACCESS_INACCESSIBLE ||
	    istart > amdgpu_svm_range_first(r) || ilast < amdgpu_svm_range_last(r))
		return -EAGAIN;
	if (!mmget_not_zero(mm))
		return -ESRCH;
	mmap_read_lock(mm);
	vma = vma_lookup(mm, drm_gpusvm_range_start(&r->base));
	if (vma && vma->vm_end >= drm_gpusvm_range_end(&r->base))
		*read_only = !(vma->vm_flags & VM_WRITE);
	else
		ret = -EAGAIN;
	mmap_read_unlock(mm);
	mmput(mm);
	if (!ret)
		*pte = amdgpu_svm_range_pte(&attrs, *read_only);
	return ret;
}

/* Map an evicted range again with the mapping it gets now. */
static int amdgpu_svm_range_restore_one(struct amdgpu_svm *svm, struct amdgpu_svm_range *r)
{
	bool read_only, was_mapped;
	u32 pte;
	int ret;

	if (r->removed || r->base.flags.unmapped)
		return -ENOENT;
	ret = amdgpu_svm_range_current_pte(svm, r, &pte, &read_only);
	if (!ret)
		ret = amdgpu_svm_range_map(svm, r, pte, read_only, false, false, false,
					   &was_mapped);
	return ret;
}

/**
 * amdgpu_svm_range_restore() - Map evicted ranges again (XNACK off)
 * @svm: the SVM, locked
 *
 * The PTE bits and the read-only state are worked out again from the
 * attributes and the VMA, not reused: the eviction may have been an
 * mprotect(). A range that cannot be mapped as it is (its CPU mapping
 * changed) is removed and its span mapped afresh; what cannot be mapped
 * now is retried later (amdgpu_svm_retry_later()).
 */
void amdgpu_svm_range_restore(struct amdgpu_svm *svm)
{
	struct amdgpu_svm_range *r;

	lockdep_assert_held(&svm->lock);
	while ((r = amdgpu_svm_work_pop_range(svm, AMDGPU_SVM_RANGE_RESTORE))) {
		unsigned long first = amdgpu_svm_range_first(r), last = amdgpu_svm_range_last(r);
		int ret = amdgpu_svm_range_restore_one(svm, r);

		amdgpu_svm_dbg(svm, "restore", first, last, ": %d", ret);
		if (ret < 0 && !r->removed && !r->base.flags.unmapped)
			amdgpu_svm_range_remove(svm, r);
		drm_gpusvm_range_put(&r->base);
		if (ret < 0)
			amdgpu_svm_range_remap_or_retry(svm, first, last, false);
	}
}

// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#include <linux/hmm.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include <drm/drm_pagemap.h>

#include "amdgpu_svm.h"
#include "amdgpu_svm_migrate.h"

/**
 * DOC: Migration
 *
 * Where SVM memory lives follows PREFETCH_LOC, on request. A SET that
 * names PREFETCH_LOC=LOCAL moves the pages of every interval of its span
 * whose ACCESS is ALLOW_MIGRATE to the device's VRAM before it maps them,
 * one granularity-aligned chunk of at most 2 MiB at a time
 * (drm_pagemap_populate_mm()
 * through the device's &struct drm_pagemap); a chunk that does not fit in
 * VRAM, or whose pages cannot all be collected, stays where it is and the
 * request goes on: prefetch is best effort, as in KFD. PREFETCH_LOC=SYSMEM
 * moves every page of the span that is in this device's VRAM back to
 * system memory, whatever the access mode. IN_PLACE and INACCESSIBLE
 * memory never moves to VRAM.
 *
 * With XNACK on, a GPU fault on memory whose PREFERRED_LOC is this device
 * and whose ACCESS is ALLOW_MIGRATE moves the granule around the fault to
 * VRAM before mapping it (amdgpu_svm_migrate_fault()); with any other
 * preferred location the fault maps the pages where they are.
 *
 * Pages in VRAM are the process's pages like any other: the CPU faults
 * them back on access (drm_pagemap's migrate_to_ram), the MMU notifier
 * sees that as an invalidation and the GPU mapping follows as for any
 * eviction, and get_pages() hands SVM the device pages themselves
 * (&struct amdgpu_svm.pgmap_owner), which it maps by their VRAM address.
 */

/*
 * The end of the chunk at @pos: @attrs's granularity, aligned, never more
 * than the 2 MiB block around @pos, inside [@pos, @end). A chunk is one
 * allocation; drm_pagemap makes a huge device folio of a huge source page
 * at its 2 MiB-aligned offset, which the allocation's VRAM must match
 * (one 2 MiB block, amdgpu_svm_vram.c).
 */
static unsigned long amdgpu_svm_migrate_chunk_end(const struct amdgpu_svm_attrs *attrs,
						  unsigned long pos, unsigned long end)
{
	unsigned long size = PAGE_SIZE << min_t(unsigned int, attrs->granularity,
						 PMD_SHIFT - PAGE_SHIFT);

	return min(end, ALIGN(pos + 1, size));
}

/**
 * struct amdgpu_svm_migrate_walk - Looks at where the pages of a span are
 * @svm: the SVM
 * @ni: a notifier of the span, for the sequence HMM needs; it maps nothing
 * @pfns: one entry per page of a 2 MiB block
 */
struct amdgpu_svm_migrate_walk {
	struct amdgpu_svm *svm;
	struct mmu_interval_notifier ni;
	unsigned long *pfns;
};

static bool amdgpu_svm_migrate_invalidate(struct mmu_interval_notifier *mni,
					  const struct mmu_notifier_range *range,
					  unsigned long cur_seq)
{
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops amdgpu_svm_migrate_notifier_ops = {
	.invalidate = amdgpu_svm_migrate_invalidate,
};

/* The most pages one look covers: a 2 MiB block. */
#define AMDGPU_SVM_MIGRATE_BLOCK	(SZ_2M >> PAGE_SHIFT)

/* Start looking at [@start, @end); not with the mmap lock held. */
static int amdgpu_svm_migrate_walk_begin(struct amdgpu_svm_migrate_walk *w,
					 struct amdgpu_svm *svm, unsigned long start,
					 unsigned long end)
{
	int ret;

	w->svm = svm;
	w->pfns = kvmalloc_array(AMDGPU_SVM_MIGRATE_BLOCK, sizeof(*w->pfns), GFP_KERNEL);
	if (!w->pfns)
		return -ENOMEM;
	ret = mmu_interval_notifier_insert(&w->ni, svm->gpusvm.mm, start, end - start,
					   &amdgpu_svm_migrate_notifier_ops);
	if (ret)
		kvfree(w->pfns);
	return ret;
}

static void amdgpu_svm_migrate_walk_end(struct amdgpu_svm_migrate_walk *w)
{
	mmu_interval_notifier_remove(&w->ni);
	kvfree(w->pfns);
}

/*
 * hmm_range_fault() over [@start, @end) into @pfns, retried while the CPU
 * changes the span, for as long as drm_gpusvm would. With @fault, faults
 * the pages in for the CPU, which moves any in device memory back to
 * system memory (drm_pagemap's migrate_to_ram); without, only reports
 * them, this SVM's device pages included. The mmap lock is held.
 */
static int amdgpu_svm_migrate_hmm(struct amdgpu_svm_migrate_walk *w, unsigned long start,
				  unsigned long end, unsigned long *pfns, bool fault)
{
	unsigned long timeout = jiffies + msecs_to_jiffies(HMM_RANGE_DEFAULT_TIMEOUT);
	struct hmm_range range = {
		.notifier = &w->ni,
		.start = start,
		.end = end,
		.hmm_pfns = pfns,
		.default_flags = fault ? HMM_PFN_REQ_FAULT : 0,
		.dev_private_owner = fault ? NULL : w->svm->pgmap_owner,
	};
	int ret;

	mmap_assert_locked(w->svm->gpusvm.mm);
	do {
		if (fatal_signal_pending(current))
			return -EINTR;
		range.notifier_seq = mmu_interval_read_begin(&w->ni);
		ret = hmm_range_fault(&range);
	} while (ret == -EBUSY && time_before(jiffies, timeout));
	return ret;
}

/* Whether @pfn, as HMM reported it, is a page of this SVM's VRAM. */
static bool amdgpu_svm_migrate_pfn_is_ours(struct amdgpu_svm *svm, unsigned long pfn)
{
	struct page *page;

	if (!(pfn & HMM_PFN_VALID))
		return false;
	page = hmm_pfn_to_page(pfn);
	return is_device_private_page(page) && page_pgmap(page)->owner == svm->pgmap_owner;
}

/*
 * How many pages of [@start, @end), inside one 2 MiB block, are in this
 * SVM's VRAM; -errno if HMM could not look. The mmap lock is held.
 */
static long amdgpu_svm_migrate_count_ours(struct amdgpu_svm_migrate_walk *w,
					  unsigned long start, unsigned long end)
{
	unsigned long i, n = 0, npages = (end - start) >> PAGE_SHIFT;
	int ret = amdgpu_svm_migrate_hmm(w, start, end, w->pfns, false);

	if (ret)
		return ret;
	for (i = 0; i < npages; i++)
		n += amdgpu_svm_migrate_pfn_is_ours(w->svm, w->pfns[i]);
	return n;
}

/*
 * Move [@pos, @end) of one VMA to VRAM, chunk by chunk, with the mmap lock
 * held; a chunk already there is left alone (drm_pagemap would find that
 * out only after allocating VRAM for it). Returns where it stopped: @end,
 * or the end of the VMA at @pos.
 */
static unsigned long amdgpu_svm_migrate_vma_to_vram(struct amdgpu_svm_migrate_walk *w,
						    const struct amdgpu_svm_attrs *attrs,
						    unsigned long pos, unsigned long end)
{
	struct amdgpu_svm *svm = w->svm;
	struct mm_struct *mm = svm->gpusvm.mm;
	struct vm_area_struct *vma = vma_lookup(mm, pos);
	unsigned long next;
	long ours;
	int ret;

	mmap_assert_locked(mm);
	if (!vma) {
		vma = find_vma(mm, pos);
		return vma ? min(end, max(vma->vm_start, pos + PAGE_SIZE)) : end;
	}
	end = min(end, vma->vm_end);
	if (!vma_is_anonymous(vma))
		return end;	/* drm_pagemap moves anonymous memory only */
	for (; pos < end; pos = next) {
		next = amdgpu_svm_migrate_chunk_end(attrs, pos, end);
		ours = amdgpu_svm_migrate_count_ours(w, pos, next);
		ret = ours == (long)((next - pos) >> PAGE_SHIFT) ? 0 :
		      svm->dpagemap->ops->populate_mm(svm->dpagemap, pos, next, mm, 0);
		if (ret)
			amdgpu_svm_dbg(svm, "migrate", pos >> PAGE_SHIFT, (next >> PAGE_SHIFT) - 1,
				       ": to VRAM: %d, left in place", ret);
		if (fatal_signal_pending(current))
			return end;
		cond_resched();
	}
	return end;
}

/* Move the pages of [@start, @end), one attribute interval, to VRAM. */
static int amdgpu_svm_migrate_to_vram(struct amdgpu_svm *svm,
				      const struct amdgpu_svm_attrs *attrs,
				      unsigned long start, unsigned long end)
{
	struct mm_struct *mm = svm->gpusvm.mm;
	struct amdgpu_svm_migrate_walk w;
	unsigned long pos = start;
	int ret;

	ret = amdgpu_svm_migrate_walk_begin(&w, svm, start, end);
	if (ret)
		return ret;
	while (pos < end && !fatal_signal_pending(current)) {
		mmap_read_lock(mm);
		pos = amdgpu_svm_migrate_vma_to_vram(&w, attrs, pos, end);
		mmap_read_unlock(mm);
	}
	amdgpu_svm_migrate_walk_end(&w);
	return fatal_signal_pending(current) ? -EINTR : 0;
}

/*
 * Move each run of the pages of [@start, @end), inside one 2 MiB block,
 * that are in this SVM's VRAM back to system memory. The mmap lock is held.
 */
static int amdgpu_svm_migrate_block_to_ram(struct amdgpu_svm_migrate_walk *w,
					   unsigned long start, unsigned long end)
{
	unsigned long i, run = 0, first = 0, npages = (end - start) >> PAGE_SHIFT;
	int ret = amdgpu_svm_migrate_hmm(w, start, end, w->pfns, false);

	/* Holes and memory the CPU may not read hold no device page. */
	if (ret == -EFAULT || ret == -EPERM)
		return 0;
	for (i = 0; i <= npages && !ret; i++) {
		if (i < npages && amdgpu_svm_migrate_pfn_is_ours(w->svm, w->pfns[i])) {
			if (!run++)
				first = i;
			continue;
		}
		/* A page that could not move back fails the fault: -EFAULT. */
		if (run)
			ret = amdgpu_svm_migrate_hmm(w, start + (first << PAGE_SHIFT),
						     start + ((first + run) << PAGE_SHIFT),
						     w->pfns + first, true);
		run = 0;
	}
	return ret;
}

/* Move every page of [@start, @end) that is in this device's VRAM to system memory. */
static int amdgpu_svm_migrate_to_ram(struct amdgpu_svm *svm, unsigned long start,
				     unsigned long end)
{
	struct mm_struct *mm = svm->gpusvm.mm;
	struct amdgpu_svm_migrate_walk w;
	unsigned long pos, next;
	int ret;

	ret = amdgpu_svm_migrate_walk_begin(&w, svm, start, end);
	if (ret)
		return ret;
	for (pos = start; pos < end && !ret; pos = next) {
		next = min(end, ALIGN(pos + 1, SZ_2M));
		mmap_read_lock(mm);
		ret = amdgpu_svm_migrate_block_to_ram(&w, pos, next);
		mmap_read_unlock(mm);
		cond_resched();
	}
	amdgpu_svm_migrate_walk_end(&w);
	return ret;
}

/**
 * amdgpu_svm_migrate_set_pagemap() - Give an SVM the device memory it may migrate to
 * @svm: the SVM, before its first request
 * @dpagemap: the device's VRAM, or NULL for none (every page then stays
 *	in system memory); the caller keeps the reference
 * @owner: the owner of @dpagemap's device-private pages
 */
void amdgpu_svm_migrate_set_pagemap(struct amdgpu_svm *svm, struct drm_pagemap *dpagemap,
				    void *owner)
{
	svm->dpagemap = dpagemap;
	svm->pgmap_owner = dpagemap ? owner : NULL;
}

/**
 * amdgpu_svm_migrate_fault() - Move the granule of a GPU fault to VRAM if it should live there
 * @svm: the SVM, locked (XNACK on)
 * @attrs: the attributes of the faulting address
 * @start: first byte of the granule, as the fault maps it
 * @end: end of the granule
 *
 * A granule whose PREFERRED_LOC is this device and whose ACCESS is
 * ALLOW_MIGRATE moves to VRAM before the fault maps it, as in KFD; one
 * already there, or that does not fit, is mapped where it is. Takes the
 * mmap lock itself.
 */
void amdgpu_svm_migrate_fault(struct amdgpu_svm *svm, const struct amdgpu_svm_attrs *attrs,
			      unsigned long start, unsigned long end)
{
	lockdep_assert_held(&svm->lock);
	if (!svm->dpagemap || attrs->preferred_loc != AMDGPU_SVM_LOCATION_LOCAL ||
	    attrs->access != AMDGPU_SVM_ACCESS_ALLOW_MIGRATE)
		return;
	/* Best effort: what did not move is mapped in place. */
	amdgpu_svm_migrate_to_vram(svm, attrs, start, end);
}

/**
 * amdgpu_svm_migrate_prefetch() - Move a span's pages where its PREFETCH_LOC says
 * @svm: the SVM
 * @start: first page
 * @last: last page
 *
 * See DOC: Migration. Called by SET_ATTR with the SVM lock held, before
 * the span is mapped; takes the mmap lock itself.
 *
 * Return: 0 (pages that could not move to VRAM stay where they were);
 * -EINTR on a fatal signal; -ENOMEM if the span could not be looked at;
 * -EFAULT or -EBUSY if a page in VRAM could not be moved back to system
 * memory.
 */
int amdgpu_svm_migrate_prefetch(struct amdgpu_svm *svm, unsigned long start,
				unsigned long last)
{
	unsigned long pos = start << PAGE_SHIFT, end = (last + 1) << PAGE_SHIFT;
	struct amdgpu_svm_attrs attrs;
	unsigned long istart, ilast, hi;
	int ret = 0;

	lockdep_assert_held(&svm->lock);
	if (!svm->dpagemap)
		return 0;
	while (pos < end && !ret) {
		ret = amdgpu_svm_attr_tree_lookup(&svm->attrs, pos >> PAGE_SHIFT, &attrs,
						  &istart, &ilast);
		if (ret)
			break;
		hi = ilast >= (ULONG_MAX >> PAGE_SHIFT) ? end :
		     min(end, (ilast + 1) << PAGE_SHIFT);
		if (attrs.prefetch_loc == AMDGPU_SVM_LOCATION_LOCAL &&
		    attrs.access == AMDGPU_SVM_ACCESS_ALLOW_MIGRATE)
			ret = amdgpu_svm_migrate_to_vram(svm, &attrs, pos, hi);
		else if (attrs.prefetch_loc == AMDGPU_SVM_LOCATION_SYSMEM)
			ret = amdgpu_svm_migrate_to_ram(svm, pos, hi);
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
		pos = hi;
	}
	return ret;
}

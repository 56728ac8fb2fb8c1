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
 * one granularity-aligned chunk at a time (drm_pagemap_populate_mm()
 * through the device's &struct drm_pagemap); a chunk that does not fit in
 * VRAM, or whose pages cannot all be collected, stays where it is and the
 * request goes on: prefetch is best effort, as in KFD. PREFETCH_LOC=SYSMEM
 * moves every page of the span that is in this device's VRAM back to
 * system memory, whatever the access mode. IN_PLACE and INACCESSIBLE
 * memory never moves to VRAM.
 *
 * Pages in VRAM are the process's pages like any other: the CPU faults
 * them back on access (drm_pagemap's migrate_to_ram), the MMU notifier
 * sees that as an invalidation and the GPU mapping follows as for any
 * eviction, and get_pages() hands SVM the device pages themselves
 * (&struct amdgpu_svm.pgmap_owner), which it maps by their VRAM address.
 */

/* A chunk of @attrs's granularity, aligned, holding @pos and inside [@pos, @end). */
static unsigned long amdgpu_svm_migrate_chunk_end(const struct amdgpu_svm_attrs *attrs,
						  unsigned long pos, unsigned long end)
{
	unsigned long size = PAGE_SIZE << attrs->granularity;

	return min(end, ALIGN(pos + 1, size));
}

/*
 * Move [@pos, @end) of one VMA to VRAM, chunk by chunk, with the mmap lock
 * held. Returns where it stopped: @end, or the end of the VMA at @pos.
 */
static unsigned long amdgpu_svm_migrate_vma_to_vram(struct amdgpu_svm *svm,
						    const struct amdgpu_svm_attrs *attrs,
						    unsigned long pos, unsigned long end)
{
	struct mm_struct *mm = svm->gpusvm.mm;
	struct vm_area_struct *vma = vma_lookup(mm, pos);
	unsigned long next;
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
		ret = svm->dpagemap->ops->populate_mm(svm->dpagemap, pos, next, mm, 0);
		if (ret)
			amdgpu_svm_dbg(svm, "migrate", pos >> PAGE_SHIFT, (next >> PAGE_SHIFT) - 1,
				       ": to VRAM: %d, left in place", ret);
		if (fatal_signal_pending(current))
			return end;
	}
	return end;
}

/* Move the pages of [@start, @end), one attribute interval, to VRAM. */
static void amdgpu_svm_migrate_to_vram(struct amdgpu_svm *svm,
				       const struct amdgpu_svm_attrs *attrs,
				       unsigned long start, unsigned long end)
{
	struct mm_struct *mm = svm->gpusvm.mm;
	unsigned long pos = start;

	while (pos < end && !fatal_signal_pending(current)) {
		mmap_read_lock(mm);
		pos = amdgpu_svm_migrate_vma_to_vram(svm, attrs, pos, end);
		mmap_read_unlock(mm);
	}
}

static bool amdgpu_svm_migrate_invalidate(struct mmu_interval_notifier *mni,
					  const struct mmu_notifier_range *range,
					  unsigned long cur_seq)
{
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

/* Only the sequence: the walk looks for pages, it maps none. */
static const struct mmu_interval_notifier_ops amdgpu_svm_migrate_notifier_ops = {
	.invalidate = amdgpu_svm_migrate_invalidate,
};

/*
 * Fault [@start, @end) in for the CPU, which moves every page of it that
 * is in device memory back to system memory (drm_pagemap's
 * migrate_to_ram). The mmap lock is held.
 */
static int amdgpu_svm_migrate_fault_to_ram(struct mmu_interval_notifier *ni,
					   unsigned long start, unsigned long end,
					   unsigned long *pfns)
{
	struct hmm_range range = {
		.notifier = ni,
		.start = start,
		.end = end,
		.hmm_pfns = pfns,
		.default_flags = HMM_PFN_REQ_FAULT,
	};
	int ret;

	do {
		range.notifier_seq = mmu_interval_read_begin(ni);
		ret = hmm_range_fault(&range);
	} while (ret == -EBUSY);
	return ret;
}

/*
 * Find the pages of [@start, @end) that are in this device's VRAM, without
 * faulting anything in, and move each run of them back. The mmap lock is
 * held.
 */
static int amdgpu_svm_migrate_chunk_to_ram(struct amdgpu_svm *svm,
					   struct mmu_interval_notifier *ni,
					   unsigned long start, unsigned long end,
					   unsigned long *pfns)
{
	struct hmm_range range = {
		.notifier = ni,
		.start = start,
		.end = end,
		.hmm_pfns = pfns,
		.dev_private_owner = svm->pgmap_owner,
	};
	unsigned long i, run = 0, npages = (end - start) >> PAGE_SHIFT;
	int ret;

	do {
		range.notifier_seq = mmu_interval_read_begin(ni);
		ret = hmm_range_fault(&range);
	} while (ret == -EBUSY);
	if (ret)
		return ret;
	for (i = 0; i <= npages && !ret; i++) {
		bool ours = i < npages && (pfns[i] & HMM_PFN_VALID) &&
			    is_device_private_page(hmm_pfn_to_page(pfns[i])) &&
			    page_pgmap(hmm_pfn_to_page(pfns[i]))->owner == svm->pgmap_owner;

		if (ours) {
			if (!run++)
				start = range.start + (i << PAGE_SHIFT);
			continue;
		}
		if (run)
			ret = amdgpu_svm_migrate_fault_to_ram(ni, start,
							      start + (run << PAGE_SHIFT),
							      pfns + i - run);
		run = 0;
	}
	return ret;
}

/* The most pages one walk looks at: a 2 MiB chunk. */
#define AMDGPU_SVM_MIGRATE_WALK	(SZ_2M >> PAGE_SHIFT)

/* Move every page of [@start, @end) that is in this device's VRAM to system memory. */
static int amdgpu_svm_migrate_to_ram(struct amdgpu_svm *svm, unsigned long start,
				     unsigned long end)
{
	struct mm_struct *mm = svm->gpusvm.mm;
	struct mmu_interval_notifier ni;
	unsigned long pos, next, *pfns;
	int ret;

	pfns = kvmalloc_array(AMDGPU_SVM_MIGRATE_WALK, sizeof(*pfns), GFP_KERNEL);
	if (!pfns)
		return -ENOMEM;
	ret = mmu_interval_notifier_insert(&ni, mm, start, end - start,
					   &amdgpu_svm_migrate_notifier_ops);
	if (ret)
		goto out_free;
	for (pos = start; pos < end && !ret; pos = next) {
		next = min(end, ALIGN(pos + 1, SZ_2M));
		mmap_read_lock(mm);
		ret = amdgpu_svm_migrate_chunk_to_ram(svm, &ni, pos, next, pfns);
		mmap_read_unlock(mm);
		/* Holes and memory the CPU may not read hold no device page. */
		if (ret == -EFAULT || ret == -EPERM)
			ret = 0;
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
	}
	mmu_interval_notifier_remove(&ni);
out_free:
	kvfree(pfns);
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
 * amdgpu_svm_migrate_prefetch() - Move a span's pages where its PREFETCH_LOC says
 * @svm: the SVM
 * @start: first page
 * @last: last page
 *
 * See DOC: Migration. Called by SET_ATTR with the SVM lock held, before
 * the span is mapped; takes the mmap lock itself.
 *
 * Return: 0 (pages that could not move stay where they were); -EINTR on a
 * fatal signal; -ENOMEM, or an error of the attribute tree, if the span
 * could not be looked at.
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
			amdgpu_svm_migrate_to_vram(svm, &attrs, pos, hi);
		else if (attrs.prefetch_loc == AMDGPU_SVM_LOCATION_SYSMEM)
			ret = amdgpu_svm_migrate_to_ram(svm, pos, hi);
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
		pos = hi;
	}
	return ret;
}

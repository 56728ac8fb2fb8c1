// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#include <linux/dma-fence.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mutex.h>

#include <drm/drm_drv.h>
#include <drm/gpu_scheduler.h>

#include "amdgpu.h"
#include "amdgpu_gart.h"
#include "amdgpu_job.h"
#include "amdgpu_object.h"
#include "amdgpu_ring.h"
#include "amdgpu_svm_sdma.h"
#include "amdgpu_ttm.h"

/**
 * DOC: SDMA copies
 *
 * The copy engine of SVM migration on a real board: the device's
 * buffer-move engine (SDMA, the schedulers of &amdgpu_mman.buffer_funcs_scheds)
 * copies pages between VRAM and system memory, in the sequence KFD's
 * migration uses (svm_migrate_copy_memory_gart()).
 *
 * VRAM is reached by its MC address, the VRAM offset plus the start of the
 * VRAM aperture (amdgpu_ttm_domain_start()); the copy runs in VMID 0, so
 * &amdgpu_vm_manager.vram_base_offset, which only PTEs take, does not come
 * into it. System pages are reached through GART window 0 of the first TTM
 * move entity, the entity and window KFD uses: the window holds
 * AMDGPU_GTT_MAX_TRANSFER_SIZE bytes and is shared with the TTM moves that
 * run on that entity, so it belongs to whoever holds the entity's lock.
 *
 * Under that lock the pages are cut into chunks: a chunk is a run of pages
 * that sit back to back in VRAM, of at most a window's worth. The system
 * side needs no contiguity, the window makes it contiguous. For each chunk
 * one job writes the GART PTEs of the window (amdgpu_svm_sdma_map_window():
 * the PTEs ride in the job's own IB, and the job copies them into the GART
 * table), then a second job copies the chunk (amdgpu_copy_buffer(), with a
 * VMID 0 TLB flush so that it sees the new PTEs). Jobs of one entity run in
 * the order they were pushed, so the fence of the last copy signals after
 * every job before it: it is the only fence kept, and the only one the
 * caller waits for. On an error after some chunks were submitted, that
 * fence is waited for before the error is returned, so no copy still runs
 * when the caller takes the pages back.
 *
 * The fence the caller must wait for first (drm_pagemap's pre-migration
 * fence, say a clear of the new VRAM) is waited for on the CPU before the
 * entity is locked, not added as a dependency of the first job: the
 * migration waits for the copy at once anyway, its error is then seen and
 * returned, and a job that waits for a foreign fence never sits at the head
 * of the shared move entity, in front of TTM's evictions.
 */

#define AMDGPU_SVM_SDMA_WINDOW_PAGES	(AMDGPU_GTT_MAX_TRANSFER_SIZE >> PAGE_SHIFT)

/* The entity whose GART window and lock the copies use, as KFD's do. */
static struct amdgpu_ttm_buffer_entity *amdgpu_svm_sdma_entity(struct amdgpu_device *adev)
{
	return &adev->mman.move_entities[0];
}

static struct amdgpu_ring *amdgpu_svm_sdma_ring(struct amdgpu_device *adev)
{
	return to_amdgpu_ring(adev->mman.buffer_funcs_scheds[0]);
}

/* The buffer-move engine is up, with the entity the copies run on. */
static bool amdgpu_svm_sdma_is_ready(struct amdgpu_device *adev)
{
	if (!adev->mman.buffer_funcs_enabled || !adev->mman.num_move_entities)
		return false;
	return amdgpu_svm_sdma_ring(adev)->sched.ready;
}

/* Waits for @wait, if any; returns its error. */
static int amdgpu_svm_sdma_wait_for(struct dma_fence *wait)
{
	long r;

	if (!wait)
		return 0;
	r = dma_fence_wait(wait, false);
	if (r < 0)
		return r;
	r = dma_fence_get_status(wait);
	return r < 0 ? r : 0;
}

/* Replaces the last fence kept by @fence, the fence of a later job. */
static void amdgpu_svm_sdma_keep_fence(struct dma_fence **last, struct dma_fence *fence)
{
	dma_fence_put(*last);
	*last = fence;
}

/* Waits for and drops @last: no job submitted before it still runs. */
static void amdgpu_svm_sdma_drain(struct dma_fence *last)
{
	if (!last)
		return;
	dma_fence_wait(last, false);
	dma_fence_put(last);
}

/* The pages from @vram[0] on that sit back to back in VRAM, a window at most. */
static unsigned long amdgpu_svm_sdma_chunk_pages(const u64 *vram, unsigned long npages)
{
	unsigned long max = min_t(unsigned long, npages, AMDGPU_SVM_SDMA_WINDOW_PAGES);
	unsigned long n = 1;

	while (n < max && vram[n] == vram[n - 1] + PAGE_SIZE)
		n++;
	return n;
}

/* The MC address of VRAM offset @offset, as the copy engine reaches it. */
static u64 amdgpu_svm_sdma_vram_address(struct amdgpu_device *adev, u64 offset)
{
	return amdgpu_ttm_domain_start(adev, TTM_PL_VRAM) + offset;
}

/* GART PTEs of system pages, writeable only if the copy writes them. */
static u64 amdgpu_svm_sdma_window_pte_flags(struct amdgpu_device *adev, bool writeable)
{
	u64 flags = AMDGPU_PTE_VALID | AMDGPU_PTE_READABLE |
		    AMDGPU_PTE_SYSTEM | AMDGPU_PTE_SNOOPED;

	if (writeable)
		flags |= AMDGPU_PTE_WRITEABLE;
	return flags | adev->gart.gart_pte_flags;
}

/*
 * Points window 0 of @entity at the system pages @sys[0..@npages) by a job
 * that copies their PTEs, carried in its own IB after the copy packet, into
 * the GART table. Returns the job's fence or an ERR_PTR().
 */
static struct dma_fence *amdgpu_svm_sdma_map_window(struct amdgpu_device *adev,
						    struct amdgpu_ttm_buffer_entity *entity,
						    const dma_addr_t *sys,
						    unsigned long npages, bool writeable)
{
	unsigned int num_dw = ALIGN(adev->mman.buffer_funcs->copy_num_dw, 8);
	unsigned int num_bytes = npages * 8 * AMDGPU_GPU_PAGES_IN_CPU_PAGE;
	struct amdgpu_job *job;
	u64 src, dst;
	int r;

	r = amdgpu_job_alloc_with_ib(adev, &entity->base, AMDGPU_FENCE_OWNER_UNDEFINED,
				     num_dw * 4 + num_bytes, AMDGPU_IB_POOL_DELAYED,
				     AMDGPU_KERNEL_JOB_ID_TTM_MAP_BUFFER, &job);
	if (r)
		return ERR_PTR(r);

	src = job->ibs[0].gpu_addr + num_dw * 4;
	dst = amdgpu_bo_gpu_offset(adev->gart.bo) +
	      (entity->gart_window_offs[0] >> AMDGPU_GPU_PAGE_SHIFT) * 8;
	amdgpu_emit_copy_buffer(adev, &job->ibs[0], src, dst, num_bytes, 0);
	amdgpu_ring_pad_ib(amdgpu_svm_sdma_ring(adev), &job->ibs[0]);
	WARN_ON(job->ibs[0].length_dw > num_dw);

	/* amdgpu_gart_map() only reads the addresses. */
	amdgpu_gart_map(adev, 0, npages, (dma_addr_t *)sys,
			amdgpu_svm_sdma_window_pte_flags(adev, writeable),
			&job->ibs[0].ptr[num_dw]);
	return amdgpu_job_submit(job);
}

/*
 * Copies one chunk: maps @sys[0..@npages) into the window, then copies
 * between the window and the VRAM run that starts at @vram[0]. @last keeps
 * the fence of the last job submitted, even when a later one fails.
 */
static int amdgpu_svm_sdma_copy_chunk(struct amdgpu_device *adev,
				      struct amdgpu_ttm_buffer_entity *entity,
				      const u64 *vram, const dma_addr_t *sys,
				      unsigned long npages, bool to_vram,
				      struct dma_fence **last)
{
	u64 window = amdgpu_compute_gart_address(&adev->gmc, entity, 0);
	u64 mc = amdgpu_svm_sdma_vram_address(adev, vram[0]);
	struct dma_fence *fence;
	int r;

	fence = amdgpu_svm_sdma_map_window(adev, entity, sys, npages, !to_vram);
	if (IS_ERR(fence))
		return PTR_ERR(fence);
	amdgpu_svm_sdma_keep_fence(last, fence);

	r = amdgpu_copy_buffer(adev, entity, to_vram ? window : mc,
			       to_vram ? mc : window, npages * PAGE_SIZE,
			       NULL, &fence, true, 0);
	if (r)
		return r;
	amdgpu_svm_sdma_keep_fence(last, fence);
	return 0;
}

/* Copies all pages, chunk by chunk, with the entity (and its window) held. */
static int amdgpu_svm_sdma_copy_chunks(struct amdgpu_device *adev,
				       struct amdgpu_ttm_buffer_entity *entity,
				       const u64 *vram, const dma_addr_t *sys,
				       unsigned long npages, bool to_vram,
				       struct dma_fence **last)
{
	unsigned long n;
	int r;

	lockdep_assert_held(&entity->lock);

	for (; npages; npages -= n, vram += n, sys += n) {
		n = amdgpu_svm_sdma_chunk_pages(vram, npages);
		r = amdgpu_svm_sdma_copy_chunk(adev, entity, vram, sys, n,
					       to_vram, last);
		if (r)
			return r;
	}
	return 0;
}

/* Submits the copies of all pages; returns the last fence or an ERR_PTR(). */
static struct dma_fence *amdgpu_svm_sdma_submit(struct amdgpu_device *adev,
						const u64 *vram, const dma_addr_t *sys,
						unsigned long npages, bool to_vram)
{
	struct amdgpu_ttm_buffer_entity *entity = amdgpu_svm_sdma_entity(adev);
	struct dma_fence *last = NULL;
	int r;

	mutex_lock(&entity->lock);
	r = amdgpu_svm_sdma_copy_chunks(adev, entity, vram, sys, npages, to_vram,
					&last);
	mutex_unlock(&entity->lock);
	if (!r)
		return last;

	dev_err_ratelimited(adev->dev, "SVM SDMA copy failed: %d\n", r);
	amdgpu_svm_sdma_drain(last);
	return ERR_PTR(r);
}

/**
 * amdgpu_svm_sdma_copy() - Copy pages between VRAM and system memory by SDMA
 * @adev: the device whose VRAM and buffer-move engine are used
 * @vram: VRAM offset of each page (page aligned, from the start of VRAM)
 * @sys: DMA address of each system page, mapped for @adev's device
 * @npages: number of pages in @vram and @sys
 * @to_vram: copy @sys to @vram if true, @vram to @sys if false
 * @wait: fence the copies must not start before, or NULL
 *
 * Copies page i between @vram[i] and @sys[i], pages back to back in VRAM
 * in one copy of up to AMDGPU_GTT_MAX_TRANSFER_SIZE bytes, through the GART
 * window of the first TTM move entity (see DOC: SDMA copies).
 *
 * @wait is waited for on the CPU before any job is built, not made a
 * dependency of the first job; if it signalled with an error, nothing is
 * copied and that error is returned.
 *
 * Context: Process context; may sleep (waits for fences, allocates jobs
 * with GFP_KERNEL). Takes and releases the lock of
 * &amdgpu_mman.move_entities[0], which guards its GART window (7.3's form of
 * KFD's gtt_window_lock): the caller must not hold it. Lockdep: that lock
 * nests inside whatever the caller holds (mmap lock, page locks, a
 * reservation); TTM takes it inside reservations too, and nothing is
 * taken under it here but the IB pool and scheduler internals TTM also
 * takes there.
 *
 * Return: the fence of the last copy, which signals once all copies are
 * done (the caller waits for and puts it); NULL if @npages is 0 (once @wait
 * has signalled); ERR_PTR(-ENODEV), with nothing submitted, if the
 * buffer-move engine is not ready (then @wait is not waited for either) or
 * the device was unplugged, so that the caller can fall back to another
 * copy; another ERR_PTR() on failure, in which case no job submitted by
 * this call still runs.
 */
struct dma_fence *amdgpu_svm_sdma_copy(struct amdgpu_device *adev, const u64 *vram,
				       const dma_addr_t *sys, unsigned long npages,
				       bool to_vram, struct dma_fence *wait)
{
	struct dma_fence *fence;
	int idx, r;

	might_sleep();

	if (npages && !amdgpu_svm_sdma_is_ready(adev))
		return ERR_PTR(-ENODEV);
	r = amdgpu_svm_sdma_wait_for(wait);
	if (r)
		return ERR_PTR(r);
	if (!npages)
		return NULL;

	/* Unplugged, amdgpu_gart_map() would leave the window's PTEs unwritten. */
	if (!drm_dev_enter(adev_to_drm(adev), &idx))
		return ERR_PTR(-ENODEV);
	fence = amdgpu_svm_sdma_submit(adev, vram, sys, npages, to_vram);
	drm_dev_exit(idx);
	return fence;
}

// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/dma-mapping.h>
#include <linux/ioport.h>
#include <linux/memremap.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/pm_runtime.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_pagemap.h>

#include "amdgpu.h"
#include "amdgpu_object.h"
#include "amdgpu_res_cursor.h"
#include "amdgpu_svm_sdma.h"
#include "amdgpu_svm_vram.h"

/**
 * DOC: VRAM as device-private pages
 *
 * SVM moves pages to VRAM through drm_pagemap: a device has at most one
 * &struct amdgpu_svm_vram at a time, made by the first SVM that needs it
 * and gone with the last SVM and the last page in it; it is a
 * device-private &struct dev_pagemap with one
 * struct page per page of VRAM (over a free physical range of VRAM's
 * size, as KFD's own pagemap is), and the &struct drm_pagemap whose
 * operations drm_pagemap_populate_mm() and the CPU fault path call.
 *
 * A migration to VRAM allocates one buffer object in VRAM
 * (&struct amdgpu_svm_vram_alloc; at most three quarters of VRAM, see
 * %AMDGPU_SVM_VRAM_SHARE) for the chunk, lets drm_pagemap_migrate_to_devmem()
 * collect the system pages, and copies them with the device's buffer-move
 * engine, all with the buffer object reserved. The allocation lives as
 * long as one device page of it does: drm_pagemap releases it when the
 * last page is freed, after the CPU faulted its pages back
 * (migrate_to_ram) or the process unmapped them.
 *
 * The buffer objects are not pinned: TTM may evict them, first of all
 * VRAM (LRU priority 0, as KFD's SVM buffers). Their eviction moves the
 * pages they hold to system memory first (amdgpu_svm_vram_vacate_bo(),
 * from TTM's eviction_valuable(), or amdgpu_svm_vram_evict_bo() from
 * amdgpu_bo_move(); both with drm_pagemap_evict_to_ram()), then drops the
 * VRAM without a copy; the GPU mappings follow through the MMU notifier,
 * as for a CPU fault. SVM's own allocation of a chunk does not evict the
 * same process's SVM VRAM (&amdgpu_svm_vram.allocators), so a prefetch
 * larger than VRAM never pushes out its own first chunks; any other
 * allocation may. An allocation holds a runtime-PM reference of the
 * device; suspend moves every page out (TTM's evict_all).
 *
 * HMM hands a device page to a mirror only if the mirror names the
 * pagemap's owner (amdgpu_svm_vram_owner()); the device then maps it by
 * its VRAM address (device_map()), any other device gets nothing (peers
 * are not served yet). KFD's SVM registers a pagemap of its own over the
 * same VRAM with another owner; the two never share a page, since a
 * process uses one SVM or the other.
 *
 * When the device goes, or a process's SVM on it, every allocation still
 * holding pages of that process is evicted to system memory first
 * (amdgpu_svm_vram_evict_mm(), drm_pagemap_evict_to_ram()), so that no
 * page of a live process points into VRAM that is freed.
 */

/**
 * struct amdgpu_svm_vram_alloc - One buffer object of VRAM that pages migrated to
 * @devmem: what drm_pagemap knows of it
 * @vram: the device's VRAM
 * @bo: the buffer object in VRAM (out of VRAM once TTM evicted it)
 * @ref: the pages' reference (dropped by devmem_release), and one per
 *	evictor that works on it
 * @released: drm_pagemap released it (@vram->lock)
 * @link: in @vram->allocs (@vram->lock)
 * @release_node: in @vram->release_list once @ref is gone
 */
struct amdgpu_svm_vram_alloc {
	struct drm_pagemap_devmem devmem;
	struct amdgpu_svm_vram *vram;
	struct amdgpu_bo *bo;
	struct kref ref;
	bool released;
	struct list_head link;
	struct llist_node release_node;
};

/**
 * struct amdgpu_svm_vram_bo - A buffer object of SVM VRAM
 * @bo: the buffer object (%AMDGPU_SVM_CREATE_VRAM_BO)
 * @alloc: the allocation whose pages it backs; NULL before the allocation
 *	takes it and once the allocation let it go (written and read with
 *	@bo reserved)
 */
struct amdgpu_svm_vram_bo {
	struct amdgpu_bo bo;
	struct amdgpu_svm_vram_alloc *alloc;
};

/**
 * struct amdgpu_svm_vram_allocator - A task that allocates SVM VRAM
 * @link: on &amdgpu_svm_vram.allocators
 * @task: the task
 * @mm: the mm it allocates for
 */
struct amdgpu_svm_vram_allocator {
	struct list_head link;
	struct task_struct *task;
	struct mm_struct *mm;
};

/* How often a move that may wait tries pages that are busy. */
#define AMDGPU_SVM_VRAM_EVICT_TRIES	10

/* Publishes and clears &amdgpu_device.svm_vram, of every device. */
static DEFINE_MUTEX(amdgpu_svm_vram_lock);

/* Runs the release and destroy work; drained at module exit. */
static struct workqueue_struct *amdgpu_svm_vram_wq;

static struct amdgpu_svm_vram *amdgpu_svm_vram_from_dpagemap(struct drm_pagemap *dpagemap)
{
	return container_of(dpagemap, struct amdgpu_svm_vram, dpagemap);
}

static struct amdgpu_svm_vram_alloc *
amdgpu_svm_vram_alloc_from_devmem(struct drm_pagemap_devmem *devmem)
{
	return container_of(devmem, struct amdgpu_svm_vram_alloc, devmem);
}

static struct amdgpu_svm_vram_bo *amdgpu_svm_vram_bo_of(struct amdgpu_bo *abo)
{
	return container_of(abo, struct amdgpu_svm_vram_bo, bo);
}

/* Whether @abo still has its VRAM (TTM did not evict it yet); reserved. */
static bool amdgpu_svm_vram_bo_in_vram(struct amdgpu_bo *abo)
{
	dma_resv_assert_held(abo->tbo.base.resv);
	return abo->tbo.resource && abo->tbo.resource->mem_type == TTM_PL_VRAM;
}

/* The VRAM offset of device page @page. */
static u64 amdgpu_svm_vram_page_offset(struct amdgpu_svm_vram *vram, struct page *page)
{
	return PFN_PHYS(page_to_pfn(page)) - vram->pagemap.range.start;
}

/* The device page at VRAM offset @offset. */
static unsigned long amdgpu_svm_vram_offset_to_pfn(struct amdgpu_svm_vram *vram, u64 offset)
{
	return PHYS_PFN(vram->pagemap.range.start + offset);
}

/* Put the buffer objects of allocations whose pages are all gone. */
static void amdgpu_svm_vram_release_work(struct work_struct *work)
{
	struct amdgpu_svm_vram *vram = container_of(work, struct amdgpu_svm_vram, release_work);
	struct llist_node *node = llist_del_all(&vram->release_list);
	struct amdgpu_svm_vram_alloc *a, *next;

	/* A PTE that a failed clear left may still point into this VRAM. */
	if (node)
		wait_event(vram->stale_wq, !atomic_read(&vram->stale));
	llist_for_each_entry_safe(a, next, node, release_node) {
		spin_lock(&vram->lock);
		list_del(&a->link);
		spin_unlock(&vram->lock);
		/* An eviction that has it reserved still sees @a, or nothing. */
		amdgpu_bo_reserve(a->bo, true);
		amdgpu_svm_vram_bo_of(a->bo)->alloc = NULL;
		amdgpu_bo_unreserve(a->bo);
		amdgpu_bo_unref(&a->bo);
		atomic64_sub(a->devmem.size, &vram->allocated);
		pm_runtime_put_autosuspend(adev_to_drm(vram->adev)->dev);
		amdgpu_svm_live_dec(&vram->nr_allocs);
		mmdrop(a->devmem.mm);
		kfree(a);
		drm_pagemap_put(&vram->dpagemap);
	}
}

static void amdgpu_svm_vram_alloc_release(struct kref *ref)
{
	struct amdgpu_svm_vram_alloc *a = container_of(ref, struct amdgpu_svm_vram_alloc, ref);
	struct amdgpu_svm_vram *vram = a->vram;

	if (llist_add(&a->release_node, &vram->release_list))
		queue_work(amdgpu_svm_vram_wq, &vram->release_work);
}

static void amdgpu_svm_vram_alloc_put(struct amdgpu_svm_vram_alloc *a)
{
	kref_put(&a->ref, amdgpu_svm_vram_alloc_release);
}

/* drm_pagemap_devmem_ops.devmem_release: the last page of @devmem went. */
static void amdgpu_svm_vram_devmem_release(struct drm_pagemap_devmem *devmem)
{
	struct amdgpu_svm_vram_alloc *a = amdgpu_svm_vram_alloc_from_devmem(devmem);

	spin_lock(&a->vram->lock);
	a->released = true;
	spin_unlock(&a->vram->lock);
	dma_fence_put(devmem->pre_migrate_fence);
	devmem->pre_migrate_fence = NULL;
	amdgpu_svm_vram_alloc_put(a);
}

/*
 * drm_pagemap_devmem_ops.populate_devmem_pfn: the device pages of @devmem,
 * with its buffer object reserved, so that TTM does not take the VRAM
 * away while drm_pagemap works on it.
 */
static int amdgpu_svm_vram_populate_devmem_pfn(struct drm_pagemap_devmem *devmem,
					       unsigned long npages, unsigned long *pfn)
{
	struct amdgpu_svm_vram_alloc *a = amdgpu_svm_vram_alloc_from_devmem(devmem);
	struct amdgpu_res_cursor cursor;
	unsigned long i = 0, k;

	if (!amdgpu_svm_vram_bo_in_vram(a->bo))
		return -ENOMEM;
	amdgpu_res_first(a->bo->tbo.resource, 0, (u64)npages << PAGE_SHIFT, &cursor);
	while (cursor.remaining && i < npages) {
		for (k = 0; k < cursor.size >> PAGE_SHIFT && i < npages; k++)
			pfn[i++] = amdgpu_svm_vram_offset_to_pfn(a->vram,
								 cursor.start + k * PAGE_SIZE);
		amdgpu_res_next(&cursor, cursor.size);
	}
	return i == npages ? 0 : -EINVAL;
}

/*
 * Expand the entries drm_pagemap hands the copy callbacks into one VRAM
 * offset and one DMA address per page: an entry of order > 0 (a huge
 * page) stands for the pages after it, which carry nothing, and an entry
 * with no page is not copied. A page of VRAM with no source (memory the
 * process never touched) is copied from the zero page: VRAM a buffer
 * object gets is not cleared, and may hold another process's data.
 */
static unsigned long amdgpu_svm_vram_copy_list(struct amdgpu_svm_vram *vram, struct page **pages,
					       const struct drm_pagemap_addr *addr,
					       unsigned long npages, bool to_vram,
					       u64 *vram_offs, dma_addr_t *sys)
{
	unsigned long i = 0, n = 0, k;

	while (i < npages) {
		bool zero = to_vram && pages[i] && !addr[i].addr;
		/* A hole is one entry for the whole device folio made for it. */
		unsigned long nr = zero ? folio_nr_pages(page_folio(pages[i])) :
				   1UL << addr[i].order;

		if (pages[i] && (addr[i].addr || zero)) {
			u64 off = amdgpu_svm_vram_page_offset(vram, pages[i]);

			for (k = 0; k < nr && i + k < npages; k++) {
				vram_offs[n] = off + k * PAGE_SIZE;
				sys[n++] = zero ? vram->zero_dma : addr[i].addr + k * PAGE_SIZE;
			}
		}
		i += nr;
	}
	return n;
}

/* The device of a copy: that of the first page (all pages are one device's). */
static struct amdgpu_svm_vram *amdgpu_svm_vram_of_pages(struct page **pages,
							unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++)
		if (pages[i])
			return container_of(page_pgmap(pages[i]), struct amdgpu_svm_vram,
					    pagemap);
	return NULL;
}

static int amdgpu_svm_vram_copy(struct page **pages, struct drm_pagemap_addr *addr,
				unsigned long npages, struct dma_fence *wait, bool to_vram)
{
	struct amdgpu_svm_vram *vram = amdgpu_svm_vram_of_pages(pages, npages);
	struct dma_fence *fence;
	unsigned long n;
	dma_addr_t *sys;
	u64 *offs;
	int ret = 0;

	if (!vram)
		return 0;
	offs = kvmalloc_array(npages, sizeof(*offs) + sizeof(*sys), GFP_KERNEL);
	if (!offs)
		return -ENOMEM;
	sys = (dma_addr_t *)(offs + npages);
	n = amdgpu_svm_vram_copy_list(vram, pages, addr, npages, to_vram, offs, sys);
	fence = vram->copy->copy(vram->adev, offs, sys, n, to_vram, wait);
	if (IS_ERR(fence)) {
		ret = PTR_ERR(fence);
	} else if (fence) {
		/* No page changes hands before its data is there. */
		ret = dma_fence_wait(fence, false);
		if (!ret && fence->error)
			ret = fence->error;
		dma_fence_put(fence);
	}
	if (!ret) {
		amdgpu_svm_stat_add(n, &vram->stats.pages_copied);
		amdgpu_svm_stat_add(n, to_vram ? &vram->stats.pages_to_vram :
					 &vram->stats.pages_to_ram);
	}
	kvfree(offs);
	return ret;
}

/* drm_pagemap_devmem_ops.copy_to_devmem: @pages are the VRAM destinations. */
static int amdgpu_svm_vram_copy_to_devmem(struct page **pages, struct drm_pagemap_addr *addr,
					  unsigned long npages, struct dma_fence *wait)
{
	return amdgpu_svm_vram_copy(pages, addr, npages, wait, true);
}

/* drm_pagemap_devmem_ops.copy_to_ram: @pages are the VRAM sources. */
static int amdgpu_svm_vram_copy_to_ram(struct page **pages, struct drm_pagemap_addr *addr,
				       unsigned long npages, struct dma_fence *wait)
{
	return amdgpu_svm_vram_copy(pages, addr, npages, wait, false);
}

static const struct drm_pagemap_devmem_ops amdgpu_svm_vram_devmem_ops = {
	.devmem_release = amdgpu_svm_vram_devmem_release,
	.populate_devmem_pfn = amdgpu_svm_vram_populate_devmem_pfn,
	.copy_to_devmem = amdgpu_svm_vram_copy_to_devmem,
	.copy_to_ram = amdgpu_svm_vram_copy_to_ram,
};

/*
 * A buffer object of @size bytes in VRAM for @a, huge-page aligned if it
 * can be, returned reserved. TTM may evict it once it is unreserved.
 */
static int amdgpu_svm_vram_create_bo(struct amdgpu_svm_vram *vram,
				     struct amdgpu_svm_vram_alloc *a, unsigned long size)
{
	struct amdgpu_bo_param bp = {
		.size = size,
		.byte_align = IS_ALIGNED(size, SZ_2M) ? SZ_2M : PAGE_SIZE,
		.domain = AMDGPU_GEM_DOMAIN_VRAM,
		.preferred_domain = AMDGPU_GEM_DOMAIN_VRAM,
		.flags = AMDGPU_GEM_CREATE_NO_CPU_ACCESS | AMDGPU_SVM_CREATE_VRAM_BO,
		.type = ttm_bo_type_kernel,
		.bo_ptr_size = sizeof(struct amdgpu_svm_vram_bo),
	};
	int ret;

	if (amdgpu_svm_should_fail_alloc())
		return -ENOMEM;
	ret = amdgpu_bo_create(vram->adev, &bp, &a->bo);
	if (ret)
		return ret;
	ret = amdgpu_bo_reserve(a->bo, false);
	/* Any allocation may have evicted it already. */
	if (!ret && !amdgpu_svm_vram_bo_in_vram(a->bo)) {
		amdgpu_bo_unreserve(a->bo);
		ret = -ENOMEM;
	}
	if (ret) {
		amdgpu_bo_unref(&a->bo);
		return ret;
	}
	amdgpu_svm_vram_bo_of(a->bo)->alloc = a;
	/* Evicted before what must stay resident (kernel BOs get 2). */
	a->bo->tbo.priority = 0;
	ttm_bo_move_to_lru_tail_unlocked(&a->bo->tbo);
	/* What TTM still does to it (a clear, a move) ends before a copy. */
	dma_resv_wait_timeout(a->bo->tbo.base.resv, DMA_RESV_USAGE_KERNEL, false,
			      MAX_SCHEDULE_TIMEOUT);
	return 0;
}

/*
 * amdgpu_svm_vram_create_bo() on behalf of @mm: while TTM makes room for
 * it, it does not evict @mm's own SVM VRAM (amdgpu_svm_vram_vacate_bo()).
 */
static int amdgpu_svm_vram_create_bo_for(struct amdgpu_svm_vram *vram,
					 struct amdgpu_svm_vram_alloc *a, struct mm_struct *mm,
					 unsigned long size)
{
	struct amdgpu_svm_vram_allocator who = { .task = current, .mm = mm };
	int ret;

	spin_lock(&vram->lock);
	list_add(&who.link, &vram->allocators);
	spin_unlock(&vram->lock);
	ret = amdgpu_svm_vram_create_bo(vram, a, size);
	spin_lock(&vram->lock);
	list_del(&who.link);
	spin_unlock(&vram->lock);
	return ret;
}

/* Whether the current task is allocating SVM VRAM for @mm. */
static bool amdgpu_svm_vram_allocating_for(struct amdgpu_svm_vram *vram, struct mm_struct *mm)
{
	struct amdgpu_svm_vram_allocator *who;
	bool ret = false;

	spin_lock(&vram->lock);
	list_for_each_entry(who, &vram->allocators, link) {
		if (who->task == current && who->mm == mm) {
			ret = true;
			break;
		}
	}
	spin_unlock(&vram->lock);
	return ret;
}

/*
 * Count @size bytes more of VRAM for SVM, if that stays within
 * %AMDGPU_SVM_VRAM_SHARE of VRAM: page tables and the buffers that must be
 * resident keep the rest without waiting for an eviction.
 */
static int amdgpu_svm_vram_reserve(struct amdgpu_svm_vram *vram, unsigned long size)
{
	u64 limit = vram->adev->gmc.real_vram_size / 4 * AMDGPU_SVM_VRAM_SHARE;

	if (!size || size > limit)
		return -EINVAL;
	if (atomic64_add_return(size, &vram->allocated) > limit) {
		atomic64_sub(size, &vram->allocated);
		return -ENOSPC;
	}
	return 0;
}

/* A new allocation of @size bytes for @mm, on the device's list, its buffer object reserved. */
static struct amdgpu_svm_vram_alloc *amdgpu_svm_vram_alloc_create(struct amdgpu_svm_vram *vram,
								  struct mm_struct *mm,
								  unsigned long size)
{
	struct amdgpu_svm_vram_alloc *a;
	int ret;

	ret = amdgpu_svm_vram_reserve(vram, size);
	if (ret)
		return ERR_PTR(ret);
	a = amdgpu_svm_should_fail_alloc() ? NULL : kzalloc_obj(*a);
	ret = a ? amdgpu_svm_vram_create_bo_for(vram, a, mm, size) : -ENOMEM;
	if (ret) {
		kfree(a);
		atomic64_sub(size, &vram->allocated);
		return ERR_PTR(ret);
	}
	/* The device stays up while it holds pages (it is: we copy to it). */
	pm_runtime_get_noresume(adev_to_drm(vram->adev)->dev);
	a->vram = vram;
	kref_init(&a->ref);
	/* Pages outlive the SVM that placed them (fork): the mm stays countable. */
	mmgrab(mm);
	drm_pagemap_get(&vram->dpagemap);
	drm_pagemap_devmem_init(&a->devmem, vram->adev->dev, mm, &amdgpu_svm_vram_devmem_ops,
				&vram->dpagemap, size, NULL);
	amdgpu_svm_live_inc(&vram->nr_allocs);
	spin_lock(&vram->lock);
	list_add_tail(&a->link, &vram->allocs);
	spin_unlock(&vram->lock);
	return a;
}

/*
 * drm_pagemap_ops.populate_mm: migrate [@start, @end) of @mm to a new
 * allocation (mmap lock held). All or nothing: drm_pagemap gives up with
 * -EBUSY when some of the pages cannot be collected.
 */
static int amdgpu_svm_vram_populate_mm(struct drm_pagemap *dpagemap, unsigned long start,
				       unsigned long end, struct mm_struct *mm,
				       unsigned long timeslice_ms)
{
	struct amdgpu_svm_vram *vram = amdgpu_svm_vram_from_dpagemap(dpagemap);
	struct drm_pagemap_migrate_details details = { .timeslice_ms = timeslice_ms };
	struct amdgpu_svm_vram_alloc *a;
	struct amdgpu_bo *bo;
	int idx, ret;

	mmap_assert_locked(mm);
	down_read(&vram->populate_lock);
	/* Suspend and device removal move pages out: none may come in. */
	if (vram->dying || vram->adev->in_suspend) {
		ret = -ENODEV;
		goto out;
	}
	if (!drm_dev_enter(adev_to_drm(vram->adev), &idx)) {
		ret = -ENODEV;
		goto out;
	}
	a = amdgpu_svm_vram_alloc_create(vram, mm, end - start);
	if (IS_ERR(a)) {
		ret = PTR_ERR(a);
		goto exit;
	}
	/* The buffer object stays while its pages are collected: ours to drop. */
	bo = amdgpu_bo_ref(a->bo);
	/* Consumes the pages' reference of @a, even on error. */
	ret = drm_pagemap_migrate_to_devmem(&a->devmem, mm, start, end, &details);
	amdgpu_bo_unreserve(bo);
	amdgpu_bo_unref(&bo);
exit:
	drm_dev_exit(idx);
out:
	up_read(&vram->populate_lock);
	return ret;
}

/*
 * drm_pagemap_ops.device_map: the address this device maps @page by;
 * another device cannot reach it yet.
 */
static struct drm_pagemap_addr amdgpu_svm_vram_device_map(struct drm_pagemap *dpagemap,
							  struct device *dev,
							  struct page *page,
							  unsigned int order,
							  enum dma_data_direction dir)
{
	struct amdgpu_svm_vram *vram = amdgpu_svm_vram_from_dpagemap(dpagemap);
	dma_addr_t addr = DMA_MAPPING_ERROR;

	if (dev == vram->adev->dev)
		addr = amdgpu_svm_vram_page_offset(vram, page) +
		       vram->adev->vm_manager.vram_base_offset;
	return drm_pagemap_addr_encode(addr, AMDGPU_SVM_INTERCONNECT_VRAM, order, dir);
}

/* The device-private pages over a free physical range of VRAM's size. */
static int amdgpu_svm_vram_map_pages(struct amdgpu_svm_vram *vram)
{
	struct amdgpu_device *adev = vram->adev;
	u64 size = ALIGN(adev->gmc.real_vram_size, SZ_2M);
	struct resource *res;
	void *p;

	res = request_free_mem_region(&iomem_resource, size, "amdgpu_svm_vram");
	if (IS_ERR(res))
		return PTR_ERR(res);
	vram->pagemap.type = MEMORY_DEVICE_PRIVATE;
	vram->pagemap.range.start = res->start;
	vram->pagemap.range.end = res->end;
	vram->pagemap.nr_range = 1;
	vram->pagemap.ops = drm_pagemap_pagemap_ops_get();
	vram->pagemap.owner = vram;
	vram->zero_dma = dma_map_page(adev->dev, ZERO_PAGE(0), 0, PAGE_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(adev->dev, vram->zero_dma)) {
		release_mem_region(res->start, resource_size(res));
		return -ENOMEM;
	}
	p = memremap_pages(&vram->pagemap, dev_to_node(adev->dev));
	if (IS_ERR(p)) {
		dma_unmap_page(adev->dev, vram->zero_dma, PAGE_SIZE, DMA_TO_DEVICE);
		release_mem_region(res->start, resource_size(res));
		return PTR_ERR(p);
	}
	return 0;
}

/* The zero page is only read by copies to VRAM: none after the last migration. */
static void amdgpu_svm_vram_unmap_zero(struct amdgpu_svm_vram *vram)
{
	if (vram->zero_dma == DMA_MAPPING_ERROR)
		return;
	dma_unmap_page(vram->adev->dev, vram->zero_dma, PAGE_SIZE, DMA_TO_DEVICE);
	vram->zero_dma = DMA_MAPPING_ERROR;
}

/* Undo amdgpu_svm_vram_map_pages(), no page of it in use. */
static void amdgpu_svm_vram_unmap_pages(struct amdgpu_svm_vram *vram)
{
	struct range *r = &vram->pagemap.range;

	amdgpu_svm_vram_unmap_zero(vram);
	memunmap_pages(&vram->pagemap);
	release_mem_region(r->start, range_len(r));
}

/*
 * The last reference is gone: no page of the pagemap is in use. Unpublish
 * it, unmap its pages, and let go of the device, which it kept alive
 * (drm_pagemap's own hold on it may be dropped before this runs).
 */
static void amdgpu_svm_vram_destroy_work(struct work_struct *work)
{
	struct amdgpu_svm_vram *vram = container_of(work, struct amdgpu_svm_vram, destroy_work);
	struct drm_device *drm = adev_to_drm(vram->adev);

	mutex_lock(&amdgpu_svm_vram_lock);
	if (vram->adev->svm_vram == vram)
		vram->adev->svm_vram = NULL;
	mutex_unlock(&amdgpu_svm_vram_lock);
	flush_work(&vram->release_work);
	amdgpu_svm_vram_unmap_pages(vram);
	kfree(vram);
	drm_dev_put(drm);
}

/* drm_pagemap_ops.destroy: maybe in atomic context, so always from the work. */
static void amdgpu_svm_vram_destroy(struct drm_pagemap *dpagemap, bool is_atomic_or_reclaim)
{
	struct amdgpu_svm_vram *vram = amdgpu_svm_vram_from_dpagemap(dpagemap);

	queue_work(amdgpu_svm_vram_wq, &vram->destroy_work);
}

/* drm_pagemap_ops.device_unmap: a VRAM address needs no unmapping. */
static void amdgpu_svm_vram_device_unmap(struct drm_pagemap *dpagemap, struct device *dev,
					 const struct drm_pagemap_addr *addr)
{
}

static const struct drm_pagemap_ops amdgpu_svm_vram_dpagemap_ops = {
	.device_map = amdgpu_svm_vram_device_map,
	.device_unmap = amdgpu_svm_vram_device_unmap,
	.populate_mm = amdgpu_svm_vram_populate_mm,
	.destroy = amdgpu_svm_vram_destroy,
};

static struct amdgpu_svm_vram *amdgpu_svm_vram_create(struct amdgpu_device *adev,
						      const struct amdgpu_svm_vram_copy_ops *copy)
{
	struct amdgpu_svm_vram *vram;
	int ret;

	vram = kzalloc_obj(*vram);
	if (!vram)
		return ERR_PTR(-ENOMEM);
	vram->adev = adev;
	vram->copy = copy;
	init_rwsem(&vram->populate_lock);
	init_waitqueue_head(&vram->stale_wq);
	spin_lock_init(&vram->lock);
	INIT_LIST_HEAD(&vram->allocs);
	INIT_LIST_HEAD(&vram->allocators);
	init_llist_head(&vram->release_list);
	INIT_WORK(&vram->release_work, amdgpu_svm_vram_release_work);
	INIT_WORK(&vram->destroy_work, amdgpu_svm_vram_destroy_work);
	ret = amdgpu_svm_vram_map_pages(vram);
	if (ret) {
		kfree(vram);
		return ERR_PTR(ret);
	}
	ret = drm_pagemap_init(&vram->dpagemap, &vram->pagemap, adev_to_drm(adev),
			       &amdgpu_svm_vram_dpagemap_ops);
	if (ret) {
		/* Nothing else holds it: no drm_pagemap release to wait for. */
		amdgpu_svm_vram_unmap_pages(vram);
		kfree(vram);
		return ERR_PTR(ret);
	}
	drm_dev_get(adev_to_drm(adev));
	return vram;
}

static const struct amdgpu_svm_vram_copy_ops amdgpu_svm_vram_sdma = {
	.copy = amdgpu_svm_sdma_copy,
};

/* Whether SVM may move this device's pages to its VRAM. */
static bool amdgpu_svm_vram_supported(struct amdgpu_device *adev)
{
	/* An APU's "VRAM" is system memory; KFD does not migrate there either. */
	return !(adev->flags & AMD_IS_APU) && adev->gmc.real_vram_size;
}

/**
 * amdgpu_svm_vram_get_with() - Take a reference to the device's VRAM pagemap
 * @adev: the device
 * @copy: the copy engine, if the pagemap is made now
 *
 * Makes the pagemap if the device has none alive. The device does not
 * hold it: SVM instances do, with one reference each, and the pages in
 * it (through drm_pagemap); it goes, and the next user makes a new one,
 * once the last of them is gone. The KUnit suites call this first, with
 * a copy engine of their own.
 *
 * Return: the pagemap, referenced; an ERR_PTR() if it could not be made.
 */
struct amdgpu_svm_vram *amdgpu_svm_vram_get_with(struct amdgpu_device *adev,
						 const struct amdgpu_svm_vram_copy_ops *copy)
{
	struct amdgpu_svm_vram *vram;

	mutex_lock(&amdgpu_svm_vram_lock);
	vram = adev->svm_vram;
	if (adev->svm_vram_closed) {
		vram = ERR_PTR(-ENODEV);
	} else if (!vram || !drm_pagemap_get_unless_zero(&vram->dpagemap)) {
		/* One that is going is replaced; its work unpublishes only itself. */
		vram = amdgpu_svm_vram_create(adev, copy);
		if (!IS_ERR(vram))
			adev->svm_vram = vram;
	}
	mutex_unlock(&amdgpu_svm_vram_lock);
	return vram;
}

/**
 * amdgpu_svm_vram_get() - Take a reference to the device's VRAM pagemap
 * @adev: the device
 *
 * As amdgpu_svm_vram_get_with(), with the buffer-move engine.
 *
 * Return: the pagemap, referenced; NULL if SVM does not migrate on this
 * device or the pagemap could not be made (SVM then keeps every page in
 * system memory).
 */
struct amdgpu_svm_vram *amdgpu_svm_vram_get(struct amdgpu_device *adev)
{
	struct amdgpu_svm_vram *vram;

	if (!amdgpu_svm_vram_supported(adev))
		return NULL;
	vram = amdgpu_svm_vram_get_with(adev, &amdgpu_svm_vram_sdma);
	if (IS_ERR(vram)) {
		drm_warn_once(adev_to_drm(adev),
			      "SVM: no VRAM pagemap (%ld); SVM memory stays in system memory\n",
			      PTR_ERR(vram));
		return NULL;
	}
	return vram;
}

/**
 * amdgpu_svm_vram_put() - Drop a reference from amdgpu_svm_vram_get()
 * @vram: the pagemap, or NULL
 */
void amdgpu_svm_vram_put(struct amdgpu_svm_vram *vram)
{
	if (vram)
		drm_pagemap_put(&vram->dpagemap);
}

/* The next allocation of @mm (any if NULL) that still holds pages, referenced. */
static struct amdgpu_svm_vram_alloc *amdgpu_svm_vram_next_of(struct amdgpu_svm_vram *vram,
							     struct mm_struct *mm,
							     struct amdgpu_svm_vram_alloc *after)
{
	struct amdgpu_svm_vram_alloc *a, *found = NULL;

	spin_lock(&vram->lock);
	a = after ? list_next_entry(after, link) : list_first_entry(&vram->allocs,
								   typeof(*a), link);
	list_for_each_entry_from(a, &vram->allocs, link) {
		if (!a->released && (!mm || a->devmem.mm == mm)) {
			kref_get(&a->ref);
			found = a;
			break;
		}
	}
	spin_unlock(&vram->lock);
	return found;
}

/**
 * amdgpu_svm_vram_evict_mm() - Move the pages of a process out of VRAM
 * @vram: the device's VRAM
 * @mm: the process; NULL for every process
 *
 * Migrates every page of @mm that lives in @vram back to system memory
 * (drm_pagemap_evict_to_ram()), without the mmap lock. Once the pages are
 * gone, drm_pagemap releases their allocations, and flushing the release
 * worker frees the buffer objects.
 *
 * Return: 0, or the first error of an eviction (-EBUSY: pages were still
 * held; they are released when their owner lets them go).
 */
int amdgpu_svm_vram_evict_mm(struct amdgpu_svm_vram *vram, struct mm_struct *mm)
{
	struct amdgpu_svm_vram_alloc *a = NULL, *next;
	int ret = 0, err;

	might_sleep();
	while ((next = amdgpu_svm_vram_next_of(vram, mm, a))) {
		if (a)
			amdgpu_svm_vram_alloc_put(a);
		a = next;
		/* Our reference keeps the buffer object; TTM may have evicted it. */
		amdgpu_bo_reserve(a->bo, true);
		err = amdgpu_svm_vram_bo_in_vram(a->bo) ? drm_pagemap_evict_to_ram(&a->devmem) : 0;
		amdgpu_bo_unreserve(a->bo);
		if (err && !ret)
			ret = err;
	}
	if (a)
		amdgpu_svm_vram_alloc_put(a);
	flush_work(&vram->release_work);
	return ret;
}

/**
 * amdgpu_svm_vram_is_svm_bo() - Whether a buffer object holds SVM pages
 * @abo: an amdgpu buffer object
 *
 * Return: true if @abo is VRAM that SVM pages migrated to.
 */
bool amdgpu_svm_vram_is_svm_bo(struct amdgpu_bo *abo)
{
	return abo->flags & AMDGPU_SVM_CREATE_VRAM_BO;
}

/**
 * amdgpu_svm_vram_evict_bo() - Move the pages of SVM VRAM to system memory
 * @abo: a buffer object of SVM VRAM, reserved, in VRAM
 * @wait: try again for a while when pages are busy (a move that may wait)
 *
 * Every page that still lives in @abo goes to system memory
 * (drm_pagemap_evict_to_ram(), which needs no mmap lock; the MMU notifier
 * takes the GPU mappings down first). Then nothing points at the VRAM,
 * and amdgpu_bo_move() drops it without a copy.
 *
 * Return: 0, or the error of drm_pagemap_evict_to_ram(): -EBUSY if pages
 * are held elsewhere (for good, with @wait), -EFAULT if the process that
 * placed them is gone while a child it forked still maps them.
 */
int amdgpu_svm_vram_evict_bo(struct amdgpu_bo *abo, bool wait)
{
	struct amdgpu_svm_vram_alloc *a = amdgpu_svm_vram_bo_of(abo)->alloc;
	unsigned int tries = 0;
	int ret;

	dma_resv_assert_held(abo->tbo.base.resv);
	/* Not taken yet, or every page gone: nothing lives in it. */
	if (!a || !kref_get_unless_zero(&a->ref))
		return 0;
	if (completion_done(&a->devmem.detached)) {
		amdgpu_svm_vram_alloc_put(a);
		return 0;
	}
	/* -EBUSY: a CPU fault or a migration holds some of its pages now. */
	while ((ret = drm_pagemap_evict_to_ram(&a->devmem)) == -EBUSY && wait &&
	       ++tries < AMDGPU_SVM_VRAM_EVICT_TRIES)
		usleep_range(1000, 2000);
	/* Out of VRAM, but a stale PTE may reach it: TTM must not reuse it. */
	if (!ret && atomic_read(&a->vram->stale))
		ret = -EBUSY;
	if (!ret)
		amdgpu_svm_stat_inc(&a->vram->stats.evictions);
	amdgpu_svm_vram_alloc_put(a);
	return ret;
}

/**
 * amdgpu_svm_vram_vacate_bo() - Empty SVM VRAM that TTM would evict, if it may
 * @abo: a buffer object of SVM VRAM, reserved
 *
 * TTM's &ttm_device_funcs.eviction_valuable for SVM VRAM, once TTM found
 * that evicting @abo would free VRAM where it is needed. SVM's allocation
 * of a chunk for a process does not evict that process's SVM VRAM: a
 * prefetch larger than VRAM would push out the chunks it just moved in,
 * and the pages would go back and forth; what does not fit stays in
 * system memory. For any other allocation the pages move to system memory
 * here, without waiting for busy pages: a failure only makes TTM pass
 * @abo by, where amdgpu_bo_move() could only fail the eviction.
 *
 * Return: true if TTM may evict @abo: nothing lives in it any more.
 */
bool amdgpu_svm_vram_vacate_bo(struct amdgpu_bo *abo)
{
	struct amdgpu_svm_vram_alloc *a = amdgpu_svm_vram_bo_of(abo)->alloc;

	dma_resv_assert_held(abo->tbo.base.resv);
	if (a && amdgpu_svm_vram_allocating_for(a->vram, a->devmem.mm))
		return false;
	return !amdgpu_svm_vram_bo_in_vram(abo) || !amdgpu_svm_vram_evict_bo(abo, false);
}

/**
 * amdgpu_svm_vram_hold_stale() - Keep VRAM from reuse for a failed clear
 * @dpagemap: the pagemap of the pages a range's PTEs pointed at
 *
 * A clear of PTEs that failed may leave them pointing into VRAM until the
 * garbage collector clears them; no IOMMU stands in the way, so while any
 * such range lives no SVM VRAM of the device is freed or given up to TTM.
 * Notifier lock of the range held.
 *
 * Return: @dpagemap, referenced, for amdgpu_svm_vram_release_stale(); NULL
 * if it is not SVM's VRAM.
 */
struct drm_pagemap *amdgpu_svm_vram_hold_stale(struct drm_pagemap *dpagemap)
{
	struct amdgpu_svm_vram *vram;

	if (dpagemap->ops != &amdgpu_svm_vram_dpagemap_ops)
		return NULL;
	vram = amdgpu_svm_vram_from_dpagemap(dpagemap);
	atomic_inc(&vram->stale);
	return drm_pagemap_get(dpagemap);
}

/**
 * amdgpu_svm_vram_release_stale() - The range of a failed clear is gone
 * @dpagemap: what amdgpu_svm_vram_hold_stale() returned
 */
void amdgpu_svm_vram_release_stale(struct drm_pagemap *dpagemap)
{
	struct amdgpu_svm_vram *vram = amdgpu_svm_vram_from_dpagemap(dpagemap);

	if (atomic_dec_and_test(&vram->stale))
		wake_up_all(&vram->stale_wq);
	drm_pagemap_put(dpagemap);
}

/**
 * amdgpu_svm_vram_fini() - Move every page out of the device's VRAM
 * @adev: the device, going away (before drm_dev_unplug(), while the copy
 *	engine still runs)
 *
 * What stays after it (pages the CPU holds pinned) is released when its
 * owner lets go, and warned of.
 */
void amdgpu_svm_vram_fini(struct amdgpu_device *adev)
{
	struct amdgpu_svm_vram *vram;
	bool left;
	int ret;

	mutex_lock(&amdgpu_svm_vram_lock);
	/* No new SVM gets the pagemap, nor a new one. */
	adev->svm_vram_closed = true;
	vram = adev->svm_vram;
	if (vram && !drm_pagemap_get_unless_zero(&vram->dpagemap)) {
		/* Going already: let its last buffer objects go first. */
		flush_work(&vram->release_work);
		vram = NULL;
	}
	mutex_unlock(&amdgpu_svm_vram_lock);
	if (!vram)
		return;
	/* Wait for the migrations that run; none starts after this. */
	down_write(&vram->populate_lock);
	vram->dying = true;
	up_write(&vram->populate_lock);
	/* While the driver still has the device, not from the last put. */
	amdgpu_svm_vram_unmap_zero(vram);
	ret = amdgpu_svm_vram_evict_mm(vram, NULL);
	spin_lock(&vram->lock);
	left = !list_empty(&vram->allocs);
	spin_unlock(&vram->lock);
	if (left)
		drm_warn(adev_to_drm(adev),
			 "SVM: VRAM still holds process pages at teardown (%d)\n", ret);
	drm_pagemap_put(&vram->dpagemap);
}

/**
 * amdgpu_svm_vram_module_init() - Make the workqueue of VRAM pagemaps
 *
 * Return: 0 or -ENOMEM.
 */
int amdgpu_svm_vram_module_init(void)
{
	amdgpu_svm_vram_wq = alloc_workqueue("amdgpu_svm_vram", WQ_UNBOUND, 0);
	return amdgpu_svm_vram_wq ? 0 : -ENOMEM;
}

/**
 * amdgpu_svm_vram_module_exit() - Wait for the last pagemap to go, at module exit
 */
void amdgpu_svm_vram_module_exit(void)
{
	destroy_workqueue(amdgpu_svm_vram_wq);
}

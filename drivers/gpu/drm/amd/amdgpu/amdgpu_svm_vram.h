/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#ifndef __AMDGPU_SVM_VRAM_H__
#define __AMDGPU_SVM_VRAM_H__

#include <linux/list.h>
#include <linux/llist.h>
#include <linux/memremap.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <drm/drm_pagemap.h>

#include "amdgpu_svm_test_hooks.h"

struct amdgpu_bo;
struct amdgpu_device;
struct dma_fence;
struct mm_struct;

/*
 * The address a device page has for its own device, as drm_pagemap's
 * device_map() gives it: the VRAM offset plus vram_base_offset, which a
 * PTE without AMDGPU_PTE_SYSTEM takes as it is.
 */
#define AMDGPU_SVM_INTERCONNECT_VRAM	DRM_INTERCONNECT_DRIVER

/*
 * Quarters of a device's VRAM that SVM may hold, for all processes
 * together: the rest stays for page tables and the buffers that must be
 * resident, so that they find room without an eviction, and a prefetch
 * larger than VRAM does not evict its own chunks.
 */
#define AMDGPU_SVM_VRAM_SHARE	3

/**
 * struct amdgpu_svm_vram_copy_ops - The engine that copies migrated pages
 *
 * The device's buffer-move engine (amdgpu_svm_sdma_copy()); the KUnit
 * suites install a CPU copy with fences of its own.
 */
struct amdgpu_svm_vram_copy_ops {
	/**
	 * @copy: copy @npages pages between VRAM offsets @vram and the
	 * system pages at DMA addresses @sys, to VRAM if @to_vram, not
	 * before @wait (may be NULL) signals. Returns the fence of the copy
	 * (the caller waits and puts it), NULL when nothing was submitted,
	 * or an ERR_PTR(); after an error no copy is still running.
	 */
	struct dma_fence *(*copy)(struct amdgpu_device *adev, const u64 *vram,
				  const dma_addr_t *sys, unsigned long npages,
				  bool to_vram, struct dma_fence *wait);
};

/**
 * struct amdgpu_svm_vram_stats - What the tests and benchmarks count
 * @pages_copied: pages the copy engine copied, both ways
 * @pages_to_vram: pages copied to VRAM
 * @pages_to_ram: pages copied back to system memory
 * @evictions: buffer objects whose pages TTM's eviction moved out
 */
struct amdgpu_svm_vram_stats {
	struct amdgpu_svm_stat pages_copied;
	struct amdgpu_svm_stat pages_to_vram;
	struct amdgpu_svm_stat pages_to_ram;
	struct amdgpu_svm_stat evictions;
};

/**
 * struct amdgpu_svm_vram - A device's VRAM as device-private pages
 * @dpagemap: the drm_pagemap SVM instances migrate to; one reference
 *	per SVM that uses it and one per allocation that holds pages (the
 *	device holds none: &amdgpu_device.svm_vram only points at it)
 * @pagemap: the device-private pages, one per page of VRAM, over a free
 *	physical range of VRAM's size
 * @adev: the device
 * @copy: the copy engine
 * @zero_dma: the zero page, DMA-mapped for the device: the source of
 *	VRAM pages whose memory the process never touched (unmapped, and
 *	%DMA_MAPPING_ERROR, once the device goes)
 * @allocated: bytes of VRAM that live allocations hold
 * @populate_lock: held for read while a migration to VRAM runs, for write
 *	by amdgpu_svm_vram_fini() when it stops them
 * @dying: the device goes: nothing migrates to its VRAM any more
 *	(written under @populate_lock)
 * @lock: protects @allocs and @allocators
 * @allocs: live allocations (&struct amdgpu_svm_vram_alloc.link)
 * @allocators: the tasks that allocate SVM VRAM now, with the mm each
 *	allocates for: TTM does not evict that mm's SVM VRAM for them
 * @release_list: allocations whose last device page was freed, to be
 *	put by @release_work (pages may be freed where a buffer object
 *	cannot be)
 * @release_work: puts the buffer objects of @release_list
 * @destroy_work: unmaps the pages once the last reference is gone, and
 *	drops the reference to the DRM device the pagemap holds
 * @stale: ranges whose failed clear may have left PTEs that point into
 *	this VRAM: while there are any, no VRAM of SVM is freed
 * @stale_wq: woken when @stale drops to zero
 * @nr_allocs: live allocations
 * @stats: counters
 */
struct amdgpu_svm_vram {
	struct drm_pagemap dpagemap;
	struct dev_pagemap pagemap;
	struct amdgpu_device *adev;
	const struct amdgpu_svm_vram_copy_ops *copy;
	dma_addr_t zero_dma;
	atomic64_t allocated;
	struct rw_semaphore populate_lock;
	bool dying;
	spinlock_t lock; /* allocs, allocators */
	struct list_head allocs;
	struct list_head allocators;
	struct llist_head release_list;
	struct work_struct release_work;
	struct work_struct destroy_work;
	atomic_t stale;
	wait_queue_head_t stale_wq;
	struct amdgpu_svm_live nr_allocs;
	struct amdgpu_svm_vram_stats stats;
};

#if IS_ENABLED(CONFIG_DRM_AMDGPU_SVM) && IS_ENABLED(CONFIG_DEVICE_PRIVATE)

int amdgpu_svm_vram_module_init(void);
void amdgpu_svm_vram_module_exit(void);
struct amdgpu_svm_vram *amdgpu_svm_vram_get_with(struct amdgpu_device *adev,
						 const struct amdgpu_svm_vram_copy_ops *copy);
void amdgpu_svm_vram_fini(struct amdgpu_device *adev);
struct amdgpu_svm_vram *amdgpu_svm_vram_get(struct amdgpu_device *adev);
void amdgpu_svm_vram_put(struct amdgpu_svm_vram *vram);
int amdgpu_svm_vram_evict_mm(struct amdgpu_svm_vram *vram, struct mm_struct *mm);
bool amdgpu_svm_vram_is_svm_bo(struct amdgpu_bo *abo);
int amdgpu_svm_vram_evict_bo(struct amdgpu_bo *abo, bool wait);
bool amdgpu_svm_vram_vacate_bo(struct amdgpu_bo *abo);
struct drm_pagemap *amdgpu_svm_vram_hold_stale(struct drm_pagemap *dpagemap);
void amdgpu_svm_vram_release_stale(struct drm_pagemap *dpagemap);

/**
 * amdgpu_svm_vram_owner() - The owner HMM matches the device's pages by
 * @vram: the device's VRAM, or NULL
 *
 * Return: the owner of @vram's device-private pages, which hmm_range_fault()
 * leaves in place for a mirror that names it; NULL for no VRAM.
 */
static inline void *amdgpu_svm_vram_owner(struct amdgpu_svm_vram *vram)
{
	return vram ? vram->pagemap.owner : NULL;
}

#else

static inline int amdgpu_svm_vram_module_init(void)
{
	return 0;
}

static inline void amdgpu_svm_vram_module_exit(void)
{
}

static inline void amdgpu_svm_vram_fini(struct amdgpu_device *adev)
{
}

static inline struct amdgpu_svm_vram *amdgpu_svm_vram_get(struct amdgpu_device *adev)
{
	return NULL;
}

static inline void amdgpu_svm_vram_put(struct amdgpu_svm_vram *vram)
{
}

static inline int amdgpu_svm_vram_evict_mm(struct amdgpu_svm_vram *vram,
					   struct mm_struct *mm)
{
	return 0;
}

static inline void *amdgpu_svm_vram_owner(struct amdgpu_svm_vram *vram)
{
	return NULL;
}

static inline bool amdgpu_svm_vram_is_svm_bo(struct amdgpu_bo *abo)
{
	return false;
}

static inline bool amdgpu_svm_vram_vacate_bo(struct amdgpu_bo *abo)
{
	return true;
}

static inline int amdgpu_svm_vram_evict_bo(struct amdgpu_bo *abo, bool wait)
{
	return 0;
}

static inline struct drm_pagemap *amdgpu_svm_vram_hold_stale(struct drm_pagemap *dpagemap)
{
	return NULL;
}

static inline void amdgpu_svm_vram_release_stale(struct drm_pagemap *dpagemap)
{
}

#endif

#endif

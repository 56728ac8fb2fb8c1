/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#ifndef __AMDGPU_SVM_RANGE_H__
#define __AMDGPU_SVM_RANGE_H__

#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/types.h>

#include <drm/drm_gpusvm.h>

struct amdgpu_svm;
struct amdgpu_svm_attrs;

/**
 * enum amdgpu_svm_range_queue - Which worker a range waits for
 * @AMDGPU_SVM_RANGE_IDLE: none
 * @AMDGPU_SVM_RANGE_GC: the garbage collector (the CPU unmapped it, or its
 *	GPU mapping could not be cleared)
 * @AMDGPU_SVM_RANGE_RESTORE: the restore worker (evicted, XNACK off)
 * @AMDGPU_SVM_RANGE_PARKED: the garbage collector, once the retry delay
 *	has passed (its GPU mapping could not be cleared at the last try)
 */
enum amdgpu_svm_range_queue {
	AMDGPU_SVM_RANGE_IDLE,
	AMDGPU_SVM_RANGE_GC,
	AMDGPU_SVM_RANGE_RESTORE,
	AMDGPU_SVM_RANGE_PARKED,
};

/**
 * struct amdgpu_svm_range - A drm_gpusvm range and its GPU mapping
 * @base: the drm_gpusvm range
 * @pages: its DMA-mapped pages (one device: the 1:1 layout)
 * @pte: &enum amdgpu_svm_pte bits of the GPU mapping
 * @gpu_mapped: the GPU page tables point at @pages (notifier lock)
 * @clear_pending: a clear of the PTEs or the TLB flush after it failed,
 *	in an MMU notifier or in a removal: the queues stay stopped and
 *	nothing maps the range until a worker has cleared, flushed and
 *	removed it; @pages are DMA-unmapped once the CPU invalidates them
 *	(notifier lock)
 * @stale_vram: the VRAM pagemap that PTEs left by a failed clear may
 *	point into; it frees no VRAM until the range is gone (notifier lock)
 * @remap: with XNACK off, map the span again once the garbage collector
 *	removed the range (its clear failed on an eviction, not an unmap)
 * @mapped_at: when the PTEs were last written (SVM lock); a GPU fault on
 *	the range within %AMDGPU_SVM_FAULT_DUPLICATE_MS of it is a duplicate
 * @read_only: the pages were obtained for reading only (SVM lock)
 * @removed: the range is leaving drm_gpusvm; no notifier queues it any
 *	more, a worker may still hold it (set under the SVM lock and the
 *	notifier lock)
 * @keep_rest: during one invalidation, an UNMAP cuts the range and the
 *	rest keeps its PTEs and DMA mappings; only [@cut_start, @cut_end)
 *	is cleared and unmapped (notifier lock held for write)
 * @cut_start: start address of that span
 * @cut_end: end address of that span (exclusive)
 * @queue: which worker the range waits for (&amdgpu_svm_work.lock)
 * @work_link: entry in that worker's list (&amdgpu_svm_work.lock)
 * @gc_link: entry in the garbage collector's private list (SVM lock)
 */
struct amdgpu_svm_range {
	struct drm_gpusvm_range base;
	struct drm_gpusvm_pages pages;
	u32 pte;
	ktime_t mapped_at;
	bool gpu_mapped;
	bool clear_pending;
	struct drm_pagemap *stale_vram;
	bool remap;
	bool read_only;
	bool removed;
	bool keep_rest;
	unsigned long cut_start;
	unsigned long cut_end;
	enum amdgpu_svm_range_queue queue;
	struct list_head work_link;
	struct list_head gc_link;
};

/*
 * How long after its PTEs were written a GPU fault on a range that SVM
 * believes mapped as asked counts as a duplicate (raised again by the GPU
 * before the update reached it), as KFD's
 * AMDGPU_SVM_RANGE_RETRY_FAULT_PENDING. A later fault rewrites the PTEs:
 * the page tables may have lost them, and the wave would otherwise retry
 * forever.
 */
#define AMDGPU_SVM_FAULT_DUPLICATE_MS	2

extern const struct drm_gpusvm_ops amdgpu_svm_range_ops;

int amdgpu_svm_range_cache_create(void);
void amdgpu_svm_range_cache_destroy(void);
u32 amdgpu_svm_range_pte(const struct amdgpu_svm_attrs *attrs, bool read_only);
int amdgpu_svm_range_map_span(struct amdgpu_svm *svm, unsigned long start,
			      unsigned long last, bool rebuild);
int amdgpu_svm_range_map_fault(struct amdgpu_svm *svm, unsigned long addr,
			       bool write, bool *duplicate);
void amdgpu_svm_range_remove_span(struct amdgpu_svm *svm, unsigned long *start,
				  unsigned long *last);
bool amdgpu_svm_range_cut_by(struct amdgpu_svm *svm, unsigned long start,
			     unsigned long last, bool mapped_only);
void amdgpu_svm_range_remove_cut(struct amdgpu_svm *svm, unsigned long *start,
				 unsigned long *last);
bool amdgpu_svm_range_mapped_in(struct amdgpu_svm *svm, unsigned long start,
				unsigned long last);
void amdgpu_svm_range_collect_garbage(struct amdgpu_svm *svm);
void amdgpu_svm_range_restore(struct amdgpu_svm *svm);
void amdgpu_svm_work_queue_range(struct amdgpu_svm *svm, struct amdgpu_svm_range *r,
				 enum amdgpu_svm_range_queue queue);
void amdgpu_svm_work_dequeue_range(struct amdgpu_svm *svm, struct amdgpu_svm_range *r);
void amdgpu_svm_work_park_range(struct amdgpu_svm *svm, struct amdgpu_svm_range *r);
bool amdgpu_svm_work_range_parked(struct amdgpu_svm *svm, const struct amdgpu_svm_range *r);
struct amdgpu_svm_range *
amdgpu_svm_work_pop_range(struct amdgpu_svm *svm,
			  enum amdgpu_svm_range_queue queue);

#endif

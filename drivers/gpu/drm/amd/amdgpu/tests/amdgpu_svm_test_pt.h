/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#ifndef __AMDGPU_SVM_TEST_PT_H__
#define __AMDGPU_SVM_TEST_PT_H__

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "../amdgpu_svm.h"

struct kunit;

/**
 * struct amdgpu_svm_test_pt - A software GPU page table
 * @svm: the SVM it serves
 * @lock: stands for the root page directory's reservation
 * @entries: GPU page number to &struct amdgpu_svm_test_pte
 * @quiesce_depth: quiesces not yet resumed
 * @quiesces: quiesce calls
 * @resumes: resume calls
 * @survivors: invalidations after which an entry of the span survived
 * @held_in_notifier: invalidations that returned with the queues stopped
 * @gem_start: first page of a pretend GEM VA mapping (@gem_last below it:
 *	none)
 * @gem_last: its last page
 * @checkpoint: what &amdgpu_svm_gpu_ops.fault_checkpoint returns
 * @pages_written: pages the map calls covered
 * @count_only: benchmarks only: map stores no entry and only adds to
 *	@pages_written, so that a figure can leave out the cost of this table
 * @released: the SVM's last reference went
 * @churn: if not 0, each unlock_pt in the test task has @churn_work unmap
 *	the page here and move on to the next, up to @churn_end: the malloc
 *	and free of other memory, by another thread, while SVM maps
 * @churn_end: end of the memory @churn walks
 * @churn_work: unmaps the churn's next page in the test's mm
 * @watch: if not NULL, the DMA address each page of [@watch_first,
 *	@watch_last] had (0: none); every invalidation checks that the pages
 *	outside its span still have it (amdgpu_svm_test_pt_watch())
 * @watch_first: first page watched
 * @watch_last: last page watched
 * @watch_lost: pages an invalidation took outside its span, or changed
 * @fail_clears: clears to fail with -EBUSY, as amdgpu's do on page tables
 *	being evicted: the next @fail_clears ones, or every one if negative
 * @fail_flushes: TLB flushes to fail with -ETIME, as a KIQ flush that
 *	times out does; counted as @fail_clears
 */
struct amdgpu_svm_test_pt {
	struct amdgpu_svm svm;
	struct mutex lock; /* the "reservation" of the map path */
	struct xarray entries;
	atomic_t quiesce_depth;
	atomic_t quiesces;
	atomic_t resumes;
	atomic_t survivors;
	atomic_t held_in_notifier;
	unsigned long gem_start;
	unsigned long gem_last;
	atomic64_t checkpoint;
	atomic64_t pages_written;
	bool count_only;
	struct completion released;
	unsigned long churn;
	unsigned long churn_end;
	struct work_struct churn_work;
	dma_addr_t *watch;
	unsigned long watch_first;
	unsigned long watch_last;
	atomic_t watch_lost;
	atomic_t fail_clears;
	atomic_t fail_flushes;
};

/**
 * struct amdgpu_svm_test_pte - One GPU page table entry
 * @dma: the DMA address it points at
 * @pte: &enum amdgpu_svm_pte bits
 */
struct amdgpu_svm_test_pte {
	dma_addr_t dma;
	u32 pte;
};

struct amdgpu_svm_test_pt *amdgpu_svm_test_pt_create(struct kunit *test,
						     bool xnack_on);
struct amdgpu_svm_test_pt *amdgpu_svm_test_pt_create_on(struct kunit *test,
							struct mm_struct *mm,
							bool xnack_on);
void amdgpu_svm_test_pt_destroy(struct kunit *test, struct amdgpu_svm_test_pt *pt);
int amdgpu_svm_test_set(struct amdgpu_svm *svm, unsigned long addr,
			unsigned long size, u32 type, u32 value);
void amdgpu_svm_test_set_ok(struct kunit *test, struct amdgpu_svm *svm,
			    unsigned long addr, unsigned long size, u32 type,
			    u32 value);
void amdgpu_svm_test_remove_all_ranges(struct amdgpu_svm *svm);
void amdgpu_svm_test_pt_watch(struct kunit *test, struct amdgpu_svm_test_pt *pt,
			      unsigned long start, unsigned long size);
int amdgpu_svm_test_pt_unwatch(struct amdgpu_svm_test_pt *pt,
			       unsigned long hole, unsigned long size);
int amdgpu_svm_test_ranges_in_tree(struct amdgpu_svm *svm);
unsigned long amdgpu_svm_test_pt_count(struct amdgpu_svm_test_pt *pt,
				       unsigned long start, unsigned long last);
const struct amdgpu_svm_test_pte *
amdgpu_svm_test_pt_lookup(struct amdgpu_svm_test_pt *pt, unsigned long page);
void amdgpu_svm_test_mirror_check_safe(struct kunit *test,
				       struct amdgpu_svm_test_pt *pt,
				       unsigned long start, unsigned long size);
void amdgpu_svm_test_mirror_check(struct kunit *test, struct amdgpu_svm_test_pt *pt,
				  unsigned long start, unsigned long size);

#endif

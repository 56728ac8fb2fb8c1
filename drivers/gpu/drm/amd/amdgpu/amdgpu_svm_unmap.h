/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#ifndef __AMDGPU_SVM_UNMAP_H__
#define __AMDGPU_SVM_UNMAP_H__

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "amdgpu_svm_test_hooks.h"

struct mm_struct;

/* How many recent CPU unmaps the tracker remembers the spans of. */
#define AMDGPU_SVM_UNMAP_LOG	16

/**
 * struct amdgpu_svm_unmap_span - A span of pages the CPU unmapped
 * @link: entry in &amdgpu_svm_unmap_tracker.pending
 * @start: first page
 * @last: last page
 */
struct amdgpu_svm_unmap_span {
	struct list_head link;
	unsigned long start;
	unsigned long last;
};

/**
 * struct amdgpu_svm_unmap_tracker - Records the CPU unmaps of watched memory
 * @mm: the address space watched (a reference is held with mmgrab()), or
 *	NULL for a tracker that watches nothing
 * @notifiers: the MMU interval notifier blocks, one per watched block
 * @lock: protects @pending, @overflowed, @overflow and @log; taken in MMU
 *	notifiers
 * @pending: &amdgpu_svm_unmap_span records not yet taken by the owner
 * @overflowed: a span could not be recorded; @overflow covers it
 * @overflow: the union of the spans that could not be recorded, in pages
 * @drain_work: the owner's worker, queued after every recorded unmap
 * @seq: counts the recorded unmaps (@lock for writers)
 * @log: the spans of the last %AMDGPU_SVM_UNMAP_LOG unmaps, the one that
 *	made @seq n at n % %AMDGPU_SVM_UNMAP_LOG (@lock)
 * @nr_pending: live &amdgpu_svm_unmap_span records
 * @nr_notifiers: live notifier blocks
 */
struct amdgpu_svm_unmap_tracker {
	struct mm_struct *mm;
	struct list_head notifiers;
	spinlock_t lock; /* pending, overflow, log; taken in notifiers */
	struct list_head pending;
	bool overflowed;
	struct {
		unsigned long start;
		unsigned long last;
	} overflow;
	struct work_struct drain_work;
	atomic_t seq;
	struct {
		unsigned long start;
		unsigned long last;
	} log[AMDGPU_SVM_UNMAP_LOG];
	struct amdgpu_svm_live nr_pending;
	struct amdgpu_svm_live nr_notifiers;
};

/**
 * amdgpu_svm_unmap_seq() - Read where the CPU unmaps stand
 * @tracker: the tracker
 *
 * A caller that looks attributes up, then maps memory, reads this before
 * the lookup and asks amdgpu_svm_unmap_since() once the mapping is in
 * place whether the memory it mapped may have been unmapped and mapped
 * anew in between, so that the attributes it used belonged to the old
 * mapping.
 *
 * Return: the count of recorded CPU unmaps.
 */
static inline int amdgpu_svm_unmap_seq(struct amdgpu_svm_unmap_tracker *tracker)
{
	return atomic_read(&tracker->seq);
}

void amdgpu_svm_unmap_tracker_init(struct amdgpu_svm_unmap_tracker *tracker,
				   struct mm_struct *mm, work_func_t drain);
void amdgpu_svm_unmap_tracker_fini(struct amdgpu_svm_unmap_tracker *tracker);
int amdgpu_svm_unmap_watch(struct amdgpu_svm_unmap_tracker *tracker,
			   unsigned long start, unsigned long last);
bool amdgpu_svm_unmap_since(struct amdgpu_svm_unmap_tracker *tracker, int seq,
			    unsigned long start, unsigned long last);
bool amdgpu_svm_unmap_pop(struct amdgpu_svm_unmap_tracker *tracker,
			  struct amdgpu_svm_unmap_span *span);
void amdgpu_svm_unmap_push_back(struct amdgpu_svm_unmap_tracker *tracker,
				const struct amdgpu_svm_unmap_span *span);
bool amdgpu_svm_unmap_take_overflow(struct amdgpu_svm_unmap_tracker *tracker,
				    struct amdgpu_svm_unmap_span *span);
unsigned long amdgpu_svm_unmap_next_gap(struct mm_struct *mm, unsigned long pos,
					unsigned long last,
					unsigned long *gap_last);

#endif

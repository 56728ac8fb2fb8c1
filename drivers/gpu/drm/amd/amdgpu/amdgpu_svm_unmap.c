// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/sizes.h>

#include "amdgpu_svm_test_hooks.h"
#include "amdgpu_svm_unmap.h"

/**
 * DOC: SVM munmap tracker
 *
 * Attributes belong to the CPU mapping: once memory is unmapped, its
 * attributes go. drm_gpusvm only watches the ranges the GPU mapped, so the
 * attribute tree has a tracker of its own, with MMU interval notifiers over
 * the aligned blocks of the address space that hold attributes.
 *
 * A notifier runs with the mmap lock held and must not take the tree lock
 * (a SET_ATTR may hold the tree lock while it waits for the mmap lock), nor
 * allocate in a way that may enter reclaim. So it only records the span:
 * appended to the pending list, merged into the last record when they
 * touch, or, when no record can be allocated, folded into one overflow
 * span whose owner later drops only what no VMA covers. Then it queues the
 * owner's drain worker. The owner takes the records (amdgpu_svm_unmap_pop())
 * under its own lock, and puts back one it could not handle.
 *
 * The tracker also counts the unmaps and remembers the spans of the last
 * %AMDGPU_SVM_UNMAP_LOG of them, so that a mapping made from attributes
 * looked up earlier can tell whether an unmap since may have replaced the
 * memory it mapped (amdgpu_svm_unmap_since()).
 */

/* Each notifier watches one aligned block of this many bytes. */
#define AMDGPU_SVM_UNMAP_BLOCK_SIZE	SZ_512M

/**
 * struct amdgpu_svm_unmap_notifier - Watches one block of the address space
 * @mn: the MMU interval notifier
 * @tracker: the tracker it records into
 * @link: entry in &amdgpu_svm_unmap_tracker.notifiers
 * @start: first page of the block
 * @last: last page of the block
 */
struct amdgpu_svm_unmap_notifier {
	struct mmu_interval_notifier mn;
	struct amdgpu_svm_unmap_tracker *tracker;
	struct list_head link;
	unsigned long start;
	unsigned long last;
};

/* Fold a span that could not be recorded into the overflow span. */
static void amdgpu_svm_unmap_overflow_add(struct amdgpu_svm_unmap_tracker *t,
					  unsigned long start, unsigned long last)
{
	lockdep_assert_held(&t->lock);
	if (!t->overflowed) {
		t->overflowed = true;
		t->overflow.start = start;
		t->overflow.last = last;
		return;
	}
	t->overflow.start = min(t->overflow.start, start);
	t->overflow.last = max(t->overflow.last, last);
}

/* Count an unmap of pages [start, last] and remember its span. */
static void amdgpu_svm_unmap_log_add(struct amdgpu_svm_unmap_tracker *t,
				     unsigned long start, unsigned long last)
{
	unsigned int seq = atomic_inc_return(&t->seq);

	lockdep_assert_held(&t->lock);
	t->log[seq % AMDGPU_SVM_UNMAP_LOG].start = start;
	t->log[seq % AMDGPU_SVM_UNMAP_LOG].last = last;
}

/**
 * amdgpu_svm_unmap_since() - Tell whether the CPU unmapped part of a span
 * @tracker: the tracker
 * @seq: amdgpu_svm_unmap_seq(), read before the attributes were
 * @start: first page of the span
 * @last: last page of it
 *
 * Only the unmaps that touch [@start, @last] count, so that malloc and
 * free elsewhere in the process do not make a mapping look stale. When
 * more unmaps happened since @seq than the tracker remembers, the answer
 * is true.
 *
 * Return: true if an unmap recorded after @seq overlaps the span.
 */
bool amdgpu_svm_unmap_since(struct amdgpu_svm_unmap_tracker *tracker, int seq,
			    unsigned long start, unsigned long last)
{
	unsigned int now, i;
	bool hit = false;

	spin_lock(&tracker->lock);
	now = atomic_read(&tracker->seq);
	if (now - (unsigned int)seq > AMDGPU_SVM_UNMAP_LOG)
		hit = true;
	for (i = (unsigned int)seq + 1; !hit && i != now + 1; i++) {
		unsigned int slot = i % AMDGPU_SVM_UNMAP_LOG;

		hit = tracker->log[slot].start <= last &&
		      tracker->log[slot].last >= start;
	}
	spin_unlock(&tracker->lock);
	return hit;
}

static void amdgpu_svm_unmap_record(struct amdgpu_svm_unmap_tracker *t,
				    unsigned long start, unsigned long last)
{
	struct amdgpu_svm_unmap_span *span, *tail;

	/* The mmap lock is held: no allocation that may enter reclaim. */
	span = kmalloc_obj(*span, GFP_NOWAIT | __GFP_NOWARN);

	spin_lock(&t->lock);
	tail = list_last_entry_or_null(&t->pending, typeof(*tail), link);
	if (tail && start <= tail->last + 1 && last + 1 >= tail->start) {
		tail->start = min(tail->start, start);
		tail->last = max(tail->last, last);
	} else if (span) {
		span->start = start;
		span->last = last;
		list_add_tail(&span->link, &t->pending);
		amdgpu_svm_live_inc(&t->nr_pending);
		span = NULL;
	} else {
		amdgpu_svm_unmap_overflow_add(t, start, last);
	}
	amdgpu_svm_unmap_log_add(t, start, last);
	spin_unlock(&t->lock);
	kfree(span);
	queue_work(system_dfl_wq, &t->drain_work);
}

static bool amdgpu_svm_unmap_invalidate(struct mmu_interval_notifier *mn,
					const struct mmu_notifier_range *range,
					unsigned long cur_seq)
{
	struct amdgpu_svm_unmap_notifier *n = container_of(mn, typeof(*n), mn);

	mmu_interval_set_seq(mn, cur_seq);
	if (range->event == MMU_NOTIFY_UNMAP)
		amdgpu_svm_unmap_record(n->tracker,
					max(range->start >> PAGE_SHIFT, n->start),
					min((range->end - 1) >> PAGE_SHIFT, n->last));
	return true;
}

static const struct mmu_interval_notifier_ops amdgpu_svm_unmap_notifier_ops = {
	.invalidate = amdgpu_svm_unmap_invalidate,
};

static bool amdgpu_svm_unmap_block_watched(struct amdgpu_svm_unmap_tracker *t,
					   unsigned long start)
{
	struct amdgpu_svm_unmap_notifier *n;

	list_for_each_entry(n, &t->notifiers, link)
		if (n->start == start)
			return true;
	return false;
}

static int amdgpu_svm_unmap_watch_block(struct amdgpu_svm_unmap_tracker *t,
					unsigned long start)
{
	struct amdgpu_svm_unmap_notifier *n;
	int ret;

	if (amdgpu_svm_should_fail_alloc())
		return -ENOMEM;
	n = kzalloc_obj(*n);
	if (!n)
		return -ENOMEM;
	n->tracker = t;
	n->start = start;
	n->last = start + (AMDGPU_SVM_UNMAP_BLOCK_SIZE >> PAGE_SHIFT) - 1;
	ret = mmu_interval_notifier_insert(&n->mn, t->mm, start << PAGE_SHIFT,
					   AMDGPU_SVM_UNMAP_BLOCK_SIZE,
					   &amdgpu_svm_unmap_notifier_ops);
	if (ret) {
		kfree(n);
		return ret;
	}
	list_add_tail(&n->link, &t->notifiers);
	amdgpu_svm_live_inc(&t->nr_notifiers);
	return 0;
}

/**
 * amdgpu_svm_unmap_watch() - Watch every block of a span for munmap
 * @tracker: the tracker; its owner's lock is held
 * @start: first page of the span
 * @last: last page of it
 *
 * Blocks stay watched until amdgpu_svm_unmap_tracker_fini(). A tracker
 * without an mm watches nothing and succeeds.
 *
 * Return: 0, -ENOMEM, or the error of mmu_interval_notifier_insert(); the
 * blocks watched before the failure stay watched.
 */
int amdgpu_svm_unmap_watch(struct amdgpu_svm_unmap_tracker *tracker,
			   unsigned long start, unsigned long last)
{
	unsigned long block = AMDGPU_SVM_UNMAP_BLOCK_SIZE >> PAGE_SHIFT;
	unsigned long b;
	int ret;

	if (!tracker->mm)
		return 0;
	for (b = ALIGN_DOWN(start, block); b <= last; b += block) {
		if (amdgpu_svm_unmap_block_watched(tracker, b))
			continue;
		ret = amdgpu_svm_unmap_watch_block(tracker, b);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * amdgpu_svm_unmap_pop() - Take the oldest recorded unmap
 * @tracker: the tracker
 * @span: filled in with its span
 *
 * Return: false when none is recorded (the overflow span aside).
 */
bool amdgpu_svm_unmap_pop(struct amdgpu_svm_unmap_tracker *tracker,
			  struct amdgpu_svm_unmap_span *span)
{
	struct amdgpu_svm_unmap_span *first;

	spin_lock(&tracker->lock);
	first = list_first_entry_or_null(&tracker->pending, typeof(*first), link);
	if (first) {
		list_del(&first->link);
		amdgpu_svm_live_dec(&tracker->nr_pending);
	}
	spin_unlock(&tracker->lock);
	if (!first)
		return false;
	*span = *first;
	kfree(first);
	return true;
}

/**
 * amdgpu_svm_unmap_push_back() - Give back an unmap the owner could not handle
 * @tracker: the tracker
 * @span: the span, taken with amdgpu_svm_unmap_pop() or
 *	amdgpu_svm_unmap_take_overflow()
 *
 * The span is first again; if it cannot be recorded, it joins the overflow
 * span. Either way it is not lost.
 */
void amdgpu_svm_unmap_push_back(struct amdgpu_svm_unmap_tracker *tracker,
				const struct amdgpu_svm_unmap_span *span)
{
	struct amdgpu_svm_unmap_span *copy = kmalloc_obj(*copy);

	spin_lock(&tracker->lock);
	if (copy) {
		*copy = *span;
		list_add(&copy->link, &tracker->pending);
		amdgpu_svm_live_inc(&tracker->nr_pending);
	} else {
		amdgpu_svm_unmap_overflow_add(tracker, span->start, span->last);
	}
	spin_unlock(&tracker->lock);
}

/**
 * amdgpu_svm_unmap_take_overflow() - Take the span of unrecorded unmaps
 * @tracker: the tracker
 * @span: filled in with the union of the spans that could not be recorded
 *
 * Parts of @span may still be mapped: the owner drops only what no VMA
 * covers (amdgpu_svm_unmap_next_gap()).
 *
 * Return: false when every unmap was recorded.
 */
bool amdgpu_svm_unmap_take_overflow(struct amdgpu_svm_unmap_tracker *tracker,
				    struct amdgpu_svm_unmap_span *span)
{
	bool overflowed;

	spin_lock(&tracker->lock);
	overflowed = tracker->overflowed;
	span->start = tracker->overflow.start;
	span->last = tracker->overflow.last;
	tracker->overflowed = false;
	spin_unlock(&tracker->lock);
	return overflowed;
}

/**
 * amdgpu_svm_unmap_next_gap() - Find the next pages no VMA covers
 * @mm: the address space, referenced by the caller
 * @pos: first page to look at
 * @last: last page to look at
 * @gap_last: filled in with the last page of the gap found
 *
 * Takes the mmap lock for read.
 *
 * Return: the first page of [@pos, @last] that no VMA covers, or
 * ULONG_MAX when VMAs cover all of it.
 */
unsigned long amdgpu_svm_unmap_next_gap(struct mm_struct *mm, unsigned long pos,
					unsigned long last,
					unsigned long *gap_last)
{
	struct vm_area_struct *vma;
	unsigned long addr = pos << PAGE_SHIFT;
	unsigned long found = ULONG_MAX;

	mmap_read_lock(mm);
	while (pos <= last) {
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start > addr) {
			found = pos;
			*gap_last = vma ? min((vma->vm_start >> PAGE_SHIFT) - 1, last) : last;
			break;
		}
		pos = vma->vm_end >> PAGE_SHIFT;
		addr = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return found;
}

/**
 * amdgpu_svm_unmap_tracker_init() - Set up a tracker that watches nothing yet
 * @tracker: the tracker
 * @mm: the address space to watch, or NULL for a tracker that never
 *	records anything
 * @drain: the owner's worker, run after unmaps were recorded; it takes
 *	them with amdgpu_svm_unmap_pop()
 */
void amdgpu_svm_unmap_tracker_init(struct amdgpu_svm_unmap_tracker *tracker,
				   struct mm_struct *mm, work_func_t drain)
{
	memset(tracker, 0, sizeof(*tracker));
	INIT_LIST_HEAD(&tracker->notifiers);
	spin_lock_init(&tracker->lock);
	INIT_LIST_HEAD(&tracker->pending);
	INIT_WORK(&tracker->drain_work, drain);
	if (mm) {
		mmgrab(mm);
		tracker->mm = mm;
	}
}

/**
 * amdgpu_svm_unmap_tracker_fini() - Stop watching and free every record
 * @tracker: the tracker
 *
 * Removes the notifiers first, so that no new unmap is recorded, then
 * waits for the drain worker and frees what is still recorded.
 */
void amdgpu_svm_unmap_tracker_fini(struct amdgpu_svm_unmap_tracker *tracker)
{
	struct amdgpu_svm_unmap_notifier *n, *next;
	struct amdgpu_svm_unmap_span span;

	list_for_each_entry_safe(n, next, &tracker->notifiers, link) {
		mmu_interval_notifier_remove(&n->mn);
		list_del(&n->link);
		amdgpu_svm_live_dec(&tracker->nr_notifiers);
		kfree(n);
	}
	cancel_work_sync(&tracker->drain_work);
	while (amdgpu_svm_unmap_pop(tracker, &span))
		;
	tracker->overflowed = false;
	if (tracker->mm)
		mmdrop(tracker->mm);
	tracker->mm = NULL;
}

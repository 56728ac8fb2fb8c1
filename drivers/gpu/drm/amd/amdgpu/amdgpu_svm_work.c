// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#include <linux/minmax.h>
#include <linux/sched/mm.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <drm/drm_device.h>

#include "amdgpu_svm.h"
#include "amdgpu_svm_range.h"

/**
 * DOC: SVM workers and evictions
 *
 * This file owns the worker lists and the eviction protocol; the rest of
 * SVM goes through its accessors.
 *
 * The garbage collector and the restore worker run on one ordered
 * workqueue under the SVM lock. Ranges reach them on two lists
 * (amdgpu_svm_work_queue_range()): the CPU unmapped a range (GC), or
 * evicted it (restore, XNACK off). A span a worker could not map is not
 * dropped: the restore worker tries it again after a delay that doubles up
 * to %AMDGPU_SVM_RETRY_MAX_MS (amdgpu_svm_retry_later()). Nor is a range
 * whose GPU mapping could not be cleared: it waits, parked, for the same
 * delay (amdgpu_svm_work_park_range()).
 *
 * With XNACK off an eviction must stop the queues before GPU-mapped pages
 * go. amdgpu_svm_hold_queues() counts evictions; the first one since the
 * queues last ran quiesces them. A worker that finds nothing left to do,
 * and no eviction counted since it started, lets them run again, once per
 * quiesce; a quiesce on its way is never overtaken by that resume, as both
 * happen under &amdgpu_svm_work.queues_lock.
 */

/* Whether @r waits for the garbage collector, now or after the retry delay. */
static bool amdgpu_svm_work_queued_for_removal(const struct amdgpu_svm_range *r)
{
	return r->queue == AMDGPU_SVM_RANGE_GC || r->queue == AMDGPU_SVM_RANGE_PARKED;
}

/**
 * amdgpu_svm_work_queue_range() - Put a range on a worker's list
 * @svm: the SVM
 * @r: the range
 * @queue: %AMDGPU_SVM_RANGE_GC or %AMDGPU_SVM_RANGE_RESTORE
 *
 * The list holds a reference on @r while @r is on it, and the worker is
 * kicked. A range already queued for the garbage collector stays there: an
 * unmapped range is removed, never restored. Callable from MMU notifiers.
 */
void amdgpu_svm_work_queue_range(struct amdgpu_svm *svm, struct amdgpu_svm_range *r,
				 enum amdgpu_svm_range_queue queue)
{
	spin_lock(&svm->work.lock);
	if (r->queue == AMDGPU_SVM_RANGE_IDLE) {
		drm_gpusvm_range_get(&r->base);
		amdgpu_svm_live_inc(&svm->work.nr_queued);
	}
	/* An unmapped range is removed, never restored. */
	if (r->queue != queue && !amdgpu_svm_work_queued_for_removal(r)) {
		list_move_tail(&r->work_link, queue == AMDGPU_SVM_RANGE_GC ?
			       &svm->work.gc_list : &svm->work.restore_list);
		WRITE_ONCE(r->queue, queue);
	}
	spin_unlock(&svm->work.lock);
	if (queue == AMDGPU_SVM_RANGE_GC)
		queue_work(svm->work.wq, &svm->work.gc_work);
	else
		mod_delayed_work(svm->work.wq, &svm->work.restore_work, 0);
}

/**
 * amdgpu_svm_work_dequeue_range() - Take a range off its worker's list
 * @svm: the SVM, locked
 * @r: the range, queued or not
 *
 * Drops the list's reference if @r was queued.
 */
void amdgpu_svm_work_dequeue_range(struct amdgpu_svm *svm, struct amdgpu_svm_range *r)
{
	bool queued;

	/* Takes @r out of the parked state too (amdgpu_svm_work_range_parked()). */
	lockdep_assert_held(&svm->lock);
	spin_lock(&svm->work.lock);
	queued = r->queue != AMDGPU_SVM_RANGE_IDLE;
	if (queued) {
		list_del_init(&r->work_link);
		WRITE_ONCE(r->queue, AMDGPU_SVM_RANGE_IDLE);
		amdgpu_svm_live_dec(&svm->work.nr_queued);
	}
	spin_unlock(&svm->work.lock);
	if (queued)
		drm_gpusvm_range_put(&r->base);
}

/* Run the restore worker once the retry delay has passed, unless it is due sooner. */
static void amdgpu_svm_work_schedule_retry(struct amdgpu_svm *svm)
{
	unsigned int delay;

	spin_lock(&svm->work.lock);
	delay = svm->work.retry.delay_ms;
	spin_unlock(&svm->work.lock);
	queue_delayed_work(svm->work.wq, &svm->work.restore_work, msecs_to_jiffies(delay));
}

/**
 * amdgpu_svm_work_park_range() - Leave a range whose clear failed for later
 * @svm: the SVM, locked
 * @r: the range, which the GPU may still reach; its pages stay mapped for
 *	DMA until the CPU invalidates them
 *
 * @r waits on a list of its own, out of the way of a garbage collector
 * that must not meet it again in the pass that failed, until the restore
 * worker hands it back after the retry delay. The queues stay stopped
 * meanwhile (amdgpu_svm_work_pending()).
 */
void amdgpu_svm_work_park_range(struct amdgpu_svm *svm, struct amdgpu_svm_range *r)
{
	lockdep_assert_held(&svm->lock);
	amdgpu_svm_stat_inc(&svm->stats.ranges_parked);
	spin_lock(&svm->work.lock);
	if (r->queue == AMDGPU_SVM_RANGE_IDLE) {
		drm_gpusvm_range_get(&r->base);
		amdgpu_svm_live_inc(&svm->work.nr_queued);
	}
	list_move_tail(&r->work_link, &svm->work.parked_list);
	WRITE_ONCE(r->queue, AMDGPU_SVM_RANGE_PARKED);
	spin_unlock(&svm->work.lock);
	amdgpu_svm_work_schedule_retry(svm);
}

/**
 * amdgpu_svm_work_range_parked() - Tell whether a range waits for its clear to be retried
 * @svm: the SVM, locked
 * @r: the range
 *
 * Nothing maps over a parked range, and neither a walk nor the sweep of
 * stale ranges tries to remove it before the garbage collector does
 * again: it would only fail the same way.
 *
 * Return: true if @r is parked (amdgpu_svm_work_park_range()).
 */
bool amdgpu_svm_work_range_parked(struct amdgpu_svm *svm, const struct amdgpu_svm_range *r)
{
	/* Parked and handed back under the SVM lock; notifiers leave it. */
	lockdep_assert_held(&svm->lock);
	return READ_ONCE(r->queue) == AMDGPU_SVM_RANGE_PARKED;
}

/* Hand the parked ranges back to the garbage collector. */
static void amdgpu_svm_work_unpark(struct amdgpu_svm *svm)
{
	struct amdgpu_svm_range *r;

	lockdep_assert_held(&svm->lock);
	spin_lock(&svm->work.lock);
	list_for_each_entry(r, &svm->work.parked_list, work_link)
		WRITE_ONCE(r->queue, AMDGPU_SVM_RANGE_GC);
	list_splice_tail_init(&svm->work.parked_list, &svm->work.gc_list);
	spin_unlock(&svm->work.lock);
}

/**
 * amdgpu_svm_work_pending() - Tell whether a worker has ranges to handle
 * @svm: the SVM
 *
 * Return: true if a range is queued or parked, or a span waits to be
 * mapped again (amdgpu_svm_retry_later()).
 */
bool amdgpu_svm_work_pending(struct amdgpu_svm *svm)
{
	bool pending;

	spin_lock(&svm->work.lock);
	pending = !list_empty(&svm->work.gc_list) || !list_empty(&svm->work.restore_list) ||
		  !list_empty(&svm->work.parked_list) || svm->work.retry.pending;
	spin_unlock(&svm->work.lock);
	return pending;
}

/**
 * amdgpu_svm_work_pop_range() - Take the first range off a worker's list
 * @svm: the SVM
 * @queue: %AMDGPU_SVM_RANGE_GC or %AMDGPU_SVM_RANGE_RESTORE
 *
 * Return: the range, whose list reference the caller now holds, or NULL.
 */
struct amdgpu_svm_range *
amdgpu_svm_work_pop_range(struct amdgpu_svm *svm,
			  enum amdgpu_svm_range_queue queue)
{
	struct list_head *list = queue == AMDGPU_SVM_RANGE_GC ?
				 &svm->work.gc_list : &svm->work.restore_list;
	struct amdgpu_svm_range *r;

	spin_lock(&svm->work.lock);
	r = list_first_entry_or_null(list, typeof(*r), work_link);
	if (r) {
		list_del_init(&r->work_link);
		WRITE_ONCE(r->queue, AMDGPU_SVM_RANGE_IDLE);
		amdgpu_svm_live_dec(&svm->work.nr_queued);
	}
	spin_unlock(&svm->work.lock);
	return r;
}

/**
 * amdgpu_svm_hold_queues() - Count an eviction; the first one stops the queues
 * @svm: the SVM
 *
 * The queues stay stopped until a worker finds nothing left to map or
 * clear (or teardown). Returns once they are stopped, also when another
 * caller is stopping them. Callable from MMU notifiers.
 */
void amdgpu_svm_hold_queues(struct amdgpu_svm *svm)
{
	mutex_lock(&svm->work.queues_lock);
	if (atomic_inc_return(&svm->work.evictions) == 1) {
		amdgpu_svm_stat_inc(&svm->stats.quiesces);
		svm->ops->quiesce(svm);
	}
	mutex_unlock(&svm->work.queues_lock);
}

/* Let the queues run again: the last eviction is resolved; queues_lock held. */
static void amdgpu_svm_work_release_queues(struct amdgpu_svm *svm)
{
	lockdep_assert_held(&svm->work.queues_lock);
	amdgpu_svm_stat_inc(&svm->stats.resumes);
	svm->ops->resume(svm);
	wake_up_all(&svm->work.resume_wq);
}

/* Resume the queues if nothing was evicted since @seen and no work is left. */
static void amdgpu_svm_work_resume_if_idle(struct amdgpu_svm *svm, int seen)
{
	bool resumed;

	if (!seen || amdgpu_svm_work_pending(svm))
		return;
	/* Not while a quiesce is on its way: it counted before it stopped them. */
	mutex_lock(&svm->work.queues_lock);
	resumed = atomic_cmpxchg(&svm->work.evictions, seen, 0) == seen;
	if (resumed)
		amdgpu_svm_work_release_queues(svm);
	mutex_unlock(&svm->work.queues_lock);
	if (!resumed)
		mod_delayed_work(svm->work.wq, &svm->work.restore_work, 0);
}

/**
 * amdgpu_svm_retry_later() - Leave a span a worker could not map for later
 * @svm: the SVM, locked
 * @first: first page of the span
 * @last: last page of it
 * @err: why it could not be mapped; 0 for a span handed to the restore
 *	worker on purpose, which is not warned of
 *
 * XNACK off: the eviction that led the worker there stays unresolved, so
 * the queues stay stopped, and the restore worker maps the span again
 * after a delay that grows from 1 ms to %AMDGPU_SVM_RETRY_MAX_MS.
 */
void amdgpu_svm_retry_later(struct amdgpu_svm *svm, unsigned long first,
			    unsigned long last, int err)
{
	lockdep_assert_held(&svm->lock);
	spin_lock(&svm->work.lock);
	if (svm->work.retry.pending) {
		first = min(first, svm->work.retry.first);
		last = max(last, svm->work.retry.last);
	}
	/* A span handed over on purpose keeps the error of one that failed. */
	if (err || !svm->work.retry.pending)
		svm->work.retry.err = err;
	svm->work.retry.pending = true;
	svm->work.retry.first = first;
	svm->work.retry.last = last;
	spin_unlock(&svm->work.lock);
}

/* Map the span left for later again; it stays left if that fails. */
static void amdgpu_svm_work_retry_now(struct amdgpu_svm *svm)
{
	unsigned long first, last;
	bool pending;
	int ret;

	lockdep_assert_held(&svm->lock);
	spin_lock(&svm->work.lock);
	pending = svm->work.retry.pending;
	first = svm->work.retry.first;
	last = svm->work.retry.last;
	svm->work.retry.pending = false;
	spin_unlock(&svm->work.lock);
	if (!pending)
		return;
	ret = amdgpu_svm_range_map_span(svm, first, last, false);
	if (ret) {
		amdgpu_svm_retry_later(svm, first, last, ret);
		return;
	}
	spin_lock(&svm->work.lock);
	svm->work.retry.delay_ms = 1;
	spin_unlock(&svm->work.lock);
}

/* Come back later if a span is still left; say so, rate-limited. */
static bool amdgpu_svm_work_retry_scheduled(struct amdgpu_svm *svm)
{
	unsigned long first, last;
	unsigned int delay;
	bool pending;
	int err;

	spin_lock(&svm->work.lock);
	pending = svm->work.retry.pending || !list_empty(&svm->work.parked_list);
	first = svm->work.retry.first;
	last = svm->work.retry.last;
	err = svm->work.retry.pending ? svm->work.retry.err : 0;
	delay = svm->work.retry.delay_ms;
	svm->work.retry.delay_ms = pending ? min(delay * 2, AMDGPU_SVM_RETRY_MAX_MS) : 1;
	spin_unlock(&svm->work.lock);
	if (!pending || READ_ONCE(svm->torn_down))
		return false;
	if (err)
		amdgpu_svm_warn(svm, "cannot map pages %#lx-%#lx: %d; retrying in %u ms, queues held meanwhile\n",
				first, last, err, delay);
	queue_delayed_work(svm->work.wq, &svm->work.restore_work, msecs_to_jiffies(delay));
	return true;
}

/*
 * Hold the mm for a worker's pass, so that the worker never drops its last
 * user: the release of the mm tears the SVM down, which waits for this
 * workqueue. An mm that is going has nothing left to map; its release
 * does the rest.
 */
static bool amdgpu_svm_work_hold_mm(struct amdgpu_svm *svm)
{
	return mmget_not_zero(svm->mm);
}

static void amdgpu_svm_work_release_mm(struct amdgpu_svm *svm)
{
	mmput_async(svm->mm);
}

static void amdgpu_svm_work_gc_func(struct work_struct *work)
{
	struct amdgpu_svm *svm = container_of(work, struct amdgpu_svm, work.gc_work);
	int seen = atomic_read(&svm->work.evictions);

	if (!amdgpu_svm_work_hold_mm(svm))
		return;
	mutex_lock(&svm->lock);
	amdgpu_svm_range_collect_garbage(svm);
	mutex_unlock(&svm->lock);
	if (!amdgpu_svm_work_retry_scheduled(svm))
		amdgpu_svm_work_resume_if_idle(svm, seen);
	amdgpu_svm_work_release_mm(svm);
}

static void amdgpu_svm_work_restore_func(struct work_struct *work)
{
	struct amdgpu_svm *svm = container_of(to_delayed_work(work),
					      struct amdgpu_svm, work.restore_work);
	int seen = atomic_read(&svm->work.evictions);

	if (!amdgpu_svm_work_hold_mm(svm))
		return;
	mutex_lock(&svm->lock);
	amdgpu_svm_work_unpark(svm);
	amdgpu_svm_range_collect_garbage(svm);
	amdgpu_svm_range_restore(svm);
	amdgpu_svm_work_retry_now(svm);
	mutex_unlock(&svm->lock);
	if (!amdgpu_svm_work_retry_scheduled(svm))
		amdgpu_svm_work_resume_if_idle(svm, seen);
	amdgpu_svm_work_release_mm(svm);
}

/**
 * amdgpu_svm_flush_work() - Run the work queued so far and wait for it
 * @svm: the SVM, not locked
 *
 * A retry that waits for its delay runs now. A retry that fails again is
 * queued again and not waited for.
 */
void amdgpu_svm_flush_work(struct amdgpu_svm *svm)
{
	flush_workqueue(svm->work.wq);
	flush_delayed_work(&svm->work.restore_work);
	flush_workqueue(svm->work.wq);
}

/**
 * amdgpu_svm_holds_queues() - Tell whether SVM keeps the queues stopped
 * @svm: the SVM
 *
 * True from the first eviction of GPU-mapped pages (XNACK off), or a
 * clear that failed, until the workers have mapped or cleared everything
 * again. Work must not be submitted to the VM meanwhile.
 *
 * Return: true while an eviction is unresolved.
 */
bool amdgpu_svm_holds_queues(struct amdgpu_svm *svm)
{
	return atomic_read(&svm->work.evictions);
}

/**
 * amdgpu_svm_wait_for_queues() - Wait until SVM lets the queues run
 * @svm: the SVM
 *
 * Return: 0, or -ERESTARTSYS if a signal came first.
 */
int amdgpu_svm_wait_for_queues(struct amdgpu_svm *svm)
{
	return wait_event_interruptible(svm->work.resume_wq,
					!amdgpu_svm_holds_queues(svm));
}

/**
 * amdgpu_svm_work_kick_restore() - Run the restore worker soon
 * @svm: the SVM
 *
 * Now; but if a range is parked, once the retry delay has passed, so that
 * a clear that keeps failing is not tried again with no pause.
 */
void amdgpu_svm_work_kick_restore(struct amdgpu_svm *svm)
{
	bool parked;

	spin_lock(&svm->work.lock);
	parked = !list_empty(&svm->work.parked_list);
	spin_unlock(&svm->work.lock);
	if (parked)
		amdgpu_svm_work_schedule_retry(svm);
	else
		mod_delayed_work(svm->work.wq, &svm->work.restore_work, 0);
}

/**
 * amdgpu_svm_work_release_hold() - Leave the queues a caller stopped to the workers
 * @svm: the SVM, locked
 * @first: first page of the span the caller mapped with the queues stopped
 * @last: last page of it
 * @err: 0 if the span is mapped, else why it is not
 *
 * Queues stopped by amdgpu_svm_hold_queues() run again only from a worker
 * that finds nothing left to do. If the span is mapped, the restore worker
 * runs now to let them go. If not, the span is left for later
 * (amdgpu_svm_retry_later()) and the restore worker comes back after the
 * retry delay: not at once, or a worker that cannot map would try again
 * with no pause.
 */
void amdgpu_svm_work_release_hold(struct amdgpu_svm *svm, unsigned long first,
				  unsigned long last, int err)
{
	lockdep_assert_held(&svm->lock);
	if (!err) {
		amdgpu_svm_work_kick_restore(svm);
		return;
	}
	amdgpu_svm_retry_later(svm, first, last, err);
	amdgpu_svm_work_schedule_retry(svm);
}

/**
 * amdgpu_svm_work_init() - Set up the workers, with nothing queued
 * @svm: the SVM being initialised
 *
 * Return: 0 or -ENOMEM.
 */
int amdgpu_svm_work_init(struct amdgpu_svm *svm)
{
	struct amdgpu_svm_work *w = &svm->work;

	mutex_init(&w->queues_lock);
	spin_lock_init(&w->lock);
	init_waitqueue_head(&w->resume_wq);
	INIT_LIST_HEAD(&w->gc_list);
	INIT_LIST_HEAD(&w->restore_list);
	INIT_LIST_HEAD(&w->parked_list);
	INIT_WORK(&w->gc_work, amdgpu_svm_work_gc_func);
	INIT_DELAYED_WORK(&w->restore_work, amdgpu_svm_work_restore_func);
	w->retry.delay_ms = 1;
	w->wq = alloc_ordered_workqueue("amdgpu_svm", WQ_MEM_RECLAIM);
	if (!w->wq) {
		mutex_destroy(&w->queues_lock);
		return -ENOMEM;
	}
	return 0;
}

/**
 * amdgpu_svm_work_forget_retry() - Drop the span left for a retry
 * @svm: the SVM, locked, at teardown once no range is left
 */
void amdgpu_svm_work_forget_retry(struct amdgpu_svm *svm)
{
	lockdep_assert_held(&svm->lock);
	spin_lock(&svm->work.lock);
	svm->work.retry.pending = false;
	spin_unlock(&svm->work.lock);
}

/**
 * amdgpu_svm_work_fini() - Stop the workers and let the queues run
 * @svm: the SVM, torn down: no range is left and nothing queues work
 *
 * Cancels a retry still scheduled, destroys the workqueue and resumes
 * the queues if an eviction left them stopped.
 */
void amdgpu_svm_work_fini(struct amdgpu_svm *svm)
{
	struct amdgpu_svm_work *w = &svm->work;

	cancel_delayed_work_sync(&w->restore_work);
	destroy_workqueue(w->wq);
	mutex_lock(&w->queues_lock);
	if (atomic_xchg(&w->evictions, 0))
		amdgpu_svm_work_release_queues(svm);
	mutex_unlock(&w->queues_lock);
}

/**
 * amdgpu_svm_work_destroy() - Free what amdgpu_svm_work_init() set up
 * @svm: the SVM, on its last reference
 */
void amdgpu_svm_work_destroy(struct amdgpu_svm *svm)
{
	mutex_destroy(&svm->work.queues_lock);
}

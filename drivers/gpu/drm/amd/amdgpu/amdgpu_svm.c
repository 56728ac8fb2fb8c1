// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_device.h>

#include "amdgpu_svm.h"
#include "amdgpu_svm_range.h"
#include "amdgpu_svm_vm.h"

/**
 * DOC: SVM core
 *
 * One &struct amdgpu_svm per device and process: a drm_gpusvm instance on
 * the process's mm, the attribute tree, the SVM lock and two workers on an
 * ordered workqueue. amdgpu_svm_ioctl() serves DRM_AMDGPU_GEM_SVM for it;
 * only the process whose mm it serves may call it.
 *
 * The garbage collector removes the ranges the CPU unmapped and, with
 * XNACK off, maps again the parts of them that are still mapped. The
 * restore worker maps evicted ranges again (XNACK off only: with XNACK on
 * the next GPU fault does), working out their PTEs afresh from the
 * attributes and the VMA. The first eviction since the queues last ran
 * quiesces them; a worker that finds nothing left to do resumes them, once
 * per quiesce. A span a worker could not map is not dropped: the restore
 * worker tries it again with a growing delay and the queues stay stopped
 * until every accessible page is mapped (amdgpu_svm_retry_later()). Both
 * workers run under the SVM lock, and the GPU fault handler runs the
 * garbage collector itself before it looks at ranges, so it never finds a
 * range that is about to go.
 */

static const unsigned long chunk_sizes[] = { SZ_2M, SZ_64K, SZ_4K };

/**
 * amdgpu_svm_module_init() - Create the slab caches of SVM
 *
 * Return: 0 or -ENOMEM.
 */
int amdgpu_svm_module_init(void)
{
	int ret = amdgpu_svm_attr_cache_create();

	if (ret)
		return ret;
	ret = amdgpu_svm_range_cache_create();
	if (ret)
		amdgpu_svm_attr_cache_destroy();
	return ret;
}

/**
 * amdgpu_svm_module_exit() - Destroy the slab caches of SVM
 *
 * Every SVM is gone by then: their mm release notifiers were synchronized.
 */
void amdgpu_svm_module_exit(void)
{
	amdgpu_svm_range_cache_destroy();
	amdgpu_svm_attr_cache_destroy();
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
	mutex_lock(&svm->queues_lock);
	if (atomic_inc_return(&svm->evictions) == 1) {
		atomic64_inc(&svm->stats.quiesces);
		svm->ops->quiesce(svm);
	}
	mutex_unlock(&svm->queues_lock);
}

/* Let the queues run again: the last eviction is resolved; queues_lock held. */
static void release_queues(struct amdgpu_svm *svm)
{
	lockdep_assert_held(&svm->queues_lock);
	atomic64_inc(&svm->stats.resumes);
	svm->ops->resume(svm);
	wake_up_all(&svm->resume_wq);
}

/* Resume the queues if nothing was evicted since @seen and no work is left. */
static void resume_if_idle(struct amdgpu_svm *svm, int seen)
{
	bool resumed;

	if (!seen || amdgpu_svm_range_work_pending(svm))
		return;
	/* Not while a quiesce is on its way: it counted before it stopped them. */
	mutex_lock(&svm->queues_lock);
	resumed = atomic_cmpxchg(&svm->evictions, seen, 0) == seen;
	if (resumed)
		release_queues(svm);
	mutex_unlock(&svm->queues_lock);
	if (!resumed)
		mod_delayed_work(svm->wq, &svm->restore_work, 0);
}

/**
 * amdgpu_svm_retry_later() - Leave a span a worker could not map for later
 * @svm: the SVM, locked
 * @first: first page of the span
 * @last: last page of it
 * @err: why it could not be mapped
 *
 * XNACK off: the eviction that led the worker there stays unresolved, so
 * the queues stay stopped, and the restore worker maps the span again
 * after a delay that grows from 1 ms to %AMDGPU_SVM_RETRY_MAX_MS.
 */
void amdgpu_svm_retry_later(struct amdgpu_svm *svm, unsigned long first,
			    unsigned long last, int err)
{
	lockdep_assert_held(&svm->lock);
	spin_lock(&svm->work_lock);
	if (svm->retry.pending) {
		first = min(first, svm->retry.first);
		last = max(last, svm->retry.last);
	}
	svm->retry.pending = true;
	svm->retry.first = first;
	svm->retry.last = last;
	svm->retry.err = err;
	spin_unlock(&svm->work_lock);
}

/* Map the span left for later again; it stays left if that fails. */
static void retry_now(struct amdgpu_svm *svm)
{
	unsigned long first, last;
	bool pending;
	int ret;

	lockdep_assert_held(&svm->lock);
	spin_lock(&svm->work_lock);
	pending = svm->retry.pending;
	first = svm->retry.first;
	last = svm->retry.last;
	svm->retry.pending = false;
	spin_unlock(&svm->work_lock);
	if (!pending)
		return;
	ret = amdgpu_svm_range_map_span(svm, first, last, false);
	if (ret) {
		amdgpu_svm_retry_later(svm, first, last, ret);
		return;
	}
	spin_lock(&svm->work_lock);
	svm->retry.delay_ms = 1;
	spin_unlock(&svm->work_lock);
}

/* Come back later if a span is still left; say so, rate-limited. */
static bool retry_scheduled(struct amdgpu_svm *svm)
{
	unsigned long first, last;
	unsigned int delay;
	bool pending;
	int err;

	spin_lock(&svm->work_lock);
	pending = svm->retry.pending;
	first = svm->retry.first;
	last = svm->retry.last;
	err = svm->retry.err;
	delay = svm->retry.delay_ms;
	svm->retry.delay_ms = pending ? min(delay * 2, AMDGPU_SVM_RETRY_MAX_MS) : 1;
	spin_unlock(&svm->work_lock);
	if (!pending || READ_ONCE(svm->torn_down))
		return false;
	dev_warn_ratelimited(svm->drm->dev,
			     "SVM: cannot map pages %#lx-%#lx: %d; retrying in %u ms, queues held meanwhile\n",
			     first, last, err, delay);
	queue_delayed_work(svm->wq, &svm->restore_work, msecs_to_jiffies(delay));
	return true;
}

static void gc_work_func(struct work_struct *work)
{
	struct amdgpu_svm *svm = container_of(work, struct amdgpu_svm, gc_work);
	int seen = atomic_read(&svm->evictions);

	mutex_lock(&svm->lock);
	amdgpu_svm_range_collect_garbage(svm);
	mutex_unlock(&svm->lock);
	if (!retry_scheduled(svm))
		resume_if_idle(svm, seen);
}

static void restore_work_func(struct work_struct *work)
{
	struct amdgpu_svm *svm = container_of(to_delayed_work(work),
					      struct amdgpu_svm, restore_work);
	int seen = atomic_read(&svm->evictions);

	mutex_lock(&svm->lock);
	amdgpu_svm_range_collect_garbage(svm);
	amdgpu_svm_range_restore(svm);
	retry_now(svm);
	mutex_unlock(&svm->lock);
	if (!retry_scheduled(svm))
		resume_if_idle(svm, seen);
}

static void svm_mm_release(struct mmu_notifier *mn, struct mm_struct *mm);
static void svm_free_notifier(struct mmu_notifier *mn);

static const struct mmu_notifier_ops release_notifier_ops = {
	.release = svm_mm_release,
	.free_notifier = svm_free_notifier,
};

/**
 * amdgpu_svm_init() - Set up SVM for one process on one device
 * @svm: the SVM, zeroed by the caller
 * @drm: the device that DMA-maps the pages
 * @mm: the process's address space
 * @xnack_on: whether the GPU retries page faults
 * @granularity: the default granularity (log2 pages), normally the
 *	amdgpu.svm_default_granularity module parameter
 * @ops: the hardware touch points
 * @ops_priv: data for @ops
 *
 * The caller holds the one reference; amdgpu_svm_fini() drops it. The SVM
 * also tears itself down when @mm goes away (MMU_NOTIFY_RELEASE).
 *
 * Return: 0 or a negative error code.
 */
int amdgpu_svm_init(struct amdgpu_svm *svm, struct drm_device *drm,
		    struct mm_struct *mm, bool xnack_on, unsigned int granularity,
		    const struct amdgpu_svm_gpu_ops *ops, void *ops_priv)
{
	struct amdgpu_svm_attrs defaults;
	int ret;

	svm->drm = drm;
	svm->ops = ops;
	svm->ops_priv = ops_priv;
	svm->xnack_on = xnack_on;
	svm->mm = mm;
	kref_init(&svm->ref);
	init_rwsem(&svm->teardown_lock);
	mutex_init(&svm->lock);
	mutex_init(&svm->queues_lock);
	spin_lock_init(&svm->work_lock);
	init_waitqueue_head(&svm->resume_wq);
	INIT_LIST_HEAD(&svm->gc_list);
	INIT_LIST_HEAD(&svm->restore_list);
	INIT_WORK(&svm->gc_work, gc_work_func);
	INIT_DELAYED_WORK(&svm->restore_work, restore_work_func);
	svm->retry.delay_ms = 1;

	svm->wq = alloc_ordered_workqueue("amdgpu_svm", WQ_MEM_RECLAIM);
	if (!svm->wq)
		return -ENOMEM;

	amdgpu_svm_attr_defaults(&defaults, xnack_on, granularity);
	amdgpu_svm_attr_tree_init(&svm->attrs, mm, &defaults);

	ret = drm_gpusvm_init(&svm->gpusvm, "amdgpu_svm", mm, 0, TASK_SIZE,
			      SZ_512M, &amdgpu_svm_range_ops, chunk_sizes,
			      ARRAY_SIZE(chunk_sizes));
	if (ret)
		goto err_attrs;
	drm_gpusvm_driver_set_lock(&svm->gpusvm, &svm->lock);

	svm->release_notifier.ops = &release_notifier_ops;
	ret = mmu_notifier_register(&svm->release_notifier, mm);
	if (ret)
		goto err_gpusvm;
	mmgrab(mm);
	kref_get(&svm->ref);	/* the release notifier's */
	return 0;

err_gpusvm:
	drm_gpusvm_fini(&svm->gpusvm);
err_attrs:
	amdgpu_svm_attr_tree_fini(&svm->attrs);
	destroy_workqueue(svm->wq);
	return ret;
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
	flush_workqueue(svm->wq);
	flush_delayed_work(&svm->restore_work);
	flush_workqueue(svm->wq);
}

/*
 * Wait for the requests in flight, then remove every range (unmapping it
 * from the GPU) and free the attributes; the queues are resumed if an
 * eviction left them stopped. Runs once: from amdgpu_svm_fini() or from
 * the release notifier, whichever comes first.
 */
static void teardown(struct amdgpu_svm *svm)
{
	unsigned long first = 0, last = (TASK_SIZE >> PAGE_SHIFT) - 1;

	down_write(&svm->teardown_lock);
	if (svm->torn_down) {
		up_write(&svm->teardown_lock);
		return;
	}
	svm->torn_down = true;
	amdgpu_svm_flush_work(svm);
	mutex_lock(&svm->lock);
	/* Queues of the process may still run (XNACK off: a fault is fatal). */
	if (!svm->xnack_on && amdgpu_svm_range_mapped_in(svm, first, last))
		amdgpu_svm_hold_queues(svm);
	amdgpu_svm_range_remove_span(svm, &first, &last);
	spin_lock(&svm->work_lock);
	svm->retry.pending = false;
	spin_unlock(&svm->work_lock);
	drm_gpusvm_fini(&svm->gpusvm);
	mutex_unlock(&svm->lock);
	cancel_delayed_work_sync(&svm->restore_work);
	destroy_workqueue(svm->wq);
	mutex_lock(&svm->queues_lock);
	if (atomic_xchg(&svm->evictions, 0))
		release_queues(svm);
	mutex_unlock(&svm->queues_lock);
	amdgpu_svm_attr_tree_fini(&svm->attrs);
	up_write(&svm->teardown_lock);
	/* The notifier's reference goes once SRCU readers are done with it. */
	mmu_notifier_put(&svm->release_notifier);
	mmdrop(svm->mm);
}

static void svm_mm_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	teardown(container_of(mn, struct amdgpu_svm, release_notifier));
}

static void svm_free_notifier(struct mmu_notifier *mn)
{
	amdgpu_svm_put(container_of(mn, struct amdgpu_svm, release_notifier));
}

/**
 * amdgpu_svm_fini() - The owner lets go of the SVM
 * @svm: the SVM
 *
 * Tears the SVM down unless the release of its mm already did, and drops
 * the owner's reference. Requests still holding a reference fail with
 * -ESRCH from here on.
 */
void amdgpu_svm_fini(struct amdgpu_svm *svm)
{
	teardown(svm);
	amdgpu_svm_put(svm);
}

/**
 * amdgpu_svm_get() - Take a reference
 * @svm: the SVM; the caller already holds one, or holds the lock that
 *	keeps the owner's reference in place
 */
void amdgpu_svm_get(struct amdgpu_svm *svm)
{
	kref_get(&svm->ref);
}

static void svm_release(struct kref *ref)
{
	struct amdgpu_svm *svm = container_of(ref, struct amdgpu_svm, ref);

	mutex_destroy(&svm->queues_lock);
	mutex_destroy(&svm->lock);
	if (svm->ops->release)
		svm->ops->release(svm);
}

/**
 * amdgpu_svm_put() - Drop a reference
 * @svm: the SVM
 *
 * The last one frees the SVM through &amdgpu_svm_gpu_ops.release.
 */
void amdgpu_svm_put(struct amdgpu_svm *svm)
{
	kref_put(&svm->ref, svm_release);
}

/**
 * amdgpu_svm_is_torn_down() - Whether the SVM serves no more requests
 * @svm: the SVM
 *
 * Return: true after amdgpu_svm_fini() or the release of the mm.
 */
bool amdgpu_svm_is_torn_down(struct amdgpu_svm *svm)
{
	return READ_ONCE(svm->torn_down);
}

/**
 * amdgpu_svm_holds_queues() - Whether SVM keeps the queues stopped
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
	return atomic_read(&svm->evictions);
}

/**
 * amdgpu_svm_wait_for_queues() - Wait until SVM lets the queues run
 * @svm: the SVM
 *
 * Return: 0, or -ERESTARTSYS if a signal came first.
 */
int amdgpu_svm_wait_for_queues(struct amdgpu_svm *svm)
{
	return wait_event_interruptible(svm->resume_wq,
					!amdgpu_svm_holds_queues(svm));
}

/**
 * struct attr_change - What an attribute change left for the range layer
 * @svm: the SVM
 * @map_start: first page of the span to map (XNACK off), if @map
 * @map_last: last page of it
 * @map: some span became accessible or changed its PTE flags
 * @held: the queues were stopped for this change (XNACK off)
 */
struct attr_change {
	struct amdgpu_svm *svm;
	unsigned long map_start;
	unsigned long map_last;
	bool map;
	bool held;
};

/* Widen the span to map to cover [start, last]. */
static void map_also(struct attr_change *c, unsigned long start,
		     unsigned long last)
{
	c->map_start = c->map ? min(c->map_start, start) : start;
	c->map_last = c->map ? max(c->map_last, last) : last;
	c->map = true;
}

/* Stop the queues once for this change, before GPU-mapped memory goes. */
static void hold_for_change(struct attr_change *c)
{
	if (c->held || c->svm->xnack_on)
		return;
	amdgpu_svm_hold_queues(c->svm);
	c->held = true;
}

/* Whether every page of [start, last] is accessible now; attribute lock held. */
static bool span_accessible(struct amdgpu_svm *svm, unsigned long start,
			    unsigned long last)
{
	struct amdgpu_svm_attrs attrs;
	unsigned long s, l;

	while (start <= last) {
		amdgpu_svm_attr_lookup(&svm->attrs, start, &attrs, &s, &l);
		if (attrs.access == AMDGPU_SVM_ACCESS_INACCESSIBLE)
			return false;
		if (l >= last)
			break;
		start = l + 1;
	}
	return true;
}

/*
 * Called under the attribute lock, the tree already changed: remove what
 * must go, but map nothing yet. With XNACK off, a span that stays
 * accessible keeps the ranges inside it, whose PTEs are rewritten in place
 * (no window in which running waves find them unmapped); only ranges that
 * reach across its edges go, with the queues stopped around it, as around
 * any removal of GPU-mapped memory.
 */
static void attrs_changed(void *priv, unsigned long start, unsigned long last,
			  u32 changes)
{
	struct attr_change *c = priv;
	struct amdgpu_svm *svm = c->svm;

	if (!(changes & (AMDGPU_SVM_CHANGE_ACCESS | AMDGPU_SVM_CHANGE_PTE)))
		return;
	if (!svm->xnack_on && span_accessible(svm, start, last)) {
		if (amdgpu_svm_range_cut_by(svm, start, last, true))
			hold_for_change(c);
		amdgpu_svm_range_remove_cut(svm, &start, &last);
		map_also(c, start, last);
		return;
	}
	if (amdgpu_svm_range_mapped_in(svm, start, last))
		hold_for_change(c);
	amdgpu_svm_range_remove_span(svm, &start, &last);
	if (!svm->xnack_on)
		map_also(c, start, last);
}

/**
 * amdgpu_svm_set_attr() - SET_ATTR: change attributes and the GPU mappings
 * @svm: the SVM
 * @start: first page
 * @last: last page
 * @req: the checked request; NULL puts the span back to the defaults
 *
 * With XNACK off, a span whose PTE flags changed and that stays accessible
 * has its PTEs rewritten in place; ranges that reach across its edges, and
 * the ranges of a span that became inaccessible, are removed with the
 * queues stopped around it. Every accessible page of the span, and of the
 * ranges removed, is mapped before this returns, whether its attributes
 * changed or not: a request that failed while mapping completes when it is
 * made again, and meanwhile the restore worker keeps trying with the
 * queues stopped if they were stopped for it. With XNACK on, ranges of a
 * changed span are removed and the next GPU fault maps them again.
 *
 * Return: 0; -ENOMEM with nothing changed, if the attributes could not be
 * stored; -ENOMEM, -EAGAIN, -EBUSY or -EINTR while mapping (attributes
 * set, part of the span mapped, see amdgpu_svm_range_map_span()): the same
 * request made again completes it.
 */
int amdgpu_svm_set_attr(struct amdgpu_svm *svm, unsigned long start,
			unsigned long last, const struct amdgpu_svm_attr_req *req)
{
	struct attr_change c = { .svm = svm };
	int ret;

	mutex_lock(&svm->lock);
	amdgpu_svm_range_collect_garbage(svm);
	ret = amdgpu_svm_attr_set(&svm->attrs, start, last, req, attrs_changed, &c);
	if (!svm->xnack_on)
		map_also(&c, start, last);
	if (!ret && c.map)
		ret = amdgpu_svm_range_map_span(svm, c.map_start, c.map_last, false);
	/* The queues stopped for this change run again on a complete mapping. */
	if (ret && c.held)
		amdgpu_svm_retry_later(svm, c.map_start, c.map_last, ret);
	mutex_unlock(&svm->lock);
	if (c.held)
		mod_delayed_work(svm->wq, &svm->restore_work, 0);
	return ret;
}

/**
 * amdgpu_svm_reset_attr() - RESET_ATTR: back to defaults, with the mappings
 * @svm: the SVM
 * @start: first page
 * @last: last page
 *
 * Return: as amdgpu_svm_set_attr().
 */
int amdgpu_svm_reset_attr(struct amdgpu_svm *svm, unsigned long start,
			  unsigned long last)
{
	return amdgpu_svm_set_attr(svm, start, last, NULL);
}

/* Whether IH timestamp @a is later than @b; they count 48 bits and wrap. */
static bool fault_ts_after(u64 a, u64 b)
{
	return (s64)((a << 16) - (b << 16)) > 0;
}

/*
 * Whether a fault raised at @ts may be about pages the CPU unmapped after
 * it was raised. The first fault raised after the checkpoint clears it,
 * so that a later wrap of the timestamps cannot drop good faults.
 */
static bool fault_is_stale(struct amdgpu_svm *svm, u64 ts)
{
	u64 checkpoint = atomic64_read(&svm->fault_checkpoint);

	if (!checkpoint)
		return false;
	if (!fault_ts_after(ts, checkpoint))
		return true;
	atomic64_cmpxchg(&svm->fault_checkpoint, checkpoint, 0);
	return false;
}

/*
 * Whether a GPU fault that could not be served now may be served when the
 * GPU retries it: memory was short, the CPU mapping kept changing under
 * HMM (which also times out with -EBUSY), the page tables were busy being
 * evicted, or the worker was interrupted. Such a fault is reported handled,
 * as KFD does, so that the GPU retries it instead of getting a no-retry
 * PTE that kills the queue.
 */
static bool amdgpu_svm_fault_error_is_transient(int err)
{
	switch (err) {
	case -EAGAIN:
	case -EBUSY:
	case -ENOMEM:
	case -EINTR:
	case -ERESTARTSYS:
	case -EDEADLK:
	case -ETIMEDOUT:
		return true;
	default:
		return false;
	}
}

/**
 * amdgpu_svm_handle_fault() - Serve a GPU page fault (XNACK on)
 * @svm: the SVM, referenced by the caller
 * @addr: the faulting address
 * @ts: the fault's timestamp (IH clock, 48 bits)
 * @write: the access was a write
 *
 * A fault raised before the last CPU unmap of GPU-mapped pages (see
 * &amdgpu_svm_gpu_ops.fault_checkpoint) is stale: the GPU retries it and
 * faults again if the address still needs a mapping. A fault on a page
 * that is already mapped as asked is a duplicate (the GPU raised it again
 * before the mapping landed, within %AMDGPU_SVM_FAULT_DUPLICATE_MS of it).
 * Both are handled without mapping anything. Otherwise pending garbage
 * collection runs first, so the fault never lands in a range that is about
 * to be removed. A fault that failed for a reason that may pass (no
 * memory, the CPU mapping changing, page tables being evicted) is handled
 * too: the GPU retries it.
 *
 * Return: 0 when the fault is handled (including stale, duplicate and
 * retried faults); -ESRCH after teardown; -EACCES, -EPERM or -EFAULT when
 * the GPU may not access the address as it asked (see
 * amdgpu_svm_range_map_fault()).
 */
int amdgpu_svm_handle_fault(struct amdgpu_svm *svm, unsigned long addr,
			    u64 ts, bool write)
{
	int ret = -ESRCH;

	down_read(&svm->teardown_lock);
	if (svm->torn_down)
		goto out;
	if (fault_is_stale(svm, ts)) {
		atomic64_inc(&svm->stats.faults_stale);
		ret = 0;
		goto out;
	}
	mutex_lock(&svm->lock);
	amdgpu_svm_range_collect_garbage(svm);
	ret = amdgpu_svm_range_map_fault(svm, addr, write);
	mutex_unlock(&svm->lock);
	if (ret == AMDGPU_SVM_RANGE_ALREADY_MAPPED) {
		atomic64_inc(&svm->stats.faults_duplicate);
		ret = 0;
	} else if (!ret) {
		atomic64_inc(&svm->stats.faults_handled);
	} else if (amdgpu_svm_fault_error_is_transient(ret)) {
		/* Handled for now: the GPU retries and we try again. */
		atomic64_inc(&svm->stats.faults_retry);
		ret = 0;
	}
out:
	up_read(&svm->teardown_lock);
	return ret;
}

/* Whether VMAs cover every page of [start, end) without a gap. */
static bool span_is_mapped(struct mm_struct *mm, unsigned long start,
			   unsigned long end)
{
	struct vm_area_struct *vma;
	bool mapped = true;

	mmap_read_lock(mm);
	while (start < end) {
		vma = vma_lookup(mm, start);
		if (!vma) {
			mapped = false;
			break;
		}
		start = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return mapped;
}

/*
 * A munmap between the check and the SET may have left attributes on
 * memory that is no longer mapped; drop them, as the munmap would have.
 */
static int drop_unmapped(struct amdgpu_svm *svm, unsigned long start,
			 unsigned long end)
{
	struct mm_struct *mm = svm->mm;
	struct vm_area_struct *vma;
	unsigned long gap, gap_end;
	int ret = 0;

	while (!ret && start < end) {
		mmap_read_lock(mm);
		vma = find_vma(mm, start);
		gap = start;
		gap_end = vma ? min(vma->vm_start, end) : end;
		start = vma ? vma->vm_end : end;
		mmap_read_unlock(mm);
		if (gap < gap_end)
			ret = amdgpu_svm_reset_attr(svm, gap >> PAGE_SHIFT,
						    (gap_end >> PAGE_SHIFT) - 1);
	}
	return ret;
}

static int ioctl_check_span(const struct drm_amdgpu_gem_svm *args)
{
	u64 end = args->start_addr + args->size;

	if (!args->size || !PAGE_ALIGNED(args->start_addr) ||
	    !PAGE_ALIGNED(args->size) || end < args->start_addr || end > TASK_SIZE)
		return -EINVAL;
	if (args->nattr > AMDGPU_SVM_MAX_ATTRS)
		return -EINVAL;
	switch (args->operation) {
	case AMDGPU_SVM_OP_SET_ATTR:
	case AMDGPU_SVM_OP_GET_ATTR:
		return 0;
	case AMDGPU_SVM_OP_RESET_ATTR:
		return args->nattr ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

static int ioctl_set(struct amdgpu_svm *svm, const struct drm_amdgpu_gem_svm *args,
		     const struct drm_amdgpu_svm_attribute *attrs)
{
	unsigned long start = args->start_addr, end = start + args->size;
	struct amdgpu_svm_attr_req req;
	int ret;

	ret = amdgpu_svm_attr_req_parse(&req, attrs, args->nattr);
	if (ret)
		return ret;
	if (!span_is_mapped(svm->mm, start, end))
		return -EFAULT;
	if (svm->ops->span_in_use &&
	    svm->ops->span_in_use(svm, start >> PAGE_SHIFT, (end >> PAGE_SHIFT) - 1))
		return -EADDRINUSE;
	ret = amdgpu_svm_set_attr(svm, start >> PAGE_SHIFT, (end >> PAGE_SHIFT) - 1,
				  &req);
	if (ret)
		return ret;
	return drop_unmapped(svm, start, end);
}

/* Check the request and copy its attribute array in (*@attrs: kvfree it). */
static int ioctl_copy_in(const struct drm_amdgpu_gem_svm *args,
			 struct drm_amdgpu_svm_attribute **attrs)
{
	size_t bytes = (size_t)args->nattr * sizeof(**attrs);
	int ret;

	*attrs = NULL;
	ret = ioctl_check_span(args);
	if (ret || !args->nattr)
		return ret;
	*attrs = kvmalloc(bytes, GFP_KERNEL);
	if (!*attrs)
		return -ENOMEM;
	if (!copy_from_user(*attrs, u64_to_user_ptr(args->attrs_ptr), bytes))
		return 0;
	kvfree(*attrs);
	*attrs = NULL;
	return -EFAULT;
}

/* GET_ATTR from @tree over a span @mm maps; the answers go back out. */
static int ioctl_get(struct amdgpu_svm_attr_tree *tree, struct mm_struct *mm,
		     const struct drm_amdgpu_gem_svm *args,
		     struct drm_amdgpu_svm_attribute *attrs)
{
	unsigned long first = args->start_addr >> PAGE_SHIFT;
	unsigned long last = first + (args->size >> PAGE_SHIFT) - 1;
	size_t bytes = (size_t)args->nattr * sizeof(*attrs);
	int ret;

	if (!span_is_mapped(mm, args->start_addr, args->start_addr + args->size))
		return -EFAULT;
	ret = amdgpu_svm_attr_get(tree, first, last, attrs, args->nattr);
	if (!ret && bytes && copy_to_user(u64_to_user_ptr(args->attrs_ptr), attrs, bytes))
		ret = -EFAULT;
	return ret;
}

/* amdgpu_svm_ioctl() for the mm's own process, teardown held off. */
static int ioctl_locked(struct amdgpu_svm *svm, struct drm_amdgpu_gem_svm *args)
{
	struct drm_amdgpu_svm_attribute *attrs;
	unsigned long first, last;
	int ret;

	ret = ioctl_copy_in(args, &attrs);
	if (ret)
		return ret;
	first = args->start_addr >> PAGE_SHIFT;
	last = first + (args->size >> PAGE_SHIFT) - 1;

	switch (args->operation) {
	case AMDGPU_SVM_OP_SET_ATTR:
		ret = ioctl_set(svm, args, attrs);
		break;
	case AMDGPU_SVM_OP_GET_ATTR:
		ret = ioctl_get(&svm->attrs, svm->mm, args, attrs);
		break;
	default:
		ret = amdgpu_svm_reset_attr(svm, first, last);
	}
	kvfree(attrs);
	return ret;
}

/**
 * amdgpu_svm_ioctl_get_defaults() - GET_ATTR where no SVM exists yet
 * @xnack_on: the XNACK mode an SVM of the caller would get
 * @granularity: the default granularity (log2 pages)
 * @args: the request, copied in from userspace; only GET_ATTR
 *
 * Answers from the defaults an SVM would start with, without making one:
 * reading attributes must not make the process's SVM this one rather than
 * KFD's. Checks the request as amdgpu_svm_ioctl() does.
 *
 * Return: as amdgpu_svm_ioctl() for GET_ATTR.
 */
int amdgpu_svm_ioctl_get_defaults(bool xnack_on, unsigned int granularity,
				  struct drm_amdgpu_gem_svm *args)
{
	struct drm_amdgpu_svm_attribute *attrs;
	struct amdgpu_svm_attr_tree *tree;
	struct amdgpu_svm_attrs defaults;
	int ret;

	if (args->operation != AMDGPU_SVM_OP_GET_ATTR)
		return -EINVAL;
	ret = ioctl_copy_in(args, &attrs);
	if (ret)
		return ret;
	tree = kmalloc_obj(*tree);
	if (!tree) {
		kvfree(attrs);
		return -ENOMEM;
	}
	amdgpu_svm_attr_defaults(&defaults, xnack_on, granularity);
	amdgpu_svm_attr_tree_init(tree, NULL, &defaults);
	ret = ioctl_get(tree, current->mm, args, attrs);
	amdgpu_svm_attr_tree_fini(tree);
	kfree(tree);
	kvfree(attrs);
	return ret;
}

/**
 * amdgpu_svm_ioctl() - Carry out one DRM_AMDGPU_GEM_SVM request
 * @svm: the SVM of the device file's VM
 * @args: the request, copied in from userspace
 *
 * Checks the request, copies the attribute array in, dispatches SET, GET
 * or RESET and copies GET's answers out. SET and GET need the whole span
 * mapped by the CPU; RESET does not. A request refused while it is checked
 * changes nothing; a SET or RESET that failed while mapping keeps the
 * attributes it set and the part of the span it mapped (see
 * amdgpu_svm_set_attr()).
 *
 * Return: 0; -EPERM when the caller's mm is not the one the SVM serves (a
 * forked child, or a process the file was passed to); -EINVAL for a bad
 * span, operation, count or attribute; -EFAULT for an unreadable or
 * unwritable array, or a span not mapped by the CPU; -EADDRINUSE when SET
 * covers pages the VM maps otherwise (GEM VA mappings); -ESRCH after
 * teardown (the process's mm is gone); -ENOMEM; -EINTR; -EAGAIN or -EBUSY
 * when the CPU mapping kept changing or the page tables were being
 * evicted while SET mapped the span (try again).
 */
int amdgpu_svm_ioctl(struct amdgpu_svm *svm, struct drm_amdgpu_gem_svm *args)
{
	int ret;

	down_read(&svm->teardown_lock);
	if (svm->torn_down)
		ret = -ESRCH;
	else if (current->mm != svm->mm)
		ret = -EPERM;
	else
		ret = ioctl_locked(svm, args);
	up_read(&svm->teardown_lock);
	return ret;
}

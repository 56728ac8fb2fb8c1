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
#include "amdgpu_svm_migrate.h"
#include "amdgpu_svm_range.h"
#include "amdgpu_svm_vm.h"
#include "amdgpu_svm_vram.h"

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
 * attributes and the VMA; DOC: SVM workers and evictions says how they
 * and the queues' quiesce and resume go together. The GPU fault handler
 * runs the garbage collector itself before it looks at ranges, so it
 * never finds a range that is about to go.
 */

/**
 * DOC: Locking
 *
 * From outside in:
 *
 * - &amdgpu_svm.lock, the SVM lock (registered with
 *   drm_gpusvm_driver_set_lock()): serialises inserting, mapping and
 *   removing ranges. Taken by the ioctl, the GPU fault handler and the
 *   workers; never by an MMU notifier.
 * - &amdgpu_svm_attr_tree.lock, the attribute lock: the attribute tree.
 *   Taken under the SVM lock; while it is held, ranges may be removed, but
 *   not mapped (mapping looks attributes up).
 * - the mmap lock, for read: held across the mapping of one attribute
 *   interval (an ioctl) or one granule (a GPU fault), while ranges are
 *   named (drm_gpusvm_range_find_or_insert_span()), their pages faulted in
 *   (drm_gpusvm_get_pages_locked()) and their PTEs committed; the
 *   notifiers the span needs are inserted before it is taken, since that
 *   takes it too. The restore worker's get_pages() takes it itself. MMU
 *   notifiers run under it.
 * - the page-table lock (&amdgpu_svm_gpu_ops.lock_pt: the root page
 *   directory's reservation on amdgpu), taken after the pages are
 *   obtained, for the commit only; under the mmap lock, as KFD takes it
 *   and as dma-resv's lockdep priming orders them.
 * - the drm_gpusvm notifier lock: held for write by MMU notifiers, for
 *   read while checking pages valid and writing PTEs, in a
 *   memalloc_noreclaim scope so that no allocation recurses into reclaim
 *   and back into a notifier. Page tables are made before it is taken
 *   (&amdgpu_svm_gpu_ops.prepare_pt), so what remains under it is the
 *   check and the commit (with SDMA page-table updates, amdgpu still
 *   allocates the job, its IB and the TLB callback there).
 * - &amdgpu_vm.eviction_lock, taken by amdgpu_vm_update_range() under the
 *   notifier lock, on both the map and the clear path.
 * - &amdgpu_svm_work.queues_lock, around stopping the queues and letting them
 *   go: in MMU notifiers under the notifier lock, under the SVM lock from
 *   SET, teardown and the workers (a partial munmap whose rest cannot be
 *   kept), alone from the workers when they resume. Quiescing takes and drops
 *   &amdgpu_device.notifier_lock under it, as amdgpu's own HMM notifier
 *   takes that lock, and waits for fences.
 * - &amdgpu_svm_work.lock, a spinlock for the worker lists and the retry.
 *
 * &amdgpu_svm.teardown_lock is outermost of all: each request (ioctl, GPU
 * fault) holds it for read, teardown for write, so teardown waits for the
 * requests in flight and later requests see the SVM torn down.
 *
 * MMU notifiers take no driver mutex: they run with the mmap lock held,
 * which the ioctl path waits for while it holds the SVM lock.
 *
 * Why the SVM lock stays, and is held across HMM faults. In review of this
 * design the amdgpu VM maintainer asked that SVM not hold a big outer lock
 * across HMM faults and take &amdgpu_vm.eviction_lock only while mappings
 * are updated; the drm_gpusvm author prefers retry loops to locks. This
 * series does both where they matter to the rest of amdgpu:
 *
 * - The locks that CS, TTM eviction and KFD contend on are held only for
 *   the commit: the root page directory's reservation from lock_pt to
 *   unlock_pt around one range's PTE write, and &amdgpu_vm.eviction_lock
 *   inside amdgpu_vm_update_range() itself. Neither is held across
 *   get_pages(), and neither is held while waiting for a fence.
 * - The commit is a retry loop: the pages are checked valid under the
 *   notifier lock and the PTEs written under it; an invalidation in
 *   between makes the check fail with -EAGAIN and the range is obtained
 *   again (MAP_RETRIES times).
 * - The SVM lock is private to one SVM: no other amdgpu path takes it, no
 *   MMU notifier waits for it, and it is never taken under a reservation.
 *   drm_gpusvm needs a driver lock for inserting and removing ranges
 *   (drm_gpusvm_driver_set_lock()); the garbage collector must not remove
 *   a range that a fault or a SET is mapping; and the attribute tree, the
 *   ranges and the worker lists must change together, or a range could be
 *   made from attributes a concurrent SET is replacing. Refcounts and
 *   retries alone would let a fault map a range the GC has just removed,
 *   with nothing left to clear it. Holding it across the HMM fault costs
 *   only other SVM requests of the same process and device.
 *
 * Lockdep checks this order in the amdgpu_svm_vm KUnit suite, which runs
 * with the real root reservation, the real eviction lock (taken by
 * amdgpu_vm_update_range()), real MMU notifiers and the real user-queue
 * manager.
 */

static const unsigned long amdgpu_svm_chunk_sizes[] = { SZ_2M, SZ_64K, SZ_4K };

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
		goto out_attr;
	ret = amdgpu_svm_vram_module_init();
	if (ret)
		goto out_range;
	return 0;

out_range:
	amdgpu_svm_range_cache_destroy();
out_attr:
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
	amdgpu_svm_vram_module_exit();
	amdgpu_svm_range_cache_destroy();
	amdgpu_svm_attr_cache_destroy();
}

static void amdgpu_svm_mm_release(struct mmu_notifier *mn, struct mm_struct *mm);
static void amdgpu_svm_free_notifier(struct mmu_notifier *mn);

static const struct mmu_notifier_ops amdgpu_svm_release_notifier_ops = {
	.release = amdgpu_svm_mm_release,
	.free_notifier = amdgpu_svm_free_notifier,
};

static void amdgpu_svm_vwarn(struct amdgpu_svm *svm, struct ratelimit_state *rs,
			     struct va_format *vaf)
{
	if (__ratelimit(rs))
		dev_warn(svm->drm->dev, "SVM: %pV", vaf);
}

/**
 * amdgpu_svm_warn() - Warn of a failure SVM cannot hand back to a caller
 * @svm: the SVM
 * @fmt: the message, after "SVM: "; it names the pages and the errno
 *
 * For errors met where nobody waits for the result: the workers, the
 * removal of ranges, and the quiesce of the queues, which MMU notifiers
 * also start. Rate-limited per SVM; a notifier's own failures have a
 * limit of their own (amdgpu_svm_notifier_warn()).
 */
void amdgpu_svm_warn(struct amdgpu_svm *svm, const char *fmt, ...)
{
	struct va_format vaf = { .fmt = fmt };
	va_list args;

	va_start(args, fmt);
	vaf.va = &args;
	amdgpu_svm_vwarn(svm, &svm->warn_rs, &vaf);
	va_end(args);
}

/**
 * amdgpu_svm_notifier_warn() - Warn of a failure in an MMU notifier
 * @svm: the SVM
 * @fmt: the message, after "SVM: "; it names the pages and the errno
 *
 * As amdgpu_svm_warn(), with a rate limit of its own: a worker that keeps
 * failing must not silence the report of a GPU mapping that may outlive
 * the CPU's.
 */
void amdgpu_svm_notifier_warn(struct amdgpu_svm *svm, const char *fmt, ...)
{
	struct va_format vaf = { .fmt = fmt };
	va_list args;

	va_start(args, fmt);
	vaf.va = &args;
	amdgpu_svm_vwarn(svm, &svm->notifier_warn_rs, &vaf);
	va_end(args);
}

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
	ratelimit_state_init(&svm->warn_rs, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
	ratelimit_state_init(&svm->notifier_warn_rs, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
	mutex_init(&svm->lock);
	ret = amdgpu_svm_work_init(svm);
	if (ret)
		return ret;

	amdgpu_svm_attr_defaults(&defaults, xnack_on, granularity);
	amdgpu_svm_attr_tree_init(&svm->attrs, mm, &defaults);

	ret = drm_gpusvm_init(&svm->gpusvm, "amdgpu_svm", mm, 0, TASK_SIZE,
			      SZ_512M, &amdgpu_svm_range_ops, amdgpu_svm_chunk_sizes,
			      ARRAY_SIZE(amdgpu_svm_chunk_sizes));
	if (ret)
		goto err_attrs;
	drm_gpusvm_driver_set_lock(&svm->gpusvm, &svm->lock);

	svm->release_notifier.ops = &amdgpu_svm_release_notifier_ops;
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
	amdgpu_svm_work_fini(svm);
	amdgpu_svm_work_destroy(svm);
	return ret;
}

/*
 * Wait for the requests in flight, then remove every range (unmapping it
 * from the GPU) and free the attributes; the queues are resumed if an
 * eviction left them stopped. Runs once: from amdgpu_svm_fini() or from
 * the release notifier, whichever comes first.
 */
static void amdgpu_svm_teardown(struct amdgpu_svm *svm)
{
	unsigned long first = 0, last = (TASK_SIZE >> PAGE_SHIFT) - 1;

	down_write(&svm->teardown_lock);
	if (svm->torn_down) {
		up_write(&svm->teardown_lock);
		return;
	}
	WRITE_ONCE(svm->torn_down, true);
	amdgpu_svm_flush_work(svm);
	mutex_lock(&svm->lock);
	/* Queues of the process may still run (XNACK off: a fault is fatal). */
	if (!svm->xnack_on && amdgpu_svm_range_mapped_in(svm, first, last))
		amdgpu_svm_hold_queues(svm);
	amdgpu_svm_range_remove_span(svm, &first, &last);
	amdgpu_svm_work_forget_retry(svm);
	drm_gpusvm_fini(&svm->gpusvm);
	mutex_unlock(&svm->lock);
	amdgpu_svm_work_fini(svm);
	amdgpu_svm_attr_tree_fini(&svm->attrs);
	up_write(&svm->teardown_lock);
	/* The notifier's reference goes once SRCU readers are done with it. */
	mmu_notifier_put(&svm->release_notifier);
	mmdrop(svm->mm);
}

static void amdgpu_svm_mm_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	amdgpu_svm_teardown(container_of(mn, struct amdgpu_svm, release_notifier));
}

static void amdgpu_svm_free_notifier(struct mmu_notifier *mn)
{
	amdgpu_svm_put(container_of(mn, struct amdgpu_svm, release_notifier));
}

/**
 * amdgpu_svm_fini() - Let go of the owner's reference to the SVM
 * @svm: the SVM
 *
 * Tears the SVM down unless the release of its mm already did, and drops
 * the owner's reference. Requests still holding a reference fail with
 * -ESRCH from here on.
 */
void amdgpu_svm_fini(struct amdgpu_svm *svm)
{
	amdgpu_svm_teardown(svm);
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

static void amdgpu_svm_release(struct kref *ref)
{
	struct amdgpu_svm *svm = container_of(ref, struct amdgpu_svm, ref);

	amdgpu_svm_work_destroy(svm);
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
	kref_put(&svm->ref, amdgpu_svm_release);
}

/**
 * amdgpu_svm_is_torn_down() - Tell whether the SVM serves no more requests
 * @svm: the SVM
 *
 * Return: true after amdgpu_svm_fini() or the release of the mm.
 */
bool amdgpu_svm_is_torn_down(struct amdgpu_svm *svm)
{
	return READ_ONCE(svm->torn_down);
}

/**
 * struct amdgpu_svm_attr_change_ctx - What an attribute change left for the range layer
 * @svm: the SVM
 * @map_start: first page of the span to map (XNACK off), if @map
 * @map_last: last page of it
 * @map: some span became accessible or changed its PTE flags
 * @held: the queues were stopped for this change (XNACK off)
 */
struct amdgpu_svm_attr_change_ctx {
	struct amdgpu_svm *svm;
	unsigned long map_start;
	unsigned long map_last;
	bool map;
	bool held;
};

/* Widen the span to map to cover [start, last]. */
static void amdgpu_svm_map_also(struct amdgpu_svm_attr_change_ctx *c, unsigned long start,
				unsigned long last)
{
	c->map_start = c->map ? min(c->map_start, start) : start;
	c->map_last = c->map ? max(c->map_last, last) : last;
	c->map = true;
}

/* Stop the queues once for this change, before GPU-mapped memory goes. */
static void amdgpu_svm_hold_for_change(struct amdgpu_svm_attr_change_ctx *c)
{
	if (c->held || c->svm->xnack_on)
		return;
	amdgpu_svm_hold_queues(c->svm);
	c->held = true;
}

/* Whether every page of [start, last] is accessible now; attribute lock held. */
static bool amdgpu_svm_span_accessible(struct amdgpu_svm *svm, unsigned long start,
				       unsigned long last)
{
	struct amdgpu_svm_attrs attrs;
	unsigned long s, l;

	while (start <= last) {
		amdgpu_svm_attr_tree_lookup_locked(&svm->attrs, start, &attrs, &s, &l);
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
static void amdgpu_svm_attrs_changed(void *priv, unsigned long start, unsigned long last,
				     u32 changes)
{
	struct amdgpu_svm_attr_change_ctx *c = priv;
	struct amdgpu_svm *svm = c->svm;

	lockdep_assert_held(&svm->attrs.lock);
	lockdep_assert_held(&svm->lock);
	if (!(changes & (AMDGPU_SVM_CHANGE_ACCESS | AMDGPU_SVM_CHANGE_PTE)))
		return;
	if (!svm->xnack_on && amdgpu_svm_span_accessible(svm, start, last)) {
		if (amdgpu_svm_range_cut_by(svm, start, last, true))
			amdgpu_svm_hold_for_change(c);
		amdgpu_svm_range_remove_cut(svm, &start, &last);
		amdgpu_svm_map_also(c, start, last);
		return;
	}
	if (amdgpu_svm_range_mapped_in(svm, start, last))
		amdgpu_svm_hold_for_change(c);
	amdgpu_svm_range_remove_span(svm, &start, &last);
	if (!svm->xnack_on)
		amdgpu_svm_map_also(c, start, last);
}

/* Whether a SET names PREFETCH_LOC, which moves the span's pages (DOC: Migration). */
static bool amdgpu_svm_request_prefetches(const struct amdgpu_svm_attr_req *req)
{
	return req && (req->mask & BIT(AMDGPU_SVM_ATTR_PREFETCH_LOC));
}

/**
 * amdgpu_svm_set_attr() - Change attributes and the GPU mappings (SET_ATTR)
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
 * A request that names PREFETCH_LOC first moves the span's pages where it
 * says (amdgpu_svm_migrate_prefetch()), then maps the span in either mode.
 *
 * Return: 0; -ENOMEM with nothing changed, if the attributes could not be
 * stored; -ENOMEM, -EAGAIN, -EBUSY or -EINTR while mapping (attributes
 * set, part of the span mapped, see amdgpu_svm_range_map_span()): the same
 * request made again completes it.
 */
int amdgpu_svm_set_attr(struct amdgpu_svm *svm, unsigned long start,
			unsigned long last, const struct amdgpu_svm_attr_req *req)
{
	struct amdgpu_svm_attr_change_ctx c = { .svm = svm };
	int ret;

	mutex_lock(&svm->lock);
	amdgpu_svm_range_collect_garbage(svm);
	ret = amdgpu_svm_attr_tree_set(&svm->attrs, start, last, req, amdgpu_svm_attrs_changed, &c);
	if (!ret && amdgpu_svm_request_prefetches(req)) {
		ret = amdgpu_svm_migrate_prefetch(svm, start, last);
		/* A prefetch maps what it moved, in either XNACK mode. */
		amdgpu_svm_map_also(&c, start, last);
	}
	if (!svm->xnack_on)
		amdgpu_svm_map_also(&c, start, last);
	if (!ret && c.map)
		ret = amdgpu_svm_range_map_span(svm, c.map_start, c.map_last, false);
	/* The queues stopped for this change run again on a complete mapping. */
	if (c.held)
		amdgpu_svm_work_release_hold(svm, c.map_start, c.map_last, ret);
	mutex_unlock(&svm->lock);
	return ret;
}

/**
 * amdgpu_svm_reset_attr() - Reset a span's attributes and its mappings (RESET_ATTR)
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
static bool amdgpu_svm_fault_ts_after(u64 a, u64 b)
{
	return (s64)((a << 16) - (b << 16)) > 0;
}

/*
 * Whether a fault raised at @ts may be about pages the CPU unmapped after
 * it was raised. The first fault raised after the checkpoint clears it,
 * so that a later wrap of the timestamps cannot drop good faults.
 */
static bool amdgpu_svm_fault_is_stale(struct amdgpu_svm *svm, u64 ts)
{
	u64 checkpoint = atomic64_read(&svm->fault_checkpoint);

	if (!checkpoint)
		return false;
	if (!amdgpu_svm_fault_ts_after(ts, checkpoint))
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
 * retried faults); -ESRCH after teardown; -EFAULT with XNACK off, where
 * nothing is mapped on demand; -EACCES, -EPERM or -EFAULT when the GPU may
 * not access the address as it asked (see amdgpu_svm_range_map_fault()).
 */
int amdgpu_svm_handle_fault(struct amdgpu_svm *svm, unsigned long addr,
			    u64 ts, bool write)
{
	bool duplicate;
	int ret = -ESRCH;

	down_read(&svm->teardown_lock);
	if (svm->torn_down)
		goto out;
	/* As KFD: with XNACK off, SVM maps ahead, and a fault is the GPU's error. */
	ret = -EFAULT;
	if (!svm->xnack_on)
		goto out;
	if (amdgpu_svm_fault_is_stale(svm, ts)) {
		amdgpu_svm_stat_inc(&svm->stats.faults_stale);
		ret = 0;
		goto out;
	}
	mutex_lock(&svm->lock);
	amdgpu_svm_range_collect_garbage(svm);
	ret = amdgpu_svm_range_map_fault(svm, addr, write, &duplicate);
	mutex_unlock(&svm->lock);
	if (!ret && duplicate) {
		amdgpu_svm_stat_inc(&svm->stats.faults_duplicate);
		ret = 0;
	} else if (!ret) {
		amdgpu_svm_stat_inc(&svm->stats.faults_handled);
	} else if (amdgpu_svm_fault_error_is_transient(ret)) {
		/* Handled for now: the GPU retries and we try again. */
		amdgpu_svm_stat_inc(&svm->stats.faults_retry);
		ret = 0;
	}
out:
	up_read(&svm->teardown_lock);
	return ret;
}

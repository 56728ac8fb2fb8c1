// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#include <linux/sched/mm.h>
#include <linux/sizes.h>

#include "amdgpu_svm.h"
#include "amdgpu_svm_range.h"

/**
 * DOC: SVM core
 *
 * One &struct amdgpu_svm per device and process: a drm_gpusvm instance on
 * the process's mm, the attribute tree, the SVM lock and two workers on an
 * ordered workqueue.
 *
 * The garbage collector removes the ranges the CPU unmapped and, with
 * XNACK off, maps again the parts of them that are still mapped. The
 * restore worker maps evicted ranges again (XNACK off only: with XNACK on
 * the next GPU fault does). The first eviction since the queues last ran
 * quiesces them; a worker that finds nothing left to do resumes them, once
 * per quiesce. Both workers run under the SVM lock, and the GPU fault
 * handler runs the garbage collector itself before it looks at ranges, so
 * it never finds a range that is about to go.
 */

static const unsigned long chunk_sizes[] = { SZ_2M, SZ_64K, SZ_4K };

/* Resume the queues if nothing was evicted since @seen and no work is left. */
static void resume_if_idle(struct amdgpu_svm *svm, int seen)
{
	if (!seen || amdgpu_svm_range_work_pending(svm))
		return;
	if (atomic_cmpxchg(&svm->evictions, seen, 0) == seen)
		svm->ops->resume(svm);
	else
		queue_work(svm->wq, &svm->restore_work);
}

static void gc_work_func(struct work_struct *work)
{
	struct amdgpu_svm *svm = container_of(work, struct amdgpu_svm, gc_work);
	int seen = atomic_read(&svm->evictions);

	mutex_lock(&svm->lock);
	amdgpu_svm_range_collect_garbage(svm);
	mutex_unlock(&svm->lock);
	resume_if_idle(svm, seen);
}

static void restore_work_func(struct work_struct *work)
{
	struct amdgpu_svm *svm = container_of(work, struct amdgpu_svm, restore_work);
	int seen = atomic_read(&svm->evictions);

	mutex_lock(&svm->lock);
	amdgpu_svm_range_collect_garbage(svm);
	amdgpu_svm_range_restore(svm);
	mutex_unlock(&svm->lock);
	resume_if_idle(svm, seen);
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
	mutex_init(&svm->lock);
	spin_lock_init(&svm->work_lock);
	INIT_LIST_HEAD(&svm->gc_list);
	INIT_LIST_HEAD(&svm->restore_list);
	INIT_WORK(&svm->gc_work, gc_work_func);
	INIT_WORK(&svm->restore_work, restore_work_func);

	svm->wq = alloc_ordered_workqueue("amdgpu_svm", WQ_MEM_RECLAIM);
	if (!svm->wq)
		return -ENOMEM;

	amdgpu_svm_attr_defaults(&defaults, xnack_on, granularity);
	amdgpu_svm_attr_tree_init(&svm->attrs, mm, &defaults);

	ret = drm_gpusvm_init(&svm->gpusvm, "amdgpu_svm", mm, 0, TASK_SIZE,
			      SZ_512M, &amdgpu_svm_range_ops, chunk_sizes,
			      ARRAY_SIZE(chunk_sizes));
	if (ret) {
		amdgpu_svm_attr_tree_fini(&svm->attrs);
		destroy_workqueue(svm->wq);
		return ret;
	}
	drm_gpusvm_driver_set_lock(&svm->gpusvm, &svm->lock);
	return 0;
}

/**
 * amdgpu_svm_flush_work() - Wait until both workers are idle
 * @svm: the SVM, not locked
 */
void amdgpu_svm_flush_work(struct amdgpu_svm *svm)
{
	flush_workqueue(svm->wq);
}

/**
 * amdgpu_svm_fini() - Tear SVM down
 * @svm: the SVM
 *
 * Waits for the workers, removes every range (unmapping it from the GPU),
 * and frees the attributes. The queues are resumed if an eviction left
 * them stopped.
 */
void amdgpu_svm_fini(struct amdgpu_svm *svm)
{
	unsigned long first = 0, last = (TASK_SIZE >> PAGE_SHIFT) - 1;

	amdgpu_svm_flush_work(svm);
	mutex_lock(&svm->lock);
	amdgpu_svm_range_remove_span(svm, &first, &last);
	drm_gpusvm_fini(&svm->gpusvm);
	mutex_unlock(&svm->lock);
	destroy_workqueue(svm->wq);
	if (atomic_xchg(&svm->evictions, 0))
		svm->ops->resume(svm);
	amdgpu_svm_attr_tree_fini(&svm->attrs);
	mutex_destroy(&svm->lock);
}

/**
 * struct attr_change - What an attribute change left for the range layer
 * @svm: the SVM
 * @map_start: first page of the span to map (XNACK off), if @map
 * @map_last: last page of it
 * @map: some span became accessible or changed its PTE flags
 */
struct attr_change {
	struct amdgpu_svm *svm;
	unsigned long map_start;
	unsigned long map_last;
	bool map;
};

/* Called under the attribute lock: remove, but do not map yet. */
static void attrs_changed(void *priv, unsigned long start, unsigned long last,
			  u32 changes)
{
	struct attr_change *c = priv;

	if (!(changes & (AMDGPU_SVM_CHANGE_ACCESS | AMDGPU_SVM_CHANGE_PTE)))
		return;
	amdgpu_svm_range_remove_span(c->svm, &start, &last);
	if (c->svm->xnack_on)
		return;
	c->map_start = c->map ? min(c->map_start, start) : start;
	c->map_last = c->map ? max(c->map_last, last) : last;
	c->map = true;
}

/**
 * amdgpu_svm_set_attr() - SET_ATTR: change attributes and the GPU mappings
 * @svm: the SVM
 * @start: first page
 * @last: last page
 * @req: the checked request; NULL puts the span back to the defaults
 *
 * Ranges of spans whose access or PTE flags changed are removed; with XNACK
 * off, the accessible ones are mapped again before this returns.
 *
 * Return: 0; -ENOMEM with nothing changed; -EINTR (attributes set, part
 * of the span mapped, see amdgpu_svm_range_map_span()).
 */
int amdgpu_svm_set_attr(struct amdgpu_svm *svm, unsigned long start,
			unsigned long last, const struct amdgpu_svm_attr_req *req)
{
	struct attr_change c = { .svm = svm };
	int ret;

	mutex_lock(&svm->lock);
	amdgpu_svm_range_collect_garbage(svm);
	ret = amdgpu_svm_attr_set(&svm->attrs, start, last, req, attrs_changed, &c);
	if (!ret && c.map)
		ret = amdgpu_svm_range_map_span(svm, c.map_start, c.map_last, false);
	mutex_unlock(&svm->lock);
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

/**
 * amdgpu_svm_handle_fault() - Serve a GPU page fault (XNACK on)
 * @svm: the SVM
 * @addr: the faulting address
 * @write: the access was a write
 *
 * Runs pending garbage collection first, so the fault never lands in a
 * range that is about to be removed.
 *
 * Return: 0, or an error of amdgpu_svm_range_map_fault().
 */
int amdgpu_svm_handle_fault(struct amdgpu_svm *svm, unsigned long addr,
			    bool write)
{
	int ret;

	mutex_lock(&svm->lock);
	amdgpu_svm_range_collect_garbage(svm);
	ret = amdgpu_svm_range_map_fault(svm, addr, write);
	mutex_unlock(&svm->lock);
	return ret;
}

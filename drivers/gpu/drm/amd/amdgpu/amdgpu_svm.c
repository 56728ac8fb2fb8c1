// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "amdgpu_svm.h"
#include "amdgpu_svm_range.h"

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
	struct mm_struct *mm = svm->gpusvm.mm;
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
	if (!span_is_mapped(svm->gpusvm.mm, start, end))
		return -EFAULT;
	ret = amdgpu_svm_set_attr(svm, start >> PAGE_SHIFT, (end >> PAGE_SHIFT) - 1,
				  &req);
	if (ret)
		return ret;
	return drop_unmapped(svm, start, end);
}

/**
 * amdgpu_svm_ioctl() - Carry out one DRM_AMDGPU_GEM_SVM request
 * @svm: the SVM of the device file's VM
 * @args: the request, copied in from userspace
 *
 * Checks the request, copies the attribute array in, dispatches SET, GET
 * or RESET and copies GET's answers out. SET and GET need the whole span
 * mapped by the CPU; RESET does not. A failed request changes nothing,
 * except -EINTR from SET (see amdgpu_svm_set_attr()).
 *
 * Return: 0; -EPERM when the caller's mm is not the one the SVM serves (a
 * forked child, or a process the file was passed to); -EINVAL for a bad
 * span, operation, count or attribute; -EFAULT for an unreadable or
 * unwritable array, or a span not mapped by the CPU; -ENOMEM; -EINTR.
 */
int amdgpu_svm_ioctl(struct amdgpu_svm *svm, struct drm_amdgpu_gem_svm *args)
{
	void __user *uattrs = u64_to_user_ptr(args->attrs_ptr);
	struct drm_amdgpu_svm_attribute *attrs = NULL;
	size_t bytes = (size_t)args->nattr * sizeof(*attrs);
	unsigned long first, last;
	int ret;

	if (current->mm != svm->gpusvm.mm)
		return -EPERM;
	ret = ioctl_check_span(args);
	if (ret)
		return ret;
	first = args->start_addr >> PAGE_SHIFT;
	last = first + (args->size >> PAGE_SHIFT) - 1;

	if (args->nattr) {
		attrs = kvmalloc(bytes, GFP_KERNEL);
		if (!attrs)
			return -ENOMEM;
		if (copy_from_user(attrs, uattrs, bytes)) {
			ret = -EFAULT;
			goto out;
		}
	}

	switch (args->operation) {
	case AMDGPU_SVM_OP_SET_ATTR:
		ret = ioctl_set(svm, args, attrs);
		break;
	case AMDGPU_SVM_OP_GET_ATTR:
		if (!span_is_mapped(svm->gpusvm.mm, args->start_addr,
				    args->start_addr + args->size)) {
			ret = -EFAULT;
			break;
		}
		ret = amdgpu_svm_attr_get(&svm->attrs, first, last, attrs, args->nattr);
		if (!ret && bytes && copy_to_user(uattrs, attrs, bytes))
			ret = -EFAULT;
		break;
	default:
		ret = amdgpu_svm_reset_attr(svm, first, last);
	}
out:
	kvfree(attrs);
	return ret;
}

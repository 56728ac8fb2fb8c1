// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "amdgpu_svm.h"
#include "amdgpu_svm_ioctl.h"

/**
 * DOC: SVM requests
 *
 * amdgpu_svm_ioctl() serves one DRM_AMDGPU_GEM_SVM request. It checks the
 * span, the operation and the attribute count, copies the attribute array
 * in, parses a SET_ATTR array into a request (amdgpu_svm_ioctl_parse_attrs())
 * before anything changes, hands SET and RESET to amdgpu_svm_set_attr() and
 * folds a span's attributes into GET_ATTR's answers
 * (amdgpu_svm_ioctl_read_attrs()). Only the process whose mm the SVM serves
 * may call it.
 */

static bool amdgpu_svm_ioctl_location_valid(u32 loc)
{
	return loc == AMDGPU_SVM_LOCATION_SYSMEM ||
	       loc == AMDGPU_SVM_LOCATION_LOCAL ||
	       loc == AMDGPU_SVM_LOCATION_UNDEFINED;
}

static int amdgpu_svm_ioctl_req_add(struct amdgpu_svm_attr_req *req, u32 type,
				    u32 value)
{
	switch (type) {
	case AMDGPU_SVM_ATTR_PREFERRED_LOC:
		if (!amdgpu_svm_ioctl_location_valid(value))
			return -EINVAL;
		req->val.preferred_loc = value;
		break;
	case AMDGPU_SVM_ATTR_PREFETCH_LOC:
		if (!amdgpu_svm_ioctl_location_valid(value))
			return -EINVAL;
		req->val.prefetch_loc = value;
		break;
	case AMDGPU_SVM_ATTR_ACCESS:
		if (value > AMDGPU_SVM_ACCESS_ALLOW_MIGRATE)
			return -EINVAL;
		req->val.access = value;
		break;
	case AMDGPU_SVM_ATTR_GRANULARITY:
		req->val.granularity = min(value, AMDGPU_SVM_MAX_GRANULARITY);
		break;
	case AMDGPU_SVM_ATTR_HOST_ACCESS ... AMDGPU_SVM_ATTR_GPU_READ_MOSTLY:
		if (value > 1)
			return -EINVAL;
		if (value)
			req->val.flags |= AMDGPU_SVM_FLAG(type);
		else
			req->val.flags &= ~AMDGPU_SVM_FLAG(type);
		break;
	default:
		return -EINVAL;
	}
	req->mask |= BIT(type);
	return 0;
}

/**
 * amdgpu_svm_ioctl_parse_attrs() - Check a SET_ATTR attribute array
 * @req: filled in with the request
 * @attrs: the attributes from userspace
 * @nattr: how many
 *
 * Rejects an unknown type, an access mode or location that does not exist,
 * and a boolean other than 0 or 1.  A granularity above
 * %AMDGPU_SVM_MAX_GRANULARITY is clamped, as KFD does.  When a type appears
 * more than once, the last one wins.
 *
 * Return: 0, or -EINVAL for an invalid attribute or more than
 * %AMDGPU_SVM_MAX_ATTRS of them.
 */
int amdgpu_svm_ioctl_parse_attrs(struct amdgpu_svm_attr_req *req,
				 const struct drm_amdgpu_svm_attribute *attrs,
				 u32 nattr)
{
	u32 i;
	int ret;

	memset(req, 0, sizeof(*req));
	if (nattr > AMDGPU_SVM_MAX_ATTRS)
		return -EINVAL;
	for (i = 0; i < nattr; i++) {
		ret = amdgpu_svm_ioctl_req_add(req, attrs[i].type, attrs[i].value);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * struct amdgpu_svm_ioctl_summary - The attributes of a span, folded as GET_ATTR reports
 * @first: whether nothing has been folded in yet
 * @all: the folded attributes
 * @preferred_mixed: the preferred locations differ
 * @prefetch_mixed: the prefetch locations differ
 */
struct amdgpu_svm_ioctl_summary {
	bool first;
	struct amdgpu_svm_attrs all;
	bool preferred_mixed;
	bool prefetch_mixed;
};

static void amdgpu_svm_ioctl_summary_add(void *priv,
					 const struct amdgpu_svm_attrs *a)
{
	struct amdgpu_svm_ioctl_summary *s = priv;

	if (s->first) {
		s->all = *a;
		s->first = false;
		return;
	}
	s->preferred_mixed |= s->all.preferred_loc != a->preferred_loc;
	s->prefetch_mixed |= s->all.prefetch_loc != a->prefetch_loc;
	s->all.access = min(s->all.access, a->access);
	s->all.granularity = min(s->all.granularity, a->granularity);
	s->all.flags &= a->flags;
}

static u32 amdgpu_svm_ioctl_summary_value(const struct amdgpu_svm_ioctl_summary *s,
					  u32 type)
{
	switch (type) {
	case AMDGPU_SVM_ATTR_PREFERRED_LOC:
		return s->preferred_mixed ? AMDGPU_SVM_LOCATION_UNDEFINED :
					    s->all.preferred_loc;
	case AMDGPU_SVM_ATTR_PREFETCH_LOC:
		return s->prefetch_mixed ? AMDGPU_SVM_LOCATION_UNDEFINED :
					   s->all.prefetch_loc;
	case AMDGPU_SVM_ATTR_ACCESS:
		return s->all.access;
	case AMDGPU_SVM_ATTR_GRANULARITY:
		return s->all.granularity;
	default:
		return !!(s->all.flags & AMDGPU_SVM_FLAG(type));
	}
}

/**
 * amdgpu_svm_ioctl_read_attrs() - Fold the attributes of a span as GET_ATTR reads them
 * @tree: the tree
 * @start: first page
 * @last: last page
 * @attrs: for each element, its type is read and its value filled in
 * @nattr: how many elements
 *
 * Where the span holds different settings: a location reads
 * %AMDGPU_SVM_LOCATION_UNDEFINED, a boolean reads 1 only if set on every
 * page, the granularity reads the smallest, the access mode the most
 * restrictive (INACCESSIBLE before IN_PLACE before ALLOW_MIGRATE).
 *
 * Return: 0, -EINVAL for an unknown type (nothing is filled in), or -ENOMEM
 * when dropping the attributes of unmapped memory first failed.
 */
int amdgpu_svm_ioctl_read_attrs(struct amdgpu_svm_attr_tree *tree,
				unsigned long start, unsigned long last,
				struct drm_amdgpu_svm_attribute *attrs, u32 nattr)
{
	struct amdgpu_svm_ioctl_summary s = { .first = true };
	u32 i;
	int ret;

	if (nattr > AMDGPU_SVM_MAX_ATTRS)
		return -EINVAL;
	for (i = 0; i < nattr; i++)
		if (attrs[i].type >= AMDGPU_SVM_ATTR_TYPES)
			return -EINVAL;
	ret = amdgpu_svm_attr_tree_visit(tree, start, last,
					 amdgpu_svm_ioctl_summary_add, &s);
	if (ret)
		return ret;
	for (i = 0; i < nattr; i++)
		attrs[i].value = amdgpu_svm_ioctl_summary_value(&s, attrs[i].type);
	return 0;
}

/* Whether VMAs cover every page of [start, end) without a gap. */
static bool amdgpu_svm_ioctl_span_is_mapped(struct mm_struct *mm, unsigned long start,
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
static int amdgpu_svm_ioctl_drop_unmapped(struct amdgpu_svm *svm, unsigned long start,
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

/* Check a request's span, operation and count: 0, or -EINVAL. */
static int amdgpu_svm_ioctl_check(const struct drm_amdgpu_gem_svm *args)
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

static int amdgpu_svm_ioctl_set(struct amdgpu_svm *svm, const struct drm_amdgpu_gem_svm *args,
				const struct drm_amdgpu_svm_attribute *attrs)
{
	unsigned long start = args->start_addr, end = start + args->size;
	struct amdgpu_svm_attr_req req;
	int ret;

	ret = amdgpu_svm_ioctl_parse_attrs(&req, attrs, args->nattr);
	if (ret)
		return ret;
	if (!amdgpu_svm_ioctl_span_is_mapped(svm->mm, start, end))
		return -EFAULT;
	if (svm->ops->span_in_use &&
	    svm->ops->span_in_use(svm, start >> PAGE_SHIFT, (end >> PAGE_SHIFT) - 1))
		return -EADDRINUSE;
	ret = amdgpu_svm_set_attr(svm, start >> PAGE_SHIFT, (end >> PAGE_SHIFT) - 1,
				  &req);
	if (ret)
		return ret;
	return amdgpu_svm_ioctl_drop_unmapped(svm, start, end);
}

/* Check the request and copy its attribute array in (*@attrs: kvfree it). */
static int amdgpu_svm_ioctl_copy_in(const struct drm_amdgpu_gem_svm *args,
				    struct drm_amdgpu_svm_attribute **attrs)
{
	size_t bytes = (size_t)args->nattr * sizeof(**attrs);
	int ret;

	*attrs = NULL;
	ret = amdgpu_svm_ioctl_check(args);
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

/**
 * amdgpu_svm_ioctl_check_first() - Check a request that would make the SVM
 * @args: the request, copied in from userspace; SET_ATTR or RESET_ATTR
 * @mm: the caller's mm
 *
 * Checks what amdgpu_svm_ioctl() checks before it changes anything, but
 * that the VM does not map the span otherwise (the VM's own check): the
 * span, operation and count, and for SET_ATTR the attribute array (read,
 * parsed and dropped again) and that @mm maps the span. Needs no SVM: the
 * device file's VM calls it before it makes one, so that a request
 * refused here leaves the process without an SVM, as it was (its SVM and
 * KFD's exclude each other).
 *
 * Return: 0, or the errno amdgpu_svm_ioctl() would return for the
 * request: -EINVAL, -EFAULT or -ENOMEM.
 */
int amdgpu_svm_ioctl_check_first(const struct drm_amdgpu_gem_svm *args, struct mm_struct *mm)
{
	struct drm_amdgpu_svm_attribute *attrs;
	struct amdgpu_svm_attr_req req;
	int ret;

	ret = amdgpu_svm_ioctl_copy_in(args, &attrs);
	if (ret || args->operation != AMDGPU_SVM_OP_SET_ATTR)
		goto out;
	ret = amdgpu_svm_ioctl_parse_attrs(&req, attrs, args->nattr);
	if (!ret && !amdgpu_svm_ioctl_span_is_mapped(mm, args->start_addr,
						     args->start_addr + args->size))
		ret = -EFAULT;
out:
	kvfree(attrs);
	return ret;
}

/* GET_ATTR from @tree over a span @mm maps; the answers go back out. */
static int amdgpu_svm_ioctl_get(struct amdgpu_svm_attr_tree *tree, struct mm_struct *mm,
				const struct drm_amdgpu_gem_svm *args,
				struct drm_amdgpu_svm_attribute *attrs)
{
	unsigned long first = args->start_addr >> PAGE_SHIFT;
	unsigned long last = first + (args->size >> PAGE_SHIFT) - 1;
	size_t bytes = (size_t)args->nattr * sizeof(*attrs);
	int ret;

	if (!amdgpu_svm_ioctl_span_is_mapped(mm, args->start_addr, args->start_addr + args->size))
		return -EFAULT;
	ret = amdgpu_svm_ioctl_read_attrs(tree, first, last, attrs, args->nattr);
	if (!ret && bytes && copy_to_user(u64_to_user_ptr(args->attrs_ptr), attrs, bytes))
		ret = -EFAULT;
	return ret;
}

/* amdgpu_svm_ioctl() for the mm's own process, teardown held off. */
static int amdgpu_svm_ioctl_serve(struct amdgpu_svm *svm, struct drm_amdgpu_gem_svm *args)
{
	struct drm_amdgpu_svm_attribute *attrs;
	unsigned long first, last;
	int ret;

	lockdep_assert_held_read(&svm->teardown_lock);
	ret = amdgpu_svm_ioctl_copy_in(args, &attrs);
	if (ret)
		return ret;
	first = args->start_addr >> PAGE_SHIFT;
	last = first + (args->size >> PAGE_SHIFT) - 1;

	switch (args->operation) {
	case AMDGPU_SVM_OP_SET_ATTR:
		ret = amdgpu_svm_ioctl_set(svm, args, attrs);
		break;
	case AMDGPU_SVM_OP_GET_ATTR:
		ret = amdgpu_svm_ioctl_get(&svm->attrs, svm->mm, args, attrs);
		break;
	default:
		ret = amdgpu_svm_reset_attr(svm, first, last);
	}
	kvfree(attrs);
	return ret;
}

/**
 * amdgpu_svm_ioctl_get_defaults() - Answer GET_ATTR where no SVM exists yet
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
	ret = amdgpu_svm_ioctl_copy_in(args, &attrs);
	if (ret)
		return ret;
	tree = kmalloc_obj(*tree);
	if (!tree) {
		kvfree(attrs);
		return -ENOMEM;
	}
	amdgpu_svm_attr_defaults(&defaults, xnack_on, granularity);
	amdgpu_svm_attr_tree_init(tree, NULL, &defaults);
	ret = amdgpu_svm_ioctl_get(tree, current->mm, args, attrs);
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
		ret = amdgpu_svm_ioctl_serve(svm, args);
	up_read(&svm->teardown_lock);
	return ret;
}

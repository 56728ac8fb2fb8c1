// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/sizes.h>

#include "amdgpu_svm_attr.h"
#include "amdgpu_svm_test_hooks.h"

/**
 * DOC: SVM attributes
 *
 * Userspace describes how the GPU should treat its memory with attributes
 * (access mode, locations, granularity, flags) set on address spans.  The
 * attributes live in an interval tree of their own, keyed by page number,
 * apart from the drm_gpusvm ranges that hold the GPU mappings.  drm_gpusvm
 * chooses range sizes from fault addresses and chunk sizes, and destroys a
 * whole range when part of it is unmapped; keeping attributes in ranges
 * would lose the settings of memory that is still mapped, and would scatter
 * one setting over many ranges.
 *
 * The tree holds only what differs from the defaults: a page that no
 * interval covers has the defaults.  Intervals never overlap, are never
 * empty, and two adjacent intervals never hold equal attributes (they are
 * merged).  A SET_ATTR request is checked as a whole before anything
 * changes; then the span is rebuilt: intervals that stick out are split at
 * the span's ends, holes are filled, and equal neighbours are merged.  All
 * allocation happens before the tree is touched, so a failed request leaves
 * the tree as it was.  The caller is told, span by span, which kind of
 * attribute changed (&enum amdgpu_svm_attr_change), so that the range layer
 * touches exactly the GPU mappings it must.
 *
 * Attributes belong to the CPU mapping: once memory is unmapped, its
 * attributes go, and a new mapping at the same address starts from the
 * defaults.  drm_gpusvm only watches ranges the GPU has mapped, so the tree
 * keeps MMU interval notifiers of its own over the blocks that hold
 * intervals.  A notifier runs with the mmap lock held and must not take the
 * tree lock (a SET_ATTR may hold the tree lock while it waits for the mmap
 * lock): it only records the unmapped span.  The spans are dropped from the
 * tree by a worker, and at the start of every operation on the tree, so no
 * operation sees the attributes of memory that has been unmapped.
 */

/**
 * amdgpu_svm_attr_defaults() - Fill in the attributes of a page nobody set
 * @attrs: filled in
 * @xnack_on: whether the GPU retries page faults
 * @granularity: the default granularity (the svm_default_granularity
 *	module parameter)
 *
 * A GPU that retries faults may access any memory by default and maps it on
 * fault; one that cannot must be told which memory to map, so nothing is
 * accessible by default.
 */
void amdgpu_svm_attr_defaults(struct amdgpu_svm_attrs *attrs, bool xnack_on,
			      unsigned int granularity)
{
	*attrs = (struct amdgpu_svm_attrs) {
		.preferred_loc = AMDGPU_SVM_LOCATION_UNDEFINED,
		.prefetch_loc = AMDGPU_SVM_LOCATION_UNDEFINED,
		.access = xnack_on ? AMDGPU_SVM_ACCESS_ALLOW_MIGRATE :
				     AMDGPU_SVM_ACCESS_INACCESSIBLE,
		.granularity = min(granularity, AMDGPU_SVM_MAX_GRANULARITY),
		.flags = AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_HOST_ACCESS) |
			 AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_COHERENT),
	};
}

static bool amdgpu_svm_attr_equal(const struct amdgpu_svm_attrs *a,
				  const struct amdgpu_svm_attrs *b)
{
	return a->preferred_loc == b->preferred_loc &&
	       a->prefetch_loc == b->prefetch_loc &&
	       a->access == b->access &&
	       a->granularity == b->granularity &&
	       a->flags == b->flags;
}

#define AMDGPU_SVM_ATTR_PTE_FLAGS (AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_GPU_RO) | \
		   AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_GPU_EXEC) | \
		   AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_COHERENT) | \
		   AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_EXT_COHERENT))

static u32 amdgpu_svm_attr_changes(const struct amdgpu_svm_attrs *old,
				   const struct amdgpu_svm_attrs *new)
{
	u8 flags = old->flags ^ new->flags;
	u32 changes = 0;

	if (old->access != new->access)
		changes |= AMDGPU_SVM_CHANGE_ACCESS;
	if (flags & AMDGPU_SVM_ATTR_PTE_FLAGS)
		changes |= AMDGPU_SVM_CHANGE_PTE;
	if (old->preferred_loc != new->preferred_loc || (flags & ~AMDGPU_SVM_ATTR_PTE_FLAGS))
		changes |= AMDGPU_SVM_CHANGE_LOCATION;
	if (old->granularity != new->granularity)
		changes |= AMDGPU_SVM_CHANGE_GRANULARITY;
	if (old->prefetch_loc != new->prefetch_loc)
		changes |= AMDGPU_SVM_CHANGE_PREFETCH;
	return changes;
}

static void amdgpu_svm_attr_req_apply(const struct amdgpu_svm_attr_req *req,
				      struct amdgpu_svm_attrs *attrs)
{
	u32 flag_mask = req->mask >> AMDGPU_SVM_ATTR_FIRST_FLAG;

	if (req->mask & BIT(AMDGPU_SVM_ATTR_PREFERRED_LOC))
		attrs->preferred_loc = req->val.preferred_loc;
	if (req->mask & BIT(AMDGPU_SVM_ATTR_PREFETCH_LOC))
		attrs->prefetch_loc = req->val.prefetch_loc;
	if (req->mask & BIT(AMDGPU_SVM_ATTR_ACCESS))
		attrs->access = req->val.access;
	if (req->mask & BIT(AMDGPU_SVM_ATTR_GRANULARITY))
		attrs->granularity = req->val.granularity;
	attrs->flags = (attrs->flags & ~flag_mask) | (req->val.flags & flag_mask);
}

static struct amdgpu_svm_attr_node *amdgpu_svm_attr_node_of(struct rb_node *rb)
{
	return rb ? rb_entry(rb, struct amdgpu_svm_attr_node, it.rb) : NULL;
}

static struct kmem_cache *amdgpu_svm_attr_node_cache;

/**
 * amdgpu_svm_attr_cache_create() - Create the slab cache of attribute nodes
 *
 * Called once, at module init.
 *
 * Return: 0 or -ENOMEM.
 */
int amdgpu_svm_attr_cache_create(void)
{
	amdgpu_svm_attr_node_cache = KMEM_CACHE(amdgpu_svm_attr_node, 0);
	return amdgpu_svm_attr_node_cache ? 0 : -ENOMEM;
}

/**
 * amdgpu_svm_attr_cache_destroy() - Destroy the slab cache of attribute nodes
 *
 * Called once, at module exit, when no SVM is left.
 */
void amdgpu_svm_attr_cache_destroy(void)
{
	kmem_cache_destroy(amdgpu_svm_attr_node_cache);
	amdgpu_svm_attr_node_cache = NULL;
}

static struct amdgpu_svm_attr_node *
amdgpu_svm_attr_node_alloc(struct amdgpu_svm_attr_tree *tree, unsigned long start,
			   unsigned long last, const struct amdgpu_svm_attrs *attrs)
{
	struct amdgpu_svm_attr_node *node;

	if (amdgpu_svm_should_fail_alloc())
		return NULL;
	node = kmem_cache_alloc(amdgpu_svm_attr_node_cache, GFP_KERNEL);
	if (!node)
		return NULL;
	node->it.start = start;
	node->it.last = last;
	node->attrs = *attrs;
	amdgpu_svm_live_inc(&tree->nr_nodes);
	return node;
}

static void amdgpu_svm_attr_node_free(struct amdgpu_svm_attr_tree *tree,
				      struct amdgpu_svm_attr_node *node)
{
	amdgpu_svm_live_dec(&tree->nr_nodes);
	kmem_cache_free(amdgpu_svm_attr_node_cache, node);
}

/* The node holding @page, or else the last node before it, or NULL. */
static struct amdgpu_svm_attr_node *
amdgpu_svm_attr_node_at_or_before(struct amdgpu_svm_attr_tree *tree, unsigned long page)
{
	struct rb_node *rb = tree->root.rb_root.rb_node;
	struct amdgpu_svm_attr_node *best = NULL;

	lockdep_assert_held(&tree->lock);
	while (rb) {
		struct amdgpu_svm_attr_node *node = amdgpu_svm_attr_node_of(rb);

		if (node->it.start <= page) {
			best = node;
			rb = rb->rb_right;
		} else {
			rb = rb->rb_left;
		}
	}
	return best;
}

/*
 * The attributes of @page and the last page up to which they hold, either
 * to the end of its interval or to the end of the hole it is in.
 */
static unsigned long amdgpu_svm_attr_at(struct amdgpu_svm_attr_tree *tree,
					unsigned long page, struct amdgpu_svm_attrs *attrs,
					unsigned long *start)
{
	struct amdgpu_svm_attr_node *node = amdgpu_svm_attr_node_at_or_before(tree, page);
	struct amdgpu_svm_attr_node *next;

	if (node && node->it.last >= page) {
		*attrs = node->attrs;
		*start = node->it.start;
		return node->it.last;
	}
	*attrs = tree->defaults;
	*start = node ? node->it.last + 1 : 0;
	next = node ? amdgpu_svm_attr_node_of(rb_next(&node->it.rb)) :
		      amdgpu_svm_attr_node_of(rb_first_cached(&tree->root));
	return next ? next->it.start - 1 : ULONG_MAX;
}

/**
 * amdgpu_svm_attr_tree_lookup_locked() - Look up one page's attributes and their extent
 * @tree: the tree, locked
 * @page: the page number
 * @attrs: filled in with the page's attributes
 * @start: filled in with the first page of the interval (or hole) around it
 * @last: filled in with the last page of that interval (or hole)
 *
 * The range layer bounds its ranges with @start and @last, so that no range
 * straddles two different settings.
 */
void amdgpu_svm_attr_tree_lookup_locked(struct amdgpu_svm_attr_tree *tree,
					unsigned long page, struct amdgpu_svm_attrs *attrs,
					unsigned long *start, unsigned long *last)
{
	lockdep_assert_held(&tree->lock);
	*last = amdgpu_svm_attr_at(tree, page, attrs, start);
}

/**
 * struct amdgpu_svm_attr_rewrite - The new intervals of a span, built before the tree changes
 * @tree: the tree
 * @fresh: the new nodes, in address order
 * @last_node: the last node of @fresh, which the next segment may extend
 */
struct amdgpu_svm_attr_rewrite {
	struct amdgpu_svm_attr_tree *tree;
	struct list_head fresh;
	struct amdgpu_svm_attr_node *last_node;
};

/* Append one segment of the new state; pages holding defaults stay holes. */
static int amdgpu_svm_attr_rewrite_emit(struct amdgpu_svm_attr_rewrite *rw, unsigned long start,
					unsigned long last, const struct amdgpu_svm_attrs *attrs)
{
	struct amdgpu_svm_attr_node *node = rw->last_node;

	if (start > last || amdgpu_svm_attr_equal(attrs, &rw->tree->defaults))
		return 0;
	if (node && node->it.last + 1 == start && amdgpu_svm_attr_equal(&node->attrs, attrs)) {
		node->it.last = last;
		return 0;
	}
	node = amdgpu_svm_attr_node_alloc(rw->tree, start, last, attrs);
	if (!node)
		return -ENOMEM;
	list_add_tail(&node->link, &rw->fresh);
	rw->last_node = node;
	return 0;
}

static void amdgpu_svm_attr_free_list(struct amdgpu_svm_attr_tree *tree, struct list_head *list)
{
	struct amdgpu_svm_attr_node *node, *next;

	list_for_each_entry_safe(node, next, list, link)
		amdgpu_svm_attr_node_free(tree, node);
}

/* The new attributes of pages that had @old: the request applied, or defaults. */
static void amdgpu_svm_attr_new(struct amdgpu_svm_attr_tree *tree,
				const struct amdgpu_svm_attr_req *req,
				const struct amdgpu_svm_attrs *old,
				struct amdgpu_svm_attrs *new)
{
	*new = req ? *old : tree->defaults;
	if (req)
		amdgpu_svm_attr_req_apply(req, new);
}

/* Build the new nodes of [start, last] and of the parts that stick out. */
static int amdgpu_svm_attr_rewrite_build(struct amdgpu_svm_attr_rewrite *rw, unsigned long start,
					 unsigned long last,
					 const struct amdgpu_svm_attr_req *req)
{
	struct amdgpu_svm_attr_tree *tree = rw->tree;
	struct interval_tree_node *it;
	struct amdgpu_svm_attrs attrs;
	unsigned long pos = start;
	int ret;

	for (it = interval_tree_iter_first(&tree->root, start, last); it;
	     it = interval_tree_iter_next(it, start, last)) {
		struct amdgpu_svm_attr_node *node =
			container_of(it, struct amdgpu_svm_attr_node, it);

		ret = 0;
		if (it->start < start)
			ret = amdgpu_svm_attr_rewrite_emit(rw, it->start, start - 1, &node->attrs);
		if (!ret && it->start > pos) {
			amdgpu_svm_attr_new(tree, req, &tree->defaults, &attrs);
			ret = amdgpu_svm_attr_rewrite_emit(rw, pos, it->start - 1, &attrs);
		}
		if (!ret) {
			amdgpu_svm_attr_new(tree, req, &node->attrs, &attrs);
			ret = amdgpu_svm_attr_rewrite_emit(rw, max(it->start, start),
							   min(it->last, last), &attrs);
		}
		if (!ret && it->last > last)
			ret = amdgpu_svm_attr_rewrite_emit(rw, last + 1, it->last, &node->attrs);
		if (ret)
			return ret;
		pos = min(it->last, last) + 1;
		if (pos > last)
			return 0;
	}
	amdgpu_svm_attr_new(tree, req, &tree->defaults, &attrs);
	return amdgpu_svm_attr_rewrite_emit(rw, pos, last, &attrs);
}

/* Merge @node with its right neighbour if they touch and are equal. */
static void amdgpu_svm_attr_merge_with_next(struct amdgpu_svm_attr_tree *tree,
					    struct amdgpu_svm_attr_node *node)
{
	struct amdgpu_svm_attr_node *next;

	if (!node)
		return;
	next = amdgpu_svm_attr_node_of(rb_next(&node->it.rb));
	if (!next || node->it.last + 1 != next->it.start ||
	    !amdgpu_svm_attr_equal(&node->attrs, &next->attrs))
		return;
	interval_tree_remove(&next->it, &tree->root);
	interval_tree_remove(&node->it, &tree->root);
	node->it.last = next->it.last;
	interval_tree_insert(&node->it, &tree->root);
	amdgpu_svm_attr_node_free(tree, next);
}

/*
 * Move the old nodes of the span onto @old and put the fresh ones in.
 * Cannot fail.
 */
static void amdgpu_svm_attr_rewrite_commit(struct amdgpu_svm_attr_rewrite *rw, unsigned long start,
					   unsigned long last, struct list_head *old)
{
	struct amdgpu_svm_attr_tree *tree = rw->tree;
	struct amdgpu_svm_attr_node *first, *node, *next;
	struct interval_tree_node *it;

	while ((it = interval_tree_iter_first(&tree->root, start, last))) {
		interval_tree_remove(it, &tree->root);
		node = container_of(it, struct amdgpu_svm_attr_node, it);
		list_add_tail(&node->link, old);
	}
	first = list_first_entry_or_null(&rw->fresh, typeof(*first), link);
	if (!first)
		return;
	list_for_each_entry_safe(node, next, &rw->fresh, link) {
		list_del(&node->link);
		interval_tree_insert(&node->it, &tree->root);
	}
	/* Only the ends of the new run can touch an equal neighbour. */
	amdgpu_svm_attr_merge_with_next(tree, rw->last_node);
	amdgpu_svm_attr_merge_with_next(tree, amdgpu_svm_attr_node_of(rb_prev(&first->it.rb)));
}

/* The attributes of @page in the sorted list @old of removed nodes. */
static unsigned long amdgpu_svm_attr_old_at(struct amdgpu_svm_attr_tree *tree,
					    struct list_head *old, struct list_head **cursor,
					    unsigned long page, struct amdgpu_svm_attrs *attrs)
{
	struct amdgpu_svm_attr_node *node;

	while (*cursor != old &&
	       list_entry(*cursor, typeof(*node), link)->it.last < page)
		*cursor = (*cursor)->next;
	if (*cursor == old) {
		*attrs = tree->defaults;
		return ULONG_MAX;
	}
	node = list_entry(*cursor, typeof(*node), link);
	if (node->it.start <= page) {
		*attrs = node->attrs;
		return node->it.last;
	}
	*attrs = tree->defaults;
	return node->it.start - 1;
}

/* Tell @changed about every span of [start, last] that changed, coalesced. */
static void amdgpu_svm_attr_report_changes(struct amdgpu_svm_attr_tree *tree,
					   unsigned long start, unsigned long last,
					   struct list_head *old,
					   amdgpu_svm_attr_changed_fn changed, void *priv)
{
	struct list_head *cursor = old->next;
	unsigned long pos = start, run_start = 0, end, istart;
	struct amdgpu_svm_attrs was, now;
	u32 run = 0, changes;

	while (pos <= last) {
		end = min3(amdgpu_svm_attr_old_at(tree, old, &cursor, pos, &was),
			   amdgpu_svm_attr_at(tree, pos, &now, &istart), last);
		changes = amdgpu_svm_attr_changes(&was, &now);
		if (changes != run) {
			if (run)
				changed(priv, run_start, pos - 1, run);
			run = changes;
			run_start = pos;
		}
		if (end == last)
			break;
		pos = end + 1;
	}
	if (run)
		changed(priv, run_start, last, run);
}

/* Rewrite [start, last]: apply @req, or drop to defaults when it is NULL. */
static int amdgpu_svm_attr_rewrite_span(struct amdgpu_svm_attr_tree *tree, unsigned long start,
					unsigned long last, const struct amdgpu_svm_attr_req *req,
					amdgpu_svm_attr_changed_fn changed, void *priv)
{
	struct amdgpu_svm_attr_rewrite rw = { .tree = tree };
	LIST_HEAD(old);
	int ret;

	lockdep_assert_held(&tree->lock);
	INIT_LIST_HEAD(&rw.fresh);
	ret = amdgpu_svm_attr_rewrite_build(&rw, start, last, req);
	if (!ret && req)
		ret = amdgpu_svm_unmap_watch(&tree->unmaps, start, last);
	if (ret) {
		amdgpu_svm_attr_free_list(tree, &rw.fresh);
		return ret;
	}
	amdgpu_svm_attr_rewrite_commit(&rw, start, last, &old);
	if (changed)
		amdgpu_svm_attr_report_changes(tree, start, last, &old, changed, priv);
	amdgpu_svm_attr_free_list(tree, &old);
	return 0;
}

/*
 * Unmaps that could not be recorded: drop what no VMA covers in their span
 * (@span, also the span that failed).
 */
static int amdgpu_svm_attr_clear_overflow(struct amdgpu_svm_attr_tree *tree,
					  struct amdgpu_svm_unmap_span *span)
{
	struct amdgpu_svm_unmap_tracker *t = &tree->unmaps;
	unsigned long pos, gap_last = 0;
	int ret = 0;

	if (!amdgpu_svm_unmap_take_overflow(t, span))
		return 0;
	if (!mmget_not_zero(t->mm)) {
		/* The mm is gone, and every mapping with it. */
		ret = amdgpu_svm_attr_rewrite_span(tree, span->start, span->last,
						   NULL, NULL, NULL);
		goto out;
	}
	for (pos = span->start; pos <= span->last && !ret; pos = gap_last + 1) {
		pos = amdgpu_svm_unmap_next_gap(t->mm, pos, span->last, &gap_last);
		if (pos == ULONG_MAX)
			break;
		ret = amdgpu_svm_attr_rewrite_span(tree, pos, gap_last, NULL, NULL,
						   NULL);
	}
	mmput(t->mm);
out:
	if (ret)
		amdgpu_svm_unmap_push_back(t, span);
	return ret;
}

/*
 * Drop the attributes of every recorded unmap. On failure the span that
 * failed is recorded again, and is in @failed.
 */
static int amdgpu_svm_attr_drop_unmapped_locked(struct amdgpu_svm_attr_tree *tree,
						struct amdgpu_svm_unmap_span *failed)
{
	int ret;

	lockdep_assert_held(&tree->lock);
	while (amdgpu_svm_unmap_pop(&tree->unmaps, failed)) {
		ret = amdgpu_svm_attr_rewrite_span(tree, failed->start, failed->last,
						   NULL, NULL, NULL);
		if (ret) {
			amdgpu_svm_unmap_push_back(&tree->unmaps, failed);
			return ret;
		}
	}
	return amdgpu_svm_attr_clear_overflow(tree, failed);
}

/**
 * amdgpu_svm_attr_drop_unmapped() - Drop the attributes of unmapped memory now
 * @tree: the tree
 *
 * Every operation on the tree does this first; the worker does it too.
 *
 * Return: 0, or -ENOMEM (the spans stay recorded and are tried again).
 */
int amdgpu_svm_attr_drop_unmapped(struct amdgpu_svm_attr_tree *tree)
{
	struct amdgpu_svm_unmap_span failed;
	int ret;

	mutex_lock(&tree->lock);
	ret = amdgpu_svm_attr_drop_unmapped_locked(tree, &failed);
	mutex_unlock(&tree->lock);
	return ret;
}

/**
 * amdgpu_svm_attr_tree_lookup() - Look up one page's current attributes and their extent
 * @tree: the tree, not locked
 * @page: the page number
 * @attrs: filled in with the page's attributes
 * @start: filled in with the first page of the interval (or hole) around it
 * @last: filled in with the last page of that interval (or hole)
 *
 * Like amdgpu_svm_attr_tree_lookup_locked(), after dropping the attributes of memory
 * the CPU unmapped, so a new mapping never sees its predecessor's settings.
 *
 * Return: 0, or -ENOMEM when dropping those attributes failed.
 */
int amdgpu_svm_attr_tree_lookup(struct amdgpu_svm_attr_tree *tree, unsigned long page,
				struct amdgpu_svm_attrs *attrs, unsigned long *start,
				unsigned long *last)
{
	struct amdgpu_svm_unmap_span failed;
	int ret;

	mutex_lock(&tree->lock);
	ret = amdgpu_svm_attr_drop_unmapped_locked(tree, &failed);
	if (!ret)
		*last = amdgpu_svm_attr_at(tree, page, attrs, start);
	mutex_unlock(&tree->lock);
	return ret;
}

/**
 * amdgpu_svm_attr_tree_visit() - Visit the attributes of every part of a span
 * @tree: the tree, not locked
 * @start: first page of the span
 * @last: last page of it
 * @visit: called once per interval or hole of the span, in address order
 * @priv: passed to @visit
 *
 * Drops the attributes of memory the CPU unmapped first, as every lookup
 * does.
 *
 * Return: 0, or -ENOMEM when dropping those attributes failed (@visit was
 * not called).
 */
int amdgpu_svm_attr_tree_visit(struct amdgpu_svm_attr_tree *tree,
			       unsigned long start, unsigned long last,
			       amdgpu_svm_attr_visit_fn visit, void *priv)
{
	struct amdgpu_svm_attrs attrs;
	unsigned long pos, end, istart;
	struct amdgpu_svm_unmap_span failed;
	int ret;

	mutex_lock(&tree->lock);
	ret = amdgpu_svm_attr_drop_unmapped_locked(tree, &failed);
	for (pos = start; !ret; pos = end + 1) {
		end = amdgpu_svm_attr_at(tree, pos, &attrs, &istart);
		visit(priv, &attrs);
		if (end >= last)
			break;
	}
	mutex_unlock(&tree->lock);
	return ret;
}

static void amdgpu_svm_attr_drain_work_func(struct work_struct *work)
{
	struct amdgpu_svm_attr_tree *tree =
		container_of(work, struct amdgpu_svm_attr_tree, unmaps.drain_work);
	struct amdgpu_svm_unmap_span failed;
	int ret;

	mutex_lock(&tree->lock);
	ret = amdgpu_svm_attr_drop_unmapped_locked(tree, &failed);
	mutex_unlock(&tree->lock);
	/* The span is kept; the next request on the tree tries it again. */
	if (ret && __ratelimit(&tree->warn_rs))
		pr_warn("amdgpu: SVM: cannot drop the attributes of unmapped pages %#lx-%#lx: %d; kept for the next request\n",
			failed.start, failed.last, ret);
}

/**
 * amdgpu_svm_attr_tree_set() - Apply a SET_ATTR request to a span
 * @tree: the tree
 * @start: first page
 * @last: last page
 * @req: the request, checked by amdgpu_svm_ioctl_parse_attrs(); NULL puts
 *	the span back to the defaults
 * @changed: told of each span whose attributes changed (may be NULL)
 * @priv: passed to @changed
 *
 * Return: 0, or -ENOMEM with the tree unchanged.
 */
int amdgpu_svm_attr_tree_set(struct amdgpu_svm_attr_tree *tree,
			     unsigned long start, unsigned long last,
			     const struct amdgpu_svm_attr_req *req,
			     amdgpu_svm_attr_changed_fn changed, void *priv)
{
	struct amdgpu_svm_unmap_span failed;
	int ret;

	mutex_lock(&tree->lock);
	ret = amdgpu_svm_attr_drop_unmapped_locked(tree, &failed);
	if (!ret)
		ret = amdgpu_svm_attr_rewrite_span(tree, start, last, req, changed, priv);
	mutex_unlock(&tree->lock);
	return ret;
}

/**
 * amdgpu_svm_attr_tree_reset() - Put a span back to the defaults
 * @tree: the tree
 * @start: first page
 * @last: last page
 * @changed: told of each span whose attributes changed (may be NULL)
 * @priv: passed to @changed
 *
 * Return: 0, or -ENOMEM with the tree unchanged (splitting an interval that
 * sticks out of the span needs a node).
 */
int amdgpu_svm_attr_tree_reset(struct amdgpu_svm_attr_tree *tree,
			       unsigned long start, unsigned long last,
			       amdgpu_svm_attr_changed_fn changed, void *priv)
{
	return amdgpu_svm_attr_tree_set(tree, start, last, NULL, changed, priv);
}

/**
 * amdgpu_svm_attr_tree_init() - Set up an empty tree
 * @tree: the tree
 * @mm: the address space whose munmap drops attributes, or NULL
 * @defaults: the attributes of pages nobody set
 */
void amdgpu_svm_attr_tree_init(struct amdgpu_svm_attr_tree *tree,
			       struct mm_struct *mm,
			       const struct amdgpu_svm_attrs *defaults)
{
	memset(tree, 0, sizeof(*tree));
	mutex_init(&tree->lock);
	tree->root = RB_ROOT_CACHED;
	tree->defaults = *defaults;
	ratelimit_state_init(&tree->warn_rs, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
	amdgpu_svm_unmap_tracker_init(&tree->unmaps, mm,
				      amdgpu_svm_attr_drain_work_func);
}

/**
 * amdgpu_svm_attr_tree_fini() - Free everything a tree holds
 * @tree: the tree
 *
 * Removes the notifiers first, so no new span is recorded, then stops the
 * worker and frees the spans and intervals.
 */
void amdgpu_svm_attr_tree_fini(struct amdgpu_svm_attr_tree *tree)
{
	struct rb_node *rb;

	amdgpu_svm_unmap_tracker_fini(&tree->unmaps);
	while ((rb = rb_first_cached(&tree->root))) {
		struct amdgpu_svm_attr_node *node = amdgpu_svm_attr_node_of(rb);

		interval_tree_remove(&node->it, &tree->root);
		amdgpu_svm_attr_node_free(tree, node);
	}
	mutex_destroy(&tree->lock);
}

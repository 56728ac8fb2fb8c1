// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/sizes.h>

#include "amdgpu_svm_attr.h"

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

/* Each notifier watches one aligned block of this many bytes. */
#define ATTR_NOTIFIER_SIZE	SZ_512M

/**
 * struct amdgpu_svm_attr_notifier - Watches one block of the address space
 * @mn: the MMU interval notifier
 * @tree: the tree whose intervals it protects
 * @link: entry in &amdgpu_svm_attr_tree.notifiers
 * @start: first page of the block
 * @last: last page of the block
 */
struct amdgpu_svm_attr_notifier {
	struct mmu_interval_notifier mn;
	struct amdgpu_svm_attr_tree *tree;
	struct list_head link;
	unsigned long start;
	unsigned long last;
};

/**
 * struct amdgpu_svm_attr_span - A span of pages the CPU unmapped
 * @link: entry in &amdgpu_svm_attr_tree.pending
 * @start: first page
 * @last: last page
 */
struct amdgpu_svm_attr_span {
	struct list_head link;
	unsigned long start;
	unsigned long last;
};

/**
 * amdgpu_svm_attr_defaults() - The attributes of a page nobody set
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

static bool attrs_equal(const struct amdgpu_svm_attrs *a,
			const struct amdgpu_svm_attrs *b)
{
	return a->preferred_loc == b->preferred_loc &&
	       a->prefetch_loc == b->prefetch_loc &&
	       a->access == b->access &&
	       a->granularity == b->granularity &&
	       a->flags == b->flags;
}

#define PTE_FLAGS (AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_GPU_RO) | \
		   AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_GPU_EXEC) | \
		   AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_COHERENT) | \
		   AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_EXT_COHERENT))

static u32 attrs_changes(const struct amdgpu_svm_attrs *old,
			 const struct amdgpu_svm_attrs *new)
{
	u8 flags = old->flags ^ new->flags;
	u32 changes = 0;

	if (old->access != new->access)
		changes |= AMDGPU_SVM_CHANGE_ACCESS;
	if (flags & PTE_FLAGS)
		changes |= AMDGPU_SVM_CHANGE_PTE;
	if (old->preferred_loc != new->preferred_loc || (flags & ~PTE_FLAGS))
		changes |= AMDGPU_SVM_CHANGE_LOCATION;
	if (old->granularity != new->granularity)
		changes |= AMDGPU_SVM_CHANGE_GRANULARITY;
	if (old->prefetch_loc != new->prefetch_loc)
		changes |= AMDGPU_SVM_CHANGE_PREFETCH;
	return changes;
}

static bool location_valid(u32 loc)
{
	return loc == AMDGPU_SVM_LOCATION_SYSMEM ||
	       loc == AMDGPU_SVM_LOCATION_LOCAL ||
	       loc == AMDGPU_SVM_LOCATION_UNDEFINED;
}

static int req_add(struct amdgpu_svm_attr_req *req, u32 type, u32 value)
{
	switch (type) {
	case AMDGPU_SVM_ATTR_PREFERRED_LOC:
		if (!location_valid(value))
			return -EINVAL;
		req->val.preferred_loc = value;
		break;
	case AMDGPU_SVM_ATTR_PREFETCH_LOC:
		if (!location_valid(value))
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
 * amdgpu_svm_attr_req_parse() - Check a SET_ATTR attribute array
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
int amdgpu_svm_attr_req_parse(struct amdgpu_svm_attr_req *req,
			      const struct drm_amdgpu_svm_attribute *attrs,
			      u32 nattr)
{
	u32 i;
	int ret;

	memset(req, 0, sizeof(*req));
	if (nattr > AMDGPU_SVM_MAX_ATTRS)
		return -EINVAL;
	for (i = 0; i < nattr; i++) {
		ret = req_add(req, attrs[i].type, attrs[i].value);
		if (ret)
			return ret;
	}
	return 0;
}

static void req_apply(const struct amdgpu_svm_attr_req *req,
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

static struct amdgpu_svm_attr_range *node_of(struct rb_node *rb)
{
	return rb ? rb_entry(rb, struct amdgpu_svm_attr_range, it.rb) : NULL;
}

static struct kmem_cache *node_cache;

/**
 * amdgpu_svm_attr_cache_create() - Create the slab cache of attribute nodes
 *
 * Called once, at module init.
 *
 * Return: 0 or -ENOMEM.
 */
int amdgpu_svm_attr_cache_create(void)
{
	node_cache = KMEM_CACHE(amdgpu_svm_attr_range, 0);
	return node_cache ? 0 : -ENOMEM;
}

/**
 * amdgpu_svm_attr_cache_destroy() - Destroy the slab cache of attribute nodes
 *
 * Called once, at module exit, when no SVM is left.
 */
void amdgpu_svm_attr_cache_destroy(void)
{
	kmem_cache_destroy(node_cache);
	node_cache = NULL;
}

static struct amdgpu_svm_attr_range *
node_alloc(struct amdgpu_svm_attr_tree *tree, unsigned long start,
	   unsigned long last, const struct amdgpu_svm_attrs *attrs)
{
	struct amdgpu_svm_attr_range *node;

	if (amdgpu_svm_fail_alloc(tree))
		return NULL;
	node = kmem_cache_alloc(node_cache, GFP_KERNEL);
	if (!node)
		return NULL;
	node->it.start = start;
	node->it.last = last;
	node->attrs = *attrs;
	atomic_inc(&tree->nr_nodes);
	return node;
}

static void node_free(struct amdgpu_svm_attr_tree *tree,
		      struct amdgpu_svm_attr_range *node)
{
	atomic_dec(&tree->nr_nodes);
	kmem_cache_free(node_cache, node);
}

/* The node holding @page, or else the last node before it, or NULL. */
static struct amdgpu_svm_attr_range *
node_at_or_before(struct amdgpu_svm_attr_tree *tree, unsigned long page)
{
	struct rb_node *rb = tree->root.rb_root.rb_node;
	struct amdgpu_svm_attr_range *best = NULL;

	lockdep_assert_held(&tree->lock);
	while (rb) {
		struct amdgpu_svm_attr_range *node = node_of(rb);

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
static unsigned long attrs_at(struct amdgpu_svm_attr_tree *tree,
			      unsigned long page, struct amdgpu_svm_attrs *attrs,
			      unsigned long *start)
{
	struct amdgpu_svm_attr_range *node = node_at_or_before(tree, page);
	struct amdgpu_svm_attr_range *next;

	if (node && node->it.last >= page) {
		*attrs = node->attrs;
		*start = node->it.start;
		return node->it.last;
	}
	*attrs = tree->defaults;
	*start = node ? node->it.last + 1 : 0;
	next = node ? node_of(rb_next(&node->it.rb)) :
		      node_of(rb_first_cached(&tree->root));
	return next ? next->it.start - 1 : ULONG_MAX;
}

/**
 * amdgpu_svm_attr_lookup() - The attributes of one page and their extent
 * @tree: the tree, locked
 * @page: the page number
 * @attrs: filled in with the page's attributes
 * @start: filled in with the first page of the interval (or hole) around it
 * @last: filled in with the last page of that interval (or hole)
 *
 * The range layer bounds its ranges with @start and @last, so that no range
 * straddles two different settings.
 */
void amdgpu_svm_attr_lookup(struct amdgpu_svm_attr_tree *tree,
			    unsigned long page, struct amdgpu_svm_attrs *attrs,
			    unsigned long *start, unsigned long *last)
{
	lockdep_assert_held(&tree->lock);
	*last = attrs_at(tree, page, attrs, start);
}

/* A span that could not be recorded joins the overflow span; pending_lock held. */
static void overflow_add(struct amdgpu_svm_attr_tree *tree, unsigned long start,
			 unsigned long last)
{
	lockdep_assert_held(&tree->pending_lock);
	if (!tree->pending_overflow) {
		tree->pending_overflow = true;
		tree->overflow.start = start;
		tree->overflow.last = last;
		return;
	}
	tree->overflow.start = min(tree->overflow.start, start);
	tree->overflow.last = max(tree->overflow.last, last);
}

/* Count an unmap of pages [start, last] and remember its span; pending_lock held. */
static void unmap_log_add(struct amdgpu_svm_attr_tree *tree, unsigned long start,
			  unsigned long last)
{
	unsigned int seq = atomic_inc_return(&tree->unmap_seq);

	lockdep_assert_held(&tree->pending_lock);
	tree->unmap_log[seq % AMDGPU_SVM_ATTR_UNMAP_LOG].start = start;
	tree->unmap_log[seq % AMDGPU_SVM_ATTR_UNMAP_LOG].last = last;
}

/**
 * amdgpu_svm_attr_unmapped_since() - Whether the CPU unmapped part of a span
 * @tree: the tree
 * @seq: amdgpu_svm_attr_unmap_seq(), read before the attributes were
 * @start: first page of the span
 * @last: last page of it
 *
 * Only the unmaps that touch [@start, @last] count, so that malloc and
 * free elsewhere in the process do not make a mapping look stale. When
 * more unmaps happened since @seq than the tree remembers, the answer is
 * true.
 *
 * Return: true if an unmap recorded after @seq overlaps the span.
 */
bool amdgpu_svm_attr_unmapped_since(struct amdgpu_svm_attr_tree *tree, int seq,
				    unsigned long start, unsigned long last)
{
	unsigned int now, i;
	bool hit = false;

	spin_lock(&tree->pending_lock);
	now = atomic_read(&tree->unmap_seq);
	if (now - (unsigned int)seq > AMDGPU_SVM_ATTR_UNMAP_LOG)
		hit = true;
	for (i = (unsigned int)seq + 1; !hit && i != now + 1; i++) {
		unsigned int slot = i % AMDGPU_SVM_ATTR_UNMAP_LOG;

		hit = tree->unmap_log[slot].start <= last &&
		      tree->unmap_log[slot].last >= start;
	}
	spin_unlock(&tree->pending_lock);
	return hit;
}

static void notifier_record_unmap(struct amdgpu_svm_attr_notifier *n,
				  unsigned long start, unsigned long last)
{
	struct amdgpu_svm_attr_tree *tree = n->tree;
	struct amdgpu_svm_attr_span *span, *tail;

	/* The mmap lock is held: no allocation that may enter reclaim. */
	span = kmalloc_obj(*span, GFP_NOWAIT | __GFP_NOWARN);

	spin_lock(&tree->pending_lock);
	tail = list_last_entry_or_null(&tree->pending, typeof(*tail), link);
	if (tail && start <= tail->last + 1 && last + 1 >= tail->start) {
		tail->start = min(tail->start, start);
		tail->last = max(tail->last, last);
	} else if (span) {
		span->start = start;
		span->last = last;
		list_add_tail(&span->link, &tree->pending);
		atomic_inc(&tree->nr_pending);
		span = NULL;
	} else {
		overflow_add(tree, start, last);
	}
	unmap_log_add(tree, start, last);
	spin_unlock(&tree->pending_lock);
	kfree(span);
	queue_work(system_dfl_wq, &tree->clear_work);
}

static bool notifier_invalidate(struct mmu_interval_notifier *mn,
				const struct mmu_notifier_range *range,
				unsigned long cur_seq)
{
	struct amdgpu_svm_attr_notifier *n = container_of(mn, typeof(*n), mn);

	mmu_interval_set_seq(mn, cur_seq);
	if (range->event == MMU_NOTIFY_UNMAP)
		notifier_record_unmap(n, max(range->start >> PAGE_SHIFT, n->start),
				      min((range->end - 1) >> PAGE_SHIFT, n->last));
	return true;
}

static const struct mmu_interval_notifier_ops notifier_ops = {
	.invalidate = notifier_invalidate,
};

static bool block_watched(struct amdgpu_svm_attr_tree *tree,
			  unsigned long start)
{
	struct amdgpu_svm_attr_notifier *n;

	list_for_each_entry(n, &tree->notifiers, link)
		if (n->start == start)
			return true;
	return false;
}

static int watch_block(struct amdgpu_svm_attr_tree *tree, unsigned long start)
{
	struct amdgpu_svm_attr_notifier *n;
	int ret;

	if (amdgpu_svm_fail_alloc(tree))
		return -ENOMEM;
	n = kzalloc_obj(*n);
	if (!n)
		return -ENOMEM;
	n->tree = tree;
	n->start = start;
	n->last = start + (ATTR_NOTIFIER_SIZE >> PAGE_SHIFT) - 1;
	ret = mmu_interval_notifier_insert(&n->mn, tree->mm, start << PAGE_SHIFT,
					   ATTR_NOTIFIER_SIZE, &notifier_ops);
	if (ret) {
		kfree(n);
		return ret;
	}
	list_add_tail(&n->link, &tree->notifiers);
	atomic_inc(&tree->nr_notifiers);
	return 0;
}

/* Make sure every block of [start, last] is watched for munmap. */
static int watch_span(struct amdgpu_svm_attr_tree *tree, unsigned long start,
		      unsigned long last)
{
	unsigned long block = ATTR_NOTIFIER_SIZE >> PAGE_SHIFT;
	unsigned long b;
	int ret;

	if (!tree->mm)
		return 0;
	for (b = ALIGN_DOWN(start, block); b <= last; b += block) {
		if (block_watched(tree, b))
			continue;
		ret = watch_block(tree, b);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * struct rewrite - The new intervals of a span, built before the tree changes
 * @tree: the tree
 * @fresh: the new nodes, in address order
 * @last_node: the last node of @fresh, which the next segment may extend
 */
struct rewrite {
	struct amdgpu_svm_attr_tree *tree;
	struct list_head fresh;
	struct amdgpu_svm_attr_range *last_node;
};

/* Append one segment of the new state; pages holding defaults stay holes. */
static int rewrite_emit(struct rewrite *rw, unsigned long start,
			unsigned long last, const struct amdgpu_svm_attrs *attrs)
{
	struct amdgpu_svm_attr_range *node = rw->last_node;

	if (start > last || attrs_equal(attrs, &rw->tree->defaults))
		return 0;
	if (node && node->it.last + 1 == start && attrs_equal(&node->attrs, attrs)) {
		node->it.last = last;
		return 0;
	}
	node = node_alloc(rw->tree, start, last, attrs);
	if (!node)
		return -ENOMEM;
	list_add_tail(&node->link, &rw->fresh);
	rw->last_node = node;
	return 0;
}

static void free_list(struct amdgpu_svm_attr_tree *tree, struct list_head *list)
{
	struct amdgpu_svm_attr_range *node, *next;

	list_for_each_entry_safe(node, next, list, link)
		node_free(tree, node);
}

/* The new attributes of pages that had @old: the request applied, or defaults. */
static void new_attrs(struct amdgpu_svm_attr_tree *tree,
		      const struct amdgpu_svm_attr_req *req,
		      const struct amdgpu_svm_attrs *old,
		      struct amdgpu_svm_attrs *new)
{
	*new = req ? *old : tree->defaults;
	if (req)
		req_apply(req, new);
}

/* Build the new nodes of [start, last] and of the parts that stick out. */
static int rewrite_build(struct rewrite *rw, unsigned long start,
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
		struct amdgpu_svm_attr_range *node =
			container_of(it, struct amdgpu_svm_attr_range, it);

		ret = 0;
		if (it->start < start)
			ret = rewrite_emit(rw, it->start, start - 1, &node->attrs);
		if (!ret && it->start > pos) {
			new_attrs(tree, req, &tree->defaults, &attrs);
			ret = rewrite_emit(rw, pos, it->start - 1, &attrs);
		}
		if (!ret) {
			new_attrs(tree, req, &node->attrs, &attrs);
			ret = rewrite_emit(rw, max(it->start, start),
					   min(it->last, last), &attrs);
		}
		if (!ret && it->last > last)
			ret = rewrite_emit(rw, last + 1, it->last, &node->attrs);
		if (ret)
			return ret;
		pos = min(it->last, last) + 1;
		if (pos > last)
			return 0;
	}
	new_attrs(tree, req, &tree->defaults, &attrs);
	return rewrite_emit(rw, pos, last, &attrs);
}

/* Merge @node with its right neighbour if they touch and are equal. */
static void merge_with_next(struct amdgpu_svm_attr_tree *tree,
			    struct amdgpu_svm_attr_range *node)
{
	struct amdgpu_svm_attr_range *next;

	if (!node)
		return;
	next = node_of(rb_next(&node->it.rb));
	if (!next || node->it.last + 1 != next->it.start ||
	    !attrs_equal(&node->attrs, &next->attrs))
		return;
	interval_tree_remove(&next->it, &tree->root);
	interval_tree_remove(&node->it, &tree->root);
	node->it.last = next->it.last;
	interval_tree_insert(&node->it, &tree->root);
	node_free(tree, next);
}

/*
 * Move the old nodes of the span onto @old and put the fresh ones in.
 * Cannot fail.
 */
static void rewrite_commit(struct rewrite *rw, unsigned long start,
			   unsigned long last, struct list_head *old)
{
	struct amdgpu_svm_attr_tree *tree = rw->tree;
	struct amdgpu_svm_attr_range *first, *node, *next;
	struct interval_tree_node *it;

	while ((it = interval_tree_iter_first(&tree->root, start, last))) {
		interval_tree_remove(it, &tree->root);
		node = container_of(it, struct amdgpu_svm_attr_range, it);
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
	merge_with_next(tree, rw->last_node);
	merge_with_next(tree, node_of(rb_prev(&first->it.rb)));
}

/* The attributes of @page in the sorted list @old of removed nodes. */
static unsigned long old_attrs_at(struct amdgpu_svm_attr_tree *tree,
				  struct list_head *old, struct list_head **cursor,
				  unsigned long page, struct amdgpu_svm_attrs *attrs)
{
	struct amdgpu_svm_attr_range *node;

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
static void report_changes(struct amdgpu_svm_attr_tree *tree,
			   unsigned long start, unsigned long last,
			   struct list_head *old,
			   amdgpu_svm_attr_changed_fn changed, void *priv)
{
	struct list_head *cursor = old->next;
	unsigned long pos = start, run_start = 0, end, istart;
	struct amdgpu_svm_attrs was, now;
	u32 run = 0, changes;

	while (pos <= last) {
		end = min3(old_attrs_at(tree, old, &cursor, pos, &was),
			   attrs_at(tree, pos, &now, &istart), last);
		changes = attrs_changes(&was, &now);
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
static int rewrite_span(struct amdgpu_svm_attr_tree *tree, unsigned long start,
			unsigned long last, const struct amdgpu_svm_attr_req *req,
			amdgpu_svm_attr_changed_fn changed, void *priv)
{
	struct rewrite rw = { .tree = tree };
	LIST_HEAD(old);
	int ret;

	lockdep_assert_held(&tree->lock);
	INIT_LIST_HEAD(&rw.fresh);
	ret = rewrite_build(&rw, start, last, req);
	if (!ret && req)
		ret = watch_span(tree, start, last);
	if (ret) {
		free_list(tree, &rw.fresh);
		return ret;
	}
	rewrite_commit(&rw, start, last, &old);
	if (changed)
		report_changes(tree, start, last, &old, changed, priv);
	free_list(tree, &old);
	return 0;
}

static bool pending_pop(struct amdgpu_svm_attr_tree *tree,
			struct amdgpu_svm_attr_span *out)
{
	struct amdgpu_svm_attr_span *span;

	spin_lock(&tree->pending_lock);
	span = list_first_entry_or_null(&tree->pending, typeof(*span), link);
	if (span) {
		list_del(&span->link);
		atomic_dec(&tree->nr_pending);
	}
	spin_unlock(&tree->pending_lock);
	if (!span)
		return false;
	*out = *span;
	kfree(span);
	return true;
}

static void pending_push_back(struct amdgpu_svm_attr_tree *tree,
			      const struct amdgpu_svm_attr_span *span)
{
	struct amdgpu_svm_attr_span *copy = kmalloc_obj(*copy);

	spin_lock(&tree->pending_lock);
	if (copy) {
		*copy = *span;
		list_add(&copy->link, &tree->pending);
		atomic_inc(&tree->nr_pending);
	} else {
		overflow_add(tree, span->start, span->last);
	}
	spin_unlock(&tree->pending_lock);
}

/* The first page of [pos, last] that no VMA covers, or ULONG_MAX. */
static unsigned long next_unmapped(struct mm_struct *mm, unsigned long pos,
				   unsigned long last, unsigned long *gap_last)
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

/* A span could not be recorded: drop what lies outside every VMA in it. */
static int clear_overflow(struct amdgpu_svm_attr_tree *tree)
{
	struct amdgpu_svm_attr_span span;
	unsigned long pos, gap_last = 0;
	int ret = 0;

	bool overflow;

	spin_lock(&tree->pending_lock);
	overflow = tree->pending_overflow;
	span.start = tree->overflow.start;
	span.last = tree->overflow.last;
	tree->pending_overflow = false;
	spin_unlock(&tree->pending_lock);

	if (!overflow)
		return 0;
	if (!mmget_not_zero(tree->mm))
		return rewrite_span(tree, span.start, span.last, NULL, NULL, NULL);
	for (pos = span.start; pos <= span.last && !ret; pos = gap_last + 1) {
		pos = next_unmapped(tree->mm, pos, span.last, &gap_last);
		if (pos == ULONG_MAX)
			break;
		ret = rewrite_span(tree, pos, gap_last, NULL, NULL, NULL);
	}
	mmput(tree->mm);
	if (ret)
		pending_push_back(tree, &span);
	return ret;
}

static int flush_unmapped_locked(struct amdgpu_svm_attr_tree *tree)
{
	struct amdgpu_svm_attr_span span;
	int ret;

	lockdep_assert_held(&tree->lock);
	while (pending_pop(tree, &span)) {
		ret = rewrite_span(tree, span.start, span.last, NULL, NULL, NULL);
		if (ret) {
			pending_push_back(tree, &span);
			return ret;
		}
	}
	return clear_overflow(tree);
}

/**
 * amdgpu_svm_attr_flush_unmapped() - Drop the attributes of unmapped memory now
 * @tree: the tree
 *
 * Every operation on the tree does this first; the worker does it too.
 *
 * Return: 0, or -ENOMEM (the spans stay recorded and are tried again).
 */
int amdgpu_svm_attr_flush_unmapped(struct amdgpu_svm_attr_tree *tree)
{
	int ret;

	mutex_lock(&tree->lock);
	ret = flush_unmapped_locked(tree);
	mutex_unlock(&tree->lock);
	return ret;
}

/**
 * amdgpu_svm_attr_find() - The current attributes of one page and their extent
 * @tree: the tree, not locked
 * @page: the page number
 * @attrs: filled in with the page's attributes
 * @start: filled in with the first page of the interval (or hole) around it
 * @last: filled in with the last page of that interval (or hole)
 *
 * Like amdgpu_svm_attr_lookup(), after dropping the attributes of memory
 * the CPU unmapped, so a new mapping never sees its predecessor's settings.
 *
 * Return: 0, or -ENOMEM when dropping those attributes failed.
 */
int amdgpu_svm_attr_find(struct amdgpu_svm_attr_tree *tree, unsigned long page,
			 struct amdgpu_svm_attrs *attrs, unsigned long *start,
			 unsigned long *last)
{
	int ret;

	mutex_lock(&tree->lock);
	ret = flush_unmapped_locked(tree);
	if (!ret)
		*last = attrs_at(tree, page, attrs, start);
	mutex_unlock(&tree->lock);
	return ret;
}

static void clear_work_func(struct work_struct *work)
{
	struct amdgpu_svm_attr_tree *tree =
		container_of(work, struct amdgpu_svm_attr_tree, clear_work);

	/* Out of memory: the spans are kept; the next operation retries. */
	amdgpu_svm_attr_flush_unmapped(tree);
}

/**
 * amdgpu_svm_attr_set() - Apply a SET_ATTR request to a span
 * @tree: the tree
 * @start: first page
 * @last: last page
 * @req: the request, checked by amdgpu_svm_attr_req_parse(); NULL puts
 *	the span back to the defaults
 * @changed: told of each span whose attributes changed (may be NULL)
 * @priv: passed to @changed
 *
 * Return: 0, or -ENOMEM with the tree unchanged.
 */
int amdgpu_svm_attr_set(struct amdgpu_svm_attr_tree *tree,
			unsigned long start, unsigned long last,
			const struct amdgpu_svm_attr_req *req,
			amdgpu_svm_attr_changed_fn changed, void *priv)
{
	int ret;

	mutex_lock(&tree->lock);
	ret = flush_unmapped_locked(tree);
	if (!ret)
		ret = rewrite_span(tree, start, last, req, changed, priv);
	mutex_unlock(&tree->lock);
	return ret;
}

/**
 * amdgpu_svm_attr_reset() - Put a span back to the defaults
 * @tree: the tree
 * @start: first page
 * @last: last page
 * @changed: told of each span whose attributes changed (may be NULL)
 * @priv: passed to @changed
 *
 * Return: 0, or -ENOMEM with the tree unchanged (splitting an interval that
 * sticks out of the span needs a node).
 */
int amdgpu_svm_attr_reset(struct amdgpu_svm_attr_tree *tree,
			  unsigned long start, unsigned long last,
			  amdgpu_svm_attr_changed_fn changed, void *priv)
{
	return amdgpu_svm_attr_set(tree, start, last, NULL, changed, priv);
}

/**
 * struct span_summary - The attributes of a span, folded as GET_ATTR reports
 * @first: whether nothing has been folded in yet
 * @all: the folded attributes
 * @preferred_mixed: the preferred locations differ
 * @prefetch_mixed: the prefetch locations differ
 */
struct span_summary {
	bool first;
	struct amdgpu_svm_attrs all;
	bool preferred_mixed;
	bool prefetch_mixed;
};

static void summary_add(struct span_summary *s, const struct amdgpu_svm_attrs *a)
{
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

static u32 summary_value(const struct span_summary *s, u32 type)
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
 * amdgpu_svm_attr_get() - Read the attributes of a span
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
int amdgpu_svm_attr_get(struct amdgpu_svm_attr_tree *tree,
			unsigned long start, unsigned long last,
			struct drm_amdgpu_svm_attribute *attrs, u32 nattr)
{
	struct span_summary s = { .first = true };
	struct amdgpu_svm_attrs a;
	unsigned long pos, end, istart;
	u32 i;
	int ret;

	if (nattr > AMDGPU_SVM_MAX_ATTRS)
		return -EINVAL;
	for (i = 0; i < nattr; i++)
		if (attrs[i].type >= AMDGPU_SVM_ATTR_TYPES)
			return -EINVAL;

	mutex_lock(&tree->lock);
	ret = flush_unmapped_locked(tree);
	for (pos = start; !ret; pos = end + 1) {
		end = attrs_at(tree, pos, &a, &istart);
		summary_add(&s, &a);
		if (end >= last)
			break;
	}
	mutex_unlock(&tree->lock);
	if (ret)
		return ret;

	for (i = 0; i < nattr; i++)
		attrs[i].value = summary_value(&s, attrs[i].type);
	return 0;
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
	INIT_LIST_HEAD(&tree->notifiers);
	spin_lock_init(&tree->pending_lock);
	INIT_LIST_HEAD(&tree->pending);
	INIT_WORK(&tree->clear_work, clear_work_func);
	if (mm) {
		mmgrab(mm);
		tree->mm = mm;
	}
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
	struct amdgpu_svm_attr_notifier *n, *next_n;
	struct amdgpu_svm_attr_span span;
	struct rb_node *rb;

	list_for_each_entry_safe(n, next_n, &tree->notifiers, link) {
		mmu_interval_notifier_remove(&n->mn);
		list_del(&n->link);
		atomic_dec(&tree->nr_notifiers);
		kfree(n);
	}
	cancel_work_sync(&tree->clear_work);
	while (pending_pop(tree, &span))
		;
	tree->pending_overflow = false;
	while ((rb = rb_first_cached(&tree->root))) {
		struct amdgpu_svm_attr_range *node = node_of(rb);

		interval_tree_remove(&node->it, &tree->root);
		node_free(tree, node);
	}
	if (tree->mm)
		mmdrop(tree->mm);
	tree->mm = NULL;
	mutex_destroy(&tree->lock);
}

/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#ifndef __AMDGPU_SVM_ATTR_H__
#define __AMDGPU_SVM_ATTR_H__

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/interval_tree.h>
#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <uapi/drm/amdgpu_drm.h>

/* Largest accepted granularity (log2 pages); larger values are clamped. */
#define AMDGPU_SVM_MAX_GRANULARITY	63
/* Largest number of attributes in one request. */
#define AMDGPU_SVM_MAX_ATTRS		1024
/* Number of attribute types (AMDGPU_SVM_ATTR_*). */
#define AMDGPU_SVM_ATTR_TYPES		(AMDGPU_SVM_ATTR_GPU_READ_MOSTLY + 1)
/* The boolean attribute types are the last ones, from HOST_ACCESS on. */
#define AMDGPU_SVM_ATTR_FIRST_FLAG	AMDGPU_SVM_ATTR_HOST_ACCESS

/**
 * AMDGPU_SVM_FLAG() - The bit of a boolean attribute in &amdgpu_svm_attrs.flags
 * @type: an AMDGPU_SVM_ATTR_* boolean type
 */
#define AMDGPU_SVM_FLAG(type)	BIT((type) - AMDGPU_SVM_ATTR_FIRST_FLAG)

/**
 * struct amdgpu_svm_attrs - The attributes of one page
 * @preferred_loc: AMDGPU_SVM_LOCATION_* where the memory should live
 * @prefetch_loc: AMDGPU_SVM_LOCATION_* where it should be moved now
 * @access: &enum drm_amdgpu_svm_access
 * @granularity: log2 of the pages mapped or migrated as one unit
 * @flags: one AMDGPU_SVM_FLAG() bit per boolean attribute that is set
 */
struct amdgpu_svm_attrs {
	u32 preferred_loc;
	u32 prefetch_loc;
	u8 access;
	u8 granularity;
	u8 flags;
};

/**
 * enum amdgpu_svm_attr_change - What changed on a span, for the range layer
 * @AMDGPU_SVM_CHANGE_ACCESS: the access mode changed (map or unmap)
 * @AMDGPU_SVM_CHANGE_PTE: a flag that shapes the GPU PTEs changed (GPU_RO,
 *	GPU_EXEC, COHERENT, EXT_COHERENT)
 * @AMDGPU_SVM_CHANGE_LOCATION: placement changed (preferred location, or a
 *	placement hint: HOST_ACCESS, HIVE_LOCAL, GPU_READ_MOSTLY)
 * @AMDGPU_SVM_CHANGE_GRANULARITY: the mapping granularity changed
 * @AMDGPU_SVM_CHANGE_PREFETCH: the prefetch location changed
 */
enum amdgpu_svm_attr_change {
	AMDGPU_SVM_CHANGE_ACCESS = BIT(0),
	AMDGPU_SVM_CHANGE_PTE = BIT(1),
	AMDGPU_SVM_CHANGE_LOCATION = BIT(2),
	AMDGPU_SVM_CHANGE_GRANULARITY = BIT(3),
	AMDGPU_SVM_CHANGE_PREFETCH = BIT(4),
};

/**
 * struct amdgpu_svm_attr_req - A validated SET_ATTR request
 * @mask: BIT(type) for every attribute type the request sets
 * @val: the values; only the fields named by @mask are meaningful
 */
struct amdgpu_svm_attr_req {
	u32 mask;
	struct amdgpu_svm_attrs val;
};

/**
 * struct amdgpu_svm_attr_range - One interval of equal attributes
 * @it: the interval, in page numbers (start and last inclusive)
 * @link: entry in a private list while the node is out of the tree
 * @attrs: the attributes of every page of the interval
 */
struct amdgpu_svm_attr_range {
	struct interval_tree_node it;
	struct list_head link;
	struct amdgpu_svm_attrs attrs;
};

/**
 * typedef amdgpu_svm_attr_changed_fn - Told of each span whose attributes changed
 * @priv: the caller's pointer
 * @start: first page of the span
 * @last: last page of the span
 * @changes: &enum amdgpu_svm_attr_change bits
 *
 * Called with the tree lock held and the tree already updated.
 */
typedef void (*amdgpu_svm_attr_changed_fn)(void *priv, unsigned long start,
					    unsigned long last, u32 changes);

/* How many recent CPU unmaps the tree remembers the spans of. */
#define AMDGPU_SVM_ATTR_UNMAP_LOG	16

/**
 * struct amdgpu_svm_attr_tree - The attributes userspace set, per page
 * @lock: protects @root and every node in it
 * @root: the &amdgpu_svm_attr_range nodes, never overlapping, no two
 *	adjacent ones equal; a page no node covers has @defaults
 * @defaults: the attributes of a page nobody set anything on
 * @mm: the address space the attributes describe (a reference is held
 *	with mmgrab()), or NULL for a tree that is not cleared on munmap
 * @notifiers: the &amdgpu_svm_attr_notifier blocks watching for munmap
 * @pending_lock: protects @pending and @pending_overflow
 * @pending: spans unmapped by the CPU whose attributes are still to drop
 * @pending_overflow: a span could not be recorded; re-check @overflow
 * @overflow: the union of the spans that could not be recorded, in pages
 * @clear_work: drops the attributes of the @pending spans
 * @unmap_seq: counts the CPU unmaps in blocks that hold attributes
 *	(@pending_lock for writers)
 * @unmap_log: the spans of the last %AMDGPU_SVM_ATTR_UNMAP_LOG unmaps,
 *	the one that made @unmap_seq n at n % %AMDGPU_SVM_ATTR_UNMAP_LOG
 *	(@pending_lock); see amdgpu_svm_attr_unmapped_since()
 * @nr_nodes: live interval nodes
 * @nr_pending: live pending-span records
 * @nr_notifiers: live notifier blocks
 * @fail_alloc: tests only: fail the n-th allocation of the SVM from now
 *	(0: never; negative: every one); see amdgpu_svm_fail_alloc()
 */
struct amdgpu_svm_attr_tree {
	struct mutex lock; /* the tree and its nodes */
	struct rb_root_cached root;
	struct amdgpu_svm_attrs defaults;
	struct mm_struct *mm;
	struct list_head notifiers;
	spinlock_t pending_lock; /* pending spans, taken in notifiers */
	struct list_head pending;
	bool pending_overflow;
	struct {
		unsigned long start;
		unsigned long last;
	} overflow;
	struct work_struct clear_work;
	atomic_t unmap_seq;
	struct {
		unsigned long start;
		unsigned long last;
	} unmap_log[AMDGPU_SVM_ATTR_UNMAP_LOG];
	atomic_t nr_nodes;
	atomic_t nr_pending;
	atomic_t nr_notifiers;
	atomic_t fail_alloc;
};

/**
 * amdgpu_svm_attr_unmap_seq() - Where the CPU unmaps of attributes stand
 * @tree: the attribute tree
 *
 * A caller that looks attributes up, then maps memory, reads this before
 * the lookup and asks amdgpu_svm_attr_unmapped_since() once the mapping is
 * in place whether the memory it mapped may have been unmapped and mapped
 * anew in between, so that the attributes it used belonged to the old
 * mapping.
 *
 * Return: the count of recorded CPU unmaps.
 */
static inline int amdgpu_svm_attr_unmap_seq(struct amdgpu_svm_attr_tree *tree)
{
	return atomic_read(&tree->unmap_seq);
}

/**
 * amdgpu_svm_fail_alloc() - Whether a test wants this allocation to fail
 * @tree: the attribute tree; its @fail_alloc counts the allocations of the
 *	whole SVM (attribute nodes, notifiers, ranges, pages, DMA arrays)
 *
 * Only KUnit builds count; others never fail here.
 *
 * Return: true for the allocation the test picked.
 */
static inline bool amdgpu_svm_fail_alloc(struct amdgpu_svm_attr_tree *tree)
{
	int n;

	if (!IS_ENABLED(CONFIG_DRM_AMDGPU_SVM_KUNIT_TEST))
		return false;
	n = atomic_read(&tree->fail_alloc);
	return n < 0 || (n && atomic_dec_if_positive(&tree->fail_alloc) == 0);
}

int amdgpu_svm_attr_cache_create(void);
void amdgpu_svm_attr_cache_destroy(void);
void amdgpu_svm_attr_defaults(struct amdgpu_svm_attrs *attrs, bool xnack_on,
			      unsigned int granularity);
void amdgpu_svm_attr_tree_init(struct amdgpu_svm_attr_tree *tree,
			       struct mm_struct *mm,
			       const struct amdgpu_svm_attrs *defaults);
void amdgpu_svm_attr_tree_fini(struct amdgpu_svm_attr_tree *tree);

int amdgpu_svm_attr_req_parse(struct amdgpu_svm_attr_req *req,
			      const struct drm_amdgpu_svm_attribute *attrs,
			      u32 nattr);
int amdgpu_svm_attr_set(struct amdgpu_svm_attr_tree *tree,
			unsigned long start, unsigned long last,
			const struct amdgpu_svm_attr_req *req,
			amdgpu_svm_attr_changed_fn changed, void *priv);
int amdgpu_svm_attr_reset(struct amdgpu_svm_attr_tree *tree,
			  unsigned long start, unsigned long last,
			  amdgpu_svm_attr_changed_fn changed, void *priv);
int amdgpu_svm_attr_get(struct amdgpu_svm_attr_tree *tree,
			unsigned long start, unsigned long last,
			struct drm_amdgpu_svm_attribute *attrs, u32 nattr);
void amdgpu_svm_attr_lookup(struct amdgpu_svm_attr_tree *tree,
			    unsigned long page, struct amdgpu_svm_attrs *attrs,
			    unsigned long *start, unsigned long *last);
bool amdgpu_svm_attr_unmapped_since(struct amdgpu_svm_attr_tree *tree, int seq,
				    unsigned long start, unsigned long last);
int amdgpu_svm_attr_find(struct amdgpu_svm_attr_tree *tree, unsigned long page,
			 struct amdgpu_svm_attrs *attrs, unsigned long *start,
			 unsigned long *last);
int amdgpu_svm_attr_flush_unmapped(struct amdgpu_svm_attr_tree *tree);

#endif

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
#include <linux/ratelimit.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <uapi/drm/amdgpu_drm.h>

#include "amdgpu_svm_unmap.h"

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
 * struct amdgpu_svm_attr_node - One interval of equal attributes
 * @it: the interval, in page numbers (start and last inclusive)
 * @link: entry in a private list while the node is out of the tree
 * @attrs: the attributes of every page of the interval
 */
struct amdgpu_svm_attr_node {
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

/**
 * typedef amdgpu_svm_attr_visit_fn - Told of the attributes of each part of a span
 * @priv: the caller's pointer
 * @attrs: the attributes of one interval, or of one hole, of the span
 *
 * Called with the tree lock held.
 */
typedef void (*amdgpu_svm_attr_visit_fn)(void *priv,
					  const struct amdgpu_svm_attrs *attrs);

/**
 * struct amdgpu_svm_attr_tree - The attributes userspace set, per page
 * @lock: protects @root and every node in it
 * @root: the &amdgpu_svm_attr_node nodes, never overlapping, no two
 *	adjacent ones equal; a page no node covers has @defaults
 * @defaults: the attributes of a page nobody set anything on
 * @unmaps: records the CPU unmaps of the blocks that hold attributes; its
 *	worker drops their attributes
 * @nr_nodes: live interval nodes
 * @warn_rs: rate limit of the worker's warnings, per tree
 */
struct amdgpu_svm_attr_tree {
	struct mutex lock; /* the tree and its nodes */
	struct rb_root_cached root;
	struct amdgpu_svm_attrs defaults;
	struct amdgpu_svm_unmap_tracker unmaps;
	struct amdgpu_svm_live nr_nodes;
	struct ratelimit_state warn_rs;
};

int amdgpu_svm_attr_cache_create(void);
void amdgpu_svm_attr_cache_destroy(void);
void amdgpu_svm_attr_defaults(struct amdgpu_svm_attrs *attrs, bool xnack_on,
			      unsigned int granularity);
void amdgpu_svm_attr_tree_init(struct amdgpu_svm_attr_tree *tree,
			       struct mm_struct *mm,
			       const struct amdgpu_svm_attrs *defaults);
void amdgpu_svm_attr_tree_fini(struct amdgpu_svm_attr_tree *tree);

int amdgpu_svm_attr_tree_set(struct amdgpu_svm_attr_tree *tree,
			     unsigned long start, unsigned long last,
			     const struct amdgpu_svm_attr_req *req,
			     amdgpu_svm_attr_changed_fn changed, void *priv);
int amdgpu_svm_attr_tree_reset(struct amdgpu_svm_attr_tree *tree,
			       unsigned long start, unsigned long last,
			       amdgpu_svm_attr_changed_fn changed, void *priv);
void amdgpu_svm_attr_tree_lookup_locked(struct amdgpu_svm_attr_tree *tree,
					unsigned long page, struct amdgpu_svm_attrs *attrs,
					unsigned long *start, unsigned long *last);
int amdgpu_svm_attr_tree_lookup(struct amdgpu_svm_attr_tree *tree, unsigned long page,
				struct amdgpu_svm_attrs *attrs, unsigned long *start,
				unsigned long *last);
int amdgpu_svm_attr_drop_unmapped(struct amdgpu_svm_attr_tree *tree);
int amdgpu_svm_attr_tree_visit(struct amdgpu_svm_attr_tree *tree,
			       unsigned long start, unsigned long last,
			       amdgpu_svm_attr_visit_fn visit, void *priv);

#endif

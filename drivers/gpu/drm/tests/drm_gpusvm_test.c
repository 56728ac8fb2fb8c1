// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of GPU SVM (drm_gpusvm) on the test task's own mm: real HMM
 * faults, real DMA mappings of the pages, real MMU notifiers fired by
 * munmap(). A small driver in this file binds nothing; it records what
 * its invalidate() callback is asked and does, and keeps the rest of a
 * partially unmapped range when the test opts in.
 *
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#include <kunit/test.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/mman.h>
#include <linux/mmu_notifier.h>
#include <linux/mmap_lock.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_device.h>
#include <drm/drm_gpusvm.h>
#include <drm/drm_kunit_helpers.h>
#include <drm/drm_pagemap.h>

struct test_range {
	struct drm_gpusvm_range base;
	struct drm_gpusvm_pages pages;
	/* The "GPU binding": set when mapped, copied to the pieces of a split. */
	bool bound;
};

struct test_svm {
	struct drm_gpusvm gpusvm;
	struct drm_device *drm;
	struct mutex lock;	/* the driver lock */
	/* Keep what a partial unmap leaves (the opt-in). */
	bool keep_rest;
	/* Ranges allocated and not yet freed. */
	int live_ranges;
	unsigned int invalidations;
	/* The span the last UNMAP event reached, after widening. */
	unsigned long extent_start, extent_end;
	/* If not 0, the range allocation that fails, counting down. */
	int fail_alloc;
	/* If not 0, a page the next range allocation unmaps first. */
	unsigned long unmap_on_alloc;
};

static const unsigned long test_chunks[] = { SZ_2M, SZ_64K, SZ_4K };

static struct test_range *to_test_range(struct drm_gpusvm_range *range)
{
	return container_of(range, struct test_range, base);
}

static struct test_svm *to_test_svm(struct drm_gpusvm *gpusvm)
{
	return container_of(gpusvm, struct test_svm, gpusvm);
}

static unsigned long range_npages(struct drm_gpusvm_range *range)
{
	return drm_gpusvm_range_size(range) >> PAGE_SHIFT;
}

static struct drm_gpusvm_range *test_range_alloc(struct drm_gpusvm *gpusvm)
{
	struct test_svm *svm = to_test_svm(gpusvm);
	unsigned long unmap = svm->unmap_on_alloc;
	struct test_range *r;

	if (unmap) {
		/* An invalidation while the caller allocates. */
		svm->unmap_on_alloc = 0;
		vm_munmap(unmap, PAGE_SIZE);
	}
	if (svm->fail_alloc && !--svm->fail_alloc)
		return NULL;
	r = kzalloc_obj(*r);
	if (!r)
		return NULL;
	drm_gpusvm_init_pages(&r->pages, svm->drm);
	svm->live_ranges++;
	return &r->base;
}

static void test_range_free(struct drm_gpusvm_range *range)
{
	struct test_svm *svm = to_test_svm(range->gpusvm);

	drm_gpusvm_free_pages(range->gpusvm, &to_test_range(range)->pages,
			      range_npages(range));
	kfree(to_test_range(range));
	svm->live_ranges--;
}

/* Unmap what an UNMAP event reaches of @range, and keep the rest. */
static void test_unmap_span(struct test_svm *svm, struct drm_gpusvm_range *range,
			    const struct mmu_notifier_range *mmu_range,
			    const struct drm_gpusvm_ctx *ctx)
{
	struct test_range *r = to_test_range(range);
	unsigned long start = mmu_range->start, end = mmu_range->end;

	if (!drm_gpusvm_pages_span_extent(&svm->gpusvm, &r->pages,
					  drm_gpusvm_range_start(range),
					  range_npages(range), &start, &end))
		r->bound = false;
	svm->extent_start = start;
	svm->extent_end = end;
	drm_gpusvm_unmap_pages_span(&svm->gpusvm, &r->pages,
				    drm_gpusvm_range_start(range),
				    range_npages(range), start, end, ctx);
}

static void test_invalidate(struct drm_gpusvm *gpusvm,
			    struct drm_gpusvm_notifier *notifier,
			    const struct mmu_notifier_range *mmu_range)
{
	struct drm_gpusvm_ctx ctx = { .in_notifier = true };
	struct test_svm *svm = to_test_svm(gpusvm);
	bool unmap = mmu_range->event == MMU_NOTIFY_UNMAP;
	struct drm_gpusvm_range *range = NULL;

	svm->invalidations++;
	drm_gpusvm_for_each_range(range, notifier, mmu_range->start,
				  mmu_range->end) {
		struct test_range *r = to_test_range(range);
		bool partial = drm_gpusvm_range_start(range) < mmu_range->start ||
			       drm_gpusvm_range_end(range) > mmu_range->end;

		if (svm->keep_rest && unmap && partial) {
			test_unmap_span(svm, range, mmu_range, &ctx);
		} else {
			r->bound = false;
			drm_gpusvm_unmap_pages(gpusvm, &r->pages,
					       range_npages(range), &ctx);
		}
		if (unmap)
			drm_gpusvm_range_set_unmapped(range, &r->pages, 1,
						      mmu_range);
	}
}

static struct drm_gpusvm_pages *test_range_pages(struct drm_gpusvm_range *range)
{
	return &to_test_range(range)->pages;
}

static int test_range_split_state(struct drm_gpusvm_range *range,
				  struct drm_gpusvm_range *piece)
{
	lockdep_assert_held_write(&range->gpusvm->notifier_lock);
	to_test_range(piece)->bound = to_test_range(range)->bound;
	return 0;
}

static const struct drm_gpusvm_ops test_ops = {
	.range_alloc = test_range_alloc,
	.range_free = test_range_free,
	.invalidate = test_invalidate,
	.range_pages = test_range_pages,
	.range_split_state = test_range_split_state,
};

static void test_svm_fini(void *data)
{
	struct test_svm *svm = data;

	mutex_lock(&svm->lock);
	drm_gpusvm_fini(&svm->gpusvm);
	mutex_unlock(&svm->lock);
	mutex_destroy(&svm->lock);
}

static struct test_svm *test_svm_create(struct kunit *test, bool keep_rest)
{
	struct test_svm *svm = kunit_kzalloc(test, sizeof(*svm), GFP_KERNEL);
	struct device *dev;

	KUNIT_ASSERT_NOT_NULL(test, svm);
	KUNIT_ASSERT_EQ(test, kunit_attach_mm(), 0);
	dev = drm_kunit_helper_alloc_device(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);
	svm->drm = __drm_kunit_helper_alloc_drm_device(test, dev, sizeof(*svm->drm),
						       0, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, svm->drm);
	svm->keep_rest = keep_rest;
	mutex_init(&svm->lock);
	KUNIT_ASSERT_EQ(test, drm_gpusvm_init(&svm->gpusvm, "drm_gpusvm_test",
					      current->mm, 0, TASK_SIZE, SZ_512M,
					      &test_ops, test_chunks,
					      ARRAY_SIZE(test_chunks)), 0);
	drm_gpusvm_driver_set_lock(&svm->gpusvm, &svm->lock);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_svm_fini, svm), 0);
	return svm;
}

/* What the test writes at the start of the page at @addr. */
static u64 page_tag(unsigned long addr)
{
	return 0x5eed000000000000ULL ^ addr;
}

/* Map @size bytes aligned to @align and write each page's tag into it. */
static unsigned long test_mmap(struct kunit *test, unsigned long size,
			       unsigned long align)
{
	unsigned long addr, start, a;

	addr = kunit_vm_mmap(test, NULL, 0, size + align, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	start = ALIGN(addr, align);
	if (start > addr)
		KUNIT_ASSERT_EQ(test, vm_munmap(addr, start - addr), 0);
	if (addr + align > start)
		KUNIT_ASSERT_EQ(test, vm_munmap(start + size, addr + align - start), 0);
	/*
	 * The cases index DMA entries page by page: keep transparent huge
	 * pages (one entry of order 9) out of them.
	 */
	if (IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE))
		KUNIT_ASSERT_EQ(test, do_madvise(current->mm, start, size,
						 MADV_NOHUGEPAGE), 0);
	for (a = start; a < start + size; a += PAGE_SIZE) {
		u64 tag = page_tag(a);

		KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)a, &tag,
						   sizeof(tag)), 0);
	}
	return start;
}

/* Whether the page behind @dma starts with @tag (direct DMA, as on UML). */
static bool dma_holds(struct device *dev, dma_addr_t dma, u64 tag)
{
	phys_addr_t phys = dma_to_phys(dev, dma);
	u64 *vaddr = kmap_local_page(pfn_to_page(PHYS_PFN(phys)));
	bool holds = vaddr[0] == tag;

	kunmap_local(vaddr);
	return holds;
}

static struct drm_gpusvm_range *insert(struct kunit *test, struct test_svm *svm,
				       unsigned long addr, unsigned long start,
				       unsigned long end)
{
	struct drm_gpusvm_ctx ctx = {};
	struct drm_gpusvm_range *range;

	mutex_lock(&svm->lock);
	range = drm_gpusvm_range_find_or_insert(&svm->gpusvm, addr, start, end,
						&ctx);
	mutex_unlock(&svm->lock);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, range);
	return range;
}

static int get_pages(struct test_svm *svm, struct drm_gpusvm_range *range)
{
	struct drm_gpusvm_ctx ctx = {};
	int ret;

	mutex_lock(&svm->lock);
	ret = drm_gpusvm_get_pages(&svm->gpusvm, &to_test_range(range)->pages,
				   svm->gpusvm.mm, &range->notifier->notifier,
				   drm_gpusvm_range_start(range),
				   drm_gpusvm_range_end(range), &ctx);
	if (!ret)
		to_test_range(range)->bound = true;
	mutex_unlock(&svm->lock);
	return ret;
}

/* The DMA address of page @i of @range (order-0 entries), or 0 if unmapped. */
static dma_addr_t page_dma(struct drm_gpusvm_range *range, unsigned long i)
{
	const struct drm_pagemap_addr *addr = &to_test_range(range)->pages.dma_addr[i];

	return addr->addr == DMA_MAPPING_ERROR ? 0 : addr->addr;
}

/* Check every DMA address of @range against the tag of its CPU page. */
static void expect_pages_hold_tags(struct kunit *test, struct test_svm *svm,
				   struct drm_gpusvm_range *range)
{
	unsigned long i, start = drm_gpusvm_range_start(range);
	unsigned long unmapped = 0, wrong = 0;
	bool valid;

	/* Nothing that may allocate (a failed expectation) under the lock. */
	drm_gpusvm_notifier_lock(&svm->gpusvm);
	valid = drm_gpusvm_pages_valid(&svm->gpusvm, &to_test_range(range)->pages);
	for (i = 0; i < range_npages(range); i++) {
		dma_addr_t dma = page_dma(range, i);

		if (!dma)
			unmapped++;
		else if (!dma_holds(svm->drm->dev, dma, page_tag(start + i * PAGE_SIZE)))
			wrong++;
	}
	drm_gpusvm_notifier_unlock(&svm->gpusvm);
	KUNIT_EXPECT_TRUE(test, valid);
	KUNIT_EXPECT_EQ_MSG(test, unmapped, 0, "pages of %#lx not mapped", start);
	KUNIT_EXPECT_EQ_MSG(test, wrong, 0, "pages of %#lx hold other pages", start);
}

static void drm_gpusvm_test_insert_picks_chunks(struct kunit *test)
{
	struct test_svm *svm = test_svm_create(test, false);
	unsigned long start = test_mmap(test, SZ_4M, SZ_2M);
	struct drm_gpusvm_range *a, *b, *c;

	a = insert(test, svm, start + SZ_4K, start, start + SZ_4M);
	KUNIT_EXPECT_EQ(test, drm_gpusvm_range_start(a), start);
	KUNIT_EXPECT_EQ(test, drm_gpusvm_range_size(a), (unsigned long)SZ_2M);
	/* The same address finds the same range. */
	b = insert(test, svm, start + SZ_1M, start, start + SZ_4M);
	KUNIT_EXPECT_PTR_EQ(test, a, b);
	/* Bounds narrower than 2 MiB: the next chunk size that fits. */
	c = insert(test, svm, start + SZ_2M + SZ_64K, start + SZ_2M,
		   start + SZ_2M + SZ_128K);
	KUNIT_EXPECT_EQ(test, drm_gpusvm_range_start(c), start + SZ_2M + SZ_64K);
	KUNIT_EXPECT_EQ(test, drm_gpusvm_range_size(c), (unsigned long)SZ_64K);
	KUNIT_EXPECT_EQ(test, svm->live_ranges, 2);
}

/* A range over 2 MiB of fresh memory at *@start, its pages obtained. */
static struct drm_gpusvm_range *mapped_2m(struct kunit *test, struct test_svm *svm,
					  unsigned long *start)
{
	struct drm_gpusvm_range *range;

	*start = test_mmap(test, SZ_2M, SZ_2M);
	range = insert(test, svm, *start, *start, *start + SZ_2M);
	KUNIT_ASSERT_EQ(test, get_pages(svm, range), 0);
	return range;
}

static void drm_gpusvm_test_get_pages_maps_the_cpu_pages(struct kunit *test)
{
	struct test_svm *svm = test_svm_create(test, false);
	unsigned long start;
	struct drm_gpusvm_range *range;

	range = mapped_2m(test, svm, &start);
	expect_pages_hold_tags(test, svm, range);
	/* Valid pages are not faulted or mapped again. */
	KUNIT_ASSERT_EQ(test, get_pages(svm, range), 0);
	expect_pages_hold_tags(test, svm, range);
}

static void drm_gpusvm_test_unmap_invalidates(struct kunit *test)
{
	struct test_svm *svm = test_svm_create(test, false);
	unsigned long start;
	struct drm_gpusvm_range *range;

	range = mapped_2m(test, svm, &start);
	drm_gpusvm_range_get(range);
	KUNIT_ASSERT_EQ(test, vm_munmap(start + SZ_1M, SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, svm->invalidations, 1);
	drm_gpusvm_notifier_lock(&svm->gpusvm);
	KUNIT_EXPECT_TRUE(test, range->flags.unmapped);
	KUNIT_EXPECT_TRUE(test, range->flags.partial_unmap);
	KUNIT_EXPECT_FALSE(test, drm_gpusvm_pages_valid(&svm->gpusvm,
							&to_test_range(range)->pages));
	KUNIT_EXPECT_FALSE(test, to_test_range(range)->pages.flags.has_dma_mapping);
	drm_gpusvm_notifier_unlock(&svm->gpusvm);
	/* An unmapped range gets no pages; without the opt-in, none are kept. */
	KUNIT_EXPECT_EQ(test, get_pages(svm, range), -EFAULT);
	mutex_lock(&svm->lock);
	KUNIT_EXPECT_EQ(test, drm_gpusvm_range_split(&svm->gpusvm, range), 0);
	drm_gpusvm_range_remove(&svm->gpusvm, range);
	mutex_unlock(&svm->lock);
	drm_gpusvm_range_put(range);
	KUNIT_EXPECT_EQ(test, svm->live_ranges, 0);
}

/**
 * struct split_case - A partial unmap and what it leaves
 * @name: printable name
 * @hole: offset of the hole from the start of two 2 MiB ranges
 * @size: size of the hole
 * @pieces: ranges that replace each of the two ranges, if it was cut
 * @extent: offsets of the span the last partial unmap of a range reached
 * @ranges: ranges over the 4 MiB after the split
 */
struct split_case {
	const char *name;
	unsigned long hole, size;
	int pieces[2];
	unsigned long extent[2];
	int ranges;
};

static const struct split_case split_cases[] = {
	{ "head", 0, SZ_64K, { 1, 0 }, { 0, SZ_64K }, 2 },
	{ "tail", SZ_2M - SZ_64K, SZ_64K, { 1, 0 }, { SZ_2M - SZ_64K, SZ_2M }, 2 },
	{ "middle", SZ_1M, SZ_4K, { 2, 0 }, { SZ_1M, SZ_1M + SZ_4K }, 3 },
	{ "across", SZ_2M - SZ_64K, SZ_128K, { 1, 1 }, { SZ_2M, SZ_2M + SZ_64K }, 2 },
	{ "whole-first", 0, SZ_2M, { 0, 0 }, { 0, 0 }, 1 },
};

static void split_case_desc(const struct split_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(split_case, split_cases, split_case_desc);

/* Every range in [start, end) with its pages valid, and the count. */
static int expect_ranges_hold_tags(struct kunit *test, struct test_svm *svm,
				   unsigned long start, unsigned long end)
{
	struct drm_gpusvm_notifier *notifier;
	struct drm_gpusvm_range *range;
	int count = 0;

	drm_gpusvm_for_each_notifier(notifier, &svm->gpusvm, start, end) {
		range = NULL;
		drm_gpusvm_for_each_range(range, notifier, start, end) {
			KUNIT_EXPECT_TRUE(test, to_test_range(range)->bound);
			KUNIT_EXPECT_FALSE(test, range->flags.unmapped);
			expect_pages_hold_tags(test, svm, range);
			count++;
		}
	}
	return count;
}

/*
 * Opt-in partial unmap: the notifier unmaps the hole only; the split
 * replaces each cut range by the runs still mapped, which keep their DMA
 * addresses and binding and are not faulted again.
 */
static void drm_gpusvm_test_split_keeps_the_rest(struct kunit *test)
{
	const struct split_case *c = test->param_value;
	struct test_svm *svm = test_svm_create(test, true);
	unsigned long start = test_mmap(test, SZ_4M, SZ_2M);
	unsigned long hole = start + c->hole, npages = SZ_4M >> PAGE_SHIFT;
	struct drm_gpusvm_range *ranges[2];
	dma_addr_t *before;
	unsigned long i;
	int k, pieces;

	before = kunit_kcalloc(test, npages, sizeof(*before), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	for (k = 0; k < 2; k++) {
		ranges[k] = insert(test, svm, start + k * SZ_2M, start, start + SZ_4M);
		KUNIT_ASSERT_EQ(test, get_pages(svm, ranges[k]), 0);
		for (i = 0; i < SZ_2M >> PAGE_SHIFT; i++)
			before[k * (SZ_2M >> PAGE_SHIFT) + i] = page_dma(ranges[k], i);
		drm_gpusvm_range_get(ranges[k]);
	}

	KUNIT_ASSERT_EQ(test, vm_munmap(hole, c->size), 0);
	if (c->extent[1]) {
		KUNIT_EXPECT_EQ(test, svm->extent_start, start + c->extent[0]);
		KUNIT_EXPECT_EQ(test, svm->extent_end, start + c->extent[1]);
	}

	mutex_lock(&svm->lock);
	for (k = 0; k < 2; k++) {
		if (!ranges[k]->flags.unmapped)
			continue;
		pieces = drm_gpusvm_range_split(&svm->gpusvm, ranges[k]);
		KUNIT_EXPECT_EQ_MSG(test, pieces, c->pieces[k], "range %d", k);
		if (pieces == 0 && ranges[k]->flags.unmapped)
			drm_gpusvm_range_remove(&svm->gpusvm, ranges[k]);
	}
	mutex_unlock(&svm->lock);

	KUNIT_EXPECT_EQ(test, expect_ranges_hold_tags(test, svm, start, start + SZ_4M),
			c->ranges);
	/* Not faulted or mapped again: the same DMA addresses as before. */
	for (i = 0; i < npages; i++) {
		unsigned long addr = start + i * PAGE_SIZE;
		struct drm_gpusvm_notifier *notifier;
		struct drm_gpusvm_range *range;

		if (addr >= hole && addr < hole + c->size)
			continue;
		notifier = drm_gpusvm_notifier_find(&svm->gpusvm, addr, addr + 1);
		KUNIT_ASSERT_NOT_NULL(test, notifier);
		range = drm_gpusvm_range_find(notifier, addr, addr + 1);
		KUNIT_ASSERT_NOT_NULL_MSG(test, range, "page %lu lost its range", i);
		KUNIT_EXPECT_EQ_MSG(test, page_dma(range, (addr - drm_gpusvm_range_start(range)) >>
						   PAGE_SHIFT), before[i],
				    "page %lu was mapped again", i);
	}
	for (k = 0; k < 2; k++)
		drm_gpusvm_range_put(ranges[k]);
	/* The pieces, and the range the hole did not touch. */
	KUNIT_EXPECT_EQ(test, svm->live_ranges, c->ranges);
}

/* A piece is an ordinary range: invalidating it unmaps it. */
static void drm_gpusvm_test_pieces_invalidate(struct kunit *test)
{
	struct test_svm *svm = test_svm_create(test, true);
	unsigned long start;
	struct drm_gpusvm_range *range, *head, *tail;
	struct drm_gpusvm_notifier *notifier;

	range = mapped_2m(test, svm, &start);
	notifier = range->notifier;
	KUNIT_ASSERT_EQ(test, vm_munmap(start + SZ_1M, SZ_4K), 0);
	mutex_lock(&svm->lock);
	/* The tree's reference goes with the range: it is freed here. */
	KUNIT_ASSERT_EQ(test, drm_gpusvm_range_split(&svm->gpusvm, range), 2);
	mutex_unlock(&svm->lock);
	KUNIT_EXPECT_EQ(test, svm->live_ranges, 2);

	head = drm_gpusvm_range_find(notifier, start, start + 1);
	tail = drm_gpusvm_range_find(notifier, start + SZ_1M + SZ_4K,
				     start + SZ_1M + SZ_8K);
	KUNIT_ASSERT_NOT_NULL(test, head);
	KUNIT_ASSERT_NOT_NULL(test, tail);
	KUNIT_EXPECT_EQ(test, drm_gpusvm_range_end(head), start + SZ_1M);
	KUNIT_EXPECT_EQ(test, drm_gpusvm_range_start(tail), start + SZ_1M + SZ_4K);

	/* The whole tail goes: no partial unmap, all of it unmapped. */
	KUNIT_ASSERT_EQ(test, vm_munmap(start + SZ_1M + SZ_4K, SZ_1M - SZ_4K), 0);
	drm_gpusvm_notifier_lock(&svm->gpusvm);
	KUNIT_EXPECT_TRUE(test, tail->flags.unmapped);
	KUNIT_EXPECT_FALSE(test, tail->flags.partial_unmap);
	KUNIT_EXPECT_FALSE(test, to_test_range(tail)->pages.flags.has_dma_mapping);
	KUNIT_EXPECT_TRUE(test, drm_gpusvm_pages_valid(&svm->gpusvm,
						       &to_test_range(head)->pages));
	drm_gpusvm_notifier_unlock(&svm->gpusvm);
	mutex_lock(&svm->lock);
	drm_gpusvm_range_remove(&svm->gpusvm, tail);
	mutex_unlock(&svm->lock);
	expect_pages_hold_tags(test, svm, head);
	KUNIT_EXPECT_EQ(test, svm->live_ranges, 1);
}

/* 64 KiB of anonymous memory in a VMA of its own, never written. */
static unsigned long zero_mmap(struct kunit *test)
{
	unsigned long addr;

	addr = kunit_vm_mmap(test, NULL, 0, 3 * SZ_64K, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	/* Guards, so that it merges with no neighbour. */
	KUNIT_ASSERT_EQ(test, vm_munmap(addr, SZ_64K), 0);
	KUNIT_ASSERT_EQ(test, vm_munmap(addr + 2 * SZ_64K, SZ_64K), 0);
	return addr + SZ_64K;
}

/* Read every page of a fresh mapping: the CPU maps the shared zero page. */
static void read_zero_pages(struct kunit *test, unsigned long start,
			    unsigned long size)
{
	unsigned long a;
	u64 v;

	for (a = start; a < start + size; a += PAGE_SIZE)
		KUNIT_ASSERT_EQ(test, copy_from_user(&v, (void __user *)a, sizeof(v)), 0);
}

/*
 * A write fault on the zero page replaces it, and invalidates the range
 * from inside hmm_range_fault(): get_pages() must start over with a new
 * notifier sequence and end with the new pages mapped.
 */
static void drm_gpusvm_test_get_pages_retries_on_invalidation(struct kunit *test)
{
	struct test_svm *svm = test_svm_create(test, false);
	unsigned long start, i;
	struct drm_gpusvm_range *range;

	start = zero_mmap(test);
	read_zero_pages(test, start, SZ_64K);
	range = insert(test, svm, start, start, start + SZ_64K);
	KUNIT_ASSERT_EQ(test, get_pages(svm, range), 0);
	KUNIT_EXPECT_GT(test, svm->invalidations, 0);
	drm_gpusvm_notifier_lock(&svm->gpusvm);
	KUNIT_EXPECT_TRUE(test, drm_gpusvm_pages_valid(&svm->gpusvm,
						       &to_test_range(range)->pages));
	for (i = 0; i < SZ_64K >> PAGE_SHIFT; i++)
		KUNIT_EXPECT_NE(test, page_to_pfn(ZERO_PAGE(0)),
				PHYS_PFN(dma_to_phys(svm->drm->dev, page_dma(range, i))));
	drm_gpusvm_notifier_unlock(&svm->gpusvm);
}

/*
 * With the mmap lock held by the caller: ranges of the sizes it names,
 * inside the VMA and up to the ranges already there, mapped without the
 * lock being dropped, retried on invalidation too.
 */
/* drm_gpusvm_get_pages_locked() of all of @range; the mmap lock is held. */
static int get_pages_locked(struct test_svm *svm, struct drm_gpusvm_range *range)
{
	struct drm_gpusvm_ctx ctx = {};

	return drm_gpusvm_get_pages_locked(&svm->gpusvm, &to_test_range(range)->pages,
					   current->mm, &range->notifier->notifier,
					   drm_gpusvm_range_start(range),
					   drm_gpusvm_range_end(range), &ctx);
}

static void drm_gpusvm_test_insert_span_under_mmap_lock(struct kunit *test)
{
	struct test_svm *svm = test_svm_create(test, false);
	unsigned long start = test_mmap(test, SZ_4M, SZ_2M), zero;
	struct drm_gpusvm_range *a, *b, *c, *z;
	struct drm_gpusvm_ctx ctx = {};
	struct mm_struct *mm = current->mm;

	zero = zero_mmap(test);
	read_zero_pages(test, zero, SZ_64K);

	mutex_lock(&svm->lock);
	/* No notifier yet: the caller inserts them before it takes the lock. */
	mmap_read_lock(mm);
	a = drm_gpusvm_range_find_or_insert_span(&svm->gpusvm, start, start + SZ_32K, &ctx);
	mmap_read_unlock(mm);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(a), -EINVAL);
	KUNIT_ASSERT_EQ(test, drm_gpusvm_notifiers_insert(&svm->gpusvm, start,
							  start + SZ_4M), 0);
	KUNIT_ASSERT_EQ(test, drm_gpusvm_notifiers_insert(&svm->gpusvm, zero,
							  zero + SZ_64K), 0);

	mmap_read_lock(mm);
	/* A granule that is no chunk size: 32 KiB. */
	a = drm_gpusvm_range_find_or_insert_span(&svm->gpusvm, start + SZ_32K,
						 start + SZ_64K, &ctx);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	KUNIT_EXPECT_EQ(test, drm_gpusvm_range_start(a), start + SZ_32K);
	KUNIT_EXPECT_EQ(test, drm_gpusvm_range_end(a), start + SZ_64K);
	/* A span that meets it ends where it begins... */
	b = drm_gpusvm_range_find_or_insert_span(&svm->gpusvm, start, start + SZ_2M, &ctx);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	KUNIT_EXPECT_EQ(test, drm_gpusvm_range_end(b), start + SZ_32K);
	/* ...and a span inside it finds it. */
	KUNIT_EXPECT_PTR_EQ(test, drm_gpusvm_range_find_or_insert_span(&svm->gpusvm,
								       start + SZ_32K + SZ_4K,
								       start + SZ_2M, &ctx), a);
	/* The end of the VMA bounds a range too. */
	c = drm_gpusvm_range_find_or_insert_span(&svm->gpusvm, start + SZ_2M,
						 start + SZ_8M, &ctx);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c);
	KUNIT_EXPECT_EQ(test, drm_gpusvm_range_end(c), start + SZ_4M);
	z = drm_gpusvm_range_find_or_insert_span(&svm->gpusvm, start + SZ_4M,
						 start + SZ_8M, &ctx);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(z), -ENOENT);
	z = drm_gpusvm_range_find_or_insert_span(&svm->gpusvm, zero, zero + SZ_64K, &ctx);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, z);

	KUNIT_EXPECT_EQ(test, get_pages_locked(svm, a), 0);
	KUNIT_EXPECT_EQ(test, get_pages_locked(svm, c), 0);
	/* Write faults on the zero page invalidate from inside the fault. */
	KUNIT_EXPECT_EQ(test, get_pages_locked(svm, z), 0);
	mmap_read_unlock(mm);
	KUNIT_EXPECT_GT(test, svm->invalidations, 0);
	drm_gpusvm_notifiers_remove_unused(&svm->gpusvm, start, start + SZ_4M);
	mutex_unlock(&svm->lock);

	expect_pages_hold_tags(test, svm, a);
	expect_pages_hold_tags(test, svm, c);
	KUNIT_EXPECT_EQ(test, svm->live_ranges, 4);
}

/* A split that cannot allocate changes nothing, and can be done later. */
static void drm_gpusvm_test_split_without_memory(struct kunit *test)
{
	struct test_svm *svm = test_svm_create(test, true);
	unsigned long start;
	struct drm_gpusvm_range *range;

	range = mapped_2m(test, svm, &start);
	KUNIT_ASSERT_EQ(test, vm_munmap(start + SZ_1M, SZ_4K), 0);
	drm_gpusvm_range_get(range);
	mutex_lock(&svm->lock);
	svm->fail_alloc = 2;	/* the second piece */
	KUNIT_EXPECT_EQ(test, drm_gpusvm_range_split(&svm->gpusvm, range), -ENOMEM);
	KUNIT_EXPECT_EQ(test, svm->live_ranges, 1);
	KUNIT_EXPECT_PTR_EQ(test, drm_gpusvm_range_find(range->notifier, start,
							start + 1), range);
	drm_gpusvm_notifier_lock(&svm->gpusvm);
	/* Unmapped, so not valid, though the rest is still DMA-mapped. */
	KUNIT_EXPECT_FALSE(test, drm_gpusvm_pages_valid(&svm->gpusvm,
							&to_test_range(range)->pages));
	KUNIT_EXPECT_TRUE(test, to_test_range(range)->pages.flags.has_dma_mapping);
	drm_gpusvm_notifier_unlock(&svm->gpusvm);
	KUNIT_EXPECT_EQ(test, drm_gpusvm_range_split(&svm->gpusvm, range), 2);
	mutex_unlock(&svm->lock);
	drm_gpusvm_range_put(range);
	KUNIT_EXPECT_EQ(test, svm->live_ranges, 2);
	KUNIT_EXPECT_EQ(test, expect_ranges_hold_tags(test, svm, start, start + SZ_2M), 2);
}

/*
 * An unmap of the range while the split allocates its pieces: the split
 * sees the notifier sequence move, starts over, and keeps what the second
 * unmap left too.
 */
static void drm_gpusvm_test_split_starts_over_on_invalidation(struct kunit *test)
{
	struct test_svm *svm = test_svm_create(test, true);
	unsigned long start;
	struct drm_gpusvm_range *range;
	unsigned int invalidations;

	range = mapped_2m(test, svm, &start);
	KUNIT_ASSERT_EQ(test, vm_munmap(start + SZ_1M, SZ_4K), 0);
	invalidations = svm->invalidations;
	mutex_lock(&svm->lock);
	svm->unmap_on_alloc = start + SZ_64K;
	KUNIT_EXPECT_EQ(test, drm_gpusvm_range_split(&svm->gpusvm, range), 3);
	mutex_unlock(&svm->lock);
	KUNIT_EXPECT_EQ(test, svm->invalidations, invalidations + 1);
	KUNIT_EXPECT_EQ(test, expect_ranges_hold_tags(test, svm, start, start + SZ_2M), 3);
	KUNIT_EXPECT_EQ(test, svm->live_ranges, 3);
}

static struct kunit_case drm_gpusvm_tests[] = {
	KUNIT_CASE(drm_gpusvm_test_insert_picks_chunks),
	KUNIT_CASE(drm_gpusvm_test_get_pages_maps_the_cpu_pages),
	KUNIT_CASE(drm_gpusvm_test_unmap_invalidates),
	KUNIT_CASE_PARAM(drm_gpusvm_test_split_keeps_the_rest, split_case_gen_params),
	KUNIT_CASE(drm_gpusvm_test_pieces_invalidate),
	KUNIT_CASE(drm_gpusvm_test_split_without_memory),
	KUNIT_CASE(drm_gpusvm_test_split_starts_over_on_invalidation),
	KUNIT_CASE(drm_gpusvm_test_get_pages_retries_on_invalidation),
	KUNIT_CASE(drm_gpusvm_test_insert_span_under_mmap_lock),
	{}
};

static struct kunit_suite drm_gpusvm_test_suite = {
	.name = "drm_gpusvm",
	.test_cases = drm_gpusvm_tests,
};

kunit_test_suite(drm_gpusvm_test_suite);

MODULE_DESCRIPTION("KUnit tests for GPU SVM");
MODULE_LICENSE("GPL");

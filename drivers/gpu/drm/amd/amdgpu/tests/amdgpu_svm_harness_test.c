// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

/*
 * The harness suite proves the ground every other SVM suite stands on: a
 * real drm_gpusvm on the test task's real mm, real HMM faults and DMA
 * mappings, and real MMU notifiers fired by vm_munmap().
 */

#include <kunit/test.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <drm/drm_device.h>
#include <drm/drm_gpusvm.h>
#include <drm/drm_pagemap.h>

#include "amdgpu_svm_test_helpers.h"

#define HARNESS_MAX_EVENTS 16

struct harness_range {
	struct drm_gpusvm_range base;
	struct drm_gpusvm_pages pages;
};

struct harness_event {
	enum mmu_notifier_event event;
	unsigned long start;
	unsigned long end;
};

struct harness {
	struct drm_gpusvm gpusvm;
	struct drm_device *drm;
	struct mutex lock;	/* the driver SVM lock */
	unsigned int nr_events;
	struct harness_event events[HARNESS_MAX_EVENTS];
};

static const unsigned long harness_chunks[] = { SZ_2M, SZ_64K, SZ_4K };

static struct harness_range *to_harness_range(struct drm_gpusvm_range *r)
{
	return container_of(r, struct harness_range, base);
}

static struct drm_gpusvm_range *harness_range_alloc(struct drm_gpusvm *gpusvm)
{
	struct harness *h = container_of(gpusvm, struct harness, gpusvm);
	struct harness_range *r = kzalloc_obj(*r);

	if (!r)
		return NULL;
	drm_gpusvm_init_pages(&r->pages, h->drm);
	return &r->base;
}

static void harness_range_free(struct drm_gpusvm_range *range)
{
	struct harness_range *r = to_harness_range(range);

	drm_gpusvm_free_pages(range->gpusvm, &r->pages,
			      drm_gpusvm_range_size(range) >> PAGE_SHIFT);
	kfree(r);
}

static void harness_invalidate(struct drm_gpusvm *gpusvm,
			       struct drm_gpusvm_notifier *notifier,
			       const struct mmu_notifier_range *mmu_range)
{
	struct harness *h = container_of(gpusvm, struct harness, gpusvm);
	struct drm_gpusvm_ctx ctx = { .in_notifier = true };
	struct drm_gpusvm_range *range = NULL;

	if (h->nr_events < HARNESS_MAX_EVENTS)
		h->events[h->nr_events++] = (struct harness_event) {
			.event = mmu_range->event,
			.start = mmu_range->start,
			.end = mmu_range->end,
		};

	drm_gpusvm_for_each_range(range, notifier, mmu_range->start,
				  mmu_range->end) {
		struct harness_range *r = to_harness_range(range);

		drm_gpusvm_unmap_pages(gpusvm, &r->pages,
				       drm_gpusvm_range_size(range) >> PAGE_SHIFT,
				       &ctx);
		if (mmu_range->event == MMU_NOTIFY_UNMAP)
			drm_gpusvm_range_set_unmapped(range, &r->pages, 1,
						      mmu_range);
	}
}

static const struct drm_gpusvm_ops harness_ops = {
	.range_alloc = harness_range_alloc,
	.range_free = harness_range_free,
	.invalidate = harness_invalidate,
};

static void harness_fini(void *data)
{
	struct harness *h = data;

	mutex_lock(&h->lock);
	drm_gpusvm_fini(&h->gpusvm);
	mutex_unlock(&h->lock);
	mutex_destroy(&h->lock);
}

static struct harness *harness_create(struct kunit *test)
{
	struct harness *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_EQ(test, kunit_attach_mm(), 0);
	h->drm = amdgpu_svm_test_drm_device(test);
	mutex_init(&h->lock);
	KUNIT_ASSERT_EQ(test, drm_gpusvm_init(&h->gpusvm, "harness", current->mm,
					      0, TASK_SIZE, SZ_512M, &harness_ops,
					      harness_chunks,
					      ARRAY_SIZE(harness_chunks)), 0);
	drm_gpusvm_driver_set_lock(&h->gpusvm, &h->lock);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, harness_fini, h), 0);
	return h;
}

static void harness_maps_and_unmaps_real_pages(struct kunit *test)
{
	struct harness *h = harness_create(test);
	struct drm_gpusvm_ctx ctx = {};
	unsigned long start, hole, i;
	struct drm_gpusvm_range *range;
	struct harness_range *r;

	start = amdgpu_svm_test_mmap(test, SZ_2M, SZ_2M);
	amdgpu_svm_test_fill(test, start, SZ_2M, 0x5eed);

	mutex_lock(&h->lock);
	range = drm_gpusvm_range_find_or_insert(&h->gpusvm, start + SZ_4K, start,
						start + SZ_2M, &ctx);
	mutex_unlock(&h->lock);
	KUNIT_ASSERT_FALSE(test, IS_ERR(range));
	KUNIT_EXPECT_EQ(test, drm_gpusvm_range_start(range), start);
	KUNIT_EXPECT_EQ(test, drm_gpusvm_range_size(range), (unsigned long)SZ_2M);

	r = to_harness_range(range);
	KUNIT_ASSERT_EQ(test, drm_gpusvm_get_pages(&h->gpusvm, &r->pages,
						   h->gpusvm.mm,
						   &range->notifier->notifier,
						   start, start + SZ_2M, &ctx), 0);

	drm_gpusvm_notifier_lock(&h->gpusvm);
	KUNIT_EXPECT_TRUE(test, drm_gpusvm_pages_valid(&h->gpusvm, &r->pages));
	for (i = 0; i < SZ_2M >> PAGE_SHIFT; i++) {
		unsigned long addr = start + i * PAGE_SIZE;
		u64 want = amdgpu_svm_test_pattern(0x5eed, addr);
		dma_addr_t dma = r->pages.dma_addr[i].addr;

		KUNIT_EXPECT_EQ(test, (u32)r->pages.dma_addr[i].order, 0);

		KUNIT_EXPECT_TRUE_MSG(test, amdgpu_svm_test_dma_holds(h->drm->dev, dma, want),
				      "page %lu does not hold what the CPU wrote", i);
	}
	drm_gpusvm_notifier_unlock(&h->gpusvm);

	hole = start + SZ_1M;
	h->nr_events = 0;
	KUNIT_ASSERT_EQ(test, vm_munmap(hole, PAGE_SIZE), 0);

	KUNIT_ASSERT_EQ(test, h->nr_events, 1);
	KUNIT_EXPECT_EQ(test, h->events[0].event, MMU_NOTIFY_UNMAP);
	KUNIT_EXPECT_EQ(test, h->events[0].start, hole);
	KUNIT_EXPECT_EQ(test, h->events[0].end, hole + PAGE_SIZE);

	drm_gpusvm_notifier_lock(&h->gpusvm);
	KUNIT_EXPECT_TRUE(test, range->flags.unmapped);
	KUNIT_EXPECT_TRUE(test, range->flags.partial_unmap);
	KUNIT_EXPECT_FALSE(test, drm_gpusvm_pages_valid(&h->gpusvm, &r->pages));
	drm_gpusvm_notifier_unlock(&h->gpusvm);
}

static struct kunit_case amdgpu_svm_harness_cases[] = {
	KUNIT_CASE(harness_maps_and_unmaps_real_pages),
	{}
};

static struct kunit_suite amdgpu_svm_harness_suite = {
	.name = "amdgpu_svm_harness",
	.test_cases = amdgpu_svm_harness_cases,
};

kunit_test_suite(amdgpu_svm_harness_suite);

// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

/**
 * DOC: Migration tests
 *
 * Migration to VRAM and back, for real: drm_pagemap, migrate_vma and
 * device-private pages on the real-VM fixture. The device's VRAM pagemap
 * is the one SVM uses on a board (amdgpu_svm_vram.c: its buffer objects
 * come from amdgpu's own VRAM manager over the fixture's fake VRAM, its
 * device-private pages from memremap_pages() over a free physical range);
 * only the copy engine is the test's: a worker that copies between the
 * fake VRAM and the system pages and signals a fence when it is done, so
 * that a caller that does not wait reads stale data.
 *
 * Every page is checked through the real page table: the walker reads
 * the PTE, which must point at the VRAM that holds the page's data or at
 * the system page the CPU maps, never at anything else.
 *
 * ZONE_DEVICE, which device-private pages need, exists on x86_64 (under
 * QEMU), not on UML.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/dma-direct.h>
#include <linux/dma-fence.h>
#include <linux/highmem.h>
#include <linux/ioport.h>
#include <linux/kthread.h>
#include <linux/memremap.h>
#include <linux/mman.h>
#include <linux/prandom.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

#include <drm/drm_pagemap.h>
#include <drm/ttm/ttm_resource.h>

#include "../amdgpu.h"
#include "../amdgpu_object.h"
#include "../amdgpu_svm.h"
#include "../amdgpu_svm_vm.h"
#include "../amdgpu_svm_vram.h"
#include "../amdgpu_ttm.h"
#include "amdgpu_svm_test_helpers.h"
#include "amdgpu_svm_test_vm.h"
#include "amdgpu_svm_test_walk.h"

/* The fixture whose fake VRAM the test copy engine reaches (one at a time). */
static struct amdgpu_svm_test_vm *copy_fix;
/* The benchmarks' copies signal as soon as they are done. */
static bool copy_prompt;

/**
 * struct test_copy - One copy of the test engine
 * @base: its fence, signalled once the data is there
 * @lock: the fence's lock
 * @work: does the copy
 * @wait: the fence to wait for first, or NULL
 * @vram: VRAM offsets
 * @sys: DMA addresses
 * @npages: pages
 * @to_vram: direction
 */
struct test_copy {
	struct dma_fence base;
	spinlock_t lock; /* the fence */
	struct work_struct work;
	struct dma_fence *wait;
	const u64 *vram;
	const dma_addr_t *sys;
	unsigned long npages;
	bool to_vram;
};

static const char *test_copy_name(struct dma_fence *f)
{
	return "amdgpu_svm_test_copy";
}

static const struct dma_fence_ops test_copy_fence_ops = {
	.get_driver_name = test_copy_name,
	.get_timeline_name = test_copy_name,
};

/* Copy one page between the fake VRAM and the system page at DMA address @dma. */
static void test_copy_page(u64 vram_off, dma_addr_t dma, bool to_vram)
{
	struct page *page = pfn_to_page(PHYS_PFN(dma_to_phys(copy_fix->adev->dev, dma)));
	void *vram = copy_fix->vram + vram_off, *sys = kmap_local_page(page);

	if (to_vram)
		memcpy(vram, sys, PAGE_SIZE);
	else
		memcpy(sys, vram, PAGE_SIZE);
	kunmap_local(sys);
}

static void test_copy_work(struct work_struct *work)
{
	struct test_copy *c = container_of(work, struct test_copy, work);
	unsigned long i;

	if (c->wait)
		dma_fence_wait(c->wait, false);
	/* Late on purpose: a caller that does not wait sees old data. */
	if (!READ_ONCE(copy_prompt))
		usleep_range(2000, 3000);
	for (i = 0; i < c->npages; i++)
		test_copy_page(c->vram[i], c->sys[i], c->to_vram);
	dma_fence_put(c->wait);
	dma_fence_signal(&c->base);
	dma_fence_put(&c->base);
}

static struct dma_fence *test_copy(struct amdgpu_device *adev, const u64 *vram,
				   const dma_addr_t *sys, unsigned long npages, bool to_vram,
				   struct dma_fence *wait)
{
	struct test_copy *c;

	if (!npages)
		return NULL;
	c = kzalloc_obj(*c);
	if (!c)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&c->lock);
	dma_fence_init(&c->base, &test_copy_fence_ops, &c->lock,
		       dma_fence_context_alloc(1), 1);
	INIT_WORK(&c->work, test_copy_work);
	c->wait = dma_fence_get(wait);
	c->vram = vram;
	c->sys = sys;
	c->npages = npages;
	c->to_vram = to_vram;
	dma_fence_get(&c->base);	/* the worker's */
	queue_work(system_dfl_wq, &c->work);
	return &c->base;
}

static const struct amdgpu_svm_vram_copy_ops test_copy_ops = {
	.copy = test_copy,
};

/* One value per 8 bytes of the page at @addr: every byte of it is checked. */
static u64 word_at(u32 seed, unsigned long addr, unsigned int i)
{
	return amdgpu_svm_test_pattern(seed, addr) * 0x9e3779b97f4a7c15ULL + i;
}

static void fill_pages(struct kunit *test, unsigned long start, unsigned long size, u32 seed)
{
	u64 *buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	unsigned long addr;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (addr = start; addr < start + size; addr += PAGE_SIZE) {
		for (i = 0; i < PAGE_SIZE / sizeof(u64); i++)
			buf[i] = word_at(seed, addr, i);
		KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)addr, buf, PAGE_SIZE), 0);
	}
}

static bool page_holds(const u64 *p, u32 seed, unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / sizeof(u64); i++)
		if (p[i] != word_at(seed, addr, i))
			return false;
	return true;
}

/* Where the GPU finds the page at @addr, and whether that place holds its data. */
enum gpu_place { GPU_NOWHERE, GPU_VRAM, GPU_SYSTEM, GPU_WRONG };

static enum gpu_place gpu_place_of(struct amdgpu_svm_test_vm *fix, unsigned long addr, u32 seed)
{
	struct amdgpu_device *adev = fix->adev;
	struct amdgpu_svm_test_gpu_page gp;
	bool holds;
	u64 off;

	amdgpu_svm_test_walk(adev, amdgpu_svm_test_vm_vm(fix), fix->vram,
			     addr >> AMDGPU_GPU_PAGE_SHIFT, &gp);
	if (!gp.valid)
		return GPU_NOWHERE;
	if (!gp.system) {
		off = gp.addr - adev->vm_manager.vram_base_offset;
		if (off + PAGE_SIZE > adev->gmc.real_vram_size)
			return GPU_WRONG;
		return page_holds(fix->vram + off, seed, addr) ? GPU_VRAM : GPU_WRONG;
	}
	if (amdgpu_svm_test_page_mismatch(adev->dev, addr, gp.addr))
		return GPU_WRONG;
	{
		struct page *page = pfn_to_page(PHYS_PFN(dma_to_phys(adev->dev, gp.addr)));
		u64 *p = kmap_local_page(page);

		holds = page_holds(p, seed, addr);
		kunmap_local(p);
	}
	return holds ? GPU_SYSTEM : GPU_WRONG;
}

/* How many pages of [start, start + size) the GPU finds at each place. */
static void count_places(struct amdgpu_svm_test_vm *fix, unsigned long start,
			 unsigned long size, u32 seed, unsigned long *n)
{
	unsigned long addr;

	memset(n, 0, sizeof(*n) * (GPU_WRONG + 1));
	for (addr = start; addr < start + size; addr += PAGE_SIZE)
		n[gpu_place_of(fix, addr, seed)]++;
}

/* The CPU reads every byte it wrote. */
static void expect_cpu_data(struct kunit *test, unsigned long start, unsigned long size,
			    u32 seed)
{
	u64 *buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	unsigned long addr, bad = 0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (addr = start; addr < start + size; addr += PAGE_SIZE) {
		KUNIT_ASSERT_EQ(test, copy_from_user(buf, (void __user *)addr, PAGE_SIZE), 0);
		bad += !page_holds(buf, seed, addr);
	}
	KUNIT_EXPECT_EQ_MSG(test, bad, 0, "pages whose data the CPU does not read back");
}

static int set_prefetch(struct kunit *test, struct amdgpu_svm_test_vm *fix, unsigned long start,
			unsigned long size, u32 loc)
{
	struct drm_amdgpu_svm_attribute a[] = {
		{ AMDGPU_SVM_ATTR_ACCESS, AMDGPU_SVM_ACCESS_ALLOW_MIGRATE },
		{ AMDGPU_SVM_ATTR_PREFETCH_LOC, loc },
	};

	return amdgpu_svm_test_vm_ioctl(test, fix, AMDGPU_SVM_OP_SET_ATTR, start, size, a,
					ARRAY_SIZE(a));
}

/*
 * set_prefetch() as a runtime calls it: a SET that returns -EBUSY (page
 * tables evicted, a range whose clear waits for a retry) or -EAGAIN has
 * stored its attributes, and the same request made again completes it
 * (the UAPI says so). Counts the repeats in @repeats.
 */
static int set_prefetch_repeated(struct kunit *test, struct amdgpu_svm_test_vm *fix,
				 unsigned long start, unsigned long size, u32 loc,
				 unsigned int *repeats)
{
	unsigned int tries = 0;
	int ret;

	while ((ret = set_prefetch(test, fix, start, size, loc)) == -EBUSY || ret == -EAGAIN) {
		if (++tries == 50)
			break;
		(*repeats)++;
		usleep_range(1000, 2000);
	}
	return ret;
}

static u64 stat_of(struct amdgpu_svm_stat *s)
{
	return amdgpu_svm_stat_read(s);
}

static const struct amdgpu_svm_test_vm_params migrate_gpus[] = {
	{ "gc9.4.3", IP_VERSION(9, 4, 3) },
	{ "gc11.0.0", IP_VERSION(11, 0, 0) },
	{ "gc12.0.0", IP_VERSION(12, 0, 0) },
};

static void migrate_gpu_desc(const struct amdgpu_svm_test_vm_params *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(migrate_gpu, migrate_gpus, migrate_gpu_desc);

static void put_vram(void *vram)
{
	amdgpu_svm_vram_put(vram);
}

/* A fixture whose VRAM pagemap copies with the test engine. */
static struct amdgpu_svm_test_vm *migrate_fixture(struct kunit *test)
{
	const struct amdgpu_svm_test_vm_params *p = test->param_value;
	struct amdgpu_svm_test_vm *fix = amdgpu_svm_test_vm_create(test, p);
	struct amdgpu_svm_vram *vram;

	/* Until the next case's: the fixture's teardown still copies. */
	copy_fix = fix;
	vram = amdgpu_svm_vram_get_with(fix->adev, &test_copy_ops);
	KUNIT_ASSERT_FALSE(test, IS_ERR(vram));
	/* Before the fixture's teardown, as a device file's SVM lets go. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, put_vram, vram), 0);
	return fix;
}

static struct amdgpu_svm_vram *vram_of(struct amdgpu_svm_test_vm *fix)
{
	return fix->adev->svm_vram;
}

/* Prefetch to VRAM and back; the data byte for byte on each side, each page copied once. */
static void migrate_prefetch_round_trip(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix = migrate_fixture(test);
	unsigned long start = amdgpu_svm_test_mmap(test, SZ_2M, SZ_2M), n[GPU_WRONG + 1];
	unsigned long npages = SZ_2M >> PAGE_SHIFT;
	struct amdgpu_svm_vram *vram = vram_of(fix);
	u32 seed = amdgpu_svm_test_seed();

	fill_pages(test, start, SZ_2M, seed);
	KUNIT_ASSERT_EQ(test, set_prefetch(test, fix, start, SZ_2M, AMDGPU_SVM_LOCATION_LOCAL), 0);
	count_places(fix, start, SZ_2M, seed, n);
	KUNIT_EXPECT_EQ(test, n[GPU_VRAM], npages);
	KUNIT_EXPECT_EQ(test, n[GPU_WRONG], 0);
	KUNIT_EXPECT_EQ(test, stat_of(&vram->stats.pages_to_vram), npages);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&vram->nr_allocs), 1);

	KUNIT_ASSERT_EQ(test, set_prefetch(test, fix, start, SZ_2M, AMDGPU_SVM_LOCATION_SYSMEM), 0);
	count_places(fix, start, SZ_2M, seed, n);
	KUNIT_EXPECT_EQ(test, n[GPU_SYSTEM], npages);
	KUNIT_EXPECT_EQ(test, n[GPU_WRONG], 0);
	expect_cpu_data(test, start, SZ_2M, seed);
	KUNIT_EXPECT_EQ(test, stat_of(&vram->stats.pages_to_ram), npages);
	/* Exactly one copy per page migrated, each way. */
	KUNIT_EXPECT_EQ(test, stat_of(&vram->stats.pages_copied), 2 * npages);
	flush_work(&vram->release_work);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&vram->nr_allocs), 0);
}

/* Whether every byte of the page the GPU finds at @addr, in VRAM, is zero. */
static bool vram_page_is_zero(struct amdgpu_svm_test_vm *fix, unsigned long addr)
{
	struct amdgpu_svm_test_gpu_page gp;
	const u8 *p;
	unsigned int i;

	amdgpu_svm_test_walk(fix->adev, amdgpu_svm_test_vm_vm(fix), fix->vram,
			     addr >> AMDGPU_GPU_PAGE_SHIFT, &gp);
	if (!gp.valid || gp.system)
		return false;
	p = fix->vram + gp.addr - fix->adev->vm_manager.vram_base_offset;
	for (i = 0; i < PAGE_SIZE; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * Memory the process never touched, moved to VRAM that held another
 * buffer's data, reads as zero on both sides: nothing leaks through VRAM.
 */
static void migrate_untouched_memory_reads_zero(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix = migrate_fixture(test);
	unsigned long used = amdgpu_svm_test_mmap(test, SZ_4M, SZ_2M);
	unsigned long fresh = amdgpu_svm_test_mmap(test, SZ_4M, SZ_2M);
	struct amdgpu_svm_vram *vram = vram_of(fix);
	unsigned long addr, not_zero = 0;
	u64 val;

	fill_pages(test, used, SZ_4M, amdgpu_svm_test_seed());
	KUNIT_ASSERT_EQ(test, set_prefetch(test, fix, used, SZ_4M, AMDGPU_SVM_LOCATION_LOCAL), 0);
	KUNIT_ASSERT_EQ(test, vm_munmap(used, SZ_4M), 0);
	flush_work(&vram->release_work);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&vram->nr_allocs), 0);
	KUNIT_ASSERT_EQ(test, set_prefetch(test, fix, fresh, SZ_4M, AMDGPU_SVM_LOCATION_LOCAL), 0);
	for (addr = fresh; addr < fresh + SZ_4M; addr += PAGE_SIZE)
		not_zero += !vram_page_is_zero(fix, addr);
	KUNIT_EXPECT_EQ_MSG(test, not_zero, 0, "GPU pages not in VRAM, or not zero");
	for (addr = fresh; addr < fresh + SZ_4M; addr += PAGE_SIZE) {
		KUNIT_ASSERT_EQ(test, copy_from_user(&val, (void __user *)addr, sizeof(val)), 0);
		not_zero += !!val;
	}
	KUNIT_EXPECT_EQ_MSG(test, not_zero, 0, "pages the CPU does not read as zero");
}

/* The CPU touches a page in VRAM: it comes back, and the GPU follows it there. */
static void migrate_cpu_access_moves_back(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix = migrate_fixture(test);
	unsigned long start = amdgpu_svm_test_mmap(test, SZ_2M, SZ_2M), n[GPU_WRONG + 1];
	unsigned long npages = SZ_2M >> PAGE_SHIFT;
	struct amdgpu_svm_vram *vram = vram_of(fix);
	u32 seed = amdgpu_svm_test_seed();
	struct amdgpu_svm *svm;
	u64 val;

	fill_pages(test, start, SZ_2M, seed);
	KUNIT_ASSERT_EQ(test, set_prefetch(test, fix, start, SZ_2M, AMDGPU_SVM_LOCATION_LOCAL), 0);
	/* A CPU read of one page faults the allocation back (migrate_to_ram). */
	KUNIT_ASSERT_EQ(test, copy_from_user(&val, (void __user *)(start + SZ_64K), sizeof(val)),
			0);
	KUNIT_EXPECT_EQ(test, val, word_at(seed, start + SZ_64K, 0));
	svm = amdgpu_svm_test_vm_svm(fix);
	KUNIT_ASSERT_NOT_NULL(test, svm);
	/* XNACK off: the restore worker maps the pages where they are now. */
	amdgpu_svm_flush_work(svm);
	amdgpu_svm_put(svm);
	count_places(fix, start, SZ_2M, seed, n);
	KUNIT_EXPECT_EQ(test, n[GPU_SYSTEM], npages);
	KUNIT_EXPECT_EQ(test, n[GPU_WRONG], 0);
	expect_cpu_data(test, start, SZ_2M, seed);
	/* A write after the move lands in system memory and stays there. */
	fill_pages(test, start, SZ_2M, seed + 1);
	expect_cpu_data(test, start, SZ_2M, seed + 1);
	flush_work(&vram->release_work);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&vram->nr_allocs), 0);
}

/* munmap of memory in VRAM frees the VRAM and leaves the GPU nothing. */
static void migrate_munmap_frees_vram(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix = migrate_fixture(test);
	unsigned long start = amdgpu_svm_test_mmap(test, SZ_2M, SZ_2M), n[GPU_WRONG + 1];
	struct amdgpu_svm_vram *vram = vram_of(fix);
	u32 seed = amdgpu_svm_test_seed();

	fill_pages(test, start, SZ_2M, seed);
	KUNIT_ASSERT_EQ(test, set_prefetch(test, fix, start, SZ_2M, AMDGPU_SVM_LOCATION_LOCAL), 0);
	KUNIT_ASSERT_EQ(test, vm_munmap(start, SZ_2M), 0);
	flush_work(&vram->release_work);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&vram->nr_allocs), 0);
	count_places(fix, start, SZ_2M, seed, n);
	KUNIT_EXPECT_EQ(test, n[GPU_NOWHERE], SZ_2M >> PAGE_SHIFT);
}

/* Teardown of the SVM with pages in VRAM: they go back, the VRAM is freed. */
static void migrate_teardown_with_pages_in_vram(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix = migrate_fixture(test);
	unsigned long start = amdgpu_svm_test_mmap(test, SZ_2M, SZ_2M);
	struct amdgpu_svm_vram *vram = vram_of(fix);
	u32 seed = amdgpu_svm_test_seed();

	fill_pages(test, start, SZ_2M, seed);
	KUNIT_ASSERT_EQ(test, set_prefetch(test, fix, start, SZ_2M, AMDGPU_SVM_LOCATION_LOCAL), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&vram->nr_allocs), 1);
	amdgpu_svm_test_vm_fini_svm(fix);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&vram->nr_allocs), 0);
	expect_cpu_data(test, start, SZ_2M, seed);
}

/* A prefetch larger than VRAM moves what fits and fails nothing. */
static void migrate_overcommit_moves_what_fits(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix = migrate_fixture(test);
	unsigned long size = 2 * fix->adev->gmc.real_vram_size, n[GPU_WRONG + 1];
	unsigned long start = amdgpu_svm_test_mmap(test, size, SZ_2M);
	struct amdgpu_svm_vram *vram = vram_of(fix);
	u32 seed = amdgpu_svm_test_seed();

	fill_pages(test, start, size, seed);
	KUNIT_ASSERT_EQ(test, set_prefetch(test, fix, start, size, AMDGPU_SVM_LOCATION_LOCAL), 0);
	count_places(fix, start, size, seed, n);
	kunit_info(test, "pages in VRAM %lu, in system memory %lu, of %lu\n", n[GPU_VRAM],
		   n[GPU_SYSTEM], size >> PAGE_SHIFT);
	KUNIT_EXPECT_GT(test, n[GPU_VRAM], 0);
	KUNIT_EXPECT_GT(test, n[GPU_SYSTEM], 0);
	KUNIT_EXPECT_EQ(test, n[GPU_VRAM] + n[GPU_SYSTEM], size >> PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, n[GPU_WRONG], 0);
	expect_cpu_data(test, start, size, seed);
	KUNIT_EXPECT_EQ(test, stat_of(&vram->stats.pages_to_ram), n[GPU_VRAM]);
	/* The prefetch evicted none of its own chunks to place the next. */
	KUNIT_EXPECT_EQ(test, stat_of(&vram->stats.evictions), 0);
	flush_work(&vram->release_work);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&vram->nr_allocs), 0);
}

/**
 * struct pressure - Another user of VRAM, in a kernel thread (no mm)
 * @fix: the fixture
 * @svm_bytes: 0: allocate @size; else allocate all free VRAM and this much more
 * @size: bytes to allocate in each round
 * @stop: set by the test to end the rounds (0: one round)
 * @rounds: rounds done
 * @ret: the first allocation error
 * @done: the thread ended
 *
 * Each round holds the VM's root page directory reserved while it
 * allocates, so that TTM cannot evict the page tables the walker reads
 * (they share its reservation) and only SVM VRAM makes room.
 */
struct pressure {
	struct amdgpu_svm_test_vm *fix;
	u64 svm_bytes;
	unsigned long size;
	atomic_t stop;
	unsigned int rounds;
	int ret;
	struct completion done;
};

/* A buffer object of @size bytes in VRAM, as any other user of VRAM makes one. */
static int create_vram_bo(struct amdgpu_device *adev, u64 size, struct amdgpu_bo **bo)
{
	struct amdgpu_bo_param bp = {
		.size = size,
		.byte_align = PAGE_SIZE,
		.domain = AMDGPU_GEM_DOMAIN_VRAM,
		.preferred_domain = AMDGPU_GEM_DOMAIN_VRAM,
		.flags = AMDGPU_GEM_CREATE_NO_CPU_ACCESS,
		.type = ttm_bo_type_kernel,
		.bo_ptr_size = sizeof(struct amdgpu_bo),
	};

	return amdgpu_bo_create(adev, &bp, bo);
}

/* Allocate and free @size bytes of VRAM in one buffer object, root reserved. */
static int pressure_round(struct amdgpu_device *adev, struct amdgpu_bo *root, u64 size,
			  u64 svm_bytes)
{
	struct ttm_resource_manager *man = &adev->mman.vram_mgr.manager;
	struct amdgpu_bo *bo;
	int ret;

	amdgpu_bo_reserve(root, true);
	if (svm_bytes)
		size = adev->gmc.real_vram_size - ttm_resource_manager_usage(man) + svm_bytes;
	ret = create_vram_bo(adev, size, &bo);
	amdgpu_bo_unreserve(root);
	if (!ret)
		amdgpu_bo_unref(&bo);
	return ret;
}

static int pressure_fn(void *arg)
{
	struct pressure *p = arg;
	struct amdgpu_bo *root = amdgpu_svm_test_vm_vm(p->fix)->root.bo;
	int ret;

	do {
		ret = pressure_round(p->fix->adev, root, p->size, p->svm_bytes);
		if (ret && ret != -ENOMEM && ret != -ENOSPC && !p->ret)
			p->ret = ret;
		p->rounds++;
		cond_resched();
	} while (atomic_read(&p->stop) == 0 && !p->svm_bytes);
	complete(&p->done);
	return 0;
}

static void pressure_start(struct kunit *test, struct pressure *p)
{
	struct task_struct *t;

	init_completion(&p->done);
	t = kthread_run(pressure_fn, p, "amdgpu_svm_pressure");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
}

/* Run a round of @p in a kernel thread and wait for it. */
static void pressure_once(struct kunit *test, struct pressure *p)
{
	pressure_start(test, p);
	wait_for_completion(&p->done);
}

/*
 * TTM evicts SVM VRAM that another buffer needs, here one of another user
 * (a kernel thread): the pages go back to system memory with their data,
 * the GPU never finds freed VRAM, and the XNACK-off restore worker maps
 * them where they are now.
 */
static void migrate_ttm_eviction_moves_pages_out(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix = migrate_fixture(test);
	unsigned long start = amdgpu_svm_test_mmap(test, SZ_4M, SZ_2M), n[GPU_WRONG + 1];
	struct amdgpu_svm_vram *vram = vram_of(fix);
	struct pressure p = { .fix = fix, .svm_bytes = SZ_4M };
	u32 seed = amdgpu_svm_test_seed();
	struct amdgpu_svm *svm;

	fill_pages(test, start, SZ_4M, seed);
	KUNIT_ASSERT_EQ(test, set_prefetch(test, fix, start, SZ_4M, AMDGPU_SVM_LOCATION_LOCAL), 0);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_live_read(&vram->nr_allocs), 2);

	pressure_once(test, &p);
	KUNIT_EXPECT_EQ(test, p.ret, 0);
	KUNIT_EXPECT_EQ(test, stat_of(&vram->stats.evictions), 2);
	KUNIT_EXPECT_EQ(test, stat_of(&vram->stats.pages_to_ram), SZ_4M >> PAGE_SHIFT);
	count_places(fix, start, SZ_4M, seed, n);
	KUNIT_EXPECT_EQ(test, n[GPU_VRAM], 0);
	KUNIT_EXPECT_EQ(test, n[GPU_WRONG], 0);
	flush_work(&vram->release_work);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&vram->nr_allocs), 0);

	svm = amdgpu_svm_test_vm_svm(fix);
	KUNIT_ASSERT_NOT_NULL(test, svm);
	amdgpu_svm_flush_work(svm);
	amdgpu_svm_put(svm);
	count_places(fix, start, SZ_4M, seed, n);
	KUNIT_EXPECT_EQ(test, n[GPU_SYSTEM], SZ_4M >> PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, n[GPU_WRONG], 0);
	expect_cpu_data(test, start, SZ_4M, seed);
}

/*
 * Prefetches to VRAM and back while another user allocates VRAM over and
 * over: whatever TTM takes away and whatever the prefetch moves, every
 * page's data survives and the GPU never finds freed VRAM.
 */
static void migrate_eviction_during_prefetch(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix = migrate_fixture(test);
	unsigned long start = amdgpu_svm_test_mmap(test, SZ_8M, SZ_2M), n[GPU_WRONG + 1];
	struct amdgpu_svm_vram *vram = vram_of(fix);
	struct pressure p = { .fix = fix, .size = SZ_8M + SZ_4M };
	u32 seed = amdgpu_svm_test_seed();
	unsigned int round, wrong = 0, repeats = 0;

	fill_pages(test, start, SZ_8M, seed);
	pressure_start(test, &p);
	for (round = 0; round < 16; round++) {
		u32 loc = round & 1 ? AMDGPU_SVM_LOCATION_SYSMEM : AMDGPU_SVM_LOCATION_LOCAL;

		KUNIT_EXPECT_EQ(test, set_prefetch_repeated(test, fix, start, SZ_8M, loc, &repeats),
				0);
		count_places(fix, start, SZ_8M, seed, n);
		wrong += n[GPU_WRONG];
		if (round >= 3 && stat_of(&vram->stats.evictions))
			break;
	}
	atomic_set(&p.stop, 1);
	wait_for_completion(&p.done);
	kunit_info(test, "%u prefetches (%u repeated), %u pressure rounds, %llu evictions\n",
		   round + 1, repeats, p.rounds, stat_of(&vram->stats.evictions));
	KUNIT_EXPECT_EQ(test, p.ret, 0);
	KUNIT_EXPECT_EQ_MSG(test, wrong, 0, "GPU pages at freed or wrong memory");
	KUNIT_EXPECT_GT(test, stat_of(&vram->stats.evictions), 0);
	expect_cpu_data(test, start, SZ_8M, seed);
	KUNIT_ASSERT_EQ(test, set_prefetch_repeated(test, fix, start, SZ_8M,
						    AMDGPU_SVM_LOCATION_SYSMEM, &repeats), 0);
	flush_work(&vram->release_work);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&vram->nr_allocs), 0);
}

/*
 * Suspend evicts all of VRAM (amdgpu_device_evict_resources()), through
 * TTM's evict_all, which does not ask eviction_valuable(): SVM's pages go
 * to system memory with their data through the move callback, and no VRAM
 * stays allocated for them.
 */
static void migrate_suspend_eviction_saves_pages(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix = migrate_fixture(test);
	unsigned long start = amdgpu_svm_test_mmap(test, SZ_4M, SZ_2M), n[GPU_WRONG + 1];
	struct amdgpu_svm_vram *vram = vram_of(fix);
	u32 seed = amdgpu_svm_test_seed();
	struct amdgpu_svm *svm;

	fill_pages(test, start, SZ_4M, seed);
	KUNIT_ASSERT_EQ(test, set_prefetch(test, fix, start, SZ_4M, AMDGPU_SVM_LOCATION_LOCAL), 0);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_live_read(&vram->nr_allocs), 2);
	KUNIT_EXPECT_EQ(test, amdgpu_ttm_evict_resources(fix->adev, TTM_PL_VRAM), 0);
	KUNIT_EXPECT_EQ(test, stat_of(&vram->stats.evictions), 2);
	KUNIT_EXPECT_EQ(test, stat_of(&vram->stats.pages_to_ram), SZ_4M >> PAGE_SHIFT);
	flush_work(&vram->release_work);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&vram->nr_allocs), 0);
	expect_cpu_data(test, start, SZ_4M, seed);
	/* The restore worker validates the page tables again and maps. */
	svm = amdgpu_svm_test_vm_svm(fix);
	KUNIT_ASSERT_NOT_NULL(test, svm);
	amdgpu_svm_flush_work(svm);
	amdgpu_svm_put(svm);
	count_places(fix, start, SZ_4M, seed, n);
	KUNIT_EXPECT_EQ(test, n[GPU_VRAM], 0);
	KUNIT_EXPECT_EQ(test, n[GPU_WRONG], 0);
}

/* The PREFETCH_LOC that GET reads over [start, start + size). */
static u32 get_prefetch(struct kunit *test, struct amdgpu_svm_test_vm *fix, unsigned long start,
			unsigned long size)
{
	struct drm_amdgpu_svm_attribute a = { AMDGPU_SVM_ATTR_PREFETCH_LOC, 0 };

	KUNIT_EXPECT_EQ(test, amdgpu_svm_test_vm_ioctl(test, fix, AMDGPU_SVM_OP_GET_ATTR, start,
						       size, &a, 1), 0);
	return a.value;
}

/*
 * GET of PREFETCH_LOC reads the location that was asked for, and
 * UNDEFINED over a span whose parts asked for different ones, as KFD
 * answers: the attribute, not where the pages are now.
 */
static void migrate_get_prefetch_of_mixed_span(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix = migrate_fixture(test);
	unsigned long start = amdgpu_svm_test_mmap(test, SZ_4M, SZ_2M);
	u32 seed = amdgpu_svm_test_seed();

	fill_pages(test, start, SZ_4M, seed);
	KUNIT_EXPECT_EQ(test, get_prefetch(test, fix, start, SZ_4M),
			AMDGPU_SVM_LOCATION_UNDEFINED);
	KUNIT_ASSERT_EQ(test, set_prefetch(test, fix, start, SZ_2M, AMDGPU_SVM_LOCATION_LOCAL), 0);
	KUNIT_ASSERT_EQ(test, set_prefetch(test, fix, start + SZ_2M, SZ_2M,
					   AMDGPU_SVM_LOCATION_SYSMEM), 0);
	KUNIT_EXPECT_EQ(test, get_prefetch(test, fix, start, SZ_2M), AMDGPU_SVM_LOCATION_LOCAL);
	KUNIT_EXPECT_EQ(test, get_prefetch(test, fix, start + SZ_2M, SZ_2M),
			AMDGPU_SVM_LOCATION_SYSMEM);
	KUNIT_EXPECT_EQ(test, get_prefetch(test, fix, start, SZ_4M),
			AMDGPU_SVM_LOCATION_UNDEFINED);
	/* A CPU access moves pages back; the attribute stays what was asked. */
	expect_cpu_data(test, start, SZ_2M, seed);
	KUNIT_EXPECT_EQ(test, get_prefetch(test, fix, start, SZ_2M), AMDGPU_SVM_LOCATION_LOCAL);
}

/**
 * struct fork_child - What a forked child of the test finds in its copy
 * @start: first byte of the span
 * @size: bytes
 * @seed: the data the parent wrote
 * @bad: pages whose data the child did not read back
 * @written: the child wrote @seed + 1 into its copy
 */
struct fork_child {
	unsigned long start;
	unsigned long size;
	u32 seed;
	unsigned long bad;
	bool written;
};

/* The child: reads its copy of the span, writes its own data, exits. */
static int fork_child_fn(void *arg)
{
	struct fork_child *c = arg;
	u64 *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	unsigned long addr;
	unsigned int i;

	for (addr = c->start; buf && addr < c->start + c->size; addr += PAGE_SIZE) {
		if (copy_from_user(buf, (void __user *)addr, PAGE_SIZE) ||
		    !page_holds(buf, c->seed, addr))
			c->bad++;
	}
	for (addr = c->start; buf && addr < c->start + c->size; addr += PAGE_SIZE) {
		for (i = 0; i < PAGE_SIZE / sizeof(u64); i++)
			buf[i] = word_at(c->seed + 1, addr, i);
		if (copy_to_user((void __user *)addr, buf, PAGE_SIZE))
			break;
	}
	c->written = buf && addr == c->start + c->size;
	kfree(buf);
	do_exit(0);
}

/*
 * Fork the test's process (its mm copied, as fork() copies it) into a
 * child that runs @c, and reap the child: its mm is gone on return.
 */
static void fork_and_reap(struct kunit *test, struct fork_child *c)
{
	struct kernel_clone_args args = {
		.flags = CLONE_UNTRACED,
		.exit_signal = SIGCHLD,
		.fn = fork_child_fn,
		.fn_arg = c,
	};
	int status;
	pid_t pid;

	/* A kernel thread ignores SIGCHLD, and its children would be reaped unseen. */
	kernel_sigaction(SIGCHLD, SIG_DFL);
	pid = kernel_clone(&args);
	if (pid > 0)
		KUNIT_EXPECT_EQ(test, kernel_wait(pid, &status), pid);
	kernel_sigaction(SIGCHLD, SIG_IGN);
	KUNIT_ASSERT_GT_MSG(test, pid, 0, "fork: %d", pid);
}

/* GPU pages of [start, start + size) that map VRAM writeable. */
static unsigned long gpu_writeable_vram(struct amdgpu_svm_test_vm *fix, unsigned long start,
					unsigned long size)
{
	struct amdgpu_svm_test_gpu_page gp;
	unsigned long addr, n = 0;

	for (addr = start; addr < start + size; addr += PAGE_SIZE) {
		amdgpu_svm_test_walk(fix->adev, amdgpu_svm_test_vm_vm(fix), fix->vram,
				     addr >> AMDGPU_GPU_PAGE_SHIFT, &gp);
		n += gp.valid && !gp.system && gp.writeable;
	}
	return n;
}

/*
 * Fork with pages in VRAM: the child reads the parent's data from its
 * copy (its CPU faults move the shared pages out of VRAM), its writes stay
 * its own, and the parent's GPU never keeps a writeable mapping of a page
 * the child shares; once the child is gone the parent's data is intact on
 * both sides and the VRAM is freed.
 */
static void migrate_fork_with_pages_in_vram(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix = migrate_fixture(test);
	unsigned long start = amdgpu_svm_test_mmap(test, SZ_2M, SZ_2M), n[GPU_WRONG + 1];
	struct amdgpu_svm_vram *vram = vram_of(fix);
	struct fork_child c = { .start = start, .size = SZ_2M, .seed = amdgpu_svm_test_seed() };
	struct amdgpu_svm *svm;

	fill_pages(test, start, SZ_2M, c.seed);
	KUNIT_ASSERT_EQ(test, set_prefetch(test, fix, start, SZ_2M, AMDGPU_SVM_LOCATION_LOCAL), 0);
	count_places(fix, start, SZ_2M, c.seed, n);
	KUNIT_ASSERT_EQ(test, n[GPU_VRAM], SZ_2M >> PAGE_SHIFT);

	fork_and_reap(test, &c);
	KUNIT_EXPECT_EQ_MSG(test, c.bad, 0, "pages the child did not read back");
	KUNIT_EXPECT_TRUE(test, c.written);
	KUNIT_EXPECT_EQ_MSG(test, gpu_writeable_vram(fix, start, SZ_2M), 0,
			    "GPU pages writeable in VRAM the child shared");

	svm = amdgpu_svm_test_vm_svm(fix);
	KUNIT_ASSERT_NOT_NULL(test, svm);
	amdgpu_svm_flush_work(svm);
	amdgpu_svm_put(svm);
	count_places(fix, start, SZ_2M, c.seed, n);
	KUNIT_EXPECT_EQ(test, n[GPU_WRONG], 0);
	KUNIT_EXPECT_EQ(test, n[GPU_VRAM] + n[GPU_SYSTEM], SZ_2M >> PAGE_SHIFT);
	expect_cpu_data(test, start, SZ_2M, c.seed);
	KUNIT_ASSERT_EQ(test, set_prefetch(test, fix, start, SZ_2M, AMDGPU_SVM_LOCATION_SYSMEM), 0);
	flush_work(&vram->release_work);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&vram->nr_allocs), 0);
}

#define MT_THREADS	4
#define MT_OPS		24
#define MT_SPAN		SZ_8M

/**
 * struct mt_thread - One thread of the multi-thread migration case
 * @fix: the fixture
 * @mm: the test's mm, which the thread works in
 * @svm: the SVM
 * @role: 0, 1: prefetch; 2: GPU faults; 3: CPU reads
 * @start: first byte of the span
 * @seed: the span's data
 * @uattrs: a user page for its attribute arrays
 * @rnd: its random state
 * @bad: CPU reads that found other data
 * @ret: the first unexpected result
 * @done: the thread ended
 */
struct mt_thread {
	struct amdgpu_svm_test_vm *fix;
	struct mm_struct *mm;
	struct amdgpu_svm *svm;
	unsigned int role;
	unsigned long start;
	u32 seed;
	unsigned long uattrs;
	struct rnd_state rnd;
	unsigned long bad;
	int ret;
	struct completion done;
};

/* A prefetch of a random 2 MiB block of the span to VRAM or back. */
static int mt_prefetch(struct mt_thread *t)
{
	struct drm_amdgpu_svm_attribute a = {
		AMDGPU_SVM_ATTR_PREFETCH_LOC,
		prandom_u32_state(&t->rnd) & 1 ? AMDGPU_SVM_LOCATION_LOCAL :
						 AMDGPU_SVM_LOCATION_SYSMEM,
	};
	struct drm_amdgpu_gem_svm args = {
		.start_addr = t->start + (prandom_u32_state(&t->rnd) % (MT_SPAN / SZ_2M)) * SZ_2M,
		.size = SZ_2M,
		.operation = AMDGPU_SVM_OP_SET_ATTR,
		.nattr = 1,
		.attrs_ptr = t->uattrs,
	};

	if (copy_to_user((void __user *)t->uattrs, &a, sizeof(a)))
		return -EFAULT;
	return amdgpu_svm_vm_ioctl(adev_to_drm(t->fix->adev), &args, t->fix->file);
}

/* A random page of the span. */
static unsigned long mt_page(struct mt_thread *t)
{
	return t->start + (prandom_u32_state(&t->rnd) % (MT_SPAN >> PAGE_SHIFT)) * PAGE_SIZE;
}

static int mt_one(struct mt_thread *t, unsigned int i)
{
	unsigned long addr;
	u64 val;

	switch (t->role) {
	case 0:
	case 1:
		return mt_prefetch(t);
	case 2:
		return amdgpu_svm_handle_fault(t->svm, mt_page(t), i, true);
	default:
		addr = mt_page(t);
		if (copy_from_user(&val, (void __user *)addr, sizeof(val)))
			return -EFAULT;
		t->bad += val != word_at(t->seed, addr, 0);
		return 0;
	}
}

static int mt_thread_fn(void *arg)
{
	struct mt_thread *t = arg;
	struct mm_struct *mm = t->mm;
	unsigned int i;
	int ret;

	kthread_use_mm(mm);
	for (i = 0; i < MT_OPS; i++) {
		ret = mt_one(t, i);
		/* A fault that raced an invalidation is retried by the GPU. */
		if (ret && ret != -EAGAIN && !t->ret)
			t->ret = ret;
	}
	kthread_unuse_mm(mm);
	complete(&t->done);
	return 0;
}

/*
 * kfdtest's MultiThreadMigration: prefetches to VRAM and back, GPU faults
 * that migrate and CPU reads that fault pages back, from four threads at
 * once on one span. No request fails, the CPU always reads the data, and
 * once they are done the GPU finds every page where its data is and the
 * VRAM is freed.
 */
static void migrate_threads_prefetch_fault_and_cpu(struct kunit *test)
{
	static const struct amdgpu_svm_test_vm_params gc943_xnack_on = {
		"gc9.4.3-xnack-on", IP_VERSION(9, 4, 3), true,
	};
	struct drm_amdgpu_svm_attribute a[] = {
		{ AMDGPU_SVM_ATTR_ACCESS, AMDGPU_SVM_ACCESS_ALLOW_MIGRATE },
		{ AMDGPU_SVM_ATTR_PREFERRED_LOC, AMDGPU_SVM_LOCATION_LOCAL },
		{ AMDGPU_SVM_ATTR_GRANULARITY, 4 },
	};
	struct mt_thread *t = kunit_kcalloc(test, MT_THREADS, sizeof(*t), GFP_KERNEL);
	struct amdgpu_svm_test_vm *fix;
	struct amdgpu_svm_vram *vram;
	unsigned long start, n[GPU_WRONG + 1];
	struct task_struct *task;
	u32 seed = amdgpu_svm_test_seed();
	struct amdgpu_svm *svm;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, t);
	test->param_value = (void *)&gc943_xnack_on;
	fix = migrate_fixture(test);
	vram = vram_of(fix);
	start = amdgpu_svm_test_mmap(test, MT_SPAN, SZ_2M);
	fill_pages(test, start, MT_SPAN, seed);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_test_vm_ioctl(test, fix, AMDGPU_SVM_OP_SET_ATTR, start,
						       MT_SPAN, a, ARRAY_SIZE(a)), 0);
	svm = amdgpu_svm_test_vm_svm(fix);
	KUNIT_ASSERT_NOT_NULL(test, svm);

	for (i = 0; i < MT_THREADS; i++) {
		t[i] = (struct mt_thread) {
			.fix = fix, .mm = current->mm, .svm = svm, .role = i,
			.start = start, .seed = seed,
			.uattrs = amdgpu_svm_test_mmap(test, PAGE_SIZE, PAGE_SIZE),
		};
		prandom_seed_state(&t[i].rnd, seed + i);
		init_completion(&t[i].done);
	}
	for (i = 0; i < MT_THREADS; i++) {
		task = kthread_run(mt_thread_fn, &t[i], "svm_mt%u", i);
		if (IS_ERR(task))
			complete(&t[i].done);
		KUNIT_EXPECT_FALSE(test, IS_ERR(task));
	}
	for (i = 0; i < MT_THREADS; i++) {
		wait_for_completion(&t[i].done);
		KUNIT_EXPECT_EQ_MSG(test, t[i].ret, 0, "thread %u", i);
		KUNIT_EXPECT_EQ_MSG(test, t[i].bad, 0, "thread %u: CPU reads of other data", i);
	}
	kunit_info(test, "pages to VRAM %llu, back %llu\n", stat_of(&vram->stats.pages_to_vram),
		   stat_of(&vram->stats.pages_to_ram));
	KUNIT_EXPECT_GT(test, stat_of(&vram->stats.pages_to_vram), 0);

	amdgpu_svm_flush_work(svm);
	count_places(fix, start, MT_SPAN, seed, n);
	KUNIT_EXPECT_EQ(test, n[GPU_WRONG], 0);
	expect_cpu_data(test, start, MT_SPAN, seed);
	KUNIT_EXPECT_EQ(test, set_prefetch(test, fix, start, MT_SPAN, AMDGPU_SVM_LOCATION_SYSMEM),
			0);
	amdgpu_svm_put(svm);
	flush_work(&vram->release_work);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&vram->nr_allocs), 0);
}

/*
 * What a device-private pagemap costs in struct pages, measured: the free
 * pages memremap_pages() takes for 1 GiB of device memory, for svm.rst's
 * choice between one pagemap shared with KFD and one each.
 */
static void migrate_pagemap_struct_page_cost(struct kunit *test)
{
	struct dev_pagemap *pgmap = kunit_kzalloc(test, sizeof(*pgmap), GFP_KERNEL);
	unsigned long before, after;
	struct resource *res;
	long used;
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, pgmap);
	res = request_free_mem_region(&iomem_resource, SZ_1G, "amdgpu_svm_test_cost");
	KUNIT_ASSERT_FALSE(test, IS_ERR(res));
	pgmap->type = MEMORY_DEVICE_PRIVATE;
	pgmap->range.start = res->start;
	pgmap->range.end = res->end;
	pgmap->nr_range = 1;
	pgmap->ops = drm_pagemap_pagemap_ops_get();
	pgmap->owner = pgmap;
	before = global_zone_page_state(NR_FREE_PAGES);
	p = memremap_pages(pgmap, NUMA_NO_NODE);
	after = global_zone_page_state(NR_FREE_PAGES);
	if (IS_ERR(p)) {
		release_mem_region(res->start, resource_size(res));
		KUNIT_FAIL(test, "memremap_pages: %ld", PTR_ERR(p));
		return;
	}
	used = (long)(before - after) * PAGE_SIZE;
	kunit_info(test, "struct page %zu bytes; memmap of 1 GiB device-private: %ld KiB; for 192 GiB: one pagemap %ld MiB, two %ld MiB\n",
		   sizeof(struct page), used / SZ_1K, used * 192 / SZ_1M, 2 * used * 192 / SZ_1M);
	KUNIT_EXPECT_GT(test, used, 0);
	memunmap_pages(pgmap);
	release_mem_region(res->start, resource_size(res));
}

/**
 * struct fault_case - A GPU fault that migrates (XNACK on)
 * @name: printable name
 * @granularity: log2 of the pages the fault moves and maps
 */
struct fault_case {
	const char *name;
	u8 granularity;
};

static const struct fault_case fault_cases[] = {
	{ "4KiB", 0 },
	{ "64KiB", 4 },
	{ "2MiB", 9 },
};

static void fault_case_desc(const struct fault_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fault_case, fault_cases, fault_case_desc);

/*
 * A GPU fault on memory that prefers this device moves the granule around
 * it to VRAM and maps it there, and nothing else; a second fault on it
 * copies nothing again.
 */
static void migrate_gpu_fault_moves_the_granule(struct kunit *test)
{
	static const struct amdgpu_svm_test_vm_params gc943_xnack_on = {
		"gc9.4.3-xnack-on", IP_VERSION(9, 4, 3), true,
	};
	const struct fault_case *c = test->param_value;
	unsigned long gran = PAGE_SIZE << c->granularity, start, fault, addr;
	struct amdgpu_svm_test_vm *fix;
	struct amdgpu_svm_vram *vram;
	u32 seed = amdgpu_svm_test_seed();
	unsigned long in_vram = 0, elsewhere = 0, wrong = 0;
	struct drm_amdgpu_svm_attribute a[] = {
		{ AMDGPU_SVM_ATTR_ACCESS, AMDGPU_SVM_ACCESS_ALLOW_MIGRATE },
		{ AMDGPU_SVM_ATTR_PREFERRED_LOC, AMDGPU_SVM_LOCATION_LOCAL },
		{ AMDGPU_SVM_ATTR_GRANULARITY, c->granularity },
	};
	struct amdgpu_svm *svm;
	u64 copied;

	test->param_value = (void *)&gc943_xnack_on;
	fix = migrate_fixture(test);
	test->param_value = (void *)c;
	vram = vram_of(fix);
	start = amdgpu_svm_test_mmap(test, SZ_4M, SZ_2M);
	fault = start + SZ_2M + gran;	/* inside the second 2 MiB, off its start */
	if (gran >= SZ_2M)
		fault = start + SZ_2M + SZ_64K;
	fill_pages(test, start, SZ_4M, seed);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_test_vm_ioctl(test, fix, AMDGPU_SVM_OP_SET_ATTR, start,
						       SZ_4M, a, ARRAY_SIZE(a)), 0);
	svm = amdgpu_svm_test_vm_svm(fix);
	KUNIT_ASSERT_NOT_NULL(test, svm);
	KUNIT_EXPECT_TRUE(test, svm->xnack_on);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_handle_fault(svm, fault, 1, true), 0);
	for (addr = start; addr < start + SZ_4M; addr += PAGE_SIZE) {
		enum gpu_place place = gpu_place_of(fix, addr, seed);
		bool granule = ALIGN_DOWN(addr, gran) == ALIGN_DOWN(fault, gran);

		if (place == GPU_WRONG)
			wrong++;
		else if (granule && place == GPU_VRAM)
			in_vram++;
		else if (!granule && place != GPU_NOWHERE)
			elsewhere++;
	}
	KUNIT_EXPECT_EQ(test, in_vram, gran >> PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, elsewhere, 0);
	KUNIT_EXPECT_EQ(test, wrong, 0);
	copied = stat_of(&vram->stats.pages_copied);
	KUNIT_EXPECT_EQ(test, copied, gran >> PAGE_SHIFT);
	/* A fault on the granule again neither copies nor moves anything. */
	KUNIT_EXPECT_EQ(test, amdgpu_svm_handle_fault(svm, fault, 2, true), 0);
	KUNIT_EXPECT_EQ(test, stat_of(&vram->stats.pages_copied), copied);
	amdgpu_svm_put(svm);
	expect_cpu_data(test, start, SZ_4M, seed);
}

static struct kunit_case amdgpu_svm_migrate_cases[] = {
	KUNIT_CASE(migrate_pagemap_struct_page_cost),
	KUNIT_CASE_PARAM(migrate_prefetch_round_trip, migrate_gpu_gen_params),
	KUNIT_CASE_PARAM(migrate_untouched_memory_reads_zero, migrate_gpu_gen_params),
	KUNIT_CASE_PARAM(migrate_cpu_access_moves_back, migrate_gpu_gen_params),
	KUNIT_CASE_PARAM(migrate_munmap_frees_vram, migrate_gpu_gen_params),
	KUNIT_CASE_PARAM(migrate_teardown_with_pages_in_vram, migrate_gpu_gen_params),
	KUNIT_CASE_PARAM(migrate_overcommit_moves_what_fits, migrate_gpu_gen_params),
	KUNIT_CASE_PARAM(migrate_ttm_eviction_moves_pages_out, migrate_gpu_gen_params),
	KUNIT_CASE_PARAM(migrate_eviction_during_prefetch, migrate_gpu_gen_params),
	KUNIT_CASE_PARAM(migrate_suspend_eviction_saves_pages, migrate_gpu_gen_params),
	KUNIT_CASE_PARAM(migrate_get_prefetch_of_mixed_span, migrate_gpu_gen_params),
	KUNIT_CASE_PARAM(migrate_fork_with_pages_in_vram, migrate_gpu_gen_params),
	KUNIT_CASE(migrate_threads_prefetch_fault_and_cpu),
	KUNIT_CASE_PARAM(migrate_gpu_fault_moves_the_granule, fault_case_gen_params),
	{}
};

static struct kunit_suite amdgpu_svm_migrate_suite = {
	.name = "amdgpu_svm_migrate",
	.test_cases = amdgpu_svm_migrate_cases,
};

kunit_test_suite(amdgpu_svm_migrate_suite);

#if IS_ENABLED(CONFIG_DRM_AMDGPU_SVM_KUNIT_BENCH)
#include "amdgpu_svm_migrate_bench.c"
#endif

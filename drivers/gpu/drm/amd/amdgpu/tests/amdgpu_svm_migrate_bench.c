// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

/*
 * Benchmarks of migration, on the migration suite's fixture and copy
 * engine (amdgpu_svm_migrate_test.c includes this file): prefetch
 * throughput against raw migrate_vma_*() with the same copies and no SVM
 * code, the latency of a GPU fault that migrates, and the copies made per
 * page migrated. Lines "BENCH|<benchmark>|<parameter>|<value>|<unit>", as
 * amdgpu_svm_bench prints them; they skip unless amdgpu.svm_bench=1.
 * ZONE_DEVICE makes them x86_64 (QEMU) figures, with lockdep on: only the
 * ratios mean something.
 */

#include <linux/ktime.h>
#include <linux/migrate.h>

#include "../amdgpu_res_cursor.h"

#define MB_RUNS		5
#define MB_SPAN		SZ_8M
#define MB_CHUNK	SZ_2M
#define MB_FAULTS	4

static int mb_init(struct kunit *test)
{
	if (!amdgpu_svm_test_bench_requested())
		kunit_skip(test, "benchmarks run with amdgpu.svm_bench=1");
	WRITE_ONCE(copy_prompt, true);
	return 0;
}

static void mb_exit(struct kunit *test)
{
	WRITE_ONCE(copy_prompt, false);
}

/* The rate of moving %MB_SPAN in @ns, in MiB/s. */
static void mb_report_rate(struct kunit *test, const char *bench, u64 ns)
{
	amdgpu_svm_test_bench_report(test, bench, "8 MiB",
				     ns ? div64_u64((u64)MB_SPAN * NSEC_PER_SEC, ns * SZ_1M) : 0,
				     "MiB/s");
}

/**
 * struct raw_vram - Device-private pages with no SVM code behind them
 * @pgmap: the pagemap, over a free physical range
 * @res: that range
 * @bo: VRAM from amdgpu's VRAM manager that backs the pages
 * @off: the VRAM offset of each page
 * @npages: pages
 *
 * The baseline of the prefetch benchmark: migrate_vma_*() by hand, device
 * page i backed by @off[i], copied with the same engine.
 */
struct raw_vram {
	struct dev_pagemap pgmap;
	struct resource *res;
	struct amdgpu_bo *bo;
	u64 *off;
	unsigned long npages;
};

static void raw_folio_free(struct folio *folio)
{
}

static vm_fault_t raw_migrate_to_ram(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;	/* the benchmark never touches them */
}

static const struct dev_pagemap_ops raw_pgmap_ops = {
	.folio_free = raw_folio_free,
	.migrate_to_ram = raw_migrate_to_ram,
};

static void raw_vram_fini(struct raw_vram *raw)
{
	if (raw->pgmap.type)
		memunmap_pages(&raw->pgmap);
	if (raw->res)
		release_mem_region(raw->res->start, resource_size(raw->res));
	if (raw->bo && !amdgpu_bo_reserve(raw->bo, true)) {
		if (raw->bo->tbo.pin_count)
			amdgpu_bo_unpin(raw->bo);
		amdgpu_bo_unreserve(raw->bo);
	}
	if (raw->bo)
		amdgpu_bo_unref(&raw->bo);
	kvfree(raw->off);
}

static int raw_vram_init(struct amdgpu_device *adev, struct raw_vram *raw, unsigned long size)
{
	struct amdgpu_res_cursor cursor;
	unsigned long i = 0, k;
	void *p;
	int ret;

	raw->npages = size >> PAGE_SHIFT;
	raw->off = kvcalloc(raw->npages, sizeof(*raw->off), GFP_KERNEL);
	if (!raw->off)
		return -ENOMEM;
	ret = create_vram_bo(adev, size, &raw->bo);
	if (ret)
		return ret;
	/* Pinned: TTM must not move what the device pages stand for. */
	ret = amdgpu_bo_reserve(raw->bo, true);
	if (ret)
		return ret;
	ret = amdgpu_bo_pin(raw->bo, AMDGPU_GEM_DOMAIN_VRAM);
	amdgpu_bo_unreserve(raw->bo);
	if (ret)
		return ret;
	amdgpu_res_first(raw->bo->tbo.resource, 0, size, &cursor);
	while (cursor.remaining && i < raw->npages) {
		for (k = 0; k < cursor.size >> PAGE_SHIFT && i < raw->npages; k++)
			raw->off[i++] = cursor.start + k * PAGE_SIZE;
		amdgpu_res_next(&cursor, cursor.size);
	}
	raw->res = request_free_mem_region(&iomem_resource, size, "amdgpu_svm_bench_raw");
	if (IS_ERR(raw->res)) {
		ret = PTR_ERR(raw->res);
		raw->res = NULL;
		return ret;
	}
	raw->pgmap.type = MEMORY_DEVICE_PRIVATE;
	raw->pgmap.range.start = raw->res->start;
	raw->pgmap.range.end = raw->res->end;
	raw->pgmap.nr_range = 1;
	raw->pgmap.ops = &raw_pgmap_ops;
	raw->pgmap.owner = raw;
	p = memremap_pages(&raw->pgmap, NUMA_NO_NODE);
	if (IS_ERR(p)) {
		raw->pgmap.type = 0;
		return PTR_ERR(p);
	}
	return 0;
}

static struct page *raw_page(struct raw_vram *raw, unsigned long i)
{
	return pfn_to_page(PHYS_PFN(raw->res->start) + i);
}

/* Copy what migrate_vma_setup() collected, through the test engine, and wait. */
static int raw_copy(struct amdgpu_device *adev, u64 *vram, dma_addr_t *dma, unsigned long n,
		    bool to_vram)
{
	struct dma_fence *f = test_copy(adev, vram, dma, n, to_vram, NULL);

	if (IS_ERR(f))
		return PTR_ERR(f);
	if (f) {
		dma_fence_wait(f, false);
		dma_fence_put(f);
	}
	return 0;
}

/*
 * Move [start, start + MB_CHUNK) to the raw device pages from @first on, or
 * back, with migrate_vma_*() and one copy: what a driver does at the least.
 */
static int raw_migrate_chunk(struct amdgpu_device *adev, struct raw_vram *raw,
			     struct vm_area_struct *vma, unsigned long start,
			     unsigned long first, bool to_vram)
{
	unsigned long npages = MB_CHUNK >> PAGE_SHIFT, i, n = 0;
	enum dma_data_direction dir = to_vram ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
	struct migrate_vma mig = {
		.vma = vma, .start = start, .end = start + MB_CHUNK,
		.pgmap_owner = raw,
		.flags = to_vram ? MIGRATE_VMA_SELECT_SYSTEM : MIGRATE_VMA_SELECT_DEVICE_PRIVATE,
	};
	unsigned long *pfns = kvcalloc(2 * npages, sizeof(*pfns), GFP_KERNEL);
	dma_addr_t *dma = kvcalloc(npages, sizeof(*dma), GFP_KERNEL);
	u64 *vram = kvcalloc(npages, sizeof(*vram), GFP_KERNEL);
	struct page *spage, *dpage;
	int ret = -ENOMEM;

	if (!pfns || !dma || !vram)
		goto out;
	mig.src = pfns;
	mig.dst = pfns + npages;
	ret = migrate_vma_setup(&mig);
	if (ret)
		goto out;
	for (i = 0; i < npages; i++) {
		if (!(mig.src[i] & MIGRATE_PFN_MIGRATE))
			continue;
		spage = migrate_pfn_to_page(mig.src[i]);
		if (to_vram) {
			dpage = raw_page(raw, first + i);
			zone_device_page_init(dpage, &raw->pgmap, 0);
			vram[n] = raw->off[first + i];
			dma[n] = dma_map_page(adev->dev, spage, 0, PAGE_SIZE, dir);
		} else {
			dpage = alloc_page(GFP_HIGHUSER);
			if (!dpage)
				break;
			lock_page(dpage);
			vram[n] = raw->off[page_to_pfn(spage) - PHYS_PFN(raw->res->start)];
			dma[n] = dma_map_page(adev->dev, dpage, 0, PAGE_SIZE, dir);
		}
		mig.dst[i] = migrate_pfn(page_to_pfn(dpage));
		n++;
	}
	ret = raw_copy(adev, vram, dma, n, to_vram);
	for (i = 0; i < n; i++)
		dma_unmap_page(adev->dev, dma[i], PAGE_SIZE, dir);
	migrate_vma_pages(&mig);
	migrate_vma_finalize(&mig);
out:
	kvfree(vram);
	kvfree(dma);
	kvfree(pfns);
	return ret;
}

/* Time the raw move of the span, in chunks, to the device pages or back. */
static u64 raw_migrate_span(struct kunit *test, struct amdgpu_device *adev, struct raw_vram *raw,
			    unsigned long start, bool to_vram)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned long addr;
	u64 t0 = ktime_get_ns();
	int ret = 0;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, start);
	for (addr = start; vma && !ret && addr < start + MB_SPAN; addr += MB_CHUNK)
		ret = raw_migrate_chunk(adev, raw, vma, addr, (addr - start) >> PAGE_SHIFT,
					to_vram);
	mmap_read_unlock(mm);
	KUNIT_EXPECT_TRUE(test, vma);
	KUNIT_EXPECT_EQ(test, ret, 0);
	return ktime_get_ns() - t0;
}

static const struct amdgpu_svm_test_vm_params mb_gc11 = { "gc11.0.0", IP_VERSION(11, 0, 0) };

/*
 * Prefetch of 8 MiB to VRAM and back (SET with PREFETCH_LOC, which also
 * maps the span), against raw migrate_vma_*() of the same pages with the
 * same copy engine and no SVM code; and the copies made per page moved.
 */
static void bench_migrate_prefetch(struct kunit *test)
{
	u64 svm_in[MB_RUNS], svm_out[MB_RUNS], raw_in[MB_RUNS], raw_out[MB_RUNS], copied, moved;
	struct amdgpu_svm_test_vm *fix;
	struct amdgpu_svm_vram *vram;
	struct raw_vram raw = {};
	unsigned long start, rstart;
	u32 seed = amdgpu_svm_test_seed();
	u64 t0, in, out, rin, rout;
	int run, ret;

	test->param_value = (void *)&mb_gc11;
	fix = migrate_fixture(test);
	vram = vram_of(fix);
	start = amdgpu_svm_test_mmap(test, MB_SPAN, SZ_2M);
	rstart = amdgpu_svm_test_mmap(test, MB_SPAN, SZ_2M);
	fill_pages(test, start, MB_SPAN, seed);
	fill_pages(test, rstart, MB_SPAN, seed);
	/* Mapped in system memory first: the runs time the moves. */
	KUNIT_ASSERT_EQ(test, set_prefetch(test, fix, start, MB_SPAN, AMDGPU_SVM_LOCATION_SYSMEM),
			0);
	for (run = 0; run < MB_RUNS; run++) {
		t0 = ktime_get_ns();
		ret = set_prefetch(test, fix, start, MB_SPAN, AMDGPU_SVM_LOCATION_LOCAL);
		svm_in[run] = ktime_get_ns() - t0;
		KUNIT_EXPECT_EQ(test, ret, 0);
		t0 = ktime_get_ns();
		ret = set_prefetch(test, fix, start, MB_SPAN, AMDGPU_SVM_LOCATION_SYSMEM);
		svm_out[run] = ktime_get_ns() - t0;
		KUNIT_EXPECT_EQ(test, ret, 0);
		flush_work(&vram->release_work);
	}
	copied = stat_of(&vram->stats.pages_copied);
	moved = stat_of(&vram->stats.pages_to_vram) + stat_of(&vram->stats.pages_to_ram);
	KUNIT_EXPECT_EQ(test, stat_of(&vram->stats.pages_to_vram),
			(u64)MB_RUNS * (MB_SPAN >> PAGE_SHIFT));
	expect_cpu_data(test, start, MB_SPAN, seed);

	ret = raw_vram_init(fix->adev, &raw, MB_SPAN);
	KUNIT_EXPECT_EQ(test, ret, 0);
	for (run = 0; !ret && run < MB_RUNS; run++) {
		raw_in[run] = raw_migrate_span(test, fix->adev, &raw, rstart, true);
		raw_out[run] = raw_migrate_span(test, fix->adev, &raw, rstart, false);
	}
	if (!ret)
		expect_cpu_data(test, rstart, MB_SPAN, seed);
	raw_vram_fini(&raw);
	if (ret)
		return;

	in = amdgpu_svm_test_bench_median(svm_in, MB_RUNS);
	out = amdgpu_svm_test_bench_median(svm_out, MB_RUNS);
	rin = amdgpu_svm_test_bench_median(raw_in, MB_RUNS);
	rout = amdgpu_svm_test_bench_median(raw_out, MB_RUNS);
	mb_report_rate(test, "prefetch to VRAM, SVM", in);
	mb_report_rate(test, "prefetch to VRAM, raw migrate_vma", rin);
	amdgpu_svm_test_bench_report(test, "prefetch to VRAM, SVM / raw", "throughput",
				     div64_u64(rin * 100, in), "x1/100");
	mb_report_rate(test, "prefetch to system, SVM", out);
	mb_report_rate(test, "prefetch to system, raw migrate_vma", rout);
	amdgpu_svm_test_bench_report(test, "prefetch to system, SVM / raw", "throughput",
				     div64_u64(rout * 100, out), "x1/100");
	amdgpu_svm_test_bench_report(test, "pages copied per page migrated", "prefetch",
				     moved ? div64_u64(copied * 100, moved) : 0, "x1/100");
}

/*
 * A GPU fault (XNACK on) on memory that prefers this device: the time from
 * amdgpu_svm_handle_fault() to its return, the chunk moved and mapped.
 */
static void bench_migrate_fault(struct kunit *test)
{
	static const struct amdgpu_svm_test_vm_params gc943_xnack_on = {
		"gc9.4.3-xnack-on", IP_VERSION(9, 4, 3), true,
	};
	const struct fault_case *c = test->param_value;
	unsigned long gran = PAGE_SIZE << c->granularity, start, addr;
	struct drm_amdgpu_svm_attribute a[] = {
		{ AMDGPU_SVM_ATTR_ACCESS, AMDGPU_SVM_ACCESS_ALLOW_MIGRATE },
		{ AMDGPU_SVM_ATTR_PREFERRED_LOC, AMDGPU_SVM_LOCATION_LOCAL },
		{ AMDGPU_SVM_ATTR_GRANULARITY, c->granularity },
	};
	u64 ns[MB_RUNS * MB_FAULTS], t0, copied;
	struct amdgpu_svm_test_vm *fix;
	struct amdgpu_svm_vram *vram;
	struct amdgpu_svm *svm;
	int run, i, n = 0;

	test->param_value = (void *)&gc943_xnack_on;
	fix = migrate_fixture(test);
	test->param_value = (void *)c;
	vram = vram_of(fix);
	start = amdgpu_svm_test_mmap(test, MB_SPAN, SZ_2M);
	fill_pages(test, start, MB_SPAN, amdgpu_svm_test_seed());
	KUNIT_ASSERT_EQ(test, amdgpu_svm_test_vm_ioctl(test, fix, AMDGPU_SVM_OP_SET_ATTR, start,
						       MB_SPAN, a, ARRAY_SIZE(a)), 0);
	svm = amdgpu_svm_test_vm_svm(fix);
	KUNIT_ASSERT_NOT_NULL(test, svm);
	for (run = 0; run < MB_RUNS; run++) {
		for (i = 0; i < MB_FAULTS; i++) {
			/* One granule in each 2 MiB: no two faults share a chunk. */
			addr = start + (unsigned long)i * SZ_2M;
			t0 = ktime_get_ns();
			KUNIT_EXPECT_EQ(test, amdgpu_svm_handle_fault(svm, addr, n, true), 0);
			ns[n++] = ktime_get_ns() - t0;
		}
		KUNIT_EXPECT_EQ(test, set_prefetch(test, fix, start, MB_SPAN,
						   AMDGPU_SVM_LOCATION_SYSMEM), 0);
		flush_work(&vram->release_work);
	}
	amdgpu_svm_put(svm);
	copied = stat_of(&vram->stats.pages_to_vram);
	KUNIT_EXPECT_EQ(test, copied, (u64)n * (gran >> PAGE_SHIFT));
	amdgpu_svm_test_bench_report(test, "GPU fault that migrates", c->name,
				     div64_u64(amdgpu_svm_test_bench_median(ns, n), 1000), "us");
}

static struct kunit_case amdgpu_svm_bench_migrate_cases[] = {
	KUNIT_CASE(bench_migrate_prefetch),
	KUNIT_CASE_PARAM(bench_migrate_fault, fault_case_gen_params),
	{}
};

static struct kunit_suite amdgpu_svm_bench_migrate_suite = {
	.name = "amdgpu_svm_bench_migrate",
	.init = mb_init,
	.exit = mb_exit,
	.test_cases = amdgpu_svm_bench_migrate_cases,
};

kunit_test_suite(amdgpu_svm_bench_migrate_suite);

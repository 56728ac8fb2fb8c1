// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

/*
 * The range layer, notifier and workers on a real mm against the software
 * GPU page table, with the mirror check after every step.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/prandom.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>

#include "../amdgpu_svm.h"
#include "../amdgpu_svm_range.h"
#include "amdgpu_svm_test_helpers.h"
#include "amdgpu_svm_test_pt.h"

static void set_attr(struct kunit *test, struct amdgpu_svm *svm,
		     unsigned long addr, unsigned long size, u32 type, u32 value)
{
	struct drm_amdgpu_svm_attribute a = { .type = type, .value = value };
	struct amdgpu_svm_attr_req req;

	KUNIT_ASSERT_EQ(test, amdgpu_svm_attr_req_parse(&req, &a, 1), 0);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_set_attr(svm, addr >> PAGE_SHIFT,
						  ((addr + size) >> PAGE_SHIFT) - 1,
						  &req), 0);
}

static u32 get_attr(struct kunit *test, struct amdgpu_svm *svm,
		    unsigned long addr, unsigned long size, u32 type)
{
	struct drm_amdgpu_svm_attribute a = { .type = type };

	KUNIT_ASSERT_EQ(test, amdgpu_svm_attr_get(&svm->attrs, addr >> PAGE_SHIFT,
						  ((addr + size) >> PAGE_SHIFT) - 1,
						  &a, 1), 0);
	return a.value;
}

static unsigned long pages(unsigned long size)
{
	return size >> PAGE_SHIFT;
}

static unsigned long mapped(struct amdgpu_svm_test_pt *pt, unsigned long addr,
			    unsigned long size)
{
	return amdgpu_svm_test_pt_count(pt, addr >> PAGE_SHIFT,
					((addr + size) >> PAGE_SHIFT) - 1);
}

/* XNACK off: an 8 MiB span of written memory, made accessible. */
static struct amdgpu_svm_test_pt *mapped_8m(struct kunit *test, unsigned long *start)
{
	struct amdgpu_svm_test_pt *pt = amdgpu_svm_test_pt_create(test, false);

	*start = amdgpu_svm_test_mmap(test, SZ_8M, SZ_2M);
	amdgpu_svm_test_fill(test, *start, SZ_8M, 1);
	set_attr(test, &pt->svm, *start, SZ_8M, AMDGPU_SVM_ATTR_ACCESS,
		 AMDGPU_SVM_ACCESS_IN_PLACE);
	return pt;
}

static void xnack_off_set_attr_maps_everything(struct kunit *test)
{
	unsigned long start;
	struct amdgpu_svm_test_pt *pt = mapped_8m(test, &start);

	KUNIT_EXPECT_EQ(test, mapped(pt, start, SZ_8M), pages(SZ_8M));
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->svm.nr_ranges), 4);
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_8M);

	/* INACCESSIBLE unmaps. */
	set_attr(test, &pt->svm, start + SZ_2M, SZ_2M, AMDGPU_SVM_ATTR_ACCESS,
		 AMDGPU_SVM_ACCESS_INACCESSIBLE);
	KUNIT_EXPECT_EQ(test, mapped(pt, start, SZ_8M), pages(SZ_8M - SZ_2M));
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_8M);
	amdgpu_svm_test_pt_destroy(test, pt);
}

static void munmap_and_rebuild(struct kunit *test, struct amdgpu_svm_test_pt *pt,
			       unsigned long hole, unsigned long size,
			       unsigned long destroyed, const char *what)
{
	struct amdgpu_svm *svm = &pt->svm;
	u64 before = atomic64_read(&svm->stats.pages_rebuilt), rebuilt;

	KUNIT_ASSERT_EQ(test, vm_munmap(hole, size), 0);
	amdgpu_svm_flush_work(svm);
	rebuilt = atomic64_read(&svm->stats.pages_rebuilt) - before;
	kunit_info(test, "%s: %llu pages re-obtained for %lu unmapped (at most %lu)\n",
		   what, rebuilt, pages(size), pages(destroyed - size));
	KUNIT_EXPECT_LE(test, rebuilt, pages(destroyed - size));
	KUNIT_EXPECT_EQ(test, mapped(pt, hole, size), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->quiesce_depth), 0);
}

static void xnack_off_partial_munmap_rebuilds_neighbours(struct kunit *test)
{
	unsigned long start;
	struct amdgpu_svm_test_pt *pt = mapped_8m(test, &start);
	struct amdgpu_svm *svm = &pt->svm;

	/* 4 KiB inside the first 2 MiB range. */
	munmap_and_rebuild(test, pt, start + SZ_1M, SZ_4K, SZ_2M, "4 KiB hole");
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_8M);
	KUNIT_EXPECT_EQ(test, get_attr(test, svm, start + SZ_1M, SZ_4K,
				       AMDGPU_SVM_ATTR_ACCESS),
			AMDGPU_SVM_ACCESS_INACCESSIBLE);

	/* 128 KiB across the boundary of the third and fourth 2 MiB ranges. */
	munmap_and_rebuild(test, pt, start + 3 * SZ_2M - SZ_64K, SZ_128K, SZ_4M,
			   "hole across two ranges");
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_8M);

	/* The whole second range. */
	munmap_and_rebuild(test, pt, start + SZ_2M, SZ_2M, SZ_2M, "whole range");
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_8M);
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->quiesces), atomic_read(&pt->resumes));
	amdgpu_svm_test_pt_destroy(test, pt);
}

static void xnack_off_dontneed_restores(struct kunit *test)
{
	unsigned long start;
	struct amdgpu_svm_test_pt *pt = mapped_8m(test, &start);
	struct amdgpu_svm *svm = &pt->svm;

	KUNIT_ASSERT_EQ(test, do_madvise(current->mm, start + SZ_1M, SZ_1M,
					 MADV_DONTNEED), 0);
	KUNIT_EXPECT_GE(test, atomic_read(&pt->quiesces), 1);
	amdgpu_svm_flush_work(svm);
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->quiesce_depth), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->quiesces), atomic_read(&pt->resumes));
	KUNIT_EXPECT_EQ(test, mapped(pt, start, SZ_8M), pages(SZ_8M));

	/* The CPU writes after the restore land in the pages the GPU sees. */
	amdgpu_svm_test_fill(test, start, SZ_8M, 2);
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_8M);
	amdgpu_svm_test_pt_destroy(test, pt);
}

static void xnack_on_faults_map_on_demand(struct kunit *test)
{
	struct amdgpu_svm_test_pt *pt = amdgpu_svm_test_pt_create(test, true);
	struct amdgpu_svm *svm = &pt->svm;
	unsigned long start, ro;

	start = amdgpu_svm_test_mmap(test, SZ_4M, SZ_2M);
	amdgpu_svm_test_fill(test, start, SZ_4M, 3);
	KUNIT_EXPECT_EQ(test, mapped(pt, start, SZ_4M), 0);

	KUNIT_ASSERT_EQ(test, amdgpu_svm_handle_fault(svm, start + SZ_4K, false), 0);
	KUNIT_EXPECT_EQ(test, mapped(pt, start, SZ_2M), pages(SZ_2M));
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_4M);

	/* DONTNEED only clears: no quiesce, no restore; the next fault maps. */
	KUNIT_ASSERT_EQ(test, do_madvise(current->mm, start, SZ_64K, MADV_DONTNEED), 0);
	amdgpu_svm_flush_work(svm);
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->quiesces), 0);
	KUNIT_EXPECT_EQ(test, mapped(pt, start, SZ_2M), 0);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_handle_fault(svm, start, true), 0);
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_4M);

	/* INACCESSIBLE refuses the fault. */
	set_attr(test, svm, start + SZ_2M, SZ_64K, AMDGPU_SVM_ATTR_ACCESS,
		 AMDGPU_SVM_ACCESS_INACCESSIBLE);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_handle_fault(svm, start + SZ_2M, false),
			-EACCES);

	/* GPU_RO: a write fault fails, a read fault maps read-only. */
	set_attr(test, svm, start + 3 * SZ_1M, SZ_1M, AMDGPU_SVM_ATTR_GPU_RO, 1);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_handle_fault(svm, start + 3 * SZ_1M, true),
			-EPERM);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_handle_fault(svm, start + 3 * SZ_1M, false), 0);
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_4M);

	/* A read-only VMA maps read-only; writing to it is refused. */
	ro = kunit_vm_mmap(test, NULL, 0, SZ_2M, PROT_READ,
			   MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(ro));
	KUNIT_EXPECT_EQ(test, amdgpu_svm_handle_fault(svm, ro, true), -EPERM);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_handle_fault(svm, ro, false), 0);
	KUNIT_EXPECT_GT(test, mapped(pt, ro, SZ_2M), 0);
	amdgpu_svm_test_mirror_check(test, pt, ro, SZ_2M);
	amdgpu_svm_test_pt_destroy(test, pt);
}

static void gpu_ro_on_one_page_splits_the_range(struct kunit *test)
{
	unsigned long start, mid;
	struct amdgpu_svm_test_pt *pt = mapped_8m(test, &start);
	const struct amdgpu_svm_test_pte *e;

	mid = start + SZ_1M;
	set_attr(test, &pt->svm, mid, SZ_4K, AMDGPU_SVM_ATTR_GPU_RO, 1);
	KUNIT_EXPECT_EQ(test, mapped(pt, start, SZ_8M), pages(SZ_8M));
	e = amdgpu_svm_test_pt_lookup(pt, mid >> PAGE_SHIFT);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_FALSE(test, e->pte & AMDGPU_SVM_PTE_WRITE);
	e = amdgpu_svm_test_pt_lookup(pt, (mid >> PAGE_SHIFT) - 1);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_TRUE(test, e->pte & AMDGPU_SVM_PTE_WRITE);
	e = amdgpu_svm_test_pt_lookup(pt, (mid >> PAGE_SHIFT) + 1);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_TRUE(test, e->pte & AMDGPU_SVM_PTE_WRITE);
	amdgpu_svm_test_mirror_check(test, pt, start, SZ_8M);
	amdgpu_svm_test_pt_destroy(test, pt);
}

static void teardown_with_work_queued(struct kunit *test)
{
	unsigned long start;
	struct amdgpu_svm_test_pt *pt = mapped_8m(test, &start);

	KUNIT_ASSERT_EQ(test, vm_munmap(start + SZ_1M, SZ_4K), 0);
	KUNIT_ASSERT_EQ(test, do_madvise(current->mm, start + SZ_4M, SZ_1M,
					 MADV_DONTNEED), 0);
	/* No flush: fini must cope with queued ranges. */
	amdgpu_svm_test_pt_destroy(test, pt);
}

#define CHURN_WINDOW	SZ_16M
#define CHURN_OPS	2000

struct churn {
	struct kunit *test;
	struct mm_struct *mm;
	unsigned long start;
	u32 seed;
	struct completion done;
	int errors;
};

static unsigned long churn_span(struct rnd_state *rnd, unsigned long start,
				unsigned long *size)
{
	unsigned long off = (prandom_u32_state(rnd) % pages(CHURN_WINDOW)) << PAGE_SHIFT;

	*size = min_t(unsigned long, CHURN_WINDOW - off,
		      (1 + prandom_u32_state(rnd) % 64) << PAGE_SHIFT);
	return start + off;
}

/* The CPU side: unmap and map again, or drop pages, at random. */
static int churn_cpu(void *data)
{
	struct churn *c = data;
	struct rnd_state rnd;
	unsigned long addr, size;
	u64 val = 0;
	int i;

	prandom_seed_state(&rnd, c->seed);
	kthread_use_mm(c->mm);
	for (i = 0; i < CHURN_OPS; i++) {
		addr = churn_span(&rnd, c->start, &size);
		switch (prandom_u32_state(&rnd) % 3) {
		case 0:
			if (vm_munmap(addr, size) ||
			    vm_mmap(NULL, addr, size, PROT_READ | PROT_WRITE,
				    MAP_FIXED | MAP_ANONYMOUS | MAP_PRIVATE, 0) != addr)
				c->errors++;
			break;
		case 1:
			if (do_madvise(c->mm, addr, size, MADV_DONTNEED))
				c->errors++;
			break;
		default:
			if (copy_to_user((void __user *)addr, &val, sizeof(val)))
				c->errors++;
			val++;
		}
	}
	kthread_unuse_mm(c->mm);
	complete(&c->done);
	return 0;
}

/* The GPU side: attribute changes and faults, at random. */
static void churn_gpu(struct kunit *test, struct amdgpu_svm *svm,
		      struct churn *c)
{
	static const u32 access[] = { AMDGPU_SVM_ACCESS_INACCESSIBLE,
				      AMDGPU_SVM_ACCESS_IN_PLACE,
				      AMDGPU_SVM_ACCESS_ALLOW_MIGRATE };
	struct drm_amdgpu_svm_attribute a;
	struct amdgpu_svm_attr_req req;
	unsigned long addr, size;
	struct rnd_state rnd;
	int i, ret;

	prandom_seed_state(&rnd, c->seed ^ 0x9e3779b9);
	for (i = 0; i < CHURN_OPS; i++) {
		addr = churn_span(&rnd, c->start, &size);
		switch (prandom_u32_state(&rnd) % 3) {
		case 0:
			a.type = AMDGPU_SVM_ATTR_ACCESS;
			a.value = access[prandom_u32_state(&rnd) % 3];
			break;
		case 1:
			a.type = AMDGPU_SVM_ATTR_GPU_RO;
			a.value = prandom_u32_state(&rnd) & 1;
			break;
		default:
			if (!svm->xnack_on)
				continue;
			ret = amdgpu_svm_handle_fault(svm, addr, prandom_u32_state(&rnd) & 1);
			KUNIT_EXPECT_TRUE_MSG(test, !ret || ret == -EACCES || ret == -EPERM ||
					      ret == -EFAULT, "fault returned %d", ret);
			continue;
		}
		KUNIT_ASSERT_EQ(test, amdgpu_svm_attr_req_parse(&req, &a, 1), 0);
		ret = amdgpu_svm_set_attr(svm, addr >> PAGE_SHIFT,
					  ((addr + size) >> PAGE_SHIFT) - 1, &req);
		KUNIT_EXPECT_EQ(test, ret, 0);
	}
}

static void concurrent_cpu_and_gpu(struct kunit *test, bool xnack_on)
{
	struct amdgpu_svm_test_pt *pt = amdgpu_svm_test_pt_create(test, xnack_on);
	struct task_struct *cpu;
	struct churn c = {
		.test = test,
		.mm = current->mm,
		.seed = amdgpu_svm_test_seed(),
	};

	kunit_info(test, "seed %u (set amdgpu.svm_test_seed= to repeat)\n", c.seed);
	init_completion(&c.done);
	c.start = amdgpu_svm_test_mmap(test, CHURN_WINDOW, SZ_2M);
	amdgpu_svm_test_fill(test, c.start, CHURN_WINDOW, 4);
	set_attr(test, &pt->svm, c.start, CHURN_WINDOW, AMDGPU_SVM_ATTR_ACCESS,
		 AMDGPU_SVM_ACCESS_IN_PLACE);

	cpu = kthread_run(churn_cpu, &c, "svm_churn");
	KUNIT_ASSERT_FALSE(test, IS_ERR(cpu));
	churn_gpu(test, &pt->svm, &c);
	wait_for_completion(&c.done);
	KUNIT_EXPECT_EQ(test, c.errors, 0);

	amdgpu_svm_flush_work(&pt->svm);
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->survivors), 0);
	amdgpu_svm_test_mirror_check_safe(test, pt, c.start, CHURN_WINDOW);

	/* Settled: one SET over the window, then the full check. */
	set_attr(test, &pt->svm, c.start, CHURN_WINDOW, AMDGPU_SVM_ATTR_ACCESS,
		 AMDGPU_SVM_ACCESS_INACCESSIBLE);
	set_attr(test, &pt->svm, c.start, CHURN_WINDOW, AMDGPU_SVM_ATTR_ACCESS,
		 AMDGPU_SVM_ACCESS_IN_PLACE);
	amdgpu_svm_test_mirror_check(test, pt, c.start, CHURN_WINDOW);
	amdgpu_svm_test_pt_destroy(test, pt);
}

static void concurrent_xnack_off(struct kunit *test)
{
	concurrent_cpu_and_gpu(test, false);
}

static void concurrent_xnack_on(struct kunit *test)
{
	concurrent_cpu_and_gpu(test, true);
}

static struct kunit_case amdgpu_svm_range_cases[] = {
	KUNIT_CASE(xnack_off_set_attr_maps_everything),
	KUNIT_CASE(xnack_off_partial_munmap_rebuilds_neighbours),
	KUNIT_CASE(xnack_off_dontneed_restores),
	KUNIT_CASE(xnack_on_faults_map_on_demand),
	KUNIT_CASE(gpu_ro_on_one_page_splits_the_range),
	KUNIT_CASE(teardown_with_work_queued),
	KUNIT_CASE_SLOW(concurrent_xnack_off),
	KUNIT_CASE_SLOW(concurrent_xnack_on),
	{}
};

static struct kunit_suite amdgpu_svm_range_suite = {
	.name = "amdgpu_svm_range",
	.test_cases = amdgpu_svm_range_cases,
};

kunit_test_suite(amdgpu_svm_range_suite);

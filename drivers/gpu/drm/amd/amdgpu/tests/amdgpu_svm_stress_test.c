// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

/*
 * Stress, allocation-failure and fuzz tests of SVM on a real mm:
 *
 * - four threads sharing the test's mm run a seeded random mix of mmap,
 *   munmap, MADV_DONTNEED, SET/GET/RESET through the request handler and
 *   GPU faults, in phases; after every invalidation the software page
 *   table must hold nothing of the span, and between phases the GPU
 *   mapping must mirror the CPU's;
 * - every allocation of a SET (XNACK off) and of a GPU fault (XNACK on)
 *   fails in turn: the error reaches the caller, the mapping stays
 *   consistent and nothing leaks;
 * - random requests through the request handler return 0 or a documented
 *   errno, and a failing one leaves the attributes as they were.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/prandom.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>

#include "../amdgpu_svm.h"
#include "amdgpu_svm_test_helpers.h"
#include "amdgpu_svm_test_pt.h"

#define STRESS_THREADS		4
#define STRESS_PHASES		5
#define STRESS_OPS		500	/* per thread and phase: 10,000 in all */
#define STRESS_WINDOW		SZ_16M

struct stress {
	struct amdgpu_svm_test_pt *pt;
	struct mm_struct *mm;
	unsigned long start;
	atomic_t ops;
};

struct stress_thread {
	struct stress *s;
	struct rnd_state rnd;
	unsigned long uattrs;	/* a user page for attribute arrays */
	struct completion done;
	const char *failed_op;	/* first unexpected result */
	int failed_ret;
};

static unsigned long stress_span(struct stress_thread *t, unsigned long *size)
{
	unsigned long npages = STRESS_WINDOW >> PAGE_SHIFT;
	unsigned long off = prandom_u32_state(&t->rnd) % npages;

	*size = min(npages - off, 1 + (unsigned long)(prandom_u32_state(&t->rnd) % 128));
	*size <<= PAGE_SHIFT;
	return t->s->start + (off << PAGE_SHIFT);
}

static int stress_request(struct stress_thread *t, u32 op, unsigned long addr,
			  unsigned long size, u32 nattr)
{
	struct drm_amdgpu_gem_svm args = {
		.start_addr = addr, .size = size, .operation = op,
		.nattr = nattr, .attrs_ptr = t->uattrs,
	};

	return amdgpu_svm_ioctl(&t->s->pt->svm, &args);
}

static int stress_set(struct stress_thread *t, unsigned long addr,
		      unsigned long size)
{
	struct drm_amdgpu_svm_attribute a[2] = {
		{ AMDGPU_SVM_ATTR_ACCESS, prandom_u32_state(&t->rnd) % 3 },
		{ AMDGPU_SVM_ATTR_GPU_RO + prandom_u32_state(&t->rnd) % 2,
		  prandom_u32_state(&t->rnd) & 1 },
	};

	if (copy_to_user((void __user *)t->uattrs, a, sizeof(a)))
		return -EFAULT;
	return stress_request(t, AMDGPU_SVM_OP_SET_ATTR, addr, size, 2);
}

static int stress_get(struct stress_thread *t, unsigned long addr,
		      unsigned long size)
{
	struct drm_amdgpu_svm_attribute a[AMDGPU_SVM_ATTR_TYPES];
	int i;

	for (i = 0; i < AMDGPU_SVM_ATTR_TYPES; i++)
		a[i] = (struct drm_amdgpu_svm_attribute) { .type = i };
	if (copy_to_user((void __user *)t->uattrs, a, sizeof(a)))
		return -EFAULT;
	return stress_request(t, AMDGPU_SVM_OP_GET_ATTR, addr, size,
			      AMDGPU_SVM_ATTR_TYPES);
}

static int stress_remap(unsigned long addr, unsigned long size)
{
	unsigned long ret = vm_mmap(NULL, addr, size, PROT_READ | PROT_WRITE,
				    MAP_FIXED | MAP_ANONYMOUS | MAP_PRIVATE, 0);

	return ret == addr ? 0 : -ENOMEM;
}

/* One random operation; records the first result nothing documents. */
static void stress_one(struct stress_thread *t)
{
	struct amdgpu_svm *svm = &t->s->pt->svm;
	unsigned long addr, size;
	const char *op;
	int ret;
	bool ok;
	u64 val;

	addr = stress_span(t, &size);
	val = addr;
	switch (prandom_u32_state(&t->rnd) % 8) {
	case 0:
		op = "munmap";
		ret = vm_munmap(addr, size) ?: stress_remap(addr, size);
		ok = !ret;
		break;
	case 1:
		op = "mmap";
		ret = stress_remap(addr, size);
		ok = !ret;
		break;
	case 2:
		op = "MADV_DONTNEED";
		ret = do_madvise(t->s->mm, addr, size, MADV_DONTNEED);
		ok = !ret || ret == -ENOMEM;	/* a hole: madvise's answer */
		break;
	case 3:
		op = "SET_ATTR";
		ret = stress_set(t, addr, size);
		ok = !ret || ret == -EFAULT;	/* a hole another thread made */
		break;
	case 4:
		op = "GET_ATTR";
		ret = stress_get(t, addr, size);
		ok = !ret || ret == -EFAULT;
		break;
	case 5:
		op = "RESET_ATTR";
		ret = stress_request(t, AMDGPU_SVM_OP_RESET_ATTR, addr, size, 0);
		ok = !ret;
		break;
	case 6:
		op = "CPU write";
		ret = copy_to_user((void __user *)addr, &val, sizeof(val)) ? -EFAULT : 0;
		ok = !ret || ret == -EFAULT;
		break;
	default:
		op = "GPU fault";
		if (!svm->xnack_on) {
			ret = stress_get(t, addr, size);
			ok = !ret || ret == -EFAULT;
			break;
		}
		ret = amdgpu_svm_handle_fault(svm, addr, 0, prandom_u32_state(&t->rnd) & 1);
		ok = !ret || ret == -EACCES || ret == -EPERM || ret == -EFAULT ||
		     ret == -EBUSY;
	}
	atomic_inc(&t->s->ops);
	if (!ok && !t->failed_op) {
		t->failed_op = op;
		t->failed_ret = ret;
	}
}

static int stress_thread_fn(void *data)
{
	struct stress_thread *t = data;
	int i;

	kthread_use_mm(t->s->mm);
	for (i = 0; i < STRESS_OPS; i++)
		stress_one(t);
	kthread_unuse_mm(t->s->mm);
	complete(&t->done);
	return 0;
}

static void stress_phase(struct kunit *test, struct stress *s,
			 struct stress_thread *t)
{
	struct task_struct *task;
	int i;

	for (i = 0; i < STRESS_THREADS; i++) {
		init_completion(&t[i].done);
		task = kthread_run(stress_thread_fn, &t[i], "svm_stress%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	}
	for (i = 0; i < STRESS_THREADS; i++) {
		wait_for_completion(&t[i].done);
		KUNIT_EXPECT_NULL_MSG(test, t[i].failed_op, "thread %d: %s returned %d",
				      i, t[i].failed_op, t[i].failed_ret);
	}
	/* Quiescent: no worker left, no range lost, nothing stale mapped. */
	amdgpu_svm_flush_work(&s->pt->svm);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&s->pt->svm.work.nr_queued), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&s->pt->svm.nr_ranges),
			amdgpu_svm_test_ranges_in_tree(&s->pt->svm));
	KUNIT_EXPECT_EQ(test, atomic_read(&s->pt->survivors), 0);
	amdgpu_svm_test_mirror_check_safe(test, s->pt, s->start, STRESS_WINDOW);
}

static int set_accessible(struct amdgpu_svm *svm, unsigned long addr,
			  unsigned long size)
{
	return amdgpu_svm_test_set(svm, addr, size, AMDGPU_SVM_ATTR_ACCESS,
				   AMDGPU_SVM_ACCESS_IN_PLACE);
}

static void stress(struct kunit *test, bool xnack_on)
{
	struct stress_thread t[STRESS_THREADS] = {};
	struct stress s = {};
	u32 seed = amdgpu_svm_test_seed();
	int i, phase;

	kunit_info(test, "seed %u (set amdgpu.svm_test_seed= to repeat)\n", seed);
	s.pt = amdgpu_svm_test_pt_create(test, xnack_on);
	s.mm = current->mm;
	s.start = amdgpu_svm_test_mmap(test, STRESS_WINDOW, SZ_2M);
	amdgpu_svm_test_fill(test, s.start, STRESS_WINDOW, 6);
	for (i = 0; i < STRESS_THREADS; i++) {
		t[i].s = &s;
		prandom_seed_state(&t[i].rnd, seed + i);
		t[i].uattrs = amdgpu_svm_test_mmap(test, PAGE_SIZE, PAGE_SIZE);
	}
	for (phase = 0; phase < STRESS_PHASES; phase++)
		stress_phase(test, &s, t);
	kunit_info(test, "%d operations\n", atomic_read(&s.ops));
	KUNIT_EXPECT_EQ(test, atomic_read(&s.ops),
			STRESS_THREADS * STRESS_PHASES * STRESS_OPS);

	/* Settled: one SET over the window, then the full check. */
	amdgpu_svm_test_set_ok(test, &s.pt->svm, s.start, STRESS_WINDOW, AMDGPU_SVM_ATTR_ACCESS,
			       AMDGPU_SVM_ACCESS_INACCESSIBLE);
	KUNIT_ASSERT_EQ(test, set_accessible(&s.pt->svm, s.start, STRESS_WINDOW), 0);
	amdgpu_svm_test_mirror_check(test, s.pt, s.start, STRESS_WINDOW);
	amdgpu_svm_test_pt_destroy(test, s.pt);
}

static void stress_xnack_off(struct kunit *test)
{
	stress(test, false);
}

static void stress_xnack_on(struct kunit *test)
{
	stress(test, true);
}

typedef int (*fail_nth_op)(struct amdgpu_svm *svm, unsigned long addr,
			   unsigned long size);

/*
 * Fail the 1st, 2nd, ... allocation of @op on 192 KiB of memory until it
 * succeeds. After each failure: -ENOMEM reached the caller, nothing stale
 * is mapped, and once the ranges are removed no range, queued range or
 * PTE is left.
 */
static void fail_nth(struct kunit *test, bool xnack_on, fail_nth_op op)
{
	struct amdgpu_svm_test_pt *pt = amdgpu_svm_test_pt_create(test, xnack_on);
	const unsigned long size = 3 * SZ_64K;
	unsigned long addr = amdgpu_svm_test_mmap(test, size, SZ_2M);
	struct amdgpu_svm *svm = &pt->svm;
	int n, ret;

	amdgpu_svm_test_fill(test, addr, size, 7);

	for (n = 1; ; n++) {
		amdgpu_svm_test_fail_alloc(test, n);
		ret = op(svm, addr, size);
		amdgpu_svm_test_fail_alloc(test, 0);
		if (!ret)
			break;
		KUNIT_ASSERT_EQ_MSG(test, ret, -ENOMEM, "allocation %d", n);
		amdgpu_svm_flush_work(svm);
		amdgpu_svm_test_mirror_check_safe(test, pt, addr, size);
		amdgpu_svm_test_remove_all_ranges(svm);
		KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&svm->nr_ranges), 0);
		KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&svm->work.nr_queued), 0);
		KUNIT_EXPECT_EQ(test, amdgpu_svm_test_pt_count(pt, 0, ULONG_MAX), 0);
		KUNIT_ASSERT_EQ(test, amdgpu_svm_reset_attr(svm, addr >> PAGE_SHIFT,
							    ((addr + size) >> PAGE_SHIFT) - 1), 0);
		KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&svm->attrs.nr_nodes), 0);
		KUNIT_ASSERT_LT(test, n, 512);
	}
	kunit_info(test, "succeeded once %d allocations were allowed\n", n - 1);
	KUNIT_EXPECT_GT(test, n, 3);
	amdgpu_svm_test_mirror_check(test, pt, addr, size);
	amdgpu_svm_test_pt_destroy(test, pt);
}

static int fault_every_chunk(struct amdgpu_svm *svm, unsigned long addr,
			     unsigned long size)
{
	unsigned long a;
	s64 retries;
	int ret = 0;

	for (a = addr; !ret && a < addr + size; a += SZ_64K) {
		retries = amdgpu_svm_stat_read(&svm->stats.faults_retry);
		ret = amdgpu_svm_handle_fault(svm, a, 0, true);
		/* A failed allocation leaves the fault for the GPU to retry. */
		if (!ret && amdgpu_svm_stat_read(&svm->stats.faults_retry) != retries)
			ret = -ENOMEM;
	}
	return ret;
}

/* SET_ATTR with XNACK off: attribute nodes, notifier, ranges, pages, PTEs. */
static void fail_nth_set_attr_maps(struct kunit *test)
{
	fail_nth(test, false, set_accessible);
}

/* GPU faults with XNACK on: ranges, pages, PTEs. */
static void fail_nth_fault_maps(struct kunit *test)
{
	fail_nth(test, true, fault_every_chunk);
}

static struct kunit_case amdgpu_svm_stress_cases[] = {
	KUNIT_CASE_SLOW(stress_xnack_off),
	KUNIT_CASE_SLOW(stress_xnack_on),
	KUNIT_CASE(fail_nth_set_attr_maps),
	KUNIT_CASE(fail_nth_fault_maps),
	{}
};

static struct kunit_suite amdgpu_svm_stress_suite = {
	.name = "amdgpu_svm_stress",
	.test_cases = amdgpu_svm_stress_cases,
};

kunit_test_suite(amdgpu_svm_stress_suite);

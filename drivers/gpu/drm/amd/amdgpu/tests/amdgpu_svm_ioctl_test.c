// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

/*
 * The DRM_AMDGPU_GEM_SVM request handler with its attribute arrays in real
 * user memory: round trips, every validation error with nothing changed,
 * bad pointers, a caller from another address space, GEM VA overlap, and
 * the teardown when the process's mm goes.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>

#include "../amdgpu_svm.h"
#include "amdgpu_svm_test_helpers.h"
#include "amdgpu_svm_test_pt.h"

struct ioctl_env {
	struct amdgpu_svm_test_pt *pt;
	unsigned long mem;	/* 4 MiB the CPU maps */
	unsigned long uattrs;	/* a user page for attribute arrays */
};

static void env_init(struct kunit *test, struct ioctl_env *env)
{
	env->pt = amdgpu_svm_test_pt_create(test, false);
	env->mem = amdgpu_svm_test_mmap(test, SZ_4M, SZ_2M);
	env->uattrs = amdgpu_svm_test_mmap(test, PAGE_SIZE, PAGE_SIZE);
}

static int call(struct kunit *test, struct ioctl_env *env, u32 op,
		unsigned long start, unsigned long size,
		struct drm_amdgpu_svm_attribute *attrs, u32 nattr)
{
	struct drm_amdgpu_gem_svm args = amdgpu_svm_test_request(test, env->uattrs, op, start,
								 size, attrs, nattr);
	int ret;

	ret = amdgpu_svm_ioctl(&env->pt->svm, &args);
	amdgpu_svm_test_request_answer(test, &args, attrs);
	return ret;
}

/* Every attribute of [start, start + size), through GET. */
static void get_all(struct kunit *test, struct ioctl_env *env, unsigned long start,
		    unsigned long size, struct drm_amdgpu_svm_attribute *out)
{
	int t;

	for (t = 0; t < AMDGPU_SVM_ATTR_TYPES; t++)
		out[t] = (struct drm_amdgpu_svm_attribute) { .type = t };
	KUNIT_ASSERT_EQ(test, call(test, env, AMDGPU_SVM_OP_GET_ATTR, start, size,
				   out, AMDGPU_SVM_ATTR_TYPES), 0);
}

static void ioctl_round_trips(struct kunit *test)
{
	struct drm_amdgpu_svm_attribute set[] = {
		{ AMDGPU_SVM_ATTR_ACCESS, AMDGPU_SVM_ACCESS_IN_PLACE },
		{ AMDGPU_SVM_ATTR_PREFERRED_LOC, AMDGPU_SVM_LOCATION_LOCAL },
		{ AMDGPU_SVM_ATTR_GPU_EXEC, 1 },
		{ AMDGPU_SVM_ATTR_GRANULARITY, 4 },
	};
	struct drm_amdgpu_svm_attribute get[AMDGPU_SVM_ATTR_TYPES];
	struct ioctl_env env;

	env_init(test, &env);
	KUNIT_ASSERT_EQ(test, call(test, &env, AMDGPU_SVM_OP_SET_ATTR, env.mem, SZ_1M,
				   set, ARRAY_SIZE(set)), 0);
	get_all(test, &env, env.mem, SZ_1M, get);
	KUNIT_EXPECT_EQ(test, get[AMDGPU_SVM_ATTR_ACCESS].value, AMDGPU_SVM_ACCESS_IN_PLACE);
	KUNIT_EXPECT_EQ(test, get[AMDGPU_SVM_ATTR_PREFERRED_LOC].value,
			AMDGPU_SVM_LOCATION_LOCAL);
	KUNIT_EXPECT_EQ(test, get[AMDGPU_SVM_ATTR_GPU_EXEC].value, 1);
	KUNIT_EXPECT_EQ(test, get[AMDGPU_SVM_ATTR_GRANULARITY].value, 4);
	KUNIT_EXPECT_EQ(test, get[AMDGPU_SVM_ATTR_COHERENT].value, 1);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_test_pt_count(env.pt, env.mem >> PAGE_SHIFT,
						       ((env.mem + SZ_1M) >> PAGE_SHIFT) - 1),
			SZ_1M >> PAGE_SHIFT);

	/* A span half set, half not: the mixed answers. */
	get_all(test, &env, env.mem + SZ_512K, SZ_1M, get);
	KUNIT_EXPECT_EQ(test, get[AMDGPU_SVM_ATTR_ACCESS].value,
			AMDGPU_SVM_ACCESS_INACCESSIBLE);
	KUNIT_EXPECT_EQ(test, get[AMDGPU_SVM_ATTR_PREFERRED_LOC].value,
			AMDGPU_SVM_LOCATION_UNDEFINED);
	KUNIT_EXPECT_EQ(test, get[AMDGPU_SVM_ATTR_GPU_EXEC].value, 0);

	KUNIT_ASSERT_EQ(test, call(test, &env, AMDGPU_SVM_OP_RESET_ATTR, env.mem,
				   SZ_1M, NULL, 0), 0);
	get_all(test, &env, env.mem, SZ_1M, get);
	KUNIT_EXPECT_EQ(test, get[AMDGPU_SVM_ATTR_ACCESS].value,
			AMDGPU_SVM_ACCESS_INACCESSIBLE);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_test_pt_count(env.pt, 0, ULONG_MAX), 0);
	amdgpu_svm_test_pt_destroy(test, env.pt);
}

static const struct {
	const char *what;
	int err;
	u32 op, type, value, nattr;
	unsigned long start, size;	/* from the start of the mapping */
} bad_requests[] = {
#define SVM_BAD_UNIT	SZ_64K
#define SVM_BAD_END	SZ_4M
#define SVM_BAD_REQUEST(what, err, op, type, value, nattr, start, size) \
	{ what, -(err), op, type, value, nattr, start, size },
#include "amdgpu_svm_bad_requests.h"
#undef SVM_BAD_REQUEST
#undef SVM_BAD_END
#undef SVM_BAD_UNIT
};

static void ioctl_rejects_bad_requests(struct kunit *test)
{
	struct drm_amdgpu_svm_attribute before[AMDGPU_SVM_ATTR_TYPES];
	struct drm_amdgpu_svm_attribute after[AMDGPU_SVM_ATTR_TYPES];
	struct drm_amdgpu_svm_attribute a = { AMDGPU_SVM_ATTR_GPU_RO, 1 };
	struct drm_amdgpu_gem_svm args;
	struct ioctl_env env;
	int i;

	/* The table's "too many attributes" is one past this limit. */
	BUILD_BUG_ON(AMDGPU_SVM_MAX_ATTRS != 1024);
	env_init(test, &env);
	KUNIT_ASSERT_EQ(test, call(test, &env, AMDGPU_SVM_OP_SET_ATTR, env.mem,
				   SZ_4M, &a, 1), 0);
	get_all(test, &env, env.mem, SZ_4M, before);

	for (i = 0; i < ARRAY_SIZE(bad_requests); i++) {
		args = (struct drm_amdgpu_gem_svm) {
			.start_addr = env.mem + bad_requests[i].start,
			.size = bad_requests[i].size,
			.operation = bad_requests[i].op,
			.nattr = bad_requests[i].nattr,
			.attrs_ptr = env.uattrs,
		};
		a = (struct drm_amdgpu_svm_attribute) {
			bad_requests[i].type, bad_requests[i].value };
		KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)env.uattrs, &a,
						   sizeof(a)), 0);
		KUNIT_EXPECT_EQ_MSG(test, amdgpu_svm_ioctl(&env.pt->svm, &args),
				    bad_requests[i].err, "%s", bad_requests[i].what);
		get_all(test, &env, env.mem, SZ_4M, after);
		KUNIT_EXPECT_MEMEQ_MSG(test, before, after, sizeof(before),
				       "%s changed attributes", bad_requests[i].what);
	}

	/* Spans that wrap or leave the user address space. */
	args = (struct drm_amdgpu_gem_svm) { .start_addr = ~0ULL & PAGE_MASK,
		.size = 2 * PAGE_SIZE, .operation = AMDGPU_SVM_OP_RESET_ATTR };
	KUNIT_EXPECT_EQ(test, amdgpu_svm_ioctl(&env.pt->svm, &args), -EINVAL);
	args.start_addr = TASK_SIZE - PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, amdgpu_svm_ioctl(&env.pt->svm, &args), -EINVAL);

	/* Unreadable and unwritable arrays. */
	args = (struct drm_amdgpu_gem_svm) { .start_addr = env.mem, .size = SZ_64K,
		.operation = AMDGPU_SVM_OP_SET_ATTR, .nattr = 1, .attrs_ptr = 16 };
	KUNIT_EXPECT_EQ(test, amdgpu_svm_ioctl(&env.pt->svm, &args), -EFAULT);
	args.operation = AMDGPU_SVM_OP_GET_ATTR;
	KUNIT_EXPECT_EQ(test, amdgpu_svm_ioctl(&env.pt->svm, &args), -EFAULT);
	get_all(test, &env, env.mem, SZ_4M, after);
	KUNIT_EXPECT_MEMEQ(test, before, after, sizeof(before));
	amdgpu_svm_test_pt_destroy(test, env.pt);
}

struct foreign_call {
	struct amdgpu_svm *svm;
	struct drm_amdgpu_gem_svm args;
	int ret;
	struct completion done;
};

/* Another process (its own mm) calls with the device file it was given. */
static int foreign_caller(void *data)
{
	struct foreign_call *f = data;
	struct mm_struct *mm = mm_alloc();

	f->ret = -ENOMEM;
	if (mm) {
		kthread_use_mm(mm);
		f->ret = amdgpu_svm_ioctl(f->svm, &f->args);
		kthread_unuse_mm(mm);
		mmput(mm);
	}
	complete(&f->done);
	return 0;
}

static void ioctl_refuses_another_mm(struct kunit *test)
{
	struct drm_amdgpu_svm_attribute get[AMDGPU_SVM_ATTR_TYPES];
	struct foreign_call f = {};
	struct task_struct *task;
	struct ioctl_env env;

	env_init(test, &env);
	f.svm = &env.pt->svm;
	f.args = (struct drm_amdgpu_gem_svm) { .start_addr = env.mem, .size = SZ_64K,
		.operation = AMDGPU_SVM_OP_RESET_ATTR };
	init_completion(&f.done);
	task = kthread_run(foreign_caller, &f, "svm_foreign");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	wait_for_completion(&f.done);
	KUNIT_EXPECT_EQ(test, f.ret, -EPERM);
	get_all(test, &env, env.mem, SZ_64K, get);
	KUNIT_EXPECT_EQ(test, get[AMDGPU_SVM_ATTR_ACCESS].value,
			AMDGPU_SVM_ACCESS_INACCESSIBLE);
	amdgpu_svm_test_pt_destroy(test, env.pt);
}

/* SET over pages a GEM VA mapping covers is refused and changes nothing. */
static void ioctl_refuses_gem_va_overlap(struct kunit *test)
{
	struct drm_amdgpu_svm_attribute set = { AMDGPU_SVM_ATTR_ACCESS,
						AMDGPU_SVM_ACCESS_IN_PLACE };
	struct drm_amdgpu_svm_attribute before[AMDGPU_SVM_ATTR_TYPES];
	struct drm_amdgpu_svm_attribute after[AMDGPU_SVM_ATTR_TYPES];
	struct ioctl_env env;

	env_init(test, &env);
	env.pt->gem_start = (env.mem + SZ_1M) >> PAGE_SHIFT;
	env.pt->gem_last = env.pt->gem_start;
	get_all(test, &env, env.mem, SZ_4M, before);
	KUNIT_EXPECT_EQ(test, call(test, &env, AMDGPU_SVM_OP_SET_ATTR, env.mem,
				   SZ_4M, &set, 1), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, call(test, &env, AMDGPU_SVM_OP_SET_ATTR,
				   env.mem + SZ_1M, PAGE_SIZE, &set, 1), -EADDRINUSE);
	get_all(test, &env, env.mem, SZ_4M, after);
	KUNIT_EXPECT_MEMEQ(test, before, after, sizeof(before));
	KUNIT_EXPECT_EQ(test, amdgpu_svm_test_pt_count(env.pt, 0, ULONG_MAX), 0);

	/* Next to it is fine. */
	KUNIT_EXPECT_EQ(test, call(test, &env, AMDGPU_SVM_OP_SET_ATTR, env.mem,
				   SZ_1M, &set, 1), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_test_pt_count(env.pt, 0, ULONG_MAX),
			SZ_1M >> PAGE_SHIFT);
	amdgpu_svm_test_pt_destroy(test, env.pt);
}

struct exiting_process {
	struct kunit *test;
	struct amdgpu_svm_test_pt *pt;
	int set_ret;
	int ranges;
	struct completion done;
};

/*
 * A process that sets up SVM on its own mm, maps memory to the GPU and
 * exits: the last mmput() runs exit_mmap() and MMU_NOTIFY_RELEASE.
 */
static int exiting_process_fn(void *data)
{
	struct drm_amdgpu_svm_attribute set = { AMDGPU_SVM_ATTR_ACCESS,
						AMDGPU_SVM_ACCESS_IN_PLACE };
	struct exiting_process *e = data;
	struct drm_amdgpu_gem_svm args = { .size = SZ_4M, .nattr = 1,
		.operation = AMDGPU_SVM_OP_SET_ATTR };
	struct mm_struct *mm = mm_alloc();
	unsigned long mem, uattr;

	e->set_ret = -ENOMEM;
	if (!mm)
		goto out;
	mm->task_size = TASK_SIZE;
	arch_pick_mmap_layout(mm, &current->signal->rlim[RLIMIT_STACK]);
	kthread_use_mm(mm);
	e->pt = amdgpu_svm_test_pt_create_on(e->test, mm, false);
	mem = vm_mmap(NULL, 0, SZ_4M, PROT_READ | PROT_WRITE,
		      MAP_ANONYMOUS | MAP_PRIVATE, 0);
	uattr = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			MAP_ANONYMOUS | MAP_PRIVATE, 0);
	e->set_ret = -EFAULT;
	if (!IS_ERR_VALUE(mem) && !IS_ERR_VALUE(uattr) &&
	    !copy_to_user((void __user *)uattr, &set, sizeof(set))) {
		args.start_addr = mem;
		args.attrs_ptr = uattr;
		e->set_ret = amdgpu_svm_ioctl(&e->pt->svm, &args);
	}
	e->ranges = amdgpu_svm_live_read(&e->pt->svm.nr_ranges);
	kthread_unuse_mm(mm);
	mmput(mm);
out:
	complete(&e->done);
	return 0;
}

/*
 * MMU_NOTIFY_RELEASE tears the SVM down with its counters at zero; the
 * owner's and the requests' later calls are refused with -ESRCH.
 */
static void release_of_the_mm_tears_down(struct kunit *test)
{
	struct exiting_process e = { .test = test };
	struct drm_amdgpu_gem_svm args = { .size = SZ_64K,
		.operation = AMDGPU_SVM_OP_RESET_ATTR };
	struct amdgpu_svm *svm;
	struct task_struct *task;

	init_completion(&e.done);
	task = kthread_run(exiting_process_fn, &e, "svm_exiting");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	wait_for_completion(&e.done);
	KUNIT_ASSERT_EQ(test, e.set_ret, 0);
	KUNIT_ASSERT_NOT_NULL(test, e.pt);
	KUNIT_EXPECT_GT(test, e.ranges, 0);

	svm = &e.pt->svm;
	KUNIT_EXPECT_TRUE(test, amdgpu_svm_is_torn_down(svm));
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&svm->nr_ranges), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&svm->attrs.nr_nodes), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&svm->attrs.unmaps.nr_notifiers), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_test_pt_count(e.pt, 0, ULONG_MAX), 0);

	/* A request that held a reference across the teardown. */
	amdgpu_svm_get(svm);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_ioctl(svm, &args), -ESRCH);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_handle_fault(svm, 0, 0, false), -ESRCH);
	amdgpu_svm_put(svm);
	amdgpu_svm_test_pt_destroy(test, e.pt);
}

static struct kunit_case amdgpu_svm_ioctl_cases[] = {
	KUNIT_CASE(ioctl_round_trips),
	KUNIT_CASE(ioctl_rejects_bad_requests),
	KUNIT_CASE(ioctl_refuses_another_mm),
	KUNIT_CASE(ioctl_refuses_gem_va_overlap),
	KUNIT_CASE(release_of_the_mm_tears_down),
	{}
};

static struct kunit_suite amdgpu_svm_ioctl_suite = {
	.name = "amdgpu_svm_ioctl",
	.test_cases = amdgpu_svm_ioctl_cases,
};

kunit_test_suite(amdgpu_svm_ioctl_suite);

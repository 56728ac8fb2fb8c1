/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#ifndef __AMDGPU_SVM_TEST_HOOKS_H__
#define __AMDGPU_SVM_TEST_HOOKS_H__

#include <linux/atomic.h>
#include <linux/types.h>

/*
 * What SVM keeps for its KUnit suites only: failures they inject, and the
 * counters they and the benchmarks read. Without
 * CONFIG_DRM_AMDGPU_SVM_KUNIT_TEST no failure is injected, the counters
 * are empty structures (zero bytes in the structures that hold them) and
 * counting them does nothing.
 */
#if IS_ENABLED(CONFIG_DRM_AMDGPU_SVM_KUNIT_TEST)
#include <linux/fault-inject.h>

/*
 * The allocations of SVM the KUnit suites make fail: attribute nodes,
 * notifier blocks, ranges, page arrays and GPU page-table entries. Every
 * one of them fails through the kernel's fault injection; the n-th one
 * alone, through a countdown of its own, which exactly one caller takes
 * to zero even when workers allocate at the same time (a fault_attr's
 * space and times are read and changed in separate steps). Defined by the
 * test helpers.
 */
extern struct fault_attr amdgpu_svm_fail_alloc;
extern atomic_t amdgpu_svm_fail_alloc_nth;

/**
 * amdgpu_svm_should_fail_alloc() - Ask whether a test fails this allocation
 *
 * Only KUnit builds inject failures; others never fail here.
 *
 * Return: true for an allocation a test picked to fail.
 */
static inline bool amdgpu_svm_should_fail_alloc(void)
{
	return atomic_dec_if_positive(&amdgpu_svm_fail_alloc_nth) == 0 ||
	       should_fail_ex(&amdgpu_svm_fail_alloc, 1, FAULT_NOWARN);
}

/**
 * struct amdgpu_svm_live - A count of live objects, which tests see return
 *	to zero; empty (zero bytes) outside KUnit builds
 * @n: the count
 */
struct amdgpu_svm_live {
	atomic_t n;
};

/**
 * struct amdgpu_svm_stat - An event counter tests and benchmarks read;
 *	empty (zero bytes) outside KUnit builds
 * @n: the count
 */
struct amdgpu_svm_stat {
	atomic64_t n;
};

static inline void amdgpu_svm_live_inc(struct amdgpu_svm_live *c)
{
	atomic_inc(&c->n);
}

static inline void amdgpu_svm_live_dec(struct amdgpu_svm_live *c)
{
	atomic_dec(&c->n);
}

static inline int amdgpu_svm_live_read(const struct amdgpu_svm_live *c)
{
	return atomic_read(&c->n);
}

static inline void amdgpu_svm_stat_add(u64 n, struct amdgpu_svm_stat *s)
{
	atomic64_add(n, &s->n);
}

static inline void amdgpu_svm_stat_inc(struct amdgpu_svm_stat *s)
{
	atomic64_inc(&s->n);
}

static inline u64 amdgpu_svm_stat_read(const struct amdgpu_svm_stat *s)
{
	return atomic64_read(&s->n);
}
#else
static inline bool amdgpu_svm_should_fail_alloc(void)
{
	return false;
}

struct amdgpu_svm_live {
};

struct amdgpu_svm_stat {
};

static inline void amdgpu_svm_live_inc(struct amdgpu_svm_live *c)
{
}

static inline void amdgpu_svm_live_dec(struct amdgpu_svm_live *c)
{
}

static inline void amdgpu_svm_stat_add(u64 n, struct amdgpu_svm_stat *s)
{
}

static inline void amdgpu_svm_stat_inc(struct amdgpu_svm_stat *s)
{
}
#endif

#endif

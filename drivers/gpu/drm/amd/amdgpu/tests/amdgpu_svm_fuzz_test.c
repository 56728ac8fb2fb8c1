// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

/*
 * Random DRM_AMDGPU_GEM_SVM requests through the request handler, with
 * the attribute arrays in real user memory: every request returns 0 or a
 * documented errno, and a failing one leaves the attributes unchanged.
 */

#include <kunit/test.h>
#include <linux/prandom.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>

#include "../amdgpu_svm.h"
#include "amdgpu_svm_test_helpers.h"
#include "amdgpu_svm_test_pt.h"

#define FUZZ_WINDOW	SZ_1M
#define FUZZ_ARRAY	(2 * PAGE_SIZE)	/* followed by an unmapped page */
#define FUZZ_MAX_SPANS	512

struct fuzz {
	struct amdgpu_svm *svm;
	struct rnd_state rnd;
	unsigned long window;	/* mapped, with an unmapped page before it */
	unsigned long array;	/* FUZZ_ARRAY bytes, an unmapped page after */
	struct drm_amdgpu_svm_attribute *attrs;
};

/* One attribute interval of the window, as the tree holds it. */
struct fuzz_span {
	unsigned long start;
	unsigned long last;
	struct amdgpu_svm_attrs attrs;
};

static u32 fuzz_pick(struct fuzz *f, const u32 *values, int n)
{
	return values[prandom_u32_state(&f->rnd) % n];
}

static u32 fuzz_u32(struct fuzz *f)
{
	static const u32 edge[] = { 0, 1, 2, 3, 63, 64, 0x7fffffff,
				    0xfffffffe, 0xffffffff };

	return prandom_u32_state(&f->rnd) & 1 ? fuzz_pick(f, edge, ARRAY_SIZE(edge)) :
						prandom_u32_state(&f->rnd);
}

static u64 fuzz_start(struct fuzz *f)
{
	unsigned long page = prandom_u32_state(&f->rnd) % (FUZZ_WINDOW >> PAGE_SHIFT);

	switch (prandom_u32_state(&f->rnd) % 8) {
	case 0:
		return f->window - PAGE_SIZE;	/* the hole before */
	case 1:
		return f->window + (page << PAGE_SHIFT) + 8;	/* unaligned */
	case 2:
		return (u64)prandom_u32_state(&f->rnd) << 32 | prandom_u32_state(&f->rnd);
	case 3:
		return TASK_SIZE - PAGE_SIZE;
	default:
		return f->window + (page << PAGE_SHIFT);
	}
}

static u64 fuzz_size(struct fuzz *f)
{
	switch (prandom_u32_state(&f->rnd) % 8) {
	case 0:
		return 0;
	case 1:
		return PAGE_SIZE + 1;
	case 2:
		return ~0ULL - PAGE_SIZE + 1;	/* wraps */
	default:
		return (1 + prandom_u32_state(&f->rnd) % 300) << PAGE_SHIFT;
	}
}

static u32 fuzz_nattr(struct fuzz *f)
{
	switch (prandom_u32_state(&f->rnd) % 16) {
	case 0:
		return AMDGPU_SVM_MAX_ATTRS + 1;
	case 1:
		return fuzz_u32(f);
	case 2:
		return FUZZ_ARRAY / sizeof(struct drm_amdgpu_svm_attribute) + 1;
	default:
		return prandom_u32_state(&f->rnd) % 7;
	}
}

static u64 fuzz_attrs_ptr(struct fuzz *f, u32 nattr)
{
	u64 bytes = (u64)nattr * sizeof(struct drm_amdgpu_svm_attribute);

	switch (prandom_u32_state(&f->rnd) % 12) {
	case 0:
		return 0;
	case 1:
		return (u64)(uintptr_t)f->attrs;	/* a kernel address */
	case 2:
		return f->array + 1;
	case 3:
		return f->array + FUZZ_ARRAY - 8;	/* runs into the hole */
	default:
		return bytes <= FUZZ_ARRAY ? f->array + FUZZ_ARRAY - bytes : f->array;
	}
}

/* A random attribute, most of the time a valid one. */
static struct drm_amdgpu_svm_attribute fuzz_attr(struct fuzz *f)
{
	static const u32 locations[] = { AMDGPU_SVM_LOCATION_SYSMEM,
					 AMDGPU_SVM_LOCATION_LOCAL,
					 AMDGPU_SVM_LOCATION_UNDEFINED };
	struct drm_amdgpu_svm_attribute a;

	a.type = prandom_u32_state(&f->rnd) % 16 ? prandom_u32_state(&f->rnd) %
		 AMDGPU_SVM_ATTR_TYPES : fuzz_u32(f);
	if (!(prandom_u32_state(&f->rnd) % 8))
		a.value = fuzz_u32(f);
	else if (a.type <= AMDGPU_SVM_ATTR_PREFETCH_LOC)
		a.value = fuzz_pick(f, locations, ARRAY_SIZE(locations));
	else if (a.type == AMDGPU_SVM_ATTR_ACCESS)
		a.value = prandom_u32_state(&f->rnd) % 3;
	else if (a.type == AMDGPU_SVM_ATTR_GRANULARITY)
		a.value = prandom_u32_state(&f->rnd) % 70;
	else
		a.value = prandom_u32_state(&f->rnd) & 1;
	return a;
}

static int fuzz_snapshot(struct fuzz *f, struct fuzz_span *spans)
{
	unsigned long page = f->window >> PAGE_SHIFT;
	unsigned long end = (f->window + FUZZ_WINDOW) >> PAGE_SHIFT;
	int n = 0;

	while (page < end && n < FUZZ_MAX_SPANS) {
		struct fuzz_span *s = &spans[n++];

		memset(s, 0, sizeof(*s));
		if (amdgpu_svm_attr_tree_lookup(&f->svm->attrs, page, &s->attrs,
						&s->start, &s->last))
			return -1;
		page = s->last + 1;
	}
	return n;
}

static bool fuzz_spans_equal(const struct fuzz_span *a, const struct fuzz_span *b,
			     int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (a[i].start != b[i].start || a[i].last != b[i].last ||
		    a[i].attrs.preferred_loc != b[i].attrs.preferred_loc ||
		    a[i].attrs.prefetch_loc != b[i].attrs.prefetch_loc ||
		    a[i].attrs.access != b[i].attrs.access ||
		    a[i].attrs.granularity != b[i].attrs.granularity ||
		    a[i].attrs.flags != b[i].attrs.flags)
			return false;
	return true;
}

static bool fuzz_errno_documented(int ret)
{
	return !ret || ret == -EINVAL || ret == -EFAULT;
}

/* One random request; false if the result breaks the contract. */
static bool fuzz_one(struct kunit *test, struct fuzz *f, struct fuzz_span *before,
		     struct fuzz_span *after)
{
	struct drm_amdgpu_gem_svm args;
	u32 i, fill;
	int nb, na, ret;

	args.start_addr = fuzz_start(f);
	args.size = fuzz_size(f);
	args.operation = prandom_u32_state(&f->rnd) % 16 ?
			 prandom_u32_state(&f->rnd) % 3 : fuzz_u32(f);
	args.nattr = fuzz_nattr(f);
	args.attrs_ptr = fuzz_attrs_ptr(f, args.nattr);

	fill = min_t(u32, args.nattr, FUZZ_ARRAY / sizeof(*f->attrs));
	for (i = 0; i < fill; i++)
		f->attrs[i] = fuzz_attr(f);
	if (fill && args.attrs_ptr >= f->array &&
	    args.attrs_ptr + (u64)fill * sizeof(*f->attrs) <= f->array + FUZZ_ARRAY)
		KUNIT_ASSERT_EQ(test, copy_to_user(u64_to_user_ptr(args.attrs_ptr),
						   f->attrs, fill * sizeof(*f->attrs)), 0);

	nb = fuzz_snapshot(f, before);
	ret = amdgpu_svm_ioctl(f->svm, &args);
	if (!fuzz_errno_documented(ret)) {
		kunit_err(test, "start %#llx size %#llx op %u nattr %u ptr %#llx: %d\n",
			  args.start_addr, args.size, args.operation, args.nattr,
			  args.attrs_ptr, ret);
		return false;
	}
	if (!ret)
		return true;
	na = fuzz_snapshot(f, after);
	if (na != nb || !fuzz_spans_equal(before, after, nb)) {
		kunit_err(test, "op %u failed with %d but changed the attributes\n",
			  args.operation, ret);
		return false;
	}
	return true;
}

/**
 * amdgpu_svm_test_fuzz() - Random requests through the request handler
 * @test: the test
 * @iterations: how many requests
 *
 * XNACK on, so that SET does not map: the contract under test is the
 * handler's (errno and unchanged state), not the mapping's.
 */
void amdgpu_svm_test_fuzz(struct kunit *test, unsigned int iterations)
{
	struct amdgpu_svm_test_pt *pt = amdgpu_svm_test_pt_create(test, true);
	struct fuzz_span *before, *after;
	struct fuzz f = { .svm = &pt->svm };
	u32 seed = amdgpu_svm_test_seed();
	unsigned int i, bad = 0;

	kunit_info(test, "seed %u, %u requests\n", seed, iterations);
	prandom_seed_state(&f.rnd, seed);
	f.window = amdgpu_svm_test_mmap(test, FUZZ_WINDOW + PAGE_SIZE, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, vm_munmap(f.window, PAGE_SIZE), 0);
	f.window += PAGE_SIZE;
	f.array = amdgpu_svm_test_mmap(test, FUZZ_ARRAY + PAGE_SIZE, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, vm_munmap(f.array + FUZZ_ARRAY, PAGE_SIZE), 0);
	f.attrs = kunit_kmalloc(test, FUZZ_ARRAY, GFP_KERNEL);
	before = kunit_kmalloc_array(test, FUZZ_MAX_SPANS, sizeof(*before), GFP_KERNEL);
	after = kunit_kmalloc_array(test, FUZZ_MAX_SPANS, sizeof(*after), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f.attrs);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, after);

	for (i = 0; i < iterations && bad < 4; i++)
		bad += !fuzz_one(test, &f, before, after);
	KUNIT_EXPECT_EQ(test, bad, 0);
	amdgpu_svm_test_pt_destroy(test, pt);
}

static void fuzz_requests(struct kunit *test)
{
	amdgpu_svm_test_fuzz(test, 10000);
}

static struct kunit_case amdgpu_svm_fuzz_cases[] = {
	KUNIT_CASE_SLOW(fuzz_requests),
	{}
};

static struct kunit_suite amdgpu_svm_fuzz_suite = {
	.name = "amdgpu_svm_fuzz",
	.test_cases = amdgpu_svm_fuzz_cases,
};

kunit_test_suite(amdgpu_svm_fuzz_suite);

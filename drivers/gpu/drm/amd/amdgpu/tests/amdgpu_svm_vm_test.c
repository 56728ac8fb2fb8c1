// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

/*
 * SVM against amdgpu's real page-table code: the real hardware operations
 * (&amdgpu_svm_gpu_ops) on a real &amdgpu_vm of a device with no hardware
 * (amdgpu_svm_test_vm_create()), for GC 9.4.3 (MI300X, both XNACK modes),
 * GC 11.0.0 (W7900) and GC 12.0.0. What the GPU would see is read back by
 * a walker that decodes the real PDEs and PTEs from the root directory
 * down (amdgpu_svm_test_walk()).
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/log2.h>
#include <linux/mman.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>

#include <drm/ttm/ttm_resource.h>

#include "../amdgpu.h"
#include "../amdgpu_svm.h"
#include "../amdgpu_svm_gpu.h"
#include "../amdgpu_svm_range.h"
#include "../amdgpu_svm_vm.h"
#include "../amdgpu_userq.h"
#include "../amdgpu_vm.h"
#include "amdgpu_svm_test_helpers.h"
#include "amdgpu_svm_test_vm.h"
#include "amdgpu_svm_test_walk.h"

#define MTYPE_FIELD_NC	0
#define MTYPE_FIELD_UC	3

/**
 * struct vm_case - One GPU of the suite
 * @params: the fixture's device
 * @sysmem_mtype: the MTYPE field KFD gives system memory with the default
 *	attributes there (COHERENT set, as KFD's defaults have it)
 */
struct vm_case {
	struct amdgpu_svm_test_vm_params params;
	u32 sysmem_mtype;
};

static const struct vm_case vm_cases[] = {
	{ { "gc9.4.3-xnack-off", IP_VERSION(9, 4, 3), false }, MTYPE_FIELD_UC },
	{ { "gc9.4.3-xnack-on", IP_VERSION(9, 4, 3), true }, MTYPE_FIELD_UC },
	{ { "gc11.0.0", IP_VERSION(11, 0, 0), false }, MTYPE_FIELD_UC },
	{ { "gc12.0.0", IP_VERSION(12, 0, 0), false }, MTYPE_FIELD_NC },
};

static void vm_case_desc(const struct vm_case *c, char *desc)
{
	strscpy(desc, c->params.name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vm_case, vm_cases, vm_case_desc);

static const struct vm_case *this_case(struct kunit *test)
{
	return test->param_value;
}

static struct amdgpu_svm_test_vm *make_vm(struct kunit *test)
{
	return amdgpu_svm_test_vm_create(test, &this_case(test)->params);
}

static int set1(struct kunit *test, struct amdgpu_svm_test_vm *fix,
		unsigned long start, unsigned long size, u32 type, u32 value)
{
	struct drm_amdgpu_svm_attribute a = { .type = type, .value = value };

	return amdgpu_svm_test_vm_ioctl(test, fix, AMDGPU_SVM_OP_SET_ATTR, start,
					size, &a, 1);
}

/* The SVM of the fixture; the test stops if the VM has none. */
static struct amdgpu_svm *get_svm(struct kunit *test,
				  struct amdgpu_svm_test_vm *fix)
{
	struct amdgpu_svm *svm = amdgpu_svm_test_vm_svm(fix);

	KUNIT_ASSERT_NOT_NULL(test, svm);
	amdgpu_svm_put(svm);	/* the VM keeps it alive */
	return svm;
}

static void walk(struct amdgpu_svm_test_vm *fix, unsigned long addr,
		 struct amdgpu_svm_test_gpu_page *gp)
{
	amdgpu_svm_test_walk(fix->adev, amdgpu_svm_test_vm_vm(fix), fix->vram,
			     addr >> AMDGPU_GPU_PAGE_SHIFT, gp);
}

/* What is wrong with the GPU's view of one page, or NULL. */
static const char *mirror_page(struct kunit *test, struct amdgpu_svm_test_vm *fix,
			       struct amdgpu_svm *svm, unsigned long addr,
			       bool complete)
{
	struct amdgpu_svm_test_gpu_page gp;
	struct amdgpu_svm_attrs attrs;
	int reach;

	reach = amdgpu_svm_test_gpu_reach(svm, addr, &attrs);
	if (reach < 0)
		return "attribute lookup failed";
	walk(fix, addr, &gp);
	if (gp.error)
		return gp.error;
	if (!reach)
		return gp.valid ? "valid PTE on memory the GPU may not reach" : NULL;
	if (!gp.valid)
		return complete ? "accessible but no valid PTE" : NULL;
	if (!gp.readable || !gp.system || !gp.snooped)
		return "PTE not readable, system and snooped";
	if (gp.writeable != (reach == 2 &&
			     !(attrs.flags & AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_GPU_RO))))
		return "PTE writeable bit disagrees with GPU_RO and the VMA";
	if (gp.executable != !!(attrs.flags & AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_GPU_EXEC)))
		return "PTE executable bit disagrees with GPU_EXEC";
	return amdgpu_svm_test_page_mismatch(fix->adev->dev, addr, gp.addr);
}

/* Fragments wider than this (1 GiB) are not something SVM writes. */
#define FRAG_MAX_CHECKED	18

/*
 * What is wrong with the fragment of the valid PTE at @addr, or NULL: the
 * PTE claims its whole aligned block of 2^frag pages valid and contiguous,
 * so a TLB entry made from it reaches every page of the block, whatever
 * their own PTEs say. *@block gets the block's first page, so that the
 * caller checks each block once.
 */
static const char *fragment_page(struct amdgpu_svm_test_vm *fix, unsigned long addr,
				 const struct amdgpu_svm_test_gpu_page *gp,
				 unsigned long *block)
{
	struct amdgpu_svm_test_gpu_page other;
	unsigned long page = addr >> PAGE_SHIFT, n, i;
	u64 base;

	if (gp->frag > FRAG_MAX_CHECKED)
		return "implausibly large fragment";
	n = 1UL << gp->frag;
	*block = ALIGN_DOWN(page, n);
	base = gp->addr - (u64)(page - *block) * PAGE_SIZE;
	for (i = 0; i < n; i++) {
		walk(fix, (*block + i) << PAGE_SHIFT, &other);
		if (!other.valid)
			return "a fragment reaches a page with no valid PTE";
		if (other.addr != base + i * PAGE_SIZE)
			return "a fragment reaches a page it does not map";
	}
	return NULL;
}

/*
 * Every page of [start, start + size) as the GPU would reach it through
 * the real page tables: the CPU's current page with exactly the access
 * the attributes and the VMA allow, or no valid PTE. @complete: every
 * accessible page must be mapped (XNACK off, at a quiescent point).
 */
static void mirror_check(struct kunit *test, struct amdgpu_svm_test_vm *fix,
			 unsigned long start, unsigned long size, bool complete)
{
	struct amdgpu_svm *svm = get_svm(test, fix);
	unsigned long addr, bad = 0, block, checked = ULONG_MAX;
	struct amdgpu_svm_test_gpu_page gp;
	unsigned int checked_frag = 0;
	const char *why;

	amdgpu_svm_flush_work(svm);
	mutex_lock(&svm->lock);
	for (addr = start; addr < start + size; addr += PAGE_SIZE) {
		why = mirror_page(test, fix, svm, addr, complete);
		walk(fix, addr, &gp);
		if (!why && gp.valid && gp.frag &&
		    (ALIGN_DOWN(addr >> PAGE_SHIFT, 1UL << min(gp.frag, 31U)) != checked ||
		     gp.frag != checked_frag)) {
			why = fragment_page(fix, addr, &gp, &block);
			checked = block;
			checked_frag = gp.frag;
		}
		if (why && bad++ < 4)
			kunit_err(test, "GPU page %#lx: %s\n", addr, why);
	}
	mutex_unlock(&svm->lock);
	KUNIT_EXPECT_EQ_MSG(test, bad, 0, "pages the GPU does not see as the CPU does");
}

/* Valid PTEs the GPU has in [start, start + size). */
static unsigned long valid_ptes(struct amdgpu_svm_test_vm *fix,
				unsigned long start, unsigned long size)
{
	struct amdgpu_svm_test_gpu_page gp;
	unsigned long addr, n = 0;

	for (addr = start; addr < start + size; addr += PAGE_SIZE) {
		walk(fix, addr, &gp);
		n += gp.valid;
	}
	return n;
}

/*
 * A GPU retry fault at @addr, through amdgpu's own fault entry, as the
 * interrupt handler raises it. Return: whether amdgpu handled it (false:
 * it wrote a no-retry PTE, which kills the queue).
 */
static bool gpu_fault(struct amdgpu_svm_test_vm *fix, unsigned long addr,
		      bool write)
{
	static u64 ts;

	return amdgpu_vm_handle_fault(fix->adev, fix->pasid, 8, 0, addr, ++ts,
				      write);
}

/*
 * The page tables lose the PTEs of [start, start + size) behind SVM's
 * back, as a page-table update that failed halfway would leave them.
 */
static void lose_ptes(struct kunit *test, struct amdgpu_svm_test_vm *fix,
		      unsigned long start, unsigned long size)
{
	struct amdgpu_vm *vm = amdgpu_svm_test_vm_vm(fix);

	KUNIT_ASSERT_EQ(test, amdgpu_bo_reserve(vm->root.bo, true), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_vm_update_range(fix->adev, vm, false, false,
						     true, false, NULL,
						     start >> AMDGPU_GPU_PAGE_SHIFT,
						     ((start + size) >> AMDGPU_GPU_PAGE_SHIFT) - 1,
						     fix->adev->gmc.init_pte_flags,
						     0, 0, NULL, NULL, NULL), 0);
	amdgpu_bo_unreserve(vm->root.bo);
}

static void skip_unless_xnack(struct kunit *test, bool on)
{
	if (this_case(test)->params.retry_faults != on)
		kunit_skip(test, "needs XNACK %s", on ? "on" : "off");
}

/* XNACK off: 8 MiB the CPU filled, GPU-mapped by SET_ATTR(IN_PLACE). */
static struct amdgpu_svm_test_vm *map_8m(struct kunit *test, unsigned long *start,
					 bool scattered)
{
	struct amdgpu_svm_test_vm *fix = make_vm(test);

	*start = amdgpu_svm_test_mmap(test, SZ_8M, SZ_2M);
	if (scattered)
		amdgpu_svm_test_fill_scattered(test, *start, SZ_8M, 1);
	else
		amdgpu_svm_test_fill(test, *start, SZ_8M, 1);
	KUNIT_ASSERT_EQ(test, set1(test, fix, *start, SZ_8M, AMDGPU_SVM_ATTR_ACCESS,
				   AMDGPU_SVM_ACCESS_IN_PLACE), 0);
	KUNIT_ASSERT_FALSE(test, get_svm(test, fix)->xnack_on);
	return fix;
}

static struct amdgpu_svm_test_vm *mapped_8m(struct kunit *test,
					    unsigned long *start)
{
	return map_8m(test, start, false);
}

static void vm_set_maps_readable_writeable_ptes(struct kunit *test)
{
	const struct vm_case *c = this_case(test);
	struct amdgpu_svm_test_gpu_page gp;
	struct amdgpu_svm_test_vm *fix;
	unsigned long start;

	skip_unless_xnack(test, false);
	fix = mapped_8m(test, &start);
	mirror_check(test, fix, start, SZ_8M, true);

	walk(fix, start + SZ_1M, &gp);
	KUNIT_EXPECT_TRUE(test, gp.valid);
	KUNIT_EXPECT_TRUE(test, gp.readable);
	KUNIT_EXPECT_TRUE(test, gp.writeable);
	KUNIT_EXPECT_FALSE(test, gp.executable);
	KUNIT_EXPECT_EQ(test, gp.mtype, c->sysmem_mtype);
	KUNIT_EXPECT_EQ(test, gp.is_pte, c->params.gc >= IP_VERSION(12, 0, 0));
	KUNIT_EXPECT_EQ(test, gp.pte & ~fix->adev->gmc.pte_addr_mask &
			~AMDGPU_PTE_FRAG(0x1f),
			amdgpu_svm_gpu_pte_flags(fix->adev, amdgpu_svm_test_vm_vm(fix),
						 AMDGPU_SVM_PTE_READ | AMDGPU_SVM_PTE_WRITE |
						 AMDGPU_SVM_PTE_SNOOP |
						 AMDGPU_SVM_PTE_COHERENT) &
			~fix->adev->gmc.pte_addr_mask);
	/* Mapping flushed the TLB of the VM's PASID. */
	KUNIT_EXPECT_GT(test, atomic_read(&fix->tlb_flushes), 0);
}

static void vm_gpu_ro_and_exec_reach_the_pte(struct kunit *test)
{
	struct amdgpu_svm_test_gpu_page gp;
	struct amdgpu_svm_test_vm *fix;
	unsigned long start;

	skip_unless_xnack(test, false);
	fix = mapped_8m(test, &start);
	KUNIT_ASSERT_EQ(test, set1(test, fix, start, SZ_2M, AMDGPU_SVM_ATTR_GPU_RO, 1), 0);
	KUNIT_ASSERT_EQ(test, set1(test, fix, start + SZ_2M, SZ_2M,
				   AMDGPU_SVM_ATTR_GPU_EXEC, 1), 0);
	mirror_check(test, fix, start, SZ_8M, true);
	walk(fix, start, &gp);
	KUNIT_EXPECT_TRUE(test, gp.valid && gp.readable && !gp.writeable);
	walk(fix, start + SZ_2M, &gp);
	KUNIT_EXPECT_TRUE(test, gp.valid && gp.writeable && gp.executable);
}

static void vm_read_only_vma_maps_read_only(struct kunit *test)
{
	struct amdgpu_svm_test_gpu_page gp;
	struct amdgpu_svm_test_vm *fix;
	unsigned long ro;
	u64 val;

	skip_unless_xnack(test, false);
	fix = make_vm(test);
	ro = kunit_vm_mmap(test, NULL, 0, SZ_2M, PROT_READ, MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(ro));
	KUNIT_ASSERT_EQ(test, copy_from_user(&val, (void __user *)ro, sizeof(val)), 0);
	KUNIT_ASSERT_EQ(test, set1(test, fix, ro, SZ_2M, AMDGPU_SVM_ATTR_ACCESS,
				   AMDGPU_SVM_ACCESS_IN_PLACE), 0);
	mirror_check(test, fix, ro, SZ_2M, true);
	walk(fix, ro, &gp);
	KUNIT_EXPECT_TRUE(test, gp.valid && gp.readable && !gp.writeable);
}

/* What the walker saw of the neighbours of a hole, and where. */
static struct {
	struct amdgpu_svm_test_vm *fix;
	unsigned long start, hole, size;
	u64 *addr;
	int lost;
} watch;
static struct amdgpu_svm_gpu_ops watching_ops;

/* Watched GPU pages outside the hole whose PTE is gone or points elsewhere. */
static int neighbours_lost(void)
{
	struct amdgpu_svm_test_gpu_page gp;
	unsigned long a;
	int lost = 0;

	for (a = watch.start; a < watch.start + SZ_8M; a += PAGE_SIZE) {
		if (a >= watch.hole && a < watch.hole + watch.size)
			continue;
		walk(watch.fix, a, &gp);
		if (!gp.valid || gp.addr != watch.addr[(a - watch.start) >> PAGE_SHIFT])
			lost++;
	}
	return lost;
}

/* In the MMU notifier, once the PTEs are cleared: walk the neighbours. */
static int watching_flush(struct amdgpu_svm *svm, bool heavy)
{
	int ret = amdgpu_svm_gpu_ops.flush(svm, heavy);

	watch.lost += neighbours_lost();
	return ret;
}

/*
 * 8 MiB the CPU filled, GPU-mapped: by SET (XNACK off) or by faults.
 * @scattered: no two neighbouring pages physically adjacent (so no PTE has
 * a fragment); otherwise filled in order, in physically contiguous runs.
 */
static struct amdgpu_svm_test_vm *gpu_mapped_8m(struct kunit *test,
						unsigned long *start,
						bool scattered)
{
	struct amdgpu_svm_test_vm *fix;
	unsigned long a;

	if (!this_case(test)->params.retry_faults)
		return map_8m(test, start, scattered);
	fix = make_vm(test);
	*start = amdgpu_svm_test_mmap(test, SZ_8M, SZ_2M);
	if (scattered)
		amdgpu_svm_test_fill_scattered(test, *start, SZ_8M, 1);
	else
		amdgpu_svm_test_fill(test, *start, SZ_8M, 1);
	KUNIT_ASSERT_EQ(test, set1(test, fix, *start, SZ_8M,
				   AMDGPU_SVM_ATTR_GRANULARITY, 9), 0);
	for (a = *start; a < *start + SZ_8M; a += SZ_2M)
		KUNIT_ASSERT_TRUE(test, gpu_fault(fix, a, true));
	return fix;
}

static void restore_gpu_ops(void *svm)
{
	((struct amdgpu_svm *)svm)->ops = &amdgpu_svm_gpu_ops;
}

/*
 * A partial munmap takes the hole's PTEs and nothing else, in both XNACK
 * modes: every other page keeps a valid PTE to the same address before,
 * during (walked in the notifier) and after the event, with no quiesce
 * and no page obtained again; the range is split.
 */
static void vm_partial_munmap_keeps_the_neighbours(struct kunit *test)
{
	struct amdgpu_svm_test_gpu_page gp;
	struct amdgpu_svm_test_vm *fix;
	struct amdgpu_svm *svm;
	unsigned long start, a;
	u64 quiesces, obtained;

	fix = gpu_mapped_8m(test, &start, true);
	svm = get_svm(test, fix);
	watch.fix = fix;
	watch.start = start;
	watch.hole = start + SZ_1M;
	watch.size = SZ_64K;
	watch.lost = 0;
	watch.addr = kunit_kcalloc(test, SZ_8M >> PAGE_SHIFT, sizeof(u64), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, watch.addr);
	for (a = start; a < start + SZ_8M; a += PAGE_SIZE) {
		walk(fix, a, &gp);
		KUNIT_ASSERT_TRUE(test, gp.valid);
		watch.addr[(a - start) >> PAGE_SHIFT] = gp.addr;
	}
	quiesces = amdgpu_svm_stat_read(&svm->stats.quiesces);
	obtained = amdgpu_svm_stat_read(&svm->stats.pages_obtained);
	watching_ops = amdgpu_svm_gpu_ops;
	watching_ops.flush = watching_flush;
	svm->ops = &watching_ops;
	/* Before the fixture goes, even if an assertion ends the case. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, restore_gpu_ops, svm), 0);

	KUNIT_ASSERT_EQ(test, vm_munmap(watch.hole, watch.size), 0);
	KUNIT_EXPECT_EQ_MSG(test, watch.lost, 0, "the notifier took PTEs outside the hole");
	KUNIT_EXPECT_EQ(test, valid_ptes(fix, watch.hole, watch.size), 0);
	amdgpu_svm_flush_work(svm);
	svm->ops = &amdgpu_svm_gpu_ops;
	KUNIT_EXPECT_EQ(test, neighbours_lost(), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.quiesces), quiesces);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.pages_obtained), obtained);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.ranges_split), 1);
	mirror_check(test, fix, start, SZ_8M, true);
}

/*
 * A hole inside a physically contiguous run: amdgpu maps the run in
 * fragments, and a neighbour's PTE would claim the hole as part of its
 * fragment after the hole's own PTEs were cleared, so that a TLB entry
 * made from it still reached the freed page. The whole range goes
 * instead (XNACK off: behind a quiesce, and is mapped again); no valid
 * PTE's fragment reaches the hole (mirror_check() checks every fragment).
 */
static void vm_partial_munmap_in_a_contiguous_run(struct kunit *test)
{
	struct amdgpu_svm_test_gpu_page gp;
	struct amdgpu_svm_test_vm *fix;
	unsigned long start, hole;
	struct amdgpu_svm *svm;

	fix = gpu_mapped_8m(test, &start, false);
	svm = get_svm(test, fix);
	/* A page in the middle of the first fragment of 4 pages or more. */
	for (hole = start; hole < start + SZ_2M; hole += PAGE_SIZE) {
		walk(fix, hole, &gp);
		if (gp.valid && gp.frag >= 2 && gp.frag <= FRAG_MAX_CHECKED)
			break;
	}
	if (hole >= start + SZ_2M)
		kunit_skip(test, "no two neighbouring pages are physically contiguous");
	hole = (ALIGN_DOWN(hole >> PAGE_SHIFT, 1UL << gp.frag) +
		(1UL << (gp.frag - 1))) << PAGE_SHIFT;
	mirror_check(test, fix, start, SZ_8M,
		     !this_case(test)->params.retry_faults);

	KUNIT_ASSERT_EQ(test, vm_munmap(hole, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, valid_ptes(fix, hole, PAGE_SIZE), 0);
	amdgpu_svm_flush_work(svm);
	KUNIT_EXPECT_GE(test, amdgpu_svm_stat_read(&svm->stats.partial_unmap_fallbacks), 1);
	mirror_check(test, fix, start, SZ_8M,
		     !this_case(test)->params.retry_faults);
	KUNIT_EXPECT_EQ(test, atomic_read(&svm->work.evictions), 0);
}

static void vm_dontneed_evicts_and_restores(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix;
	unsigned long start;

	skip_unless_xnack(test, false);
	fix = mapped_8m(test, &start);
	KUNIT_ASSERT_EQ(test, do_madvise(current->mm, start + SZ_1M, SZ_1M,
					 MADV_DONTNEED), 0);
	mirror_check(test, fix, start, SZ_8M, true);
	/* CPU writes after the restore land in the pages the GPU reaches. */
	amdgpu_svm_test_fill(test, start, SZ_8M, 2);
	mirror_check(test, fix, start, SZ_8M, true);
}

/* XNACK on: 2 MiB the CPU filled, 4 KiB granularity, nothing GPU-mapped. */
static struct amdgpu_svm_test_vm *faultable_2m(struct kunit *test,
					       unsigned long *start)
{
	struct amdgpu_svm_test_vm *fix = make_vm(test);

	*start = amdgpu_svm_test_mmap(test, SZ_2M, SZ_2M);
	amdgpu_svm_test_fill(test, *start, SZ_2M, 3);
	KUNIT_ASSERT_EQ(test, set1(test, fix, *start, SZ_2M,
				   AMDGPU_SVM_ATTR_GRANULARITY, 0), 0);
	KUNIT_ASSERT_TRUE(test, get_svm(test, fix)->xnack_on);
	KUNIT_ASSERT_EQ(test, valid_ptes(fix, *start, SZ_2M), 0);
	return fix;
}

static void vm_xnack_on_fault_maps_the_page(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix;
	unsigned long start;

	skip_unless_xnack(test, true);
	fix = faultable_2m(test, &start);
	KUNIT_EXPECT_TRUE(test, gpu_fault(fix, start + SZ_64K, true));
	KUNIT_EXPECT_EQ(test, valid_ptes(fix, start + SZ_64K, PAGE_SIZE), 1);
	mirror_check(test, fix, start, SZ_2M, false);
}

/*
 * A fault that fails for a reason that passes (here: no memory) is left
 * for the GPU to retry. Reported unhandled, amdgpu would write a no-retry
 * PTE and the queue would die.
 */
static void vm_transient_fault_error_is_retried(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix;
	struct amdgpu_svm *svm;
	unsigned long start;

	skip_unless_xnack(test, true);
	fix = faultable_2m(test, &start);
	svm = get_svm(test, fix);
	amdgpu_svm_test_fail_alloc(test, 1);
	KUNIT_EXPECT_TRUE_MSG(test, gpu_fault(fix, start, true),
			      "an out-of-memory fault must be left for the GPU to retry");
	amdgpu_svm_test_fail_alloc(test, 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.faults_retry), 1);
	KUNIT_EXPECT_EQ(test, valid_ptes(fix, start, PAGE_SIZE), 0);
	/* The GPU's retry maps the page. */
	KUNIT_EXPECT_TRUE(test, gpu_fault(fix, start, true));
	KUNIT_EXPECT_EQ(test, valid_ptes(fix, start, PAGE_SIZE), 1);
	mirror_check(test, fix, start, SZ_2M, false);
}

/*
 * A fault is a duplicate only shortly after the mapping was written: a
 * later one on a page SVM believes mapped rewrites the PTE, or a wave
 * whose PTE was lost would retry forever.
 */
static void vm_late_fault_rewrites_lost_ptes(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix;
	unsigned long start;

	skip_unless_xnack(test, true);
	fix = faultable_2m(test, &start);
	KUNIT_ASSERT_TRUE(test, gpu_fault(fix, start, false));
	KUNIT_ASSERT_EQ(test, valid_ptes(fix, start, PAGE_SIZE), 1);
	lose_ptes(test, fix, start, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, valid_ptes(fix, start, PAGE_SIZE), 0);

	msleep(5 * AMDGPU_SVM_FAULT_DUPLICATE_MS);
	KUNIT_EXPECT_TRUE(test, gpu_fault(fix, start, false));
	KUNIT_EXPECT_EQ_MSG(test, valid_ptes(fix, start, PAGE_SIZE), 1,
			    "a fault past the duplicate window must rewrite the PTE");
	mirror_check(test, fix, start, SZ_2M, false);
}

/*
 * XNACK off: an mprotect() from read-only to read-write evicts the range;
 * the restore maps it writeable, as the VMA now allows.
 */
static void vm_restore_follows_mprotect(struct kunit *test)
{
	struct amdgpu_svm_test_gpu_page gp;
	struct amdgpu_svm_test_vm *fix;
	unsigned long ro;

	skip_unless_xnack(test, false);
	fix = make_vm(test);
	ro = kunit_vm_mmap(test, NULL, 0, SZ_2M, PROT_READ, MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(ro));
	KUNIT_ASSERT_EQ(test, set1(test, fix, ro, SZ_2M, AMDGPU_SVM_ATTR_ACCESS,
				   AMDGPU_SVM_ACCESS_IN_PLACE), 0);
	walk(fix, ro, &gp);
	KUNIT_ASSERT_TRUE(test, gp.valid && !gp.writeable);

	KUNIT_ASSERT_EQ(test, amdgpu_svm_test_mprotect(test, ro, SZ_2M,
						       PROT_READ | PROT_WRITE), 0);
	amdgpu_svm_test_fill(test, ro, SZ_2M, 6);
	mirror_check(test, fix, ro, SZ_2M, true);
	walk(fix, ro, &gp);
	KUNIT_EXPECT_TRUE_MSG(test, gp.valid && gp.writeable,
			      "restore must map what the VMA allows now");
}

/*
 * XNACK off: when the restore cannot map the evicted pages, the queues
 * stay stopped and the worker tries again until it can; they run again
 * only over a complete mapping.
 */
static void vm_failed_restore_keeps_queues_stopped(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix;
	struct amdgpu_svm *svm;
	unsigned long start;
	u64 mark;

	skip_unless_xnack(test, false);
	fix = mapped_8m(test, &start);
	svm = get_svm(test, fix);
	amdgpu_svm_test_fail_alloc(test, -1);
	mark = amdgpu_svm_test_log_mark();
	KUNIT_ASSERT_EQ(test, do_madvise(current->mm, start + SZ_1M, SZ_1M,
					 MADV_DONTNEED), 0);
	amdgpu_svm_flush_work(svm);
	KUNIT_EXPECT_GT_MSG(test, atomic_read(&svm->work.evictions), 0,
			    "queues resumed over pages the restore could not map");
	KUNIT_EXPECT_TRUE_MSG(test, amdgpu_svm_test_log_has(test, mark, "SVM: cannot map pages"),
			      "the failed restore was not reported");
	KUNIT_EXPECT_TRUE(test, amdgpu_svm_test_log_has(test, mark, ": -12; retrying in"));
	KUNIT_EXPECT_TRUE(test, amdgpu_svm_work_pending(svm));
	/* CS is refused meanwhile (amdgpu_cs_submit() asks this). */
	KUNIT_EXPECT_TRUE(test, amdgpu_svm_vm_holds_queues(amdgpu_svm_test_vm_vm(fix)));

	amdgpu_svm_test_fail_alloc(test, 0);
	amdgpu_svm_flush_work(svm);
	KUNIT_EXPECT_EQ(test, atomic_read(&svm->work.evictions), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.quiesces), 1);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.resumes), 1);
	KUNIT_EXPECT_FALSE(test, amdgpu_svm_vm_holds_queues(amdgpu_svm_test_vm_vm(fix)));
	mirror_check(test, fix, start, SZ_8M, true);
}

/*
 * XNACK off: quiescing evicts the device file's user queues through their
 * eviction fence (its suspend worker), and they stay evicted until SVM has
 * mapped the pages again: the user-queue restore worker, which the
 * suspend worker schedules at once, sees the hold and leaves them.
 */
static void vm_quiesce_holds_the_user_queues(struct kunit *test)
{
	struct amdgpu_userq_mgr *uq;
	struct amdgpu_svm_test_vm *fix;
	struct dma_fence *armed, *now;
	struct amdgpu_svm *svm;
	unsigned long start;

	skip_unless_xnack(test, false);
	fix = mapped_8m(test, &start);
	svm = get_svm(test, fix);
	uq = &fix->fpriv->userq_mgr;
	armed = amdgpu_svm_test_vm_arm_user_queues(test, fix);
	KUNIT_ASSERT_FALSE(test, dma_fence_is_signaled(armed));

	/* The restore cannot map yet, so the hold stays while we look. */
	amdgpu_svm_test_fail_alloc(test, -1);
	KUNIT_ASSERT_EQ(test, do_madvise(current->mm, start + SZ_1M, SZ_1M,
					 MADV_DONTNEED), 0);
	KUNIT_EXPECT_TRUE_MSG(test, dma_fence_is_signaled(armed),
			      "the user queues ran on while their pages went");
	KUNIT_EXPECT_EQ(test, atomic_read(&uq->svm_holds), 1);
	flush_work(&fix->fpriv->evf_mgr.suspend_work);
	flush_delayed_work(&uq->resume_work);
	now = amdgpu_evf_mgr_get_fence(&fix->fpriv->evf_mgr);
	KUNIT_EXPECT_PTR_EQ_MSG(test, now, armed,
				"the user queues were restored while SVM held them");
	dma_fence_put(now);

	amdgpu_svm_test_fail_alloc(test, 0);
	amdgpu_svm_flush_work(svm);
	KUNIT_EXPECT_EQ(test, atomic_read(&uq->svm_holds), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.resumes), 1);
	mirror_check(test, fix, start, SZ_8M, true);
	dma_fence_put(armed);
}

/*
 * A fence like KFD's eviction fence on the VM's reservation: waiting for
 * it would start an eviction of every KFD queue of the process (KFD
 * restores them later). It records that instead and reports signalled.
 */
struct eviction_probe {
	struct dma_fence base;
	spinlock_t lock; /* the fence's */
	atomic_t waited;
};

static const char *eviction_probe_name(struct dma_fence *f)
{
	return "svm-test-eviction";
}

static bool eviction_probe_enable_signaling(struct dma_fence *f)
{
	atomic_inc(&container_of(f, struct eviction_probe, base)->waited);
	return false;
}

static const struct dma_fence_ops eviction_probe_ops = {
	.get_driver_name = eviction_probe_name,
	.get_timeline_name = eviction_probe_name,
	.enable_signaling = eviction_probe_enable_signaling,
};

/*
 * XNACK off: quiescing for an unmap stops the queues through their own
 * controls; it does not wait for every fence of the VM's reservation.
 */
static void vm_quiesce_leaves_eviction_fences_alone(struct kunit *test)
{
	struct eviction_probe *probe;
	struct amdgpu_svm_test_vm *fix;
	struct dma_resv *resv;
	unsigned long start;
	int waited;

	skip_unless_xnack(test, false);
	fix = mapped_8m(test, &start);
	probe = kzalloc_obj(*probe);
	KUNIT_ASSERT_NOT_NULL(test, probe);
	spin_lock_init(&probe->lock);
	dma_fence_init(&probe->base, &eviction_probe_ops, &probe->lock,
		       dma_fence_context_alloc(1), 1);
	resv = amdgpu_svm_test_vm_vm(fix)->root.bo->tbo.base.resv;
	KUNIT_ASSERT_EQ(test, dma_resv_lock(resv, NULL), 0);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(resv, 1), 0);
	dma_resv_add_fence(resv, &probe->base, DMA_RESV_USAGE_BOOKKEEP);
	dma_resv_unlock(resv);

	KUNIT_ASSERT_EQ(test, vm_munmap(start + SZ_1M, SZ_64K), 0);
	waited = atomic_read(&probe->waited);
	dma_fence_signal(&probe->base);
	dma_fence_put(&probe->base);
	KUNIT_EXPECT_EQ_MSG(test, waited, 0,
			    "quiescing waited for an eviction fence: on a KFD VM, a whole-process eviction");
	mirror_check(test, fix, start, SZ_8M, true);
}

static void vm_set_beyond_the_vm_is_refused(struct kunit *test)
{
	struct amdgpu_svm_test_vm_params params = this_case(test)->params;
	struct amdgpu_svm_test_vm *fix;
	unsigned long start, vm_end;

	/*
	 * A GPU address space that ends below memory the CPU maps: its root
	 * directory has fewer entries than that memory would index.
	 */
	start = amdgpu_svm_test_mmap(test, SZ_2M, SZ_2M);
	amdgpu_svm_test_fill(test, start, SZ_2M, 4);
	vm_end = rounddown_pow_of_two(start);
	KUNIT_ASSERT_GE(test, vm_end, (unsigned long)SZ_64M);
	params.max_pfn = vm_end >> AMDGPU_GPU_PAGE_SHIFT;
	fix = amdgpu_svm_test_vm_create(test, &params);

	KUNIT_EXPECT_EQ(test, set1(test, fix, start, SZ_2M, AMDGPU_SVM_ATTR_ACCESS,
				   AMDGPU_SVM_ACCESS_IN_PLACE), -EINVAL);
	/* Below the reserved bottom, and across the reserved top. */
	KUNIT_EXPECT_EQ(test, set1(test, fix, 0, SZ_64K, AMDGPU_SVM_ATTR_ACCESS,
				   AMDGPU_SVM_ACCESS_IN_PLACE), -EINVAL);
	KUNIT_EXPECT_EQ(test, set1(test, fix, vm_end - SZ_4M, SZ_4M,
				   AMDGPU_SVM_ATTR_ACCESS,
				   AMDGPU_SVM_ACCESS_IN_PLACE), -EINVAL);
	/* Nothing was made: no SVM on the VM. */
	KUNIT_EXPECT_NULL(test, amdgpu_svm_test_vm_svm(fix));
}

/*
 * A first request that SVM refuses makes no SVM, and leaves the process
 * free for KFD's: bad attribute contents, and a span the CPU does not map,
 * are refused before the SVM is made, with the errno SVM would return.
 */
static void vm_refused_first_request_makes_no_svm(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix = make_vm(test);
	unsigned long start = amdgpu_svm_test_mmap(test, SZ_4M, SZ_2M);

	KUNIT_EXPECT_EQ(test, set1(test, fix, start, SZ_64K, 0xdead, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, set1(test, fix, start, SZ_64K, AMDGPU_SVM_ATTR_ACCESS, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, set1(test, fix, start, SZ_64K, AMDGPU_SVM_ATTR_GPU_RO, 2), -EINVAL);
	KUNIT_ASSERT_EQ(test, vm_munmap(start + SZ_2M, SZ_2M), 0);
	KUNIT_EXPECT_EQ(test, set1(test, fix, start, SZ_4M, AMDGPU_SVM_ATTR_GPU_RO, 1), -EFAULT);
	KUNIT_EXPECT_NULL(test, amdgpu_svm_test_vm_svm(fix));
	KUNIT_EXPECT_FALSE(test, amdgpu_svm_mm_claimed(current->mm));

	/* A good one makes it. */
	KUNIT_ASSERT_EQ(test, set1(test, fix, start, SZ_2M, AMDGPU_SVM_ATTR_GPU_RO, 1), 0);
	KUNIT_EXPECT_TRUE(test, amdgpu_svm_mm_claimed(current->mm));
}

/*
 * XNACK off: a flag change over whole ranges rewrites their PTEs in place,
 * with no window in which running waves find the memory unmapped; a change
 * that cuts a range in two removes it with the queues stopped around it.
 */
static void vm_flag_change_rewrites_in_place(struct kunit *test)
{
	struct amdgpu_svm_test_gpu_page gp;
	struct amdgpu_svm_test_vm *fix;
	struct amdgpu_svm *svm;
	unsigned long start;
	s64 obtained;
	int heavy;

	skip_unless_xnack(test, false);
	fix = mapped_8m(test, &start);
	svm = get_svm(test, fix);
	heavy = atomic_read(&fix->heavy_flushes);
	obtained = amdgpu_svm_stat_read(&svm->stats.pages_obtained);

	KUNIT_ASSERT_EQ(test, set1(test, fix, start, SZ_2M, AMDGPU_SVM_ATTR_GPU_RO, 1), 0);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&fix->heavy_flushes), heavy,
			    "a flag change unmapped memory under running waves");
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.pages_obtained), obtained);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.quiesces), 0);
	walk(fix, start, &gp);
	KUNIT_EXPECT_TRUE(test, gp.valid && !gp.writeable);
	mirror_check(test, fix, start, SZ_8M, true);

	KUNIT_ASSERT_EQ(test, set1(test, fix, start + SZ_2M + SZ_1M, SZ_64K,
				   AMDGPU_SVM_ATTR_GPU_EXEC, 1), 0);
	amdgpu_svm_flush_work(svm);
	KUNIT_EXPECT_EQ_MSG(test, amdgpu_svm_stat_read(&svm->stats.quiesces), 1,
			    "a range was removed under running waves");
	KUNIT_EXPECT_EQ(test, amdgpu_svm_stat_read(&svm->stats.resumes), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&svm->work.evictions), 0);
	mirror_check(test, fix, start, SZ_8M, true);
}

/* AMDGPU_INFO_SVM of the fixture's device file. */
static u32 info_flags(struct amdgpu_svm_test_vm *fix)
{
	struct drm_amdgpu_info_svm info = { .flags = ~0u };

	amdgpu_svm_vm_info(fix->adev, fix->fpriv, &info);
	return info.flags;
}

/*
 * GET before any SET reads the defaults and makes no SVM: reading must
 * not decide between this SVM and KFD's. AMDGPU_INFO_SVM tells the XNACK
 * mode the SVM will get before it exists, and the one it has after.
 */
static void vm_get_and_info_create_no_svm(struct kunit *test)
{
	bool xnack_on = this_case(test)->params.retry_faults;
	u32 xnack_flag = xnack_on ? AMDGPU_INFO_SVM_XNACK_ON : 0;
	struct drm_amdgpu_svm_attribute a = { .type = AMDGPU_SVM_ATTR_ACCESS };
	struct amdgpu_svm_test_vm *fix = make_vm(test);
	unsigned long start = amdgpu_svm_test_mmap(test, SZ_2M, SZ_2M);
	struct amdgpu_svm *svm;

	KUNIT_EXPECT_EQ(test, info_flags(fix), AMDGPU_INFO_SVM_SUPPORTED | xnack_flag);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_test_vm_ioctl(test, fix, AMDGPU_SVM_OP_GET_ATTR,
						       start, SZ_2M, &a, 1), 0);
	KUNIT_EXPECT_EQ(test, a.value, xnack_on ? AMDGPU_SVM_ACCESS_ALLOW_MIGRATE :
			AMDGPU_SVM_ACCESS_INACCESSIBLE);
	svm = amdgpu_svm_test_vm_svm(fix);
	KUNIT_EXPECT_NULL_MSG(test, svm, "GET must not create an SVM");
	if (svm)
		amdgpu_svm_put(svm);
	/* Bad requests are refused as they would be with an SVM. */
	a.type = 0xdead;
	KUNIT_EXPECT_EQ(test, amdgpu_svm_test_vm_ioctl(test, fix, AMDGPU_SVM_OP_GET_ATTR,
						       start, SZ_2M, &a, 1), -EINVAL);
	KUNIT_ASSERT_EQ(test, vm_munmap(start + SZ_1M, SZ_4K), 0);
	a.type = AMDGPU_SVM_ATTR_ACCESS;
	KUNIT_EXPECT_EQ(test, amdgpu_svm_test_vm_ioctl(test, fix, AMDGPU_SVM_OP_GET_ATTR,
						       start, SZ_2M, &a, 1), -EFAULT);

	KUNIT_ASSERT_EQ(test, set1(test, fix, start, SZ_64K, AMDGPU_SVM_ATTR_GPU_RO, 1), 0);
	KUNIT_EXPECT_EQ(test, info_flags(fix), AMDGPU_INFO_SVM_SUPPORTED |
			AMDGPU_INFO_SVM_ACTIVE | xnack_flag);
	KUNIT_EXPECT_EQ(test, get_svm(test, fix)->xnack_on, xnack_on);
}

/*
 * The process is claimed for this SVM from its creation until its
 * teardown. That claim is the one decision KFD's SVM reads before it
 * creates a range, from its ioctl or from a fault on another GPU.
 */
static void vm_svm_claims_its_process(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix = make_vm(test);
	unsigned long start = amdgpu_svm_test_mmap(test, SZ_2M, SZ_2M);

	KUNIT_EXPECT_FALSE(test, amdgpu_svm_mm_claimed(current->mm));
	KUNIT_ASSERT_EQ(test, set1(test, fix, start, SZ_64K, AMDGPU_SVM_ATTR_GPU_RO, 1), 0);
	KUNIT_EXPECT_TRUE_MSG(test, amdgpu_svm_mm_claimed(current->mm),
			      "KFD's SVM must see that this one serves the process");
	amdgpu_svm_test_vm_fini_svm(fix);
	KUNIT_EXPECT_FALSE_MSG(test, amdgpu_svm_mm_claimed(current->mm),
			       "the claim must go with the SVM");
}

/* VRAM usage, where page tables live, grown by maps under the notifier lock. */
static u64 vram_grown_under_notifier_lock;
static struct amdgpu_svm_gpu_ops vram_counting_ops;

static u64 vram_usage(struct amdgpu_svm *svm)
{
	return ttm_resource_manager_usage(&drm_to_adev(svm->drm)->mman.vram_mgr.manager);
}

static int vram_counting_map(struct amdgpu_svm *svm, unsigned long start,
			     unsigned long last, dma_addr_t *dma, u32 pte)
{
	u64 before = vram_usage(svm);
	int ret = amdgpu_svm_gpu_ops.map(svm, start, last, dma, pte);

	vram_grown_under_notifier_lock += vram_usage(svm) - before;
	return ret;
}

/*
 * A map makes its page tables before it takes the drm_gpusvm notifier
 * lock, and holds that lock for the check and the PTE write only: the
 * VRAM the page tables take is allocated outside it, in the shape the map
 * takes: the map neither makes nor frees one.
 */
static void vm_map_makes_page_tables_outside_the_notifier_lock(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix;
	struct amdgpu_svm *svm;
	unsigned long start;
	u64 before;

	skip_unless_xnack(test, false);
	fix = make_vm(test);
	start = amdgpu_svm_test_mmap(test, SZ_8M, SZ_2M);
	amdgpu_svm_test_fill(test, start, SZ_8M, 1);
	/* An SVM with nothing mapped yet (XNACK off maps only on access). */
	KUNIT_ASSERT_EQ(test, set1(test, fix, start, SZ_8M, AMDGPU_SVM_ATTR_GPU_RO, 0), 0);
	svm = get_svm(test, fix);
	vram_counting_ops = amdgpu_svm_gpu_ops;
	vram_counting_ops.map = vram_counting_map;
	svm->ops = &vram_counting_ops;
	vram_grown_under_notifier_lock = 0;
	before = vram_usage(svm);

	KUNIT_EXPECT_EQ(test, set1(test, fix, start, SZ_8M, AMDGPU_SVM_ATTR_ACCESS,
				   AMDGPU_SVM_ACCESS_IN_PLACE), 0);
	KUNIT_EXPECT_GT_MSG(test, vram_usage(svm), before, "no page table was made");
	KUNIT_EXPECT_EQ_MSG(test, vram_grown_under_notifier_lock, 0,
			    "page tables were made or freed under the notifier lock");
	mirror_check(test, fix, start, SZ_8M, true);
	svm->ops = &amdgpu_svm_gpu_ops;
}

static void vm_teardown_leaves_no_valid_pte(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix;
	unsigned long start;

	skip_unless_xnack(test, false);
	fix = mapped_8m(test, &start);
	KUNIT_ASSERT_EQ(test, valid_ptes(fix, start, SZ_8M), SZ_8M >> PAGE_SHIFT);
	amdgpu_svm_test_vm_fini_svm(fix);
	KUNIT_EXPECT_EQ(test, valid_ptes(fix, start, SZ_8M), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&fix->heavy_flushes), 0);
}

/*
 * The clear that an MMU notifier issues can fail: amdgpu_vm_update_range()
 * refuses while the VM's page tables are being evicted (-EBUSY). The pages
 * the CPU unmapped must still end with no valid PTE, and the neighbours
 * mapped again.
 */
static void vm_failed_clear_leaves_no_valid_pte(struct kunit *test)
{
	struct amdgpu_svm_test_vm *fix;
	struct amdgpu_vm *vm;
	struct amdgpu_svm *svm;
	unsigned long start;
	bool dup;
	u64 mark;

	fix = make_vm(test);
	vm = amdgpu_svm_test_vm_vm(fix);
	start = amdgpu_svm_test_mmap(test, SZ_4M, SZ_2M);
	amdgpu_svm_test_fill(test, start, SZ_4M, 5);
	KUNIT_ASSERT_EQ(test, set1(test, fix, start, SZ_4M, AMDGPU_SVM_ATTR_ACCESS,
				   AMDGPU_SVM_ACCESS_IN_PLACE), 0);
	svm = get_svm(test, fix);
	if (svm->xnack_on) {
		mutex_lock(&svm->lock);
		KUNIT_ASSERT_EQ(test, amdgpu_svm_range_map_fault(svm, start, true, &dup), 0);
		mutex_unlock(&svm->lock);
	}
	KUNIT_ASSERT_GT(test, valid_ptes(fix, start, SZ_2M), 0);

	/* TTM is evicting the page tables: every update fails meanwhile. */
	mutex_lock(&vm->eviction_lock);
	vm->evicting = true;
	mutex_unlock(&vm->eviction_lock);
	mark = amdgpu_svm_test_log_mark();
	KUNIT_ASSERT_EQ(test, vm_munmap(start + SZ_1M, SZ_64K), 0);
	KUNIT_EXPECT_TRUE_MSG(test, amdgpu_svm_test_log_has(test, mark, "cannot clear GPU pages"),
			      "the failed clear was not reported");
	KUNIT_EXPECT_TRUE(test, amdgpu_svm_test_log_has(test, mark, ": -16; queues held"));

	amdgpu_svm_flush_work(svm);
	KUNIT_EXPECT_EQ(test, valid_ptes(fix, start + SZ_1M, SZ_64K), 0);
	mirror_check(test, fix, start, SZ_4M, !svm->xnack_on);
	KUNIT_EXPECT_EQ(test, atomic_read(&svm->work.evictions), 0);
}

static struct kunit_case amdgpu_svm_vm_cases[] = {
	KUNIT_CASE_PARAM(vm_set_maps_readable_writeable_ptes, vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_gpu_ro_and_exec_reach_the_pte, vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_flag_change_rewrites_in_place, vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_read_only_vma_maps_read_only, vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_partial_munmap_keeps_the_neighbours, vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_partial_munmap_in_a_contiguous_run, vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_dontneed_evicts_and_restores, vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_xnack_on_fault_maps_the_page, vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_transient_fault_error_is_retried, vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_late_fault_rewrites_lost_ptes, vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_restore_follows_mprotect, vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_failed_restore_keeps_queues_stopped, vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_quiesce_leaves_eviction_fences_alone, vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_quiesce_holds_the_user_queues, vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_set_beyond_the_vm_is_refused, vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_refused_first_request_makes_no_svm, vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_get_and_info_create_no_svm, vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_svm_claims_its_process, vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_map_makes_page_tables_outside_the_notifier_lock,
			 vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_teardown_leaves_no_valid_pte, vm_case_gen_params),
	KUNIT_CASE_PARAM(vm_failed_clear_leaves_no_valid_pte, vm_case_gen_params),
	{}
};

static struct kunit_suite amdgpu_svm_vm_suite = {
	.name = "amdgpu_svm_vm",
	.test_cases = amdgpu_svm_vm_cases,
};

kunit_test_suite(amdgpu_svm_vm_suite);

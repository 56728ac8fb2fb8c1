// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

/*
 * The PTE this SVM writes for system memory against the one KFD's SVM
 * writes for the same attributes, from KFD's own svm_range_get_pte_flags()
 * (amdgpu_svm_test_kfd_pte()). For every GC version the real-VM fixture
 * stands for, every combination of the attributes that shape a PTE
 * (GPU_RO, GPU_EXEC, COHERENT, EXT_COHERENT), a writable and a read-only
 * VMA, and each amdgpu.mtype_local, a real SET_ATTR maps the pages and the
 * walker reads the PTE back from the real page table: the whole path from
 * attributes to page table is held against KFD.
 *
 * KFD's SVM needs ZONE_DEVICE, which UML lacks: this suite is built only
 * with CONFIG_HSA_AMD_SVM and runs on x86_64 under QEMU.
 */

#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/nodemask.h>
#include <linux/sizes.h>
#include <uapi/linux/kfd_ioctl.h>

#include "../amdgpu.h"
#include "../amdgpu_svm.h"
#include "../amdgpu_svm_attr.h"
#include "../amdgpu_svm_gpu.h"
#include "../amdgpu_svm_range.h"
#include "amdgpu_svm_test_helpers.h"
#include "amdgpu_svm_test_kfd.h"
#include "amdgpu_svm_test_vm.h"
#include "amdgpu_svm_test_walk.h"

/**
 * struct kfd_case - One GPU of the suite
 * @params: the fixture's device
 * @apu: the device is an APU (MI300A), which changes the MTYPE of system
 *	memory on GC 9.4.3
 */
struct kfd_case {
	struct amdgpu_svm_test_vm_params params;
	bool apu;
};

static const struct kfd_case kfd_cases[] = {
	{ { "gc9.0.1", IP_VERSION(9, 0, 1) } },
	{ { "gc9.4.1", IP_VERSION(9, 4, 1) } },
	{ { "gc9.4.2", IP_VERSION(9, 4, 2) } },
	{ { "gc9.4.3", IP_VERSION(9, 4, 3) } },
	{ { "gc9.4.3-apu", IP_VERSION(9, 4, 3) }, true },
	{ { "gc9.4.4", IP_VERSION(9, 4, 4) } },
	{ { "gc9.5.0", IP_VERSION(9, 5, 0) } },
	{ { "gc10.3.0", IP_VERSION(10, 3, 0) } },
	{ { "gc11.0.0", IP_VERSION(11, 0, 0) } },
	{ { "gc12.0.0", IP_VERSION(12, 0, 0) } },
	{ { "gc12.0.1", IP_VERSION(12, 0, 1) } },
};

static void kfd_case_desc(const struct kfd_case *c, char *desc)
{
	strscpy(desc, c->params.name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kfd_case, kfd_cases, kfd_case_desc);

#define KFD_PTE_FLAGS (KFD_IOCTL_SVM_FLAG_GPU_RO | KFD_IOCTL_SVM_FLAG_GPU_EXEC | \
		       KFD_IOCTL_SVM_FLAG_COHERENT | KFD_IOCTL_SVM_FLAG_EXT_COHERENT)

/* This SVM's attribute flags for KFD's @kfd_flags. */
static u8 attr_flags_of(u32 kfd_flags)
{
	u8 flags = 0;

	if (kfd_flags & KFD_IOCTL_SVM_FLAG_GPU_RO)
		flags |= AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_GPU_RO);
	if (kfd_flags & KFD_IOCTL_SVM_FLAG_GPU_EXEC)
		flags |= AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_GPU_EXEC);
	if (kfd_flags & KFD_IOCTL_SVM_FLAG_COHERENT)
		flags |= AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_COHERENT);
	if (kfd_flags & KFD_IOCTL_SVM_FLAG_EXT_COHERENT)
		flags |= AMDGPU_SVM_FLAG(AMDGPU_SVM_ATTR_EXT_COHERENT);
	return flags;
}

/* SET_ATTR of the flags that shape a PTE, as KFD's @kfd_flags name them. */
static int set_pte_attrs(struct kunit *test, struct amdgpu_svm_test_vm *fix,
			 unsigned long start, unsigned long size, u32 kfd_flags)
{
	struct drm_amdgpu_svm_attribute a[] = {
		{ AMDGPU_SVM_ATTR_ACCESS, AMDGPU_SVM_ACCESS_IN_PLACE },
		{ AMDGPU_SVM_ATTR_GPU_RO, !!(kfd_flags & KFD_IOCTL_SVM_FLAG_GPU_RO) },
		{ AMDGPU_SVM_ATTR_GPU_EXEC, !!(kfd_flags & KFD_IOCTL_SVM_FLAG_GPU_EXEC) },
		{ AMDGPU_SVM_ATTR_COHERENT, !!(kfd_flags & KFD_IOCTL_SVM_FLAG_COHERENT) },
		{ AMDGPU_SVM_ATTR_EXT_COHERENT,
		  !!(kfd_flags & KFD_IOCTL_SVM_FLAG_EXT_COHERENT) },
	};

	return amdgpu_svm_test_vm_ioctl(test, fix, AMDGPU_SVM_OP_SET_ATTR, start,
					size, a, ARRAY_SIZE(a));
}

/* The flags of the PTE the walker reads at @addr: no address, no fragment. */
static u64 pte_flags_at(struct amdgpu_svm_test_vm *fix, unsigned long addr)
{
	struct amdgpu_svm_test_gpu_page gp;

	amdgpu_svm_test_walk(fix->adev, amdgpu_svm_test_vm_vm(fix), fix->vram,
			     addr >> AMDGPU_GPU_PAGE_SHIFT, &gp);
	if (!gp.valid)
		return 0;
	return gp.pte & ~fix->adev->gmc.pte_addr_mask & ~AMDGPU_PTE_FRAG(0x1f);
}

/* Every attribute combination on a writable and a read-only VMA. */
static void compare_all_flags(struct kunit *test, struct amdgpu_svm_test_vm *fix,
			      unsigned long rw, unsigned long ro)
{
	struct amdgpu_vm *vm = amdgpu_svm_test_vm_vm(fix);
	u32 f;

	for (f = 0; f <= KFD_PTE_FLAGS; f++) {
		if (f & ~KFD_PTE_FLAGS)
			continue;
		KUNIT_ASSERT_EQ(test, set_pte_attrs(test, fix, rw, SZ_64K, f), 0);
		KUNIT_ASSERT_EQ(test, set_pte_attrs(test, fix, ro, SZ_64K, f), 0);
		KUNIT_EXPECT_EQ_MSG(test, pte_flags_at(fix, rw),
				    amdgpu_svm_test_kfd_pte(test, fix->adev, vm, f, false),
				    "KFD flags %#x, mtype_local %d", f,
				    amdgpu_mtype_local);
		KUNIT_EXPECT_EQ_MSG(test, pte_flags_at(fix, ro),
				    amdgpu_svm_test_kfd_pte(test, fix->adev, vm, f, true),
				    "KFD flags %#x, read-only VMA, mtype_local %d", f,
				    amdgpu_mtype_local);
	}
}

static void restore_mtype_local(void *saved)
{
	amdgpu_mtype_local = (long)saved;
}

/* Let the test change amdgpu.mtype_local; it is put back however it ends. */
static void save_mtype_local(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, restore_mtype_local,
							(void *)(long)amdgpu_mtype_local), 0);
}

static void kfd_sysmem_pte_matches_kfd(struct kunit *test)
{
	const struct kfd_case *c = test->param_value;
	struct amdgpu_svm_test_vm *fix;
	unsigned long rw, ro;
	int mtype_local;

	/*
	 * On an APU with more than one NUMA node, amdgpu_vm_update_range()
	 * picks the MTYPE per page (gmc_v9_0_override_vm_pte_flags()): both
	 * SVMs share that code, and the flags compared here are then not
	 * what the page table holds.
	 */
	if (c->apu && num_possible_nodes() > 1)
		kunit_skip(test, "the MTYPE of an APU page depends on its NUMA node");
	save_mtype_local(test);
	fix = amdgpu_svm_test_vm_create(test, &c->params);
	if (c->apu)
		fix->adev->flags |= AMD_IS_APU;
	rw = amdgpu_svm_test_mmap(test, SZ_64K, SZ_64K);
	ro = amdgpu_svm_test_mmap(test, SZ_64K, SZ_64K);
	amdgpu_svm_test_fill(test, rw, SZ_64K, 1);
	amdgpu_svm_test_fill(test, ro, SZ_64K, 2);
	KUNIT_ASSERT_EQ(test, amdgpu_svm_test_mprotect(test, ro, SZ_64K, PROT_READ), 0);

	/* A new SVM for each mtype_local, so that every PTE is written anew. */
	for (mtype_local = 0; mtype_local <= 2; mtype_local++) {
		amdgpu_mtype_local = mtype_local;
		compare_all_flags(test, fix, rw, ro);
		amdgpu_svm_test_vm_fini_svm(fix);
	}
}

/*
 * GC 12.1, KFD's most involved case for system memory (the A1 revision,
 * bus atomics), whose page tables the fixture does not walk: the PTE flags
 * this SVM computes from its attributes against KFD's, without mapping.
 */
static void kfd_gc121_pte_flags_match_kfd(struct kunit *test)
{
	static const struct amdgpu_svm_test_vm_params gc121 = {
		"gc12.1.0", IP_VERSION(12, 1, 0)
	};
	struct amdgpu_svm_attrs attrs = {};
	struct amdgpu_svm_test_vm *fix;
	struct amdgpu_vm *vm;
	unsigned int i;
	bool ro;
	u32 f;

	save_mtype_local(test);
	fix = amdgpu_svm_test_vm_create(test, &gc121);
	vm = amdgpu_svm_test_vm_vm(fix);
	/* Every flag set, VMA, mtype_local, revision and atomics support. */
	for (i = 0; i < 2 * 3 * 2 * 2 * (KFD_PTE_FLAGS + 1); i++) {
		f = i % (KFD_PTE_FLAGS + 1);
		if (f & ~KFD_PTE_FLAGS)
			continue;
		ro = (i / (KFD_PTE_FLAGS + 1)) % 2;
		amdgpu_mtype_local = (i / (KFD_PTE_FLAGS + 1) / 2) % 3;
		fix->adev->rev_id = (i / (KFD_PTE_FLAGS + 1) / 6) % 2 ? 0x10 : 0;
		fix->adev->have_atomics_support = (i / (KFD_PTE_FLAGS + 1) / 12) % 2;
		attrs.flags = attr_flags_of(f);
		KUNIT_EXPECT_EQ_MSG(test,
				    amdgpu_svm_gpu_pte_flags(fix->adev, vm,
							     amdgpu_svm_range_pte(&attrs, ro)),
				    amdgpu_svm_test_kfd_pte(test, fix->adev, vm, f, ro),
				    "KFD flags %#x, read-only %d, rev %#x, atomics %d, mtype_local %d",
				    f, ro, fix->adev->rev_id,
				    fix->adev->have_atomics_support, amdgpu_mtype_local);
	}
}

static struct kunit_case amdgpu_svm_kfd_cases[] = {
	KUNIT_CASE_PARAM(kfd_sysmem_pte_matches_kfd, kfd_case_gen_params),
	KUNIT_CASE(kfd_gc121_pte_flags_match_kfd),
	{}
};

static struct kunit_suite amdgpu_svm_kfd_suite = {
	.name = "amdgpu_svm_kfd",
	.test_cases = amdgpu_svm_kfd_cases,
};

kunit_test_suite(amdgpu_svm_kfd_suite);

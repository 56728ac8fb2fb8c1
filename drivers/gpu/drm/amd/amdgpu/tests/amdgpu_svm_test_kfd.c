// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

/*
 * Included at the end of kfd_svm.c when the SVM KUnit tests are built (the
 * pattern xe uses for static functions), so that amdgpu_svm_kfd can hold
 * the PTE this SVM writes against the one KFD's own svm_range_get_pte_flags()
 * gives for the same attributes.
 */

#include <kunit/test.h>

#include "amdgpu_svm_test_kfd.h"

/**
 * amdgpu_svm_test_kfd_pte() - The PTE flags KFD's SVM maps system memory with
 * @test: the test, which fails if no memory is left
 * @adev: the device
 * @vm: the VM the page is mapped in
 * @kfd_flags: the range's ``KFD_IOCTL_SVM_FLAG_*``
 * @readonly: the CPU maps the page read-only
 *
 * Runs svm_range_get_pte_flags() for a system-memory page of a range with
 * @kfd_flags and drops WRITEABLE for a read-only VMA, as
 * svm_range_map_to_gpu() does. For system memory KFD reads no field of
 * the node but the device and no field of the range but its flags.
 *
 * Return: the PTE flags.
 */
u64 amdgpu_svm_test_kfd_pte(struct kunit *test, struct amdgpu_device *adev,
			    struct amdgpu_vm *vm, u32 kfd_flags, bool readonly)
{
	struct svm_range *prange = kzalloc_obj(*prange);
	struct kfd_node *node = kzalloc_obj(*node);
	u64 pte = 0;

	if (prange && node) {
		node->adev = adev;
		prange->flags = kfd_flags;
		/* System memory: the domain bit of its DMA address is clear. */
		pte = svm_range_get_pte_flags(node, vm, prange, 0);
		if (readonly)
			pte &= ~AMDGPU_PTE_WRITEABLE;
	} else {
		KUNIT_FAIL(test, "no memory for KFD's range");
	}
	kfree(node);
	kfree(prange);
	return pte;
}

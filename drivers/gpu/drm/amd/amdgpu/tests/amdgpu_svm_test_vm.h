/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#ifndef __AMDGPU_SVM_TEST_VM_H__
#define __AMDGPU_SVM_TEST_VM_H__

#include <linux/atomic.h>
#include <linux/types.h>

struct amdgpu_device;
struct amdgpu_fpriv;
struct amdgpu_svm;
struct amdgpu_vm;
struct dma_fence;
struct drm_amdgpu_svm_attribute;
struct drm_file;
struct kunit;

/**
 * struct amdgpu_svm_test_vm_params - The GPU a fixture stands for
 * @name: printable name of the case
 * @gc: GC IP version (IP_VERSION(9, 4, 3) and so on)
 * @retry_faults: the GPU retries faults (amdgpu.noretry=0): with no KFD
 *	process, a new SVM runs with XNACK on where the GC allows it
 * @max_pfn: if not 0, shrink the VM to this many GPU pages after the GMC
 *	set its size (the root directory shrinks with it)
 */
struct amdgpu_svm_test_vm_params {
	const char *name;
	u32 gc;
	bool retry_faults;
	u64 max_pfn;
};

/**
 * struct amdgpu_svm_test_vm - A device with no hardware and a real VM on it
 * @adev: the device: real GMC functions, real TTM and VRAM manager over
 *	a kernel buffer that stands for VRAM, CPU page-table updates
 * @fpriv: the device file's private data, holding the real &amdgpu_vm
 * @file: the DRM file the ioctls come through
 * @vram: the buffer behind the fake VRAM
 * @pasid: the VM's PASID, allocated for real so that GPU faults reach it
 * @uattrs: a user page for attribute arrays
 * @tlb_flushes: TLB flushes by PASID the GMC was asked for
 * @heavy_flushes: of those, heavyweight ones
 */
struct amdgpu_svm_test_vm {
	struct amdgpu_device *adev;
	struct amdgpu_fpriv *fpriv;
	struct drm_file *file;
	void *vram;
	u32 pasid;
	unsigned long uattrs;
	atomic_t tlb_flushes;
	atomic_t heavy_flushes;
};

struct amdgpu_svm_test_vm *
amdgpu_svm_test_vm_create(struct kunit *test,
			  const struct amdgpu_svm_test_vm_params *params);
struct amdgpu_vm *amdgpu_svm_test_vm_vm(struct amdgpu_svm_test_vm *fix);
int amdgpu_svm_test_vm_ioctl(struct kunit *test, struct amdgpu_svm_test_vm *fix,
			     u32 op, unsigned long start, unsigned long size,
			     struct drm_amdgpu_svm_attribute *attrs, u32 nattr);
struct amdgpu_svm *amdgpu_svm_test_vm_svm(struct amdgpu_svm_test_vm *fix);
void amdgpu_svm_test_vm_fini_svm(struct amdgpu_svm_test_vm *fix);
struct dma_fence *amdgpu_svm_test_vm_arm_user_queues(struct kunit *test,
						     struct amdgpu_svm_test_vm *fix);

/* In amdgpu_ttm.c (tests/amdgpu_svm_test_ttm.c is included there). */
int amdgpu_svm_test_ttm_init(struct amdgpu_device *adev);
void amdgpu_svm_test_ttm_fini(struct amdgpu_device *adev);

#endif

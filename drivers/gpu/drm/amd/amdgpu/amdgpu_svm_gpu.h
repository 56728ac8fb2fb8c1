/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#ifndef __AMDGPU_SVM_GPU_H__
#define __AMDGPU_SVM_GPU_H__

#include <linux/types.h>

#include "amdgpu_svm.h"

struct amdgpu_device;
struct amdgpu_vm;
struct dma_fence;
struct mm_struct;

/**
 * struct amdgpu_svm_gpu - An SVM instance and the amdgpu VM it maps into
 * @svm: the SVM
 * @adev: the device
 * @vm: the VM (a compute VM, with a PASID)
 * @mm: the process, for KFD queue control
 * @xcc_mask: the XCCs whose TLBs are flushed (partitioned GPUs); grows
 *	when a fault arrives from an XCC outside it
 * @clear_fence: the last page-table clear, waited for before the flush
 *	(notifier lock)
 * @kfd_quiesced: kgd2kfd_quiesce_mm() succeeded and must be undone
 */
struct amdgpu_svm_gpu {
	struct amdgpu_svm svm;
	struct amdgpu_device *adev;
	struct amdgpu_vm *vm;
	struct mm_struct *mm;
	u32 xcc_mask;
	struct dma_fence *clear_fence;
	bool kfd_quiesced;
};

extern const struct amdgpu_svm_gpu_ops amdgpu_svm_gpu_ops;

#endif

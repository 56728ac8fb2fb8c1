/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#ifndef __AMDGPU_SVM_GPU_H__
#define __AMDGPU_SVM_GPU_H__

#include <linux/atomic.h>
#include <linux/container_of.h>
#include <linux/types.h>

#include <drm/drm_exec.h>

#include "amdgpu_svm.h"

struct amdgpu_device;
struct amdgpu_svm_vram;
struct amdgpu_vm;
struct dma_fence;
struct mm_struct;

/**
 * struct amdgpu_svm_gpu - An SVM instance and the amdgpu VM it maps into
 * @svm: the SVM
 * @adev: the device
 * @vm: the VM (a compute VM, with a PASID)
 * @mm: the process, for KFD queue control
 * @vram: the device's VRAM pagemap (a reference), or NULL if SVM does not
 *	migrate on this device
 * @xcc_mask: the XCCs whose TLBs are flushed (partitioned GPUs); grows
 *	when a fault arrives from an XCC outside it
 * @clear_fence: the last page-table clear, waited for before the flush
 *	(notifier lock)
 * @exec: locks the root page directory between lock_pt and unlock_pt
 *	(SVM lock)
 * @map_fence: the last PTE update since lock_pt, waited for at unlock_pt
 * @mapped: PTEs were written since lock_pt: flush the TLB at unlock_pt
 * @kfd_quiesced: kgd2kfd_quiesce_mm() left KFD queues counted as evicted
 *	(it succeeded, or failed with -EIO), so kgd2kfd_resume_mm() must undo
 *	it
 */
struct amdgpu_svm_gpu {
	struct amdgpu_svm svm;
	struct amdgpu_device *adev;
	struct amdgpu_vm *vm;
	struct mm_struct *mm;
	struct amdgpu_svm_vram *vram;
	atomic_t xcc_mask;
	struct dma_fence *clear_fence;
	struct drm_exec exec;
	struct dma_fence *map_fence;
	bool mapped;
	bool kfd_quiesced;
};

extern const struct amdgpu_svm_gpu_ops amdgpu_svm_gpu_ops;

/**
 * amdgpu_svm_to_gpu() - Find the GPU side of an SVM made by amdgpu_svm_vm
 * @svm: the SVM, embedded in a &struct amdgpu_svm_gpu
 *
 * Return: the &struct amdgpu_svm_gpu that holds @svm.
 */
static inline struct amdgpu_svm_gpu *amdgpu_svm_to_gpu(struct amdgpu_svm *svm)
{
	return container_of(svm, struct amdgpu_svm_gpu, svm);
}

void amdgpu_svm_gpu_init_xcc_mask(struct amdgpu_svm_gpu *gpu, int xcp_id);
void amdgpu_svm_gpu_add_fault_xcc(struct amdgpu_svm_gpu *gpu, u32 node_id);
bool amdgpu_svm_gpu_vm_span_in_use(struct amdgpu_vm *vm, unsigned long start,
				   unsigned long last);

u64 amdgpu_svm_gpu_pte_flags(struct amdgpu_device *adev, struct amdgpu_vm *vm,
			     u32 pte);

#endif

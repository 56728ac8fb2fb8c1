// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include <uapi/linux/kfd_ioctl.h>

#include "amdgpu.h"
#include "amdgpu_amdkfd.h"
#include "amdgpu_ih.h"
#include "amdgpu_svm_gpu.h"
#include "amdgpu_vm.h"

/**
 * DOC: SVM on the GPU
 *
 * The amdgpu implementation of &struct amdgpu_svm_gpu_ops. All page-table
 * writes go through amdgpu_vm_update_range(), in two places only:
 * amdgpu_svm_gpu_map() (PTEs for DMA-mapped system pages, root page
 * directory reserved) and amdgpu_svm_gpu_clear() (the unlocked path that
 * KFD uses from MMU notifiers, which allocates nothing). When amdgpu_vm
 * grows separate map and unmap entry points, these two functions are the
 * only ones to change.
 *
 * Quiescing stops what can touch the VM while pages are unmapped: the
 * process's KFD queues through kgd2kfd_quiesce_mm() (process-wide and
 * refcounted); jobs submitted through CS and the VM's user queues, by
 * waiting for the fences of the VM's reservation object, which include
 * the user queues' eviction fence: waiting for it evicts them. Their
 * restore worker leaves them stopped while the SVM holds the queues
 * (amdgpu_svm_vm_holds_queues()).
 */

static struct amdgpu_svm_gpu *to_gpu(struct amdgpu_svm *svm)
{
	return container_of(svm, struct amdgpu_svm_gpu, svm);
}

static int amdgpu_svm_gpu_lock_pt(struct amdgpu_svm *svm)
{
	return amdgpu_bo_reserve(to_gpu(svm)->vm->root.bo, false);
}

static void amdgpu_svm_gpu_unlock_pt(struct amdgpu_svm *svm)
{
	amdgpu_bo_unreserve(to_gpu(svm)->vm->root.bo);
}

/* PTE bits of a system page from the SVM mapping bits. */
static u64 amdgpu_svm_gpu_pte_flags(struct amdgpu_svm_gpu *gpu, u32 pte)
{
	u32 mapping = AMDGPU_VM_PAGE_READABLE;
	u64 flags = AMDGPU_PTE_VALID | AMDGPU_PTE_SYSTEM;

	if (pte & AMDGPU_SVM_PTE_SNOOP)
		flags |= AMDGPU_PTE_SNOOPED;
	if (pte & AMDGPU_SVM_PTE_WRITE)
		mapping |= AMDGPU_VM_PAGE_WRITEABLE;
	if (pte & AMDGPU_SVM_PTE_EXEC)
		mapping |= AMDGPU_VM_PAGE_EXECUTABLE;
	/* System memory: uncached when coherence is asked for. */
	if (pte & (AMDGPU_SVM_PTE_COHERENT | AMDGPU_SVM_PTE_EXT_COHERENT))
		mapping |= AMDGPU_VM_MTYPE_UC;
	else
		mapping |= AMDGPU_VM_MTYPE_NC;
	amdgpu_gmc_get_vm_pte(gpu->adev, gpu->vm, NULL, mapping, &flags);
	return flags;
}

static int amdgpu_svm_gpu_map(struct amdgpu_svm *svm, unsigned long start,
			      unsigned long last, dma_addr_t *dma, u32 pte)
{
	struct amdgpu_svm_gpu *gpu = to_gpu(svm);
	struct amdgpu_vm *vm = gpu->vm;
	int ret;

	dma_resv_assert_held(vm->root.bo->tbo.base.resv);
	if (!amdgpu_vm_ready(vm))
		return -EINVAL;
	ret = amdgpu_vm_update_range(gpu->adev, vm, false, false, true, true,
				     NULL, start * AMDGPU_GPU_PAGES_IN_CPU_PAGE,
				     (last + 1) * AMDGPU_GPU_PAGES_IN_CPU_PAGE - 1,
				     amdgpu_svm_gpu_pte_flags(gpu, pte), 0, 0,
				     NULL, dma, &vm->last_update);
	if (ret)
		return ret;
	/* The queues may run as soon as we return: the PTEs must be there. */
	if (vm->last_update)
		dma_fence_wait(vm->last_update, false);
	return amdgpu_vm_flush_compute_tlb(gpu->adev, vm, TLB_FLUSH_LEGACY,
					   READ_ONCE(gpu->xcc_mask));
}

static int amdgpu_svm_gpu_clear(struct amdgpu_svm *svm, unsigned long start,
				unsigned long last)
{
	struct amdgpu_svm_gpu *gpu = to_gpu(svm);
	struct dma_fence *fence = NULL;
	int ret;

	lockdep_assert_held_write(&svm->gpusvm.notifier_lock);
	if (!amdgpu_vm_ready(gpu->vm))
		return -EINVAL;
	ret = amdgpu_vm_update_range(gpu->adev, gpu->vm, false, true, true, false,
				     NULL, start * AMDGPU_GPU_PAGES_IN_CPU_PAGE,
				     (last + 1) * AMDGPU_GPU_PAGES_IN_CPU_PAGE - 1,
				     gpu->adev->gmc.init_pte_flags, 0, 0, NULL,
				     NULL, &fence);
	if (fence) {
		dma_fence_put(gpu->clear_fence);
		gpu->clear_fence = fence;
	}
	return ret;
}

static void amdgpu_svm_gpu_flush(struct amdgpu_svm *svm, bool heavy)
{
	struct amdgpu_svm_gpu *gpu = to_gpu(svm);

	if (gpu->clear_fence) {
		dma_fence_wait(gpu->clear_fence, false);
		dma_fence_put(gpu->clear_fence);
		gpu->clear_fence = NULL;
	}
	amdgpu_vm_flush_compute_tlb(gpu->adev, gpu->vm,
				    heavy ? TLB_FLUSH_HEAVYWEIGHT : TLB_FLUSH_LEGACY,
				    READ_ONCE(gpu->xcc_mask));
}

static void amdgpu_svm_gpu_quiesce(struct amdgpu_svm *svm)
{
	struct amdgpu_svm_gpu *gpu = to_gpu(svm);

	if (IS_ENABLED(CONFIG_HSA_AMD))
		gpu->kfd_quiesced = !kgd2kfd_quiesce_mm(gpu->mm,
							KFD_QUEUE_EVICTION_TRIGGER_SVM);
	/* Jobs already submitted through CS finish before pages go. */
	dma_resv_wait_timeout(gpu->vm->root.bo->tbo.base.resv,
			      DMA_RESV_USAGE_BOOKKEEP, false, MAX_SCHEDULE_TIMEOUT);
}

static void amdgpu_svm_gpu_resume(struct amdgpu_svm *svm)
{
	struct amdgpu_svm_gpu *gpu = to_gpu(svm);

	if (IS_ENABLED(CONFIG_HSA_AMD) && gpu->kfd_quiesced)
		kgd2kfd_resume_mm(gpu->mm);
}

static bool amdgpu_svm_gpu_span_in_use(struct amdgpu_svm *svm,
				       unsigned long start, unsigned long last)
{
	struct amdgpu_vm *vm = to_gpu(svm)->vm;
	bool in_use;

	/* Uninterruptible: a failed reservation must not read as "free". */
	amdgpu_bo_reserve(vm->root.bo, true);
	in_use = amdgpu_vm_va_in_use(vm, start * AMDGPU_GPU_PAGES_IN_CPU_PAGE,
				     (last + 1) * AMDGPU_GPU_PAGES_IN_CPU_PAGE - 1);
	amdgpu_bo_unreserve(vm->root.bo);
	return in_use;
}

/* The timestamp of the newest retry fault still queued, as KFD takes it. */
static u64 amdgpu_svm_gpu_fault_checkpoint(struct amdgpu_svm *svm)
{
	struct amdgpu_device *adev = to_gpu(svm)->adev;
	struct amdgpu_ih_ring *ih = &adev->irq.ih_soft;
	u32 wptr;

	if (!adev->irq.retry_cam_enabled && adev->irq.ih1.ring_size) {
		wptr = amdgpu_ih_get_wptr(adev, &adev->irq.ih1);
		if (adev->irq.ih1.rptr != wptr)
			return amdgpu_ih_decode_iv_ts(adev, &adev->irq.ih1, wptr, -1);
	}
	wptr = amdgpu_ih_get_wptr(adev, ih);
	return ih->rptr != wptr ? amdgpu_ih_decode_iv_ts(adev, ih, wptr, -1) : 0;
}

static void amdgpu_svm_gpu_release(struct amdgpu_svm *svm)
{
	kfree(to_gpu(svm));
}

/* The operations of a &struct amdgpu_svm embedded in a &struct amdgpu_svm_gpu. */
const struct amdgpu_svm_gpu_ops amdgpu_svm_gpu_ops = {
	.lock_pt = amdgpu_svm_gpu_lock_pt,
	.unlock_pt = amdgpu_svm_gpu_unlock_pt,
	.map = amdgpu_svm_gpu_map,
	.clear = amdgpu_svm_gpu_clear,
	.flush = amdgpu_svm_gpu_flush,
	.quiesce = amdgpu_svm_gpu_quiesce,
	.resume = amdgpu_svm_gpu_resume,
	.span_in_use = amdgpu_svm_gpu_span_in_use,
	.fault_checkpoint = amdgpu_svm_gpu_fault_checkpoint,
	.release = amdgpu_svm_gpu_release,
};

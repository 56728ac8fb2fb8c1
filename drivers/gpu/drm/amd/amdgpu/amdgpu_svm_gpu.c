// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include <drm/drm_exec.h>
#include <drm/gpu_scheduler.h>

#include <uapi/linux/kfd_ioctl.h>

#include "amdgpu.h"
#include "amdgpu_amdkfd.h"
#include "amdgpu_ih.h"
#include "amdgpu_svm_gpu.h"
#include "amdgpu_userq.h"
#include "amdgpu_vm.h"
#include "amdgpu_xcp.h"

/**
 * DOC: SVM on the GPU
 *
 * The amdgpu implementation of &struct amdgpu_svm_gpu_ops. All page-table
 * writes go through amdgpu_vm_update_range(), in two places only:
 * amdgpu_svm_gpu_write() and amdgpu_svm_gpu_clear(). When amdgpu_vm grows
 * separate map and unmap entry points, these two functions are the only
 * ones to change.
 *
 * A map follows KFD's sequence: the root page directory is locked with a
 * fence slot per update (amdgpu_vm_lock_pd()), evicted page tables are
 * validated (amdgpu_vm_validate()), the PTEs are written
 * (amdgpu_vm_update_range()) and new page tables are linked into their
 * directories (amdgpu_vm_update_pdes()). The page tables of a range that
 * has no live mapping are made first, before the drm_gpusvm notifier lock
 * is taken (amdgpu_svm_gpu_prepare_pt()); the PTE write and the linking
 * then run under that lock, held for read from the check that the pages
 * are valid, so no invalidation can slip between them, in a
 * memalloc_noreclaim scope (with SDMA updates, the job is still allocated
 * there, inside amdgpu_vm_update_range()); the wait for the update and
 * the TLB flush come after that lock is dropped. Every update, GPU faults
 * included, goes through the VM's delayed entity, as KFD's do
 * (svm_range_map_to_gpu()): the MMU notifier's clear goes through that
 * entity too, and a map on the immediate entity would not be ordered
 * before a later clear (with SDMA updates the clear could land first and
 * the map then point the GPU at a freed page); nor does an immediate
 * update hand back the fence that unlock_pt waits for.
 *
 * The PTE of a system page is what KFD writes for the same attributes
 * (amdgpu_svm_gpu_pte_flags()): READABLE always, WRITEABLE unless GPU_RO
 * or a read-only VMA, MTYPE by GC version, snooped.
 *
 * A clear goes through the unlocked path that KFD uses from MMU
 * notifiers: it allocates no page table, but it can fail (page tables
 * being evicted, no memory). The range layer then DMA-unmaps the range
 * all the same, as drm_gpusvm requires, and keeps the queues stopped and
 * the range out of reach of any map until a worker has cleared it with
 * the page tables locked and validated (see DOC: SVM ranges).
 *
 * TLB flushes go by PASID to every XCC of the VM's partition and of the
 * partitions faults came from: heavyweight after clears, legacy after
 * maps. A render-node VM is not a compute VM, so the flush does not go
 * through amdgpu_vm_flush_compute_tlb().
 *
 * Quiescing stops what can touch the VM while pages are unmapped, each
 * through its own control, never by waiting for every fence of the VM's
 * reservation (on a VM KFD took over, that would trigger a full KFD
 * process eviction through KFD's eviction fence):
 *
 * - KFD queues: kgd2kfd_quiesce_mm() (process-wide, refcounted), undone by
 *   kgd2kfd_resume_mm() unless KFD has no process for the mm;
 * - CS: the eviction is counted before &amdgpu_device.notifier_lock is
 *   taken and dropped, and amdgpu_cs_submit() refuses a job with -EAGAIN
 *   under that lock while SVM holds the queues, so every job already
 *   pushed is among the scheduler fences SVM then waits for; CS waits in
 *   amdgpu_svm_vm_wait_for_queues() before it builds the next one;
 * - user queues: amdgpu_userq_svm_hold() evicts them through their
 *   eviction fence and keeps their restore worker from mapping them
 *   again until amdgpu_userq_svm_release().
 */

/* All XCCs of the device, or those of the partition @xcp_id (-1: none). */
static u32 amdgpu_svm_gpu_partition_xcc_mask(struct amdgpu_device *adev,
					     int xcp_id)
{
	u32 mask = GENMASK(max(NUM_XCC(adev->gfx.xcc_mask), 1) - 1, 0);
	u32 inst;

	if (adev->xcp_mgr && xcp_id >= 0 && xcp_id < adev->xcp_mgr->num_xcps &&
	    !amdgpu_xcp_get_inst_details(&adev->xcp_mgr->xcp[xcp_id],
					 AMDGPU_XCP_GFX, &inst))
		mask = inst;
	return mask;
}

/**
 * amdgpu_svm_gpu_init_xcc_mask() - Aim TLB flushes at one partition's XCCs
 * @gpu: the SVM's GPU side, not yet in use
 * @xcp_id: the partition of the device file, or -1 for the whole device
 */
void amdgpu_svm_gpu_init_xcc_mask(struct amdgpu_svm_gpu *gpu, int xcp_id)
{
	atomic_set(&gpu->xcc_mask,
		   amdgpu_svm_gpu_partition_xcc_mask(gpu->adev, xcp_id));
}

/* The XCCs of the partition that raised a fault through IH node @node_id. */
static u32 amdgpu_svm_gpu_fault_xcc_mask(struct amdgpu_device *adev,
					 u32 node_id)
{
	struct amdgpu_xcp_mgr *mgr = adev->xcp_mgr;
	int xcc, i;
	u32 inst;

	if (!mgr || !adev->gfx.funcs || !adev->gfx.funcs->ih_node_to_logical_xcc)
		return amdgpu_svm_gpu_partition_xcc_mask(adev, -1);
	xcc = adev->gfx.funcs->ih_node_to_logical_xcc(adev, node_id);
	for (i = 0; xcc >= 0 && i < mgr->num_xcps; i++)
		if (!amdgpu_xcp_get_inst_details(&mgr->xcp[i], AMDGPU_XCP_GFX, &inst) &&
		    (inst & BIT(xcc)))
			return inst;
	return amdgpu_svm_gpu_partition_xcc_mask(adev, -1);
}

/**
 * amdgpu_svm_gpu_add_fault_xcc() - Flush the TLBs of a faulting partition too
 * @gpu: the SVM's GPU side
 * @node_id: the IH node the fault came through
 *
 * Adds the XCCs of the partition that raised the fault to those whose TLBs
 * every later flush covers. Faults on several XCCs may add at once: the
 * update is one atomic OR, so no XCC is lost.
 */
void amdgpu_svm_gpu_add_fault_xcc(struct amdgpu_svm_gpu *gpu, u32 node_id)
{
	atomic_or(amdgpu_svm_gpu_fault_xcc_mask(gpu->adev, node_id),
		  &gpu->xcc_mask);
}

/* The MTYPE of system memory on GC 9.4.3, 9.4.4 and 9.5.0, as KFD picks it. */
static u32 amdgpu_svm_gpu_mtype_gc943(struct amdgpu_device *adev, u32 gc,
				      bool ext_coherent)
{
	u32 mtype_local;

	if (ext_coherent)
		mtype_local = AMDGPU_VM_MTYPE_CC;
	else
		mtype_local = amdgpu_mtype_local == 1 ? AMDGPU_VM_MTYPE_NC :
			      amdgpu_mtype_local == 2 ? AMDGPU_VM_MTYPE_CC :
			      AMDGPU_VM_MTYPE_RW;
	if (adev->flags & AMD_IS_APU) {
		/* On NUMA systems the GMC overrides the MTYPE per page. */
		if (num_possible_nodes() <= 1)
			return mtype_local;
		return ext_coherent ? AMDGPU_VM_MTYPE_UC : AMDGPU_VM_MTYPE_NC;
	}
	if (gc < IP_VERSION(9, 5, 0) || ext_coherent)
		return AMDGPU_VM_MTYPE_UC;
	return AMDGPU_VM_MTYPE_NC;
}

/* The MTYPE of system memory on GC 12.1.0, as KFD picks it. */
static u32 amdgpu_svm_gpu_mtype_gc121(struct amdgpu_device *adev,
				      bool ext_coherent)
{
	if (ext_coherent)
		return AMDGPU_VM_MTYPE_UC;
	return (adev->rev_id & 0x10) ? AMDGPU_VM_MTYPE_NC : AMDGPU_VM_MTYPE_UC;
}

/* The MTYPE of system memory mapped with @pte on this GPU. */
static u32 amdgpu_svm_gpu_sysmem_mtype(struct amdgpu_device *adev, u32 pte)
{
	bool coherent = pte & (AMDGPU_SVM_PTE_COHERENT | AMDGPU_SVM_PTE_EXT_COHERENT);
	bool ext_coherent = pte & AMDGPU_SVM_PTE_EXT_COHERENT;
	u32 gc = amdgpu_ip_version(adev, GC_HWIP, 0);

	switch (gc) {
	case IP_VERSION(9, 4, 3):
	case IP_VERSION(9, 4, 4):
	case IP_VERSION(9, 5, 0):
		return amdgpu_svm_gpu_mtype_gc943(adev, gc, ext_coherent);
	case IP_VERSION(12, 0, 0):
	case IP_VERSION(12, 0, 1):
		return AMDGPU_VM_MTYPE_NC;
	case IP_VERSION(12, 1, 0):
		return amdgpu_svm_gpu_mtype_gc121(adev, ext_coherent);
	default:
		return coherent ? AMDGPU_VM_MTYPE_UC : AMDGPU_VM_MTYPE_NC;
	}
}

/* The MTYPE of local VRAM on GC 12.1.0, as KFD picks it. */
static u32 amdgpu_svm_gpu_vram_mtype_gc121(struct amdgpu_device *adev)
{
	if (amdgpu_mtype_local == 0)
		return AMDGPU_VM_MTYPE_RW;
	if (amdgpu_mtype_local == 1)
		return AMDGPU_VM_MTYPE_NC;
	return (adev->rev_id & 0x10) ? AMDGPU_VM_MTYPE_RW : AMDGPU_VM_MTYPE_NC;
}

/*
 * The MTYPE of this device's own VRAM mapped with @pte, as KFD picks it
 * for a buffer of the same device (and, on GC 9.4.3, of the same memory
 * partition: SVM allocates VRAM for the whole device).
 */
static u32 amdgpu_svm_gpu_vram_mtype(struct amdgpu_device *adev, u32 pte)
{
	bool coherent = pte & (AMDGPU_SVM_PTE_COHERENT | AMDGPU_SVM_PTE_EXT_COHERENT);
	bool ext_coherent = pte & AMDGPU_SVM_PTE_EXT_COHERENT;

	switch (amdgpu_ip_version(adev, GC_HWIP, 0)) {
	case IP_VERSION(9, 4, 1):
	case IP_VERSION(9, 4, 2):
		return coherent ? AMDGPU_VM_MTYPE_CC : AMDGPU_VM_MTYPE_RW;
	case IP_VERSION(9, 4, 3):
	case IP_VERSION(9, 4, 4):
	case IP_VERSION(9, 5, 0):
		if (ext_coherent)
			return AMDGPU_VM_MTYPE_CC;
		return amdgpu_mtype_local == 1 ? AMDGPU_VM_MTYPE_NC :
		       amdgpu_mtype_local == 2 ? AMDGPU_VM_MTYPE_CC :
		       AMDGPU_VM_MTYPE_RW;
	case IP_VERSION(12, 0, 0):
	case IP_VERSION(12, 0, 1):
		return AMDGPU_VM_MTYPE_NC;
	case IP_VERSION(12, 1, 0):
		return amdgpu_svm_gpu_vram_mtype_gc121(adev);
	default:
		return coherent ? AMDGPU_VM_MTYPE_UC : AMDGPU_VM_MTYPE_NC;
	}
}

/* Whether accesses to this device's own VRAM snoop, as KFD sets it. */
static bool amdgpu_svm_gpu_vram_snoops(struct amdgpu_device *adev)
{
	u32 gc = amdgpu_ip_version(adev, GC_HWIP, 0);

	if (gc == IP_VERSION(9, 4, 2))
		return adev->gmc.xgmi.connected_to_cpu;
	return gc == IP_VERSION(9, 4, 3) || gc == IP_VERSION(9, 4, 4) ||
	       gc == IP_VERSION(9, 5, 0) || gc == IP_VERSION(12, 1, 0);
}

/* The location bits of a PTE: system memory, snooped; or local VRAM. */
static u64 amdgpu_svm_gpu_location_flags(struct amdgpu_device *adev, u32 pte, u32 *mapping)
{
	if (!(pte & AMDGPU_SVM_PTE_VRAM)) {
		*mapping = amdgpu_svm_gpu_sysmem_mtype(adev, pte);
		return AMDGPU_PTE_SYSTEM | AMDGPU_PTE_SNOOPED;
	}
	*mapping = amdgpu_svm_gpu_vram_mtype(adev, pte);
	return amdgpu_svm_gpu_vram_snoops(adev) ? AMDGPU_PTE_SNOOPED : 0;
}

/**
 * amdgpu_svm_gpu_pte_flags() - Encode the PTE of an SVM page for this GPU
 * @adev: the device
 * @vm: the VM the page is mapped in
 * @pte: what the mapping allows (&enum amdgpu_svm_pte)
 *
 * Gives the same PTE that KFD's SVM writes for system memory, or with
 * %AMDGPU_SVM_PTE_VRAM for the device's own VRAM, with the same attributes
 * (svm_range_get_pte_flags()): MTYPE by GC version and location, system
 * memory always snooped, %AMDGPU_PTE_IS_PTE from GFX12 on, bus atomics on
 * GC 12.1 where the platform has them. amdgpu_gmc_get_vm_pte() encodes
 * EXECUTABLE and MTYPE; READABLE and WRITEABLE are set here, as the GMC
 * leaves them to the caller.
 *
 * Return: the PTE flags, address bits clear.
 */
u64 amdgpu_svm_gpu_pte_flags(struct amdgpu_device *adev, struct amdgpu_vm *vm,
			     u32 pte)
{
	u32 gc = amdgpu_ip_version(adev, GC_HWIP, 0);
	u32 mapping;
	u64 flags = AMDGPU_PTE_VALID | amdgpu_svm_gpu_location_flags(adev, pte, &mapping);

	if (pte & AMDGPU_SVM_PTE_EXEC)
		mapping |= AMDGPU_VM_PAGE_EXECUTABLE;
	if (gc >= IP_VERSION(12, 0, 0))
		flags |= AMDGPU_PTE_IS_PTE;
	amdgpu_gmc_get_vm_pte(adev, vm, NULL, mapping, &flags);
	flags |= AMDGPU_PTE_READABLE;
	if (pte & AMDGPU_SVM_PTE_WRITE)
		flags |= AMDGPU_PTE_WRITEABLE;
	if (gc == IP_VERSION(12, 1, 0) && adev->have_atomics_support)
		flags |= AMDGPU_PTE_BUS_ATOMICS;
	return flags;
}

/* Move an evicted page table back where the GPU can reach it. */
static int amdgpu_svm_gpu_validate_pt(void *param, struct amdgpu_bo *bo)
{
	struct ttm_operation_ctx ctx = { .interruptible = true };

	amdgpu_bo_placement_from_domain(bo, bo->allowed_domains);
	return ttm_bo_validate(&bo->tbo, &bo->placement, &ctx);
}

/*
 * Lock the root page directory with a fence slot for each update, and
 * bring evicted page tables back, as KFD does before it maps.
 */
static int amdgpu_svm_gpu_lock_pt(struct amdgpu_svm *svm)
{
	struct amdgpu_svm_gpu *gpu = amdgpu_svm_to_gpu(svm);
	struct amdgpu_vm *vm = gpu->vm;
	int ret = 0;

	lockdep_assert_held(&svm->lock);
	drm_exec_init(&gpu->exec, DRM_EXEC_INTERRUPTIBLE_WAIT, 0);
	drm_exec_until_all_locked(&gpu->exec) {
		ret = amdgpu_vm_lock_pd(vm, &gpu->exec, 1);
		drm_exec_retry_on_contention(&gpu->exec);
		if (ret)
			goto out_fini;
	}
	/* Unconditionally, as KFD and CS do: it also catches VRAM loss. */
	ret = amdgpu_vm_validate(gpu->adev, vm, NULL, amdgpu_svm_gpu_validate_pt,
				 NULL);
	if (!ret && !amdgpu_vm_ready(vm))
		ret = -EBUSY;
	if (ret)
		goto out_fini;
	gpu->mapped = false;
	return 0;

out_fini:
	drm_exec_fini(&gpu->exec);
	return ret;
}

/* Flush the TLBs of every XCC that may cache the VM's translations. */
static int amdgpu_svm_gpu_flush_tlb(struct amdgpu_svm_gpu *gpu, u32 flush_type)
{
	struct amdgpu_device *adev = gpu->adev;
	u32 mask = atomic_read(&gpu->xcc_mask);
	bool all_hub = !gpu->vm->is_compute_context ||
		       adev->family == AMDGPU_FAMILY_AI ||
		       adev->family == AMDGPU_FAMILY_RV;
	int xcc, err, ret = 0;

	/* A render-node VM is no compute VM: flush by PASID directly. */
	for_each_inst(xcc, mask) {
		/* Every XCC, even after one failed; the first error is returned. */
		err = amdgpu_gmc_flush_gpu_tlb_pasid(adev, gpu->vm->pasid,
						     flush_type, all_hub, xcc);
		if (err && !ret)
			ret = err;
	}
	return ret;
}

/*
 * Wait for the updates made since lock_pt, flush the TLB if anything was
 * mapped (the GPU may cache the invalid entries it faulted on) and unlock.
 */
static void amdgpu_svm_gpu_unlock_pt(struct amdgpu_svm *svm)
{
	struct amdgpu_svm_gpu *gpu = amdgpu_svm_to_gpu(svm);
	struct amdgpu_vm *vm = gpu->vm;
	int ret;

	if (gpu->map_fence) {
		dma_fence_wait(gpu->map_fence, false);
		dma_fence_put(gpu->map_fence);
		gpu->map_fence = NULL;
	}
	if (gpu->mapped) {
		dma_fence_wait(vm->last_update, false);
		ret = amdgpu_svm_gpu_flush_tlb(gpu, TLB_FLUSH_LEGACY);
		if (ret)
			amdgpu_svm_warn(&gpu->svm,
					"TLB flush after map failed: %d\n", ret);
	}
	drm_exec_fini(&gpu->exec);
}

/*
 * Write GPU pages [@start, @last] with @flags and the addresses @dma on the
 * delayed entity, link any page table this made into its directory, and
 * leave the wait and the TLB flush to amdgpu_svm_gpu_unlock_pt(): the
 * update may replace a valid mapping or free tables a new layout replaces
 * (its fence is a TLB fence where the VM needs one; flush_tlb sets tlb_seq
 * for CS).
 */
static int amdgpu_svm_gpu_write(struct amdgpu_svm_gpu *gpu, unsigned long start,
				unsigned long last, u64 flags, dma_addr_t *dma)
{
	struct amdgpu_vm *vm = gpu->vm;
	struct dma_fence *fence = NULL;
	int ret;

	dma_resv_assert_held(vm->root.bo->tbo.base.resv);
	ret = amdgpu_vm_update_range(gpu->adev, vm, false, false, true, true,
				     NULL, start * AMDGPU_GPU_PAGES_IN_CPU_PAGE,
				     (last + 1) * AMDGPU_GPU_PAGES_IN_CPU_PAGE - 1,
				     flags, 0, 0, NULL, dma, &fence);
	if (!ret)
		ret = amdgpu_vm_update_pdes(gpu->adev, vm, false);
	if (fence) {
		dma_fence_put(gpu->map_fence);
		gpu->map_fence = fence;
	}
	gpu->mapped = true;
	return ret;
}

/*
 * Make and link the page tables a map of GPU pages [@start, @last] to @dma
 * needs, before the notifier lock is taken: the update the map makes,
 * with the entries a page has when nothing is mapped. amdgpu_vm has no
 * allocate-only entry point, and the shape of the tables follows the
 * addresses (a contiguous, aligned run is written as a large fragment
 * higher in the tree), so the update is given the addresses the map will
 * use. No page of the span is valid before or after.
 */
static int amdgpu_svm_gpu_prepare_pt(struct amdgpu_svm *svm, unsigned long start,
				     unsigned long last, dma_addr_t *dma)
{
	struct amdgpu_svm_gpu *gpu = amdgpu_svm_to_gpu(svm);

	return amdgpu_svm_gpu_write(gpu, start, last,
				    gpu->adev->gmc.init_pte_flags, dma);
}

/*
 * Write the PTEs of GPU pages [@start, @last]. Called with the drm_gpusvm
 * notifier lock held for read, so that no invalidation runs between the
 * check that the pages are valid and the update; the wait for the update
 * comes after that lock is dropped (amdgpu_svm_gpu_unlock_pt()).
 */
static int amdgpu_svm_gpu_map(struct amdgpu_svm *svm, unsigned long start,
			      unsigned long last, dma_addr_t *dma, u32 pte)
{
	struct amdgpu_svm_gpu *gpu = amdgpu_svm_to_gpu(svm);

	lockdep_assert_held(&svm->gpusvm.notifier_lock);
	return amdgpu_svm_gpu_write(gpu, start, last,
				    amdgpu_svm_gpu_pte_flags(gpu->adev, gpu->vm, pte),
				    dma);
}

/*
 * Clear the PTEs of GPU pages [@start, @last] through the unlocked path
 * (no page table is allocated or freed). Called from MMU notifiers: the
 * allocation amdgpu_vm_update_range() makes must not recurse into reclaim,
 * which could call this notifier again.
 */
static int amdgpu_svm_gpu_clear(struct amdgpu_svm *svm, unsigned long start,
				unsigned long last)
{
	struct amdgpu_svm_gpu *gpu = amdgpu_svm_to_gpu(svm);
	struct dma_fence *fence = NULL;
	unsigned int noreclaim;
	int ret;

	lockdep_assert_held_write(&svm->gpusvm.notifier_lock);
	noreclaim = memalloc_noreclaim_save();
	ret = amdgpu_vm_update_range(gpu->adev, gpu->vm, false, true, true, false,
				     NULL, start * AMDGPU_GPU_PAGES_IN_CPU_PAGE,
				     (last + 1) * AMDGPU_GPU_PAGES_IN_CPU_PAGE - 1,
				     gpu->adev->gmc.init_pte_flags, 0, 0, NULL,
				     NULL, &fence);
	memalloc_noreclaim_restore(noreclaim);
	if (fence) {
		dma_fence_put(gpu->clear_fence);
		gpu->clear_fence = fence;
	}
	return ret;
}

static int amdgpu_svm_gpu_flush(struct amdgpu_svm *svm, bool heavy)
{
	struct amdgpu_svm_gpu *gpu = amdgpu_svm_to_gpu(svm);

	if (gpu->clear_fence) {
		dma_fence_wait(gpu->clear_fence, false);
		dma_fence_put(gpu->clear_fence);
		gpu->clear_fence = NULL;
	}
	return amdgpu_svm_gpu_flush_tlb(gpu, heavy ? TLB_FLUSH_HEAVYWEIGHT :
						      TLB_FLUSH_LEGACY);
}

/* The device file whose VM this is: SVM only lives on device files' VMs. */
static struct amdgpu_fpriv *amdgpu_svm_gpu_fpriv(struct amdgpu_svm_gpu *gpu)
{
	return container_of(gpu->vm, struct amdgpu_fpriv, vm);
}

/*
 * Stop the process's KFD queues. -EIO leaves them counted as evicted, so
 * they are resumed all the same, lest they stay stopped for good; after
 * any other error KFD rolled its evictions back, and resuming would undo
 * someone else's (KFD's svm_range_evict() resumes in both cases).
 */
static void amdgpu_svm_gpu_quiesce_kfd(struct amdgpu_svm_gpu *gpu)
{
	int ret;

	if (!IS_ENABLED(CONFIG_HSA_AMD))
		return;
	ret = kgd2kfd_quiesce_mm(gpu->mm, KFD_QUEUE_EVICTION_TRIGGER_SVM);
	gpu->kfd_quiesced = !ret || ret == -EIO;
	if (ret && ret != -ESRCH)
		amdgpu_svm_warn(&gpu->svm,
				"cannot quiesce the KFD queues: %d\n", ret);
}

/*
 * Wait for the jobs CS pushed to the VM. They are the scheduler fences on
 * the root page directory's reservation, up to READ usage. Eviction
 * fences (KFD's, the user queues') are BOOKKEEP and no scheduler fences:
 * waiting for them would evict every queue of the process, KFD's through
 * a full process eviction and restore.
 */
static void amdgpu_svm_gpu_wait_for_jobs(struct amdgpu_svm_gpu *gpu)
{
	struct dma_resv *resv = gpu->vm->root.bo->tbo.base.resv;
	struct dma_resv_iter cursor;
	struct dma_fence *fence;

	dma_resv_iter_begin(&cursor, resv, DMA_RESV_USAGE_READ);
	dma_resv_for_each_fence_unlocked(&cursor, fence)
		if (to_drm_sched_fence(fence))
			dma_fence_wait(fence, false);
	dma_resv_iter_end(&cursor);
}

/* Whether the device file has a user-queue manager (every real one has). */
static bool amdgpu_svm_gpu_has_userq(struct amdgpu_svm_gpu *gpu)
{
	return amdgpu_svm_gpu_fpriv(gpu)->userq_mgr.adev;
}

static void amdgpu_svm_gpu_quiesce(struct amdgpu_svm *svm)
{
	struct amdgpu_svm_gpu *gpu = amdgpu_svm_to_gpu(svm);

	/*
	 * The eviction is counted: CS, which checks it under this lock, has
	 * either pushed its job already or refuses it with -EAGAIN.
	 */
	mutex_lock(&gpu->adev->notifier_lock);
	mutex_unlock(&gpu->adev->notifier_lock);
	/*
	 * With XNACK on, waves and jobs may be stalled on a retry fault that
	 * only SVM can serve, while the caller holds what serving it takes
	 * (the SVM lock, or an invalidation that hmm_range_fault() waits
	 * out): neither preempting them nor waiting for them is safe. New
	 * work is refused and no more, as KFD, which does not evict queues
	 * in that mode; stale PTEs point at DMA addresses unmapped already.
	 */
	if (svm->xnack_on)
		return;
	amdgpu_svm_gpu_quiesce_kfd(gpu);
	if (amdgpu_svm_gpu_has_userq(gpu))
		amdgpu_userq_svm_hold(&amdgpu_svm_gpu_fpriv(gpu)->userq_mgr);
	amdgpu_svm_gpu_wait_for_jobs(gpu);
}

static void amdgpu_svm_gpu_resume(struct amdgpu_svm *svm)
{
	struct amdgpu_svm_gpu *gpu = amdgpu_svm_to_gpu(svm);

	/* Nothing was stopped with XNACK on (amdgpu_svm_gpu_quiesce()). */
	if (svm->xnack_on)
		return;
	if (IS_ENABLED(CONFIG_HSA_AMD) && gpu->kfd_quiesced)
		kgd2kfd_resume_mm(gpu->mm);
	gpu->kfd_quiesced = false;
	if (amdgpu_svm_gpu_has_userq(gpu))
		amdgpu_userq_svm_release(&amdgpu_svm_gpu_fpriv(gpu)->userq_mgr);
}

/**
 * amdgpu_svm_gpu_vm_span_in_use() - Tell whether a VM maps CPU pages otherwise
 * @vm: the VM, not reserved
 * @start: first CPU page
 * @last: last CPU page
 *
 * Return: true if a GEM VA mapping of @vm covers a page of [@start, @last].
 */
bool amdgpu_svm_gpu_vm_span_in_use(struct amdgpu_vm *vm, unsigned long start,
				   unsigned long last)
{
	bool in_use;

	/* Uninterruptible: a failed reservation must not read as "free". */
	amdgpu_bo_reserve(vm->root.bo, true);
	in_use = amdgpu_vm_va_in_use(vm, start * AMDGPU_GPU_PAGES_IN_CPU_PAGE,
				     (last + 1) * AMDGPU_GPU_PAGES_IN_CPU_PAGE - 1);
	amdgpu_bo_unreserve(vm->root.bo);
	return in_use;
}

static bool amdgpu_svm_gpu_span_in_use(struct amdgpu_svm *svm,
				       unsigned long start, unsigned long last)
{
	return amdgpu_svm_gpu_vm_span_in_use(amdgpu_svm_to_gpu(svm)->vm, start, last);
}

/* The timestamp of the newest retry fault still queued, as KFD takes it. */
static u64 amdgpu_svm_gpu_fault_checkpoint(struct amdgpu_svm *svm)
{
	struct amdgpu_device *adev = amdgpu_svm_to_gpu(svm)->adev;
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
	kfree(amdgpu_svm_to_gpu(svm));
}

/* The operations of a &struct amdgpu_svm embedded in a &struct amdgpu_svm_gpu. */
const struct amdgpu_svm_gpu_ops amdgpu_svm_gpu_ops = {
	.lock_pt = amdgpu_svm_gpu_lock_pt,
	.unlock_pt = amdgpu_svm_gpu_unlock_pt,
	.prepare_pt = amdgpu_svm_gpu_prepare_pt,
	.map = amdgpu_svm_gpu_map,
	.clear = amdgpu_svm_gpu_clear,
	.flush = amdgpu_svm_gpu_flush,
	.quiesce = amdgpu_svm_gpu_quiesce,
	.resume = amdgpu_svm_gpu_resume,
	.span_in_use = amdgpu_svm_gpu_span_in_use,
	.fault_checkpoint = amdgpu_svm_gpu_fault_checkpoint,
	.release = amdgpu_svm_gpu_release,
};

// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#include <linux/hashtable.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include <drm/drm_file.h>

#include "amdgpu.h"
#include "amdgpu_amdkfd.h"
#include "amdgpu_svm_gpu.h"
#include "amdgpu_svm_ioctl.h"
#include "amdgpu_svm_migrate.h"
#include "amdgpu_svm_vm.h"
#include "amdgpu_svm_vram.h"
#include "amdgpu_vm.h"

/**
 * DOC: SVM of an amdgpu VM
 *
 * Each &struct amdgpu_vm, that is each device file, so each device and
 * process, gets its own SVM on its first DRM_AMDGPU_GEM_SVM request that
 * sets or resets attributes (a GET answers from the defaults until then),
 * bound to the caller's mm. &amdgpu_vm.svm holds the owner's reference;
 * it is set and cleared with the root page directory reserved, which the
 * GPU fault path holds when it takes a reference of its own
 * (amdgpu_svm_vm_get()). The SVM is torn down by amdgpu_vm_fini() or when
 * the mm goes, whichever comes first; a request that holds a reference
 * across the teardown fails with -ESRCH.
 *
 * XNACK mode, fixed at creation:
 *
 * - If the process has a KFD context, its mode (KFD picked one that all
 *   the process's GPUs support). Its SET_XNACK_MODE request is refused
 *   with -EBUSY from then on, as long as an SVM here serves the process.
 * - Otherwise the device decides, as KFD does for a new process: GPUs
 *   before GFX 9 cannot retry faults, and GPUs from GFX 10.1.1 through
 *   GFX 12.0 cannot preempt shaders while they wait for a fault, so both
 *   run with XNACK off; so do GPUs booted with amdgpu.noretry=1 (the
 *   default on most GFX 9 parts). A GPU that supports only one mode gets
 *   that one.
 *
 * KFD's own SVM (AMDKFD_IOC_SVM) and this one never manage the same
 * process. The decision is one per process, and both sides read it: an SVM
 * here claims its mm (amdgpu_svm_mm_claimed()) before it asks KFD, under
 * KFD's &svm_range_list.lock, whether any KFD context of the process has
 * SVM ranges; KFD checks the claim under that lock before it creates a
 * range, from a request or from a GPU fault on any of the process's GPUs,
 * and under &kfd_process.mutex before it changes an XNACK mode. Whichever
 * comes second sees the other and fails with -EBUSY (a KFD fault is left
 * unhandled). A GPU fault goes to this SVM when the VM has one, else to
 * KFD's for a compute VM.
 */

/*
 * The processes an SVM here serves, by mm, each with the number of its
 * SVMs (one per device file). A claim holds the mm_struct, so that no
 * later process can be taken for a claimed one. Readers take the lock
 * too: KFD publishes a new process and then reads the claim, while an SVM
 * here publishes its claim and then looks for KFD's process, and only a
 * lock common to both reads orders the two.
 */
struct amdgpu_svm_mm_claim {
	struct hlist_node node;
	struct mm_struct *mm;
	unsigned int count;
};

static DEFINE_HASHTABLE(amdgpu_svm_mm_claims, 4);
static DEFINE_MUTEX(amdgpu_svm_mm_claims_lock);

static struct amdgpu_svm_mm_claim *amdgpu_svm_mm_find_claim(struct mm_struct *mm)
{
	struct amdgpu_svm_mm_claim *claim;

	lockdep_assert_held(&amdgpu_svm_mm_claims_lock);
	hash_for_each_possible(amdgpu_svm_mm_claims, claim, node, (unsigned long)mm)
		if (claim->mm == mm)
			return claim;
	return NULL;
}

static int amdgpu_svm_mm_take_claim(struct mm_struct *mm)
{
	struct amdgpu_svm_mm_claim *claim, *fresh;

	fresh = kzalloc_obj(*fresh);
	if (!fresh)
		return -ENOMEM;
	mutex_lock(&amdgpu_svm_mm_claims_lock);
	claim = amdgpu_svm_mm_find_claim(mm);
	if (!claim) {
		claim = fresh;
		fresh = NULL;
		claim->mm = mm;
		mmgrab(mm);
		hash_add(amdgpu_svm_mm_claims, &claim->node, (unsigned long)mm);
	}
	claim->count++;
	mutex_unlock(&amdgpu_svm_mm_claims_lock);
	kfree(fresh);
	return 0;
}

static void amdgpu_svm_mm_drop_claim(struct mm_struct *mm)
{
	struct amdgpu_svm_mm_claim *claim;
	bool last = false;

	mutex_lock(&amdgpu_svm_mm_claims_lock);
	claim = amdgpu_svm_mm_find_claim(mm);
	if (!WARN_ON_ONCE(!claim) && !--claim->count) {
		hash_del(&claim->node);
		last = true;
	}
	mutex_unlock(&amdgpu_svm_mm_claims_lock);
	if (last) {
		kfree(claim);
		mmdrop(mm);
	}
}

/**
 * amdgpu_svm_mm_claimed() - Tell whether an amdgpu SVM serves a process
 * @mm: the process
 *
 * KFD asks before it creates an SVM range, holding &svm_range_list.lock,
 * and before it changes a context's XNACK mode, holding &kfd_process.mutex;
 * a new amdgpu SVM takes both after its claim (kgd2kfd_svm_mode()). Of the
 * two sides, the one that comes second sees the other.
 *
 * Return: true from the creation of the process's first amdgpu SVM until
 * its last is destroyed.
 */
bool amdgpu_svm_mm_claimed(struct mm_struct *mm)
{
	bool claimed;

	mutex_lock(&amdgpu_svm_mm_claims_lock);
	claimed = amdgpu_svm_mm_find_claim(mm);
	mutex_unlock(&amdgpu_svm_mm_claims_lock);
	return claimed;
}

/* The default XNACK mode of a KFD process on this device alone. */
static bool amdgpu_svm_vm_device_retries_faults(struct amdgpu_device *adev)
{
	u32 gc = amdgpu_ip_version(adev, GC_HWIP, 0);

	if (adev->gmc.noretry || gc < IP_VERSION(9, 0, 1))
		return false;
	return gc < IP_VERSION(10, 1, 1) || gc >= IP_VERSION(12, 1, 0);
}

/* The XNACK mode of a new SVM, or -EBUSY when KFD's SVM serves the process. */
static int amdgpu_svm_vm_xnack_mode(struct amdgpu_device *adev, struct mm_struct *mm,
				    bool *xnack_on)
{
	int ret = -ESRCH;

	if (IS_ENABLED(CONFIG_HSA_AMD))
		ret = kgd2kfd_svm_mode(mm, xnack_on);
	if (ret == -ESRCH) {
		*xnack_on = amdgpu_svm_vm_device_retries_faults(adev);
		ret = 0;
	}
	return ret;
}

static struct amdgpu_svm *amdgpu_svm_vm_create(struct amdgpu_device *adev,
					       struct amdgpu_fpriv *fpriv)
{
	struct amdgpu_svm_gpu *gpu;
	bool xnack_on;
	int ret;

	/*
	 * Ask before claiming, so that a process KFD serves never sees a
	 * passing claim; then again after it, which decides.
	 */
	ret = amdgpu_svm_vm_xnack_mode(adev, current->mm, &xnack_on);
	if (ret)
		return ERR_PTR(ret);
	ret = amdgpu_svm_mm_take_claim(current->mm);
	if (ret)
		return ERR_PTR(ret);
	ret = amdgpu_svm_vm_xnack_mode(adev, current->mm, &xnack_on);
	if (ret)
		goto out_unclaim;
	gpu = kzalloc_obj(*gpu);
	if (!gpu) {
		ret = -ENOMEM;
		goto out_unclaim;
	}
	gpu->adev = adev;
	gpu->vm = &fpriv->vm;
	gpu->mm = current->mm;
	amdgpu_svm_gpu_init_xcc_mask(gpu, fpriv->xcp_id);
	ret = amdgpu_svm_init(&gpu->svm, adev_to_drm(adev), current->mm, xnack_on,
			      amdgpu_svm_default_granularity, &amdgpu_svm_gpu_ops,
			      NULL);
	if (ret) {
		kfree(gpu);
		goto out_unclaim;
	}
	gpu->vram = amdgpu_svm_vram_get(adev);
	amdgpu_svm_migrate_set_pagemap(&gpu->svm, gpu->vram ? &gpu->vram->dpagemap : NULL,
				       amdgpu_svm_vram_owner(gpu->vram));
	return &gpu->svm;

out_unclaim:
	amdgpu_svm_mm_drop_claim(current->mm);
	return ERR_PTR(ret);
}

/*
 * Tear down an SVM made by amdgpu_svm_vm_create(), move the process's
 * pages out of the device's VRAM (the file that placed them there is
 * going; a process that exits frees them anyway) and drop the claim on
 * the mm.
 */
static void amdgpu_svm_vm_destroy(struct amdgpu_svm *svm)
{
	struct amdgpu_svm_gpu *gpu = amdgpu_svm_to_gpu(svm);
	struct amdgpu_svm_vram *vram = gpu->vram;
	struct mm_struct *mm = gpu->mm;

	mmgrab(mm);
	amdgpu_svm_fini(svm);
	if (vram) {
		amdgpu_svm_vram_evict_mm(vram, mm);
		amdgpu_svm_vram_put(vram);
	}
	amdgpu_svm_mm_drop_claim(mm);
	mmdrop(mm);
}

/*
 * The VM's SVM, referenced, or NULL if it has none; an ERR_PTR() if the
 * root page directory could not be reserved (@no_intr: never).
 */
static struct amdgpu_svm *amdgpu_svm_vm_lookup(struct amdgpu_vm *vm, bool no_intr)
{
	struct amdgpu_svm *svm;
	int ret;

	ret = amdgpu_bo_reserve(vm->root.bo, no_intr);
	if (ret)
		return ERR_PTR(ret);
	svm = amdgpu_svm_vm_get(vm);
	amdgpu_bo_unreserve(vm->root.bo);
	return svm;
}

/* The VM's SVM, referenced; made and published if there is none yet. */
static struct amdgpu_svm *amdgpu_svm_vm_get_or_create(struct amdgpu_device *adev,
						      struct amdgpu_fpriv *fpriv)
{
	struct amdgpu_vm *vm = &fpriv->vm;
	struct amdgpu_svm *svm, *made;

	svm = amdgpu_svm_vm_lookup(vm, false);
	if (svm)
		return svm;

	/* Registering the mm's notifiers takes the mmap lock: no BO held. */
	made = amdgpu_svm_vm_create(adev, fpriv);
	if (IS_ERR(made))
		return made;
	amdgpu_bo_reserve(vm->root.bo, true);
	svm = amdgpu_svm_vm_get(vm);
	if (!svm) {
		WRITE_ONCE(vm->svm, made);
		svm = amdgpu_svm_vm_get(vm);
		made = NULL;
	}
	amdgpu_bo_unreserve(vm->root.bo);
	if (made)	/* another thread published one first */
		amdgpu_svm_vm_destroy(made);
	return svm;
}

/* GET_ATTR: from the VM's SVM, or from the defaults if it has none yet. */
static int amdgpu_svm_vm_get_attr(struct amdgpu_device *adev, struct amdgpu_fpriv *fpriv,
				  struct drm_amdgpu_gem_svm *args)
{
	struct amdgpu_svm *svm = amdgpu_svm_vm_lookup(&fpriv->vm, false);
	bool xnack_on;
	int ret;

	if (IS_ERR(svm))
		return PTR_ERR(svm);
	if (svm) {
		ret = amdgpu_svm_ioctl(svm, args);
		amdgpu_svm_put(svm);
		return ret;
	}
	ret = amdgpu_svm_vm_xnack_mode(adev, current->mm, &xnack_on);
	if (ret)
		return ret;
	return amdgpu_svm_ioctl_get_defaults(xnack_on, amdgpu_svm_default_granularity,
					     args);
}

/*
 * Whether the GPU can address [@start, @start + @size) as it does a GEM VA
 * mapping (amdgpu_gem_va_ioctl()): above the reserved bottom, below the
 * reserved top of the VM and below the GMC hole. Anything else would index
 * past the page directories amdgpu allocated for the VM.
 */
static bool amdgpu_svm_vm_holds_span(struct amdgpu_device *adev, u64 start, u64 size)
{
	u64 vm_end = adev->vm_manager.max_pfn << AMDGPU_GPU_PAGE_SHIFT;

	vm_end = min(vm_end - AMDGPU_VA_RESERVED_TOP, AMDGPU_GMC_HOLE_START);
	return start >= AMDGPU_VA_RESERVED_BOTTOM && size <= vm_end &&
	       start <= vm_end - size;
}

/*
 * SVM serves the GPUs whose VM KFD's SVM serves too: GFX 9 and later
 * (SOC15), with 48-bit, four-level page tables and retry faults.
 */
static bool amdgpu_svm_vm_device_supports(struct amdgpu_device *adev)
{
	return amdgpu_ip_version(adev, GC_HWIP, 0) >= IP_VERSION(9, 0, 1);
}

/*
 * Check a request that would make the VM's SVM, as amdgpu_svm_ioctl() and
 * the VM would once it exists: a request refused before the SVM is made
 * leaves the process to KFD.
 */
static int amdgpu_svm_vm_check_first(struct amdgpu_fpriv *fpriv,
				     const struct drm_amdgpu_gem_svm *args)
{
	unsigned long start = args->start_addr >> PAGE_SHIFT;
	unsigned long last = start + (args->size >> PAGE_SHIFT) - 1;
	int ret;

	ret = amdgpu_svm_ioctl_check_first(args, current->mm);
	if (!ret && args->operation == AMDGPU_SVM_OP_SET_ATTR &&
	    amdgpu_svm_gpu_vm_span_in_use(&fpriv->vm, start, last))
		ret = -EADDRINUSE;
	return ret;
}

/**
 * amdgpu_svm_vm_ioctl() - Serve the DRM_AMDGPU_GEM_SVM ioctl
 * @dev: the device
 * @data: &struct drm_amdgpu_gem_svm, copied in
 * @filp: the device file, whose VM the request is about
 *
 * Creates the VM's SVM on the first SET or RESET, then hands the request to
 * amdgpu_svm_ioctl(). A GET on a VM with no SVM yet answers from the
 * defaults and creates nothing (amdgpu_svm_ioctl_get_defaults()). A first
 * request that amdgpu_svm_ioctl() would refuse is refused before the SVM
 * is made, with the same errno, and leaves the process to KFD; which of
 * its faults is named, when it has several, may then differ (a malformed
 * request reads -EINVAL even from a process KFD serves).
 *
 * Return: as amdgpu_svm_ioctl(); -EBUSY when KFD's SVM serves the process;
 * -EINVAL from a task without an mm, or for a span the GPU cannot address
 * (below %AMDGPU_VA_RESERVED_BOTTOM, in the reserved top of the VM, or
 * beyond it or the GMC hole); -EOPNOTSUPP on GPUs before GFX 9.
 */
int amdgpu_svm_vm_ioctl(struct drm_device *dev, void *data,
			struct drm_file *filp)
{
	struct amdgpu_device *adev = drm_to_adev(dev);
	struct amdgpu_fpriv *fpriv = filp->driver_priv;
	struct drm_amdgpu_gem_svm *args = data;
	struct amdgpu_svm *svm;
	int ret;

	if (!amdgpu_svm_vm_device_supports(adev))
		return -EOPNOTSUPP;
	if (!current->mm || !amdgpu_svm_vm_holds_span(adev, args->start_addr, args->size))
		return -EINVAL;
	if (args->operation == AMDGPU_SVM_OP_GET_ATTR)
		return amdgpu_svm_vm_get_attr(adev, fpriv, args);
	svm = amdgpu_svm_vm_lookup(&fpriv->vm, false);
	if (!svm) {
		ret = amdgpu_svm_vm_check_first(fpriv, args);
		if (ret)
			return ret;
		svm = amdgpu_svm_vm_get_or_create(adev, fpriv);
	}
	if (IS_ERR(svm))
		return PTR_ERR(svm);
	ret = amdgpu_svm_ioctl(svm, data);
	amdgpu_svm_put(svm);
	return ret;
}

/**
 * amdgpu_svm_vm_info() - Answer AMDGPU_INFO_SVM for a device file
 * @adev: the device
 * @fpriv: the device file
 * @info: filled in; ``AMDGPU_INFO_SVM_*`` flags
 *
 * Reports the XNACK mode the file's SVM has, or the one its first SET or
 * RESET would give it, without making one. The ioctl struct the ROCm
 * runtime uses keeps its binary shape: this is where the mode is read.
 */
void amdgpu_svm_vm_info(struct amdgpu_device *adev, struct amdgpu_fpriv *fpriv,
			struct drm_amdgpu_info_svm *info)
{
	struct amdgpu_svm *svm;
	bool xnack_on = false;

	info->flags = 0;
	if (!amdgpu_svm_vm_device_supports(adev))
		return;
	info->flags |= AMDGPU_INFO_SVM_SUPPORTED;
	svm = amdgpu_svm_vm_lookup(&fpriv->vm, true);
	if (!IS_ERR_OR_NULL(svm)) {
		xnack_on = svm->xnack_on;
		info->flags |= AMDGPU_INFO_SVM_ACTIVE;
		amdgpu_svm_put(svm);
	} else if (current->mm &&
		   amdgpu_svm_vm_xnack_mode(adev, current->mm, &xnack_on) == -EBUSY) {
		info->flags |= AMDGPU_INFO_SVM_KFD_OWNS;
	}
	if (xnack_on)
		info->flags |= AMDGPU_INFO_SVM_XNACK_ON;
}

/**
 * amdgpu_svm_vm_get() - Reference the SVM of a VM
 * @vm: the VM, its root page directory reserved
 *
 * Return: the SVM, to be released with amdgpu_svm_put(), or NULL.
 */
struct amdgpu_svm *amdgpu_svm_vm_get(struct amdgpu_vm *vm)
{
	struct amdgpu_svm *svm = vm->svm;

	dma_resv_assert_held(vm->root.bo->tbo.base.resv);
	if (svm)
		amdgpu_svm_get(svm);
	return svm;
}

/**
 * amdgpu_svm_vm_handle_fault() - Handle a GPU retry fault on a VM that has SVM
 * @svm: the SVM, from amdgpu_svm_vm_get(); the reference is dropped here
 * @adev: the device
 * @pasid: the VM's PASID
 * @node_id: the IH node that raised the fault (the XCC, on partitioned GPUs)
 * @addr: the faulting address
 * @ts: the fault's timestamp
 * @write: the access was a write
 *
 * Called from amdgpu_vm_handle_fault() with no reservation held: SVM takes
 * the mmap lock before any reservation. The TLB flushes of the SVM cover
 * the partition the fault came from. Whatever the outcome, the fault
 * leaves the retry filter, so that the GPU's next retry of the address is
 * seen again.
 *
 * Return: true if the fault was handled (mapped, stale or a duplicate);
 * false lets the caller stop the GPU from retrying.
 */
bool amdgpu_svm_vm_handle_fault(struct amdgpu_svm *svm,
				struct amdgpu_device *adev, u32 pasid,
				u32 node_id, u64 addr, u64 ts, bool write)
{
	int ret;

	amdgpu_svm_gpu_add_fault_xcc(amdgpu_svm_to_gpu(svm), node_id);
	ret = amdgpu_svm_handle_fault(svm, addr, ts, write);
	amdgpu_svm_put(svm);
	amdgpu_gmc_filter_faults_remove(adev, addr, pasid);
	if (ret)
		dev_dbg(adev->dev, "SVM fault at 0x%llx, pasid %u: %d\n",
			addr, pasid, ret);
	return !ret;
}

/**
 * amdgpu_svm_vm_fini() - Tear down the SVM of a VM
 * @vm: the VM, still fully set up
 *
 * Called when the device file is released, first, while the user-queue
 * manager is still there for the SVM to resume the queues it stopped, and
 * again by amdgpu_vm_fini(), which then finds no SVM.
 */
void amdgpu_svm_vm_fini(struct amdgpu_vm *vm)
{
	struct amdgpu_svm *svm;

	if (!vm->root.bo)
		return;
	amdgpu_bo_reserve(vm->root.bo, true);
	svm = vm->svm;
	WRITE_ONCE(vm->svm, NULL);
	amdgpu_bo_unreserve(vm->root.bo);
	if (svm)
		amdgpu_svm_vm_destroy(svm);
}

/**
 * amdgpu_svm_vm_holds_queues() - Tell whether the SVM keeps the VM's work stopped
 * @vm: the VM of the caller's device file
 *
 * amdgpu_cs_submit() asks under &amdgpu_device.notifier_lock, which SVM
 * takes after it counted an eviction and before it waits for the jobs on
 * the VM: a job is either pushed before that wait or refused with -EAGAIN.
 *
 * Return: true while an eviction is unresolved (see
 * amdgpu_svm_holds_queues()).
 */
bool amdgpu_svm_vm_holds_queues(struct amdgpu_vm *vm)
{
	struct amdgpu_svm *svm = READ_ONCE(vm->svm);

	return svm && amdgpu_svm_holds_queues(svm);
}

/**
 * amdgpu_svm_vm_wait_for_queues() - Wait until the SVM lets work run on the VM
 * @vm: the VM of the caller's device file
 *
 * CS waits here before it builds a job, rather than spinning on -EAGAIN
 * while the SVM maps evicted pages again.
 *
 * Return: 0, or -ERESTARTSYS if a signal came first.
 */
int amdgpu_svm_vm_wait_for_queues(struct amdgpu_vm *vm)
{
	struct amdgpu_svm *svm = READ_ONCE(vm->svm);

	return svm ? amdgpu_svm_wait_for_queues(svm) : 0;
}

// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

/**
 * DOC: Real-VM test fixture
 *
 * amdgpu_svm_test_vm_create() builds a &struct amdgpu_device with no
 * hardware behind it and a real &struct amdgpu_vm on it, so that SVM runs
 * its real &amdgpu_svm_gpu_ops against amdgpu's own page-table code:
 *
 * - The GMC functions are those of a real GMC IP block (v9, v11 or v12,
 *   by GC version): its early_init sets them and touches no register.
 *   The VM manager is sized as that GMC's sw_init sizes it
 *   (amdgpu_vm_adjust_size() with the same arguments, translate-further
 *   where it enables it) and set up by amdgpu_vm_manager_init().
 * - Page tables are updated by the CPU (&amdgpu_vm_cpu_funcs). Their
 *   buffer objects live in a fake VRAM: a kernel buffer behind amdgpu's
 *   own TTM driver and VRAM manager, which amdgpu_bo_kmap() reaches
 *   through the aperture. Under UML, I/O memory accesses go through
 *   logic_iomem, so the buffer is registered there as an I/O memory
 *   region (once per boot; at most 16 MiB); on x86_64 it is the aperture.
 * - What needs hardware gets the smallest stand-in the code accepts and
 *   that records what it was asked: the TLB flush by PASID (counted), the
 *   HDP flush (nothing to flush), the IH rings (always empty), a drm
 *   scheduler that never runs a job (CPU updates submit none), a reset
 *   domain.
 *
 * The SVM is made through the real DRM_AMDGPU_GEM_SVM entry,
 * amdgpu_svm_vm_ioctl(), on a DRM file whose private data holds the VM,
 * and torn down by the real amdgpu_vm_fini().
 */

#include <kunit/test.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>

#ifdef CONFIG_INDIRECT_IOMEM
#include <linux/logic_iomem.h>
#endif

#include <drm/drm_exec.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_kunit_helpers.h>
#include <drm/gpu_scheduler.h>

#include "../amdgpu.h"
#include "../amdgpu_reset.h"
#include "../amdgpu_userq.h"
#include "../amdgpu_svm.h"
#include "../amdgpu_svm_vm.h"
#include "../amdgpu_svm_vram.h"
#include "../amdgpu_vm.h"
#include "../gmc_v10_0.h"
#include "../gmc_v11_0.h"
#include "../gmc_v12_0.h"
#include "../gmc_v9_0.h"
#include "amdgpu_svm_test_helpers.h"
#include "amdgpu_svm_test_vm.h"

#define FAKE_VRAM_SIZE	SZ_16M
#define FAKE_VRAM_BASE	0x4000000000ULL

/* The device, with the stand-ins its function tables point to. */
struct svm_test_device {
	struct amdgpu_device adev;
	struct amdgpu_svm_test_vm fix;
	struct amdgpu_gmc_funcs gmc_funcs;
	struct amdgpu_hdp_funcs hdp_funcs;
	struct amdgpu_ih_funcs ih_funcs;
	struct amdgpu_smuio_funcs smuio_funcs;
	struct amdgpu_ip_block gmc_block;
	struct drm_gpu_scheduler sched;
	struct drm_file file;
	bool ttm_up;
	bool sched_up;
	bool vm_up;
	bool userq_up;
};

static struct svm_test_device *to_tdev(struct amdgpu_device *adev)
{
	return container_of(adev, struct svm_test_device, adev);
}

#ifdef CONFIG_INDIRECT_IOMEM
static void *fake_vram_backing;

static unsigned long fake_vram_read(void *priv, unsigned int offset, int size)
{
	void *p = (u8 *)priv + offset;

	switch (size) {
	case 1:
		return *(u8 *)p;
	case 2:
		return *(u16 *)p;
	case 4:
		return *(u32 *)p;
	default:
		return *(u64 *)p;
	}
}

static void fake_vram_write(void *priv, unsigned int offset, int size,
			    unsigned long val)
{
	void *p = (u8 *)priv + offset;

	switch (size) {
	case 1:
		*(u8 *)p = val;
		break;
	case 2:
		*(u16 *)p = val;
		break;
	case 4:
		*(u32 *)p = val;
		break;
	default:
		*(u64 *)p = val;
		break;
	}
}

static void fake_vram_set(void *priv, unsigned int offset, u8 value, int size)
{
	memset((u8 *)priv + offset, value, size);
}

static void fake_vram_copy_from(void *priv, void *buffer, unsigned int offset,
				int size)
{
	memcpy(buffer, (u8 *)priv + offset, size);
}

static void fake_vram_copy_to(void *priv, unsigned int offset,
			      const void *buffer, int size)
{
	memcpy((u8 *)priv + offset, buffer, size);
}

static const struct logic_iomem_ops fake_vram_ops = {
	.read = fake_vram_read,
	.write = fake_vram_write,
	.set = fake_vram_set,
	.copy_from = fake_vram_copy_from,
	.copy_to = fake_vram_copy_to,
};

static long fake_vram_map(unsigned long offset, size_t size,
			  const struct logic_iomem_ops **ops, void **priv)
{
	if (!fake_vram_backing || offset + size > FAKE_VRAM_SIZE)
		return -EINVAL;
	*ops = &fake_vram_ops;
	*priv = fake_vram_backing;
	return offset;
}

static const struct logic_iomem_region_ops fake_vram_region_ops = {
	.map = fake_vram_map,
};

static struct resource fake_vram_res = {
	.name = "amdgpu-svm-kunit-vram",
	.start = FAKE_VRAM_BASE,
	.end = FAKE_VRAM_BASE + FAKE_VRAM_SIZE - 1,
	.flags = IORESOURCE_MEM,
};

/* Map the fake VRAM as I/O memory; the region is registered once per boot. */
static void __iomem *fake_vram_map_aperture(void *vram)
{
	static DEFINE_MUTEX(lock);
	static int registered = 1;

	mutex_lock(&lock);
	if (registered > 0)
		registered = logic_iomem_add_region(&fake_vram_res,
						    &fake_vram_region_ops);
	mutex_unlock(&lock);
	if (registered)
		return NULL;
	fake_vram_backing = vram;
	return ioremap(FAKE_VRAM_BASE, FAKE_VRAM_SIZE);
}

static void fake_vram_unmap_aperture(void __iomem *aper)
{
	iounmap(aper);
	fake_vram_backing = NULL;
}
#else
static void __iomem *fake_vram_map_aperture(void *vram)
{
	return (void __iomem *)vram;
}

static void fake_vram_unmap_aperture(void __iomem *aper)
{
}
#endif

/* The TLB flush by PASID: no hardware to reach, so count it. */
static void tdev_flush_tlb_pasid(struct amdgpu_device *adev, u16 pasid,
				 u32 flush_type, bool all_hub, u32 inst)
{
	struct amdgpu_svm_test_vm *fix = &to_tdev(adev)->fix;

	atomic_inc(&fix->tlb_flushes);
	if (flush_type == TLB_FLUSH_HEAVYWEIGHT)
		atomic_inc(&fix->heavy_flushes);
}

static void tdev_flush_tlb(struct amdgpu_device *adev, u32 vmid, u32 vmhub,
			   u32 flush_type)
{
	atomic_inc(&to_tdev(adev)->fix.tlb_flushes);
}

/* The HDP cache sits between the CPU and VRAM; the fake VRAM has none. */
static void tdev_flush_hdp(struct amdgpu_device *adev, struct amdgpu_ring *ring)
{
}

/* Every IH ring is empty: no fault is pending. */
static u32 tdev_ih_get_wptr(struct amdgpu_device *adev, struct amdgpu_ih_ring *ih)
{
	return ih->rptr;
}

static u64 tdev_ih_decode_iv_ts(struct amdgpu_ih_ring *ih, u32 rptr, int offset)
{
	return 0;
}

/* GC 9.4.3 asks the SMU I/O block for its package: a dGPU (MI300X). */
static enum amdgpu_pkg_type tdev_get_pkg_type(struct amdgpu_device *adev)
{
	return AMDGPU_PKG_TYPE_UNKNOWN;
}

static struct dma_fence *tdev_run_job(struct drm_sched_job *job)
{
	return ERR_PTR(-ENODEV);
}

static enum drm_gpu_sched_stat tdev_timedout_job(struct drm_sched_job *job)
{
	return DRM_GPU_SCHED_STAT_RESET;
}

static void tdev_free_job(struct drm_sched_job *job)
{
	drm_sched_job_cleanup(job);
}

static const struct drm_sched_backend_ops tdev_sched_ops = {
	.run_job = tdev_run_job,
	.timedout_job = tdev_timedout_job,
	.free_job = tdev_free_job,
};

/* The GMC IP block of a GC version, and how its sw_init sizes the VM. */
static const struct amdgpu_ip_block_version *
tdev_gmc_block(u32 gc, unsigned int *max_level, unsigned int *max_bits)
{
	*max_level = 3;
	*max_bits = 48;
	if (gc >= IP_VERSION(12, 0, 0))
		return &gmc_v12_0_ip_block;
	if (gc >= IP_VERSION(11, 0, 0))
		return &gmc_v11_0_ip_block;
	if (gc >= IP_VERSION(10, 0, 0))
		return &gmc_v10_0_ip_block;
	return &gmc_v9_0_ip_block;
}

static void tdev_set_identity(struct svm_test_device *tdev,
			      const struct amdgpu_svm_test_vm_params *params)
{
	struct amdgpu_device *adev = &tdev->adev;

	adev->asic_type = CHIP_IP_DISCOVERY;
	adev->family = params->gc >= IP_VERSION(12, 0, 0) ? AMDGPU_FAMILY_GC_12_0_0 :
		       params->gc >= IP_VERSION(11, 0, 0) ? AMDGPU_FAMILY_GC_11_0_0 :
		       params->gc >= IP_VERSION(10, 0, 0) ? AMDGPU_FAMILY_NV :
		       AMDGPU_FAMILY_AI;
	adev->ip_versions[GC_HWIP][0] = params->gc;
	adev->gfx.xcc_mask = 1;
	adev->no_hw_access = true;
	adev->gmc.noretry = !params->retry_faults;
	spin_lock_init(&adev->mm_stats.lock);
	mutex_init(&adev->notifier_lock);
}

/* Run the GMC's early_init, then route what reaches hardware to stand-ins. */
static int tdev_init_gmc(struct svm_test_device *tdev,
			 const struct amdgpu_svm_test_vm_params *params)
{
	struct amdgpu_device *adev = &tdev->adev;
	unsigned int max_level, max_bits;
	int ret;

	tdev->smuio_funcs.get_pkg_type = tdev_get_pkg_type;
	adev->smuio.funcs = &tdev->smuio_funcs;
	tdev->gmc_block.adev = adev;
	tdev->gmc_block.version = tdev_gmc_block(params->gc, &max_level, &max_bits);
	ret = tdev->gmc_block.version->funcs->early_init(&tdev->gmc_block);
	if (ret)
		return ret;

	tdev->gmc_funcs = *adev->gmc.gmc_funcs;
	tdev->gmc_funcs.flush_gpu_tlb_pasid = tdev_flush_tlb_pasid;
	tdev->gmc_funcs.flush_gpu_tlb = tdev_flush_tlb;
	adev->gmc.gmc_funcs = &tdev->gmc_funcs;
	tdev->hdp_funcs.flush_hdp = tdev_flush_hdp;
	adev->hdp.funcs = &tdev->hdp_funcs;
	tdev->ih_funcs.get_wptr = tdev_ih_get_wptr;
	tdev->ih_funcs.decode_iv_ts = tdev_ih_decode_iv_ts;
	adev->irq.ih_funcs = &tdev->ih_funcs;

	/* What the GMC's sw_init sets for the VM. */
	amdgpu_vm_adjust_size(adev, 256 * 1024, 9, max_level, max_bits);
	if (params->gc >= IP_VERSION(9, 4, 3) && params->gc < IP_VERSION(10, 0, 0))
		adev->gmc.translate_further = adev->vm_manager.num_level > 1;
	if (params->max_pfn)
		adev->vm_manager.max_pfn = params->max_pfn;
	adev->gmc.pte_addr_mask = 0x0000FFFFFFFFF000ULL;
	return 0;
}

/* Fake VRAM: the device's memory map, the aperture, TTM and its manager. */
static int tdev_init_vram(struct kunit *test, struct svm_test_device *tdev)
{
	struct amdgpu_device *adev = &tdev->adev;
	int ret;

	tdev->fix.vram = kvzalloc(FAKE_VRAM_SIZE, GFP_KERNEL);
	if (!tdev->fix.vram)
		return -ENOMEM;
	adev->gmc.mc_vram_size = FAKE_VRAM_SIZE;
	adev->gmc.real_vram_size = FAKE_VRAM_SIZE;
	adev->gmc.visible_vram_size = FAKE_VRAM_SIZE;
	adev->gmc.aper_size = FAKE_VRAM_SIZE;
	adev->gmc.aper_base = FAKE_VRAM_BASE;
	adev->gmc.vram_start = 0x8000000000ULL;
	adev->gmc.vram_end = adev->gmc.vram_start + FAKE_VRAM_SIZE - 1;
	adev->vm_manager.vram_base_offset = 0;
	adev->mman.aper_base_kaddr = fake_vram_map_aperture(tdev->fix.vram);
	if (!adev->mman.aper_base_kaddr)
		return -ENOMEM;
	ret = amdgpu_svm_test_ttm_init(adev);
	if (ret)
		return ret;
	tdev->ttm_up = true;
	return 0;
}

static int tdev_init_vm_manager(struct svm_test_device *tdev)
{
	struct amdgpu_device *adev = &tdev->adev;
	struct drm_sched_init_args args = {
		.ops = &tdev_sched_ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = 1,
		.timeout = MAX_SCHEDULE_TIMEOUT,
		.name = "amdgpu-svm-kunit",
		.dev = adev->dev,
	};
	int ret;

	adev->reset_domain = amdgpu_reset_create_reset_domain(SINGLE_DEVICE,
							      "amdgpu-svm-kunit");
	if (!adev->reset_domain)
		return -ENOMEM;
	ret = drm_sched_init(&tdev->sched, &args);
	if (ret)
		return ret;
	tdev->sched_up = true;
	adev->vm_manager.vm_pte_scheds[0] = &tdev->sched;
	adev->vm_manager.vm_pte_num_scheds = 1;
	amdgpu_vm_manager_init(adev);
	/* Page tables written by the CPU, for every kind of VM. */
	adev->vm_manager.vm_update_mode = AMDGPU_VM_USE_CPU_FOR_GFX |
					  AMDGPU_VM_USE_CPU_FOR_COMPUTE;
	return 0;
}

/* The PRT mapping every device file has (amdgpu_driver_open_kms()). */
static int tdev_add_prt_va(struct amdgpu_device *adev, struct amdgpu_fpriv *fpriv)
{
	struct amdgpu_bo *root = fpriv->vm.root.bo;
	int ret;

	ret = amdgpu_bo_reserve(root, true);
	if (ret)
		return ret;
	fpriv->prt_va = amdgpu_vm_bo_add(adev, &fpriv->vm, NULL);
	amdgpu_bo_unreserve(root);
	return fpriv->prt_va ? 0 : -ENOMEM;
}

static int tdev_init_file(struct svm_test_device *tdev)
{
	struct amdgpu_device *adev = &tdev->adev;
	struct amdgpu_fpriv *fpriv;
	int ret;

	/* Freed by tdev_fini(), after the VM (test resources go first). */
	fpriv = kzalloc_obj(*fpriv);
	tdev->fix.fpriv = fpriv;
	if (!fpriv)
		return -ENOMEM;
	ret = amdgpu_vm_init(adev, &fpriv->vm, 0);
	if (ret)
		return ret;
	tdev->vm_up = true;
	/* A real PASID, so that amdgpu_vm_handle_fault() finds the VM. */
	ret = amdgpu_pasid_alloc(16, fpriv);
	if (ret < 0)
		return ret;
	tdev->fix.pasid = ret;
	fpriv->vm.pasid = ret;
	ret = tdev_add_prt_va(adev, fpriv);
	if (ret)
		return ret;
	/*
	 * The real user-queue and eviction-fence managers, with no queue:
	 * SVM's hold evicts through the eviction fence and its suspend
	 * worker, and the restore worker sees the hold (no MES is reached).
	 */
	ret = amdgpu_userq_mgr_init(&fpriv->userq_mgr, &tdev->file, adev);
	if (ret)
		return ret;
	amdgpu_evf_mgr_init(&fpriv->evf_mgr);
	tdev->userq_up = true;
	tdev->file.driver_priv = fpriv;
	tdev->fix.file = &tdev->file;
	return 0;
}

/* As amdgpu_drm_release() and amdgpu_driver_postclose_kms() do. */
static void tdev_fini_file(struct svm_test_device *tdev)
{
	struct amdgpu_device *adev = &tdev->adev;
	struct amdgpu_fpriv *fpriv = tdev->fix.fpriv;

	if (tdev->vm_up)
		amdgpu_svm_vm_fini(&fpriv->vm);
	if (tdev->userq_up) {
		amdgpu_evf_mgr_shutdown(&fpriv->evf_mgr);
		amdgpu_userq_mgr_cancel_resume(&fpriv->userq_mgr);
		amdgpu_evf_mgr_flush_suspend(&fpriv->evf_mgr);
		amdgpu_userq_mgr_fini(&fpriv->userq_mgr);
		amdgpu_evf_mgr_fini(&fpriv->evf_mgr);
	}
	if (fpriv && fpriv->prt_va &&
	    !WARN_ON(amdgpu_bo_reserve(fpriv->vm.root.bo, true))) {
		amdgpu_vm_bo_del(adev, fpriv->prt_va);
		amdgpu_bo_unreserve(fpriv->vm.root.bo);
	}
	if (tdev->fix.pasid)
		amdgpu_pasid_free(tdev->fix.pasid);
	if (tdev->vm_up)
		amdgpu_vm_fini(adev, &fpriv->vm);
	kfree(fpriv);
}

static void tdev_fini(void *data)
{
	struct svm_test_device *tdev = data;
	struct amdgpu_device *adev = &tdev->adev;

	tdev_fini_file(tdev);
	/* Pages SVM moved to VRAM go back before the VRAM goes. */
	amdgpu_svm_vram_fini(adev);
	if (tdev->ttm_up) {
		drain_workqueue(adev->mman.bdev.wq);
		amdgpu_svm_test_ttm_fini(adev);
	}
	if (adev->mman.aper_base_kaddr)
		fake_vram_unmap_aperture(adev->mman.aper_base_kaddr);
	kvfree(tdev->fix.vram);
	if (tdev->sched_up) {
		drm_sched_fini(&tdev->sched);
		amdgpu_vmid_mgr_fini(adev);
	}
	amdgpu_reset_put_reset_domain(adev->reset_domain);
}

/*
 * A driver with file operations: a drm_pagemap made on the device holds
 * the module that owns them, and the device, until a worker drops both
 * after the test.
 */
static const struct file_operations svm_test_fops = {
	.owner = THIS_MODULE,
};

static const struct drm_driver svm_test_driver = {
	.driver_features = DRIVER_GEM,
	.fops = &svm_test_fops,
};

/**
 * amdgpu_svm_test_vm_create() - Make a device with no hardware and a real VM
 * @test: the test; everything goes with it (the VM by amdgpu_vm_fini(),
 *	which also tears down an SVM still on it)
 * @params: the GPU to stand for
 *
 * Attaches a user mm to the test task first if it has none.
 *
 * Return: the fixture (the test fails if it cannot be made).
 */
struct amdgpu_svm_test_vm *
amdgpu_svm_test_vm_create(struct kunit *test,
			  const struct amdgpu_svm_test_vm_params *params)
{
	struct svm_test_device *tdev;
	struct drm_device *ddev;
	struct device *dev;

	dev = drm_kunit_helper_alloc_device(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);
	/* The helper returns the DRM device, not the structure around it. */
	ddev = __drm_kunit_helper_alloc_drm_device_with_driver(test, dev, sizeof(*tdev),
							       offsetof(struct svm_test_device,
									adev.ddev),
							       &svm_test_driver);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ddev);
	tdev = container_of(ddev, struct svm_test_device, adev.ddev);
	tdev->adev.dev = dev;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, tdev_fini, tdev), 0);

	tdev_set_identity(tdev, params);
	KUNIT_ASSERT_EQ(test, tdev_init_gmc(tdev, params), 0);
	KUNIT_ASSERT_EQ(test, tdev_init_vram(test, tdev), 0);
	KUNIT_ASSERT_EQ(test, tdev_init_vm_manager(tdev), 0);
	KUNIT_ASSERT_EQ(test, tdev_init_file(tdev), 0);
	tdev->fix.adev = &tdev->adev;
	tdev->fix.uattrs = amdgpu_svm_test_mmap(test, PAGE_SIZE, PAGE_SIZE);
	return &tdev->fix;
}

/**
 * amdgpu_svm_test_vm_vm() - The fixture's VM
 * @fix: the fixture
 *
 * Return: the VM of the fixture's device file.
 */
struct amdgpu_vm *amdgpu_svm_test_vm_vm(struct amdgpu_svm_test_vm *fix)
{
	return &fix->fpriv->vm;
}

/**
 * amdgpu_svm_test_vm_ioctl() - Issue DRM_AMDGPU_GEM_SVM on the fixture's file
 * @test: the test
 * @fix: the fixture
 * @op: the operation
 * @start: first byte of the span
 * @size: bytes
 * @attrs: the attributes; copied through user memory, and back for GET
 * @nattr: how many
 *
 * Return: what amdgpu_svm_vm_ioctl() returned.
 */
int amdgpu_svm_test_vm_ioctl(struct kunit *test, struct amdgpu_svm_test_vm *fix,
			     u32 op, unsigned long start, unsigned long size,
			     struct drm_amdgpu_svm_attribute *attrs, u32 nattr)
{
	struct drm_amdgpu_gem_svm args = amdgpu_svm_test_request(test, fix->uattrs, op, start,
								 size, attrs, nattr);
	int ret;

	ret = amdgpu_svm_vm_ioctl(adev_to_drm(fix->adev), &args, fix->file);
	amdgpu_svm_test_request_answer(test, &args, attrs);
	return ret;
}

/**
 * amdgpu_svm_test_vm_svm() - The SVM of the fixture's VM
 * @fix: the fixture
 *
 * Return: the SVM, referenced (amdgpu_svm_put() it), or NULL if the VM has
 * none.
 */
struct amdgpu_svm *amdgpu_svm_test_vm_svm(struct amdgpu_svm_test_vm *fix)
{
	struct amdgpu_vm *vm = amdgpu_svm_test_vm_vm(fix);
	struct amdgpu_svm *svm;

	if (amdgpu_bo_reserve(vm->root.bo, true))
		return NULL;
	svm = amdgpu_svm_vm_get(vm);
	amdgpu_bo_unreserve(vm->root.bo);
	return svm;
}

/**
 * amdgpu_svm_test_vm_arm_user_queues() - Let the device file's user queues run
 * @test: the test
 * @fix: the fixture
 *
 * Arms a new eviction fence, as the user-queue restore worker does when
 * it has mapped the queues; the fixture has no queue, so it is attached
 * to no BO.
 *
 * Return: a reference to the armed fence (the test fails if it cannot
 * be made).
 */
struct dma_fence *amdgpu_svm_test_vm_arm_user_queues(struct kunit *test,
						     struct amdgpu_svm_test_vm *fix)
{
	struct amdgpu_fpriv *fpriv = fix->fpriv;
	struct drm_exec exec;
	int ret;

	drm_exec_init(&exec, 0, 0);
	mutex_lock(&fpriv->userq_mgr.userq_mutex);
	ret = amdgpu_evf_mgr_rearm(&fpriv->evf_mgr, &exec);
	mutex_unlock(&fpriv->userq_mgr.userq_mutex);
	drm_exec_fini(&exec);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return amdgpu_evf_mgr_get_fence(&fpriv->evf_mgr);
}

/**
 * amdgpu_svm_test_vm_fini_svm() - Tear down the VM's SVM, keep the VM
 * @fix: the fixture
 */
void amdgpu_svm_test_vm_fini_svm(struct amdgpu_svm_test_vm *fix)
{
	amdgpu_svm_vm_fini(amdgpu_svm_test_vm_vm(fix));
}

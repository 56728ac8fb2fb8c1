// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

/*
 * Included at the end of amdgpu_ttm.c when the SVM KUnit tests are built
 * (the pattern xe uses for static functions): the real-VM fixture needs a
 * TTM device with amdgpu's own buffer-object driver, which is static
 * there, without the rest of amdgpu_ttm_init() (GTT, stolen memory,
 * doorbells, the aperture ioremap), which needs a board.
 */

#include "amdgpu_svm_test_vm.h"

/**
 * amdgpu_svm_test_ttm_init() - Bring up TTM with amdgpu's driver and VRAM manager
 * @adev: the fixture's device, with its VRAM size and aperture set
 *
 * Return: 0 or the error of ttm_device_init() or amdgpu_vram_mgr_init().
 */
int amdgpu_svm_test_ttm_init(struct amdgpu_device *adev)
{
	struct drm_device *ddev = adev_to_drm(adev);
	int ret;

	ret = ttm_device_init(&adev->mman.bdev, &amdgpu_bo_driver, adev->dev,
			      ddev->anon_inode->i_mapping,
			      ddev->vma_offset_manager, 0);
	if (ret)
		return ret;
	adev->mman.initialized = true;
	ret = amdgpu_vram_mgr_init(adev);
	if (ret) {
		adev->mman.initialized = false;
		ttm_device_fini(&adev->mman.bdev);
	}
	return ret;
}

/**
 * amdgpu_svm_test_ttm_fini() - Undo amdgpu_svm_test_ttm_init()
 * @adev: the fixture's device, every buffer object of it gone
 */
void amdgpu_svm_test_ttm_fini(struct amdgpu_device *adev)
{
	amdgpu_vram_mgr_fini(adev);
	adev->mman.initialized = false;
	ttm_device_fini(&adev->mman.bdev);
}

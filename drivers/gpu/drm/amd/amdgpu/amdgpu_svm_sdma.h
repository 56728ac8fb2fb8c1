/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#ifndef __AMDGPU_SVM_SDMA_H__
#define __AMDGPU_SVM_SDMA_H__

#include <linux/types.h>

struct amdgpu_device;
struct dma_fence;

struct dma_fence *amdgpu_svm_sdma_copy(struct amdgpu_device *adev, const u64 *vram,
				       const dma_addr_t *sys, unsigned long npages,
				       bool to_vram, struct dma_fence *wait);

#endif

/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#ifndef __AMDGPU_SVM_IOCTL_H__
#define __AMDGPU_SVM_IOCTL_H__

#include <linux/types.h>

#include "amdgpu_svm_attr.h"

struct drm_amdgpu_gem_svm;
struct mm_struct;

int amdgpu_svm_ioctl_check_first(const struct drm_amdgpu_gem_svm *args, struct mm_struct *mm);

int amdgpu_svm_ioctl_parse_attrs(struct amdgpu_svm_attr_req *req,
				 const struct drm_amdgpu_svm_attribute *attrs,
				 u32 nattr);
int amdgpu_svm_ioctl_read_attrs(struct amdgpu_svm_attr_tree *tree,
				unsigned long start, unsigned long last,
				struct drm_amdgpu_svm_attribute *attrs, u32 nattr);

#endif

/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#ifndef __AMDGPU_SVM_MIGRATE_H__
#define __AMDGPU_SVM_MIGRATE_H__

#include <linux/types.h>

struct amdgpu_svm;
struct amdgpu_svm_attrs;
struct drm_pagemap;

void amdgpu_svm_migrate_set_pagemap(struct amdgpu_svm *svm, struct drm_pagemap *dpagemap,
				    void *owner);
void amdgpu_svm_migrate_fault(struct amdgpu_svm *svm, const struct amdgpu_svm_attrs *attrs,
			      unsigned long start, unsigned long end);
int amdgpu_svm_migrate_prefetch(struct amdgpu_svm *svm, unsigned long start,
				unsigned long last);

#endif

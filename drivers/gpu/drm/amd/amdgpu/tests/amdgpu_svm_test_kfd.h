/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#ifndef __AMDGPU_SVM_TEST_KFD_H__
#define __AMDGPU_SVM_TEST_KFD_H__

#include <linux/types.h>

struct amdgpu_device;
struct amdgpu_vm;
struct kunit;

/* In kfd_svm.c (tests/amdgpu_svm_test_kfd.c is included there). */
u64 amdgpu_svm_test_kfd_pte(struct kunit *test, struct amdgpu_device *adev,
			    struct amdgpu_vm *vm, u32 kfd_flags, bool readonly);

#endif

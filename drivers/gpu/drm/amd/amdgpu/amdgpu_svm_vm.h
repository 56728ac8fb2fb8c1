/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#ifndef __AMDGPU_SVM_VM_H__
#define __AMDGPU_SVM_VM_H__

#include <linux/errno.h>
#include <linux/types.h>

struct amdgpu_device;
struct amdgpu_fpriv;
struct amdgpu_svm;
struct amdgpu_vm;
struct mm_struct;
struct drm_amdgpu_info_svm;
struct drm_device;
struct drm_file;

#if IS_ENABLED(CONFIG_DRM_AMDGPU_SVM)

int amdgpu_svm_module_init(void);
void amdgpu_svm_module_exit(void);
int amdgpu_svm_vm_ioctl(struct drm_device *dev, void *data,
			struct drm_file *filp);
struct amdgpu_svm *amdgpu_svm_vm_get(struct amdgpu_vm *vm);
bool amdgpu_svm_vm_handle_fault(struct amdgpu_svm *svm,
				struct amdgpu_device *adev, u32 pasid,
				u32 node_id, u64 addr, u64 ts, bool write);
void amdgpu_svm_vm_fini(struct amdgpu_vm *vm);
bool amdgpu_svm_mm_claimed(struct mm_struct *mm);
bool amdgpu_svm_vm_holds_queues(struct amdgpu_vm *vm);
int amdgpu_svm_vm_wait_for_queues(struct amdgpu_vm *vm);
void amdgpu_svm_vm_info(struct amdgpu_device *adev, struct amdgpu_fpriv *fpriv,
			struct drm_amdgpu_info_svm *info);

#else

static inline int amdgpu_svm_module_init(void)
{
	return 0;
}

static inline void amdgpu_svm_module_exit(void)
{
}

static inline int amdgpu_svm_vm_ioctl(struct drm_device *dev, void *data,
				      struct drm_file *filp)
{
	return -EOPNOTSUPP;
}

static inline struct amdgpu_svm *amdgpu_svm_vm_get(struct amdgpu_vm *vm)
{
	return NULL;
}

static inline bool amdgpu_svm_vm_handle_fault(struct amdgpu_svm *svm,
					      struct amdgpu_device *adev,
					      u32 pasid, u32 node_id, u64 addr,
					      u64 ts, bool write)
{
	return false;
}

static inline void amdgpu_svm_vm_fini(struct amdgpu_vm *vm)
{
}

static inline bool amdgpu_svm_mm_claimed(struct mm_struct *mm)
{
	return false;
}

static inline bool amdgpu_svm_vm_holds_queues(struct amdgpu_vm *vm)
{
	return false;
}

static inline int amdgpu_svm_vm_wait_for_queues(struct amdgpu_vm *vm)
{
	return 0;
}

static inline void amdgpu_svm_vm_info(struct amdgpu_device *adev,
				      struct amdgpu_fpriv *fpriv,
				      struct drm_amdgpu_info_svm *info)
{
}

#endif

#endif

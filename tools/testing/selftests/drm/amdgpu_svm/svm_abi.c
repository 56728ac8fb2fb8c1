// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Compile-time check of the DRM_AMDGPU_GEM_SVM ABI against the exported
 * header.  The ROCm runtime's DRM backend and its libdrm-style wrappers
 * depend on exactly this shape; a change here breaks them.  Building this
 * file is the test; running it only reports success.
 */
#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <drm/amdgpu_drm.h>

#define ABI(cond) static_assert(cond, #cond)

ABI(DRM_AMDGPU_GEM_SVM == 0x1B);
ABI(DRM_AMDGPU_PROC_OPTIONS == 0x1A);
ABI(DRM_IOCTL_AMDGPU_GEM_SVM ==
	DRM_IOWR(DRM_COMMAND_BASE + 0x1B, struct drm_amdgpu_gem_svm));

ABI(sizeof(struct drm_amdgpu_svm_attribute) == 8);
ABI(offsetof(struct drm_amdgpu_svm_attribute, type) == 0);
ABI(offsetof(struct drm_amdgpu_svm_attribute, value) == 4);

ABI(sizeof(struct drm_amdgpu_gem_svm) == 32);
ABI(offsetof(struct drm_amdgpu_gem_svm, start_addr) == 0);
ABI(offsetof(struct drm_amdgpu_gem_svm, size) == 8);
ABI(offsetof(struct drm_amdgpu_gem_svm, operation) == 16);
ABI(offsetof(struct drm_amdgpu_gem_svm, nattr) == 20);
ABI(offsetof(struct drm_amdgpu_gem_svm, attrs_ptr) == 24);

ABI(AMDGPU_SVM_OP_SET_ATTR == 0);
ABI(AMDGPU_SVM_OP_GET_ATTR == 1);
ABI(AMDGPU_SVM_OP_RESET_ATTR == 2);

ABI(AMDGPU_SVM_ATTR_PREFERRED_LOC == 0);
ABI(AMDGPU_SVM_ATTR_PREFETCH_LOC == 1);
ABI(AMDGPU_SVM_ATTR_ACCESS == 2);
ABI(AMDGPU_SVM_ATTR_GRANULARITY == 3);
ABI(AMDGPU_SVM_ATTR_HOST_ACCESS == 4);
ABI(AMDGPU_SVM_ATTR_COHERENT == 5);
ABI(AMDGPU_SVM_ATTR_EXT_COHERENT == 6);
ABI(AMDGPU_SVM_ATTR_HIVE_LOCAL == 7);
ABI(AMDGPU_SVM_ATTR_GPU_RO == 8);
ABI(AMDGPU_SVM_ATTR_GPU_EXEC == 9);
ABI(AMDGPU_SVM_ATTR_GPU_READ_MOSTLY == 10);

ABI(AMDGPU_SVM_ACCESS_INACCESSIBLE == 0);
ABI(AMDGPU_SVM_ACCESS_IN_PLACE == 1);
ABI(AMDGPU_SVM_ACCESS_ALLOW_MIGRATE == 2);

ABI(AMDGPU_SVM_LOCATION_SYSMEM == 0);
ABI(AMDGPU_SVM_LOCATION_LOCAL == 1);
ABI(AMDGPU_SVM_LOCATION_UNDEFINED == 0xffffffffu);

int main(void)
{
	printf("ok 1 svm_abi: DRM_AMDGPU_GEM_SVM ABI matches\n");
	return 0;
}

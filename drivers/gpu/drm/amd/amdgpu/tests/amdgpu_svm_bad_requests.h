/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

/*
 * The DRM_AMDGPU_GEM_SVM requests the kernel must refuse, and the errno of
 * each: one table for the KUnit ioctl suite and the kselftest, which
 * includes this file from the kernel tree, so that both check the same
 * ABI. Each request is made on a span inside one mapping that holds
 * attributes already, and must leave them as they were.
 *
 * The includer defines, before including this file:
 *   SVM_BAD_REQUEST(what, errno, op, type, value, nattr, start, size)
 *	one entry: @start and @size are the span, in bytes from the start
 *	of the mapping, @type and @value the one attribute passed;
 *   SVM_BAD_UNIT	a multiple of the page size;
 *   SVM_BAD_END	the size of the mapping, at least 2 * SVM_BAD_UNIT.
 */
/* Unknown operation and attribute type: one past the last of each. */
SVM_BAD_REQUEST("unknown operation", EINVAL, AMDGPU_SVM_OP_RESET_ATTR + 1,
		AMDGPU_SVM_ATTR_ACCESS, 1, 1, 0, SVM_BAD_UNIT)
SVM_BAD_REQUEST("size 0", EINVAL, AMDGPU_SVM_OP_SET_ATTR,
		AMDGPU_SVM_ATTR_ACCESS, 1, 1, 0, 0)
SVM_BAD_REQUEST("misaligned start", EINVAL, AMDGPU_SVM_OP_SET_ATTR,
		AMDGPU_SVM_ATTR_ACCESS, 1, 1, 1, SVM_BAD_UNIT)
SVM_BAD_REQUEST("misaligned size", EINVAL, AMDGPU_SVM_OP_SET_ATTR,
		AMDGPU_SVM_ATTR_ACCESS, 1, 1, 0, SVM_BAD_UNIT + 1)
/* The limit is 1024 attributes per request. */
SVM_BAD_REQUEST("too many attributes", EINVAL, AMDGPU_SVM_OP_SET_ATTR,
		AMDGPU_SVM_ATTR_ACCESS, 1, 1025, 0, SVM_BAD_UNIT)
SVM_BAD_REQUEST("RESET with attributes", EINVAL, AMDGPU_SVM_OP_RESET_ATTR,
		AMDGPU_SVM_ATTR_ACCESS, 1, 1, 0, SVM_BAD_UNIT)
SVM_BAD_REQUEST("unknown type", EINVAL, AMDGPU_SVM_OP_SET_ATTR,
		AMDGPU_SVM_ATTR_GPU_READ_MOSTLY + 1, 1, 1, 0, SVM_BAD_UNIT)
SVM_BAD_REQUEST("GET of unknown type", EINVAL, AMDGPU_SVM_OP_GET_ATTR,
		AMDGPU_SVM_ATTR_GPU_READ_MOSTLY + 1, 0, 1, 0, SVM_BAD_UNIT)
SVM_BAD_REQUEST("access 3", EINVAL, AMDGPU_SVM_OP_SET_ATTR,
		AMDGPU_SVM_ATTR_ACCESS, 3, 1, 0, SVM_BAD_UNIT)
SVM_BAD_REQUEST("boolean 2", EINVAL, AMDGPU_SVM_OP_SET_ATTR,
		AMDGPU_SVM_ATTR_GPU_RO, 2, 1, 0, SVM_BAD_UNIT)
SVM_BAD_REQUEST("location 7", EINVAL, AMDGPU_SVM_OP_SET_ATTR,
		AMDGPU_SVM_ATTR_PREFERRED_LOC, 7, 1, 0, SVM_BAD_UNIT)
SVM_BAD_REQUEST("span beyond the mapping", EFAULT, AMDGPU_SVM_OP_SET_ATTR,
		AMDGPU_SVM_ATTR_ACCESS, 1, 1, SVM_BAD_END - SVM_BAD_UNIT,
		2 * SVM_BAD_UNIT)
SVM_BAD_REQUEST("GET beyond the mapping", EFAULT, AMDGPU_SVM_OP_GET_ATTR,
		AMDGPU_SVM_ATTR_ACCESS, 0, 1, SVM_BAD_END - SVM_BAD_UNIT,
		2 * SVM_BAD_UNIT)

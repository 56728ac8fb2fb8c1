/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#ifndef __AMDGPU_SVM_TEST_WALK_H__
#define __AMDGPU_SVM_TEST_WALK_H__

#include <linux/types.h>

struct amdgpu_device;
struct amdgpu_vm;

/**
 * struct amdgpu_svm_test_gpu_page - What a GPU reaches at one virtual page
 * @valid: a valid leaf entry translates the page
 * @readable: the leaf allows reads
 * @writeable: the leaf allows writes
 * @executable: the leaf allows execution
 * @system: the page is system memory (@addr is a DMA address)
 * @snooped: accesses snoop the CPU caches
 * @is_pte: the GFX12 "is a PTE" bit
 * @mtype: the memory type field, as the generation encodes it
 * @frag: the fragment field: the leaf claims that the 2^@frag pages of
 *	its aligned block are valid and contiguous (amdgpu_vm_pte_fragment())
 * @addr: the address of the page the GPU reaches
 * @pte: the raw leaf entry
 * @leaf_level: the page-table level of the leaf (&enum amdgpu_vm_level)
 * @error: why the walk stopped early, or NULL
 */
struct amdgpu_svm_test_gpu_page {
	bool valid;
	bool readable;
	bool writeable;
	bool executable;
	bool system;
	bool snooped;
	bool is_pte;
	u32 mtype;
	unsigned int frag;
	u64 addr;
	u64 pte;
	unsigned int leaf_level;
	const char *error;
};

void amdgpu_svm_test_walk(struct amdgpu_device *adev, struct amdgpu_vm *vm,
			  const void *vram, u64 gpu_page,
			  struct amdgpu_svm_test_gpu_page *out);

#endif

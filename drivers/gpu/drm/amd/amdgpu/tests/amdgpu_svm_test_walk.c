// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

/**
 * DOC: GPU page-table walker
 *
 * amdgpu_svm_test_walk() translates one GPU virtual page the way the
 * VM block of the GPU would: it starts from the page directory base that
 * amdgpu programs for the VM (amdgpu_gmc_pd_addr() of the root), reads
 * each directory entry from the (fake) VRAM it points to, and stops at the
 * leaf. It knows nothing of &struct amdgpu_vm_bo_base or of SVM: it reads
 * only the bits amdgpu wrote, decoded by the format of each generation:
 *
 * - GFX9 (with "translate further" where the GMC enables it, as on
 *   GC 9.4.3): a PDB0 entry with AMDGPU_PTE_TF points to a page table,
 *   one without it is a 2 MiB leaf; MTYPE in bits 57-58.
 * - GFX10 and GFX11: AMDGPU_PDE_PTE marks a directory entry that is a
 *   leaf; MTYPE in bits 48-50.
 * - GFX12: AMDGPU_PDE_PTE_GFX12 (bit 63) marks a leaf directory entry,
 *   AMDGPU_PTE_IS_PTE the same bit in a PTE; MTYPE in bits 54-55.
 *
 * Directory entries hold VRAM physical addresses (vram_base_offset
 * based), which the walker turns into offsets into the memory behind the
 * VRAM, read directly (not through the aperture amdgpu writes through).
 */

#include <linux/io.h>

#include "../amdgpu.h"
#include "../amdgpu_vm.h"
#include "amdgpu_svm_test_walk.h"

#define WALK_ADDR_MASK	0x0000FFFFFFFFF000ULL

static bool walk_is_gfx12(struct amdgpu_device *adev)
{
	return amdgpu_ip_version(adev, GC_HWIP, 0) >= IP_VERSION(12, 0, 0);
}

/* The pfn shift of a level (the format, as amdgpu lays it out). */
static unsigned int walk_level_shift(struct amdgpu_device *adev,
				     unsigned int level)
{
	if (level == AMDGPU_VM_PTB)
		return 0;
	return 9 * (AMDGPU_VM_PDB0 - level) + adev->vm_manager.block_size;
}

static u64 walk_entries(struct amdgpu_device *adev, unsigned int level)
{
	unsigned int shift = walk_level_shift(adev, level);

	if (level == adev->vm_manager.root_level)
		return round_up(adev->vm_manager.max_pfn, 1ULL << shift) >> shift;
	if (level == AMDGPU_VM_PTB)
		return 1ULL << adev->vm_manager.block_size;
	return 512;
}

/* Whether directory entry @e at @level is a leaf rather than a pointer. */
static bool walk_pde_is_leaf(struct amdgpu_device *adev, unsigned int level,
			     u64 e)
{
	if (walk_is_gfx12(adev))
		return e & AMDGPU_PDE_PTE_GFX12;
	if (adev->gmc.translate_further && level == AMDGPU_VM_PDB0)
		return !(e & AMDGPU_PTE_TF);
	return e & AMDGPU_PDE_PTE;
}

static u32 walk_mtype(struct amdgpu_device *adev, u64 e)
{
	u32 gc = amdgpu_ip_version(adev, GC_HWIP, 0);

	if (gc >= IP_VERSION(12, 0, 0))
		return (e >> 54) & 3;
	if (gc >= IP_VERSION(10, 0, 0))
		return (e >> 48) & 7;
	return (e >> 57) & 3;
}

/* The CPU address of the table that entry @e points to, or NULL. */
static const u64 *walk_table(struct amdgpu_device *adev, const void *vram,
			     u64 e, unsigned int level)
{
	u64 offset = (e & WALK_ADDR_MASK) - adev->vm_manager.vram_base_offset;

	if (e & AMDGPU_PTE_SYSTEM)
		return NULL;	/* the fixture keeps every table in VRAM */
	if (offset + walk_entries(adev, level) * 8 > adev->gmc.real_vram_size)
		return NULL;
	return (const u64 *)((const u8 *)vram + offset);
}

static void walk_decode_leaf(struct amdgpu_device *adev, u64 e, u64 in_leaf,
			     unsigned int level,
			     struct amdgpu_svm_test_gpu_page *out)
{
	out->pte = e;
	out->leaf_level = level;
	out->valid = e & AMDGPU_PTE_VALID;
	out->system = e & AMDGPU_PTE_SYSTEM;
	out->snooped = e & AMDGPU_PTE_SNOOPED;
	out->executable = e & AMDGPU_PTE_EXECUTABLE;
	out->readable = e & AMDGPU_PTE_READABLE;
	out->writeable = e & AMDGPU_PTE_WRITEABLE;
	out->is_pte = walk_is_gfx12(adev) && (e & AMDGPU_PTE_IS_PTE);
	out->mtype = walk_mtype(adev, e);
	out->frag = (e >> 7) & 0x1f;	/* AMDGPU_PTE_FRAG() */
	out->addr = (e & WALK_ADDR_MASK) + (in_leaf << AMDGPU_GPU_PAGE_SHIFT);
}

/**
 * amdgpu_svm_test_walk() - Translate a GPU page through the real page tables
 * @adev: the device
 * @vm: the VM
 * @vram: the memory behind the device's VRAM, from its first byte
 * @gpu_page: the GPU virtual page number (4 KiB pages)
 * @out: what the GPU reaches there; @out->valid is false where nothing
 *	valid translates the page, @out->error says why a walk broke off
 *
 * Reads the tables with plain loads: call it where no update runs.
 */
void amdgpu_svm_test_walk(struct amdgpu_device *adev, struct amdgpu_vm *vm,
			  const void *vram, u64 gpu_page,
			  struct amdgpu_svm_test_gpu_page *out)
{
	unsigned int level = adev->vm_manager.root_level;
	u64 e = amdgpu_gmc_pd_addr(vm->root.bo);

	memset(out, 0, sizeof(*out));
	for (;;) {
		unsigned int shift = walk_level_shift(adev, level);
		u64 idx = gpu_page >> shift;
		const u64 *table;

		if (level != adev->vm_manager.root_level)
			idx &= walk_entries(adev, level) - 1;
		if (idx >= walk_entries(adev, level)) {
			out->error = "address beyond the root directory";
			return;
		}
		table = walk_table(adev, vram, e, level);
		if (!table) {
			out->error = "directory entry points outside VRAM";
			return;
		}
		e = READ_ONCE(table[idx]);
		if (level == AMDGPU_VM_PTB || walk_pde_is_leaf(adev, level, e)) {
			walk_decode_leaf(adev, e, gpu_page & ((1ULL << shift) - 1),
					 level, out);
			return;
		}
		if (!(e & AMDGPU_PTE_VALID))
			return;
		level++;
	}
}

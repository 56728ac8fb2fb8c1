// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

/**
 * DOC: SVM test helpers
 *
 * Helpers shared by the amdgpu SVM KUnit suites.  They give a test a real
 * user address space (the test task's own mm, attached with
 * kunit_attach_mm()), anonymous memory in it, a fake DRM device that can
 * DMA-map pages, and a way to read a page back through its DMA address.
 * Every page filled by amdgpu_svm_test_fill() starts with a 64-bit value
 * that names the page, so a DMA address can be checked against the CPU
 * page it must belong to.
 */

#include <kunit/test.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/fault-inject.h>
#include <linux/highmem.h>
#include <linux/kmsg_dump.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/moduleparam.h>
#include <linux/ptrace.h>
#include <linux/random.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>

#include <drm/drm_device.h>
#include <drm/drm_kunit_helpers.h>

#include "../amdgpu_svm.h"
#include "../amdgpu_svm_test_hooks.h"
#include "amdgpu_svm_test_helpers.h"

/* Off (probability 0, no countdown) until a test asks for a failure. */
DECLARE_FAULT_ATTR(amdgpu_svm_fail_alloc);
atomic_t amdgpu_svm_fail_alloc_nth = ATOMIC_INIT(0);

static void amdgpu_svm_test_fail_none(void *unused)
{
	WRITE_ONCE(amdgpu_svm_fail_alloc.probability, 0);
	atomic_set(&amdgpu_svm_fail_alloc_nth, 0);
}

/**
 * amdgpu_svm_test_fail_alloc() - Make SVM's allocations fail from now on
 * @test: the test; injection is turned off again when it ends, even if it
 *	fails before it turns injection off itself
 * @n: fail the @n-th allocation from now, and only that one; fail every
 *	allocation if @n is negative; fail none (injection off) if @n is 0
 *
 * The allocations counted are those amdgpu_svm_should_fail_alloc() guards,
 * in every SVM: a test that counts them must have no other SVM at work.
 * Exactly one allocation fails for @n > 0, also when workers allocate
 * meanwhile (which one may then depend on timing).
 */
void amdgpu_svm_test_fail_alloc(struct kunit *test, int n)
{
	struct fault_attr *attr = &amdgpu_svm_fail_alloc;

	amdgpu_svm_test_fail_none(NULL);
	if (!n)
		return;
	/* One action per test, however often it arms injection. */
	kunit_remove_action(test, amdgpu_svm_test_fail_none, NULL);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, amdgpu_svm_test_fail_none, NULL), 0);
	if (n > 0) {
		atomic_set(&amdgpu_svm_fail_alloc_nth, n);
		return;
	}
	attr->interval = 1;
	attr->verbose = 0;
	atomic_set(&attr->space, 0);
	atomic_set(&attr->times, -1);
	/*
	 * should_fail_ex() reads the attribute without barriers: arm it
	 * last, so that a caller on another CPU at worst misses one failure.
	 */
	smp_wmb();
	WRITE_ONCE(attr->probability, 100);
}

/**
 * amdgpu_svm_test_log_mark() - Mark where the kernel log stands
 *
 * Return: the sequence number of the next kernel log record, for
 * amdgpu_svm_test_log_has().
 */
u64 amdgpu_svm_test_log_mark(void)
{
	struct kmsg_dump_iter iter;

	kmsg_dump_rewind(&iter);
	return iter.next_seq;
}

/**
 * amdgpu_svm_test_log_has() - Look for a line in the kernel log
 * @test: the test, for the line buffer
 * @mark: where to start, from amdgpu_svm_test_log_mark()
 * @needle: the text a line must hold
 *
 * Reads the kernel's own log records, the ones dmesg shows, from @mark on:
 * a test that checks a warning checks what a user would see.
 *
 * Return: whether a record since @mark holds @needle.
 */
bool amdgpu_svm_test_log_has(struct kunit *test, u64 mark, const char *needle)
{
	struct kmsg_dump_iter iter;
	size_t size = 1024, len;
	bool found = false;
	char *line;

	line = kunit_kmalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, line);
	kmsg_dump_rewind(&iter);
	iter.cur_seq = max(iter.cur_seq, mark);
	while (!found && kmsg_dump_get_line(&iter, false, line, size - 1, &len)) {
		line[len] = '\0';
		found = strstr(line, needle);
	}
	kunit_kfree(test, line);
	return found;
}

static unsigned int svm_test_seed;
module_param_named(svm_test_seed, svm_test_seed, uint, 0444);
MODULE_PARM_DESC(svm_test_seed, "Seed of the SVM KUnit random tests (0 = random)");

/**
 * amdgpu_svm_test_seed() - The seed of a random test
 *
 * Return: the amdgpu.svm_test_seed parameter, or a random seed if it is 0.
 * Tests print the seed so that a failure can be repeated.
 */
u32 amdgpu_svm_test_seed(void)
{
	return svm_test_seed ?: get_random_u32();
}

/**
 * amdgpu_svm_test_drm_device() - Create a DRM device that can DMA-map pages
 * @test: the test; the device goes away with it
 *
 * Return: the device (the test fails if it cannot be created).
 */
struct drm_device *amdgpu_svm_test_drm_device(struct kunit *test)
{
	struct drm_device *drm;
	struct device *dev;

	dev = drm_kunit_helper_alloc_device(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);

	drm = __drm_kunit_helper_alloc_drm_device(test, dev, sizeof(*drm), 0, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, drm);
	return drm;
}

/**
 * amdgpu_svm_test_mmap() - Map anonymous read-write memory in the test's mm
 * @test: the test; the mapping is removed with it
 * @size: bytes to map, a multiple of PAGE_SIZE
 * @align: alignment of the start address, a power of two >= PAGE_SIZE
 *
 * Attaches a user mm to the test task first if it has none.
 *
 * Return: the start address (the test fails if nothing could be mapped).
 */
unsigned long amdgpu_svm_test_mmap(struct kunit *test, unsigned long size,
				   unsigned long align)
{
	unsigned long addr, start;

	addr = kunit_vm_mmap(test, NULL, 0, size + align, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	KUNIT_ASSERT_NE(test, addr, 0);

	start = ALIGN(addr, align);
	if (start > addr)
		KUNIT_ASSERT_EQ(test, vm_munmap(addr, start - addr), 0);
	if (addr + align > start)
		KUNIT_ASSERT_EQ(test, vm_munmap(start + size, addr + align - start), 0);
	return start;
}

/**
 * amdgpu_svm_test_mprotect() - mprotect() in the test task's address space
 * @test: the test; skipped where the syscall cannot be called from here
 * @addr: first byte, page aligned
 * @len: bytes
 * @prot: PROT_* bits
 *
 * Return: what mprotect() returns.
 */
int amdgpu_svm_test_mprotect(struct kunit *test, unsigned long addr,
			     size_t len, unsigned long prot)
{
#if defined(CONFIG_X86_64) && defined(CONFIG_ARCH_HAS_SYSCALL_WRAPPER)
	/* The entry x86_64's syscall dispatch calls, which no header declares. */
	extern long __x64_sys_mprotect(const struct pt_regs *regs);
	struct pt_regs regs = { .di = addr, .si = len, .dx = prot };

	return __x64_sys_mprotect(&regs);
#elif defined(CONFIG_ARCH_HAS_SYSCALL_WRAPPER)
	kunit_skip(test, "no sys_mprotect() to call on this architecture");
	return -EOPNOTSUPP;
#else
	return sys_mprotect(addr, len, prot);
#endif
}

/**
 * amdgpu_svm_test_cpu_access() - What the CPU's VMA allows at an address
 * @mm: the address space
 * @addr: the address
 *
 * Return: 0 if no VMA grants reads there, 1 for read-only, 2 for read-write.
 */
int amdgpu_svm_test_cpu_access(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;
	int access = 0;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (vma && (vma->vm_flags & VM_READ))
		access = vma->vm_flags & VM_WRITE ? 2 : 1;
	mmap_read_unlock(mm);
	return access;
}

/**
 * amdgpu_svm_test_gpu_reach() - How far the GPU may reach one page
 * @svm: the SVM, locked
 * @addr: the address
 * @attrs: filled in with the page's attributes
 *
 * Return: 0 if the GPU may not reach the page (INACCESSIBLE, or no VMA
 * grants reads), otherwise amdgpu_svm_test_cpu_access(); -ENOMEM if the
 * attributes could not be looked up.
 */
int amdgpu_svm_test_gpu_reach(struct amdgpu_svm *svm, unsigned long addr,
			      struct amdgpu_svm_attrs *attrs)
{
	unsigned long s, l;

	if (amdgpu_svm_attr_tree_lookup(&svm->attrs, addr >> PAGE_SHIFT, attrs, &s, &l))
		return -ENOMEM;
	if (attrs->access == AMDGPU_SVM_ACCESS_INACCESSIBLE)
		return 0;
	return amdgpu_svm_test_cpu_access(svm->gpusvm.mm, addr);
}

/**
 * amdgpu_svm_test_page_mismatch() - What differs between a GPU page and the CPU's
 * @dev: the device the GPU page is DMA-mapped for
 * @addr: the CPU address
 * @dma: the DMA address the GPU maps for it
 *
 * Return: NULL if @dma holds what the CPU reads at @addr, else why not.
 */
const char *amdgpu_svm_test_page_mismatch(struct device *dev, unsigned long addr,
					  dma_addr_t dma)
{
	u64 val;

	if (copy_from_user(&val, (void __user *)addr, sizeof(val)))
		return "CPU cannot read the page";
	if (!amdgpu_svm_test_dma_holds(dev, dma, val))
		return "GPU page is not the CPU's page";
	return NULL;
}

/**
 * amdgpu_svm_test_request() - Make a DRM_AMDGPU_GEM_SVM request, its array in user memory
 * @test: the test
 * @uattrs: a user page that holds the attribute array
 * @op: the operation
 * @start: first byte of the span
 * @size: bytes
 * @attrs: the attributes, copied to @uattrs
 * @nattr: how many
 *
 * Return: the request, as userspace would pass it.
 */
struct drm_amdgpu_gem_svm amdgpu_svm_test_request(struct kunit *test, unsigned long uattrs,
						  u32 op, unsigned long start,
						  unsigned long size,
						  const struct drm_amdgpu_svm_attribute *attrs,
						  u32 nattr)
{
	KUNIT_ASSERT_LE(test, nattr * sizeof(*attrs), PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)uattrs, attrs,
					   nattr * sizeof(*attrs)), 0);
	return (struct drm_amdgpu_gem_svm) {
		.start_addr = start,
		.size = size,
		.operation = op,
		.nattr = nattr,
		.attrs_ptr = uattrs,
	};
}

/**
 * amdgpu_svm_test_request_answer() - Read a request's attribute array back
 * @test: the test
 * @args: the request, from amdgpu_svm_test_request()
 * @attrs: filled in from user memory (the answers of a GET)
 */
void amdgpu_svm_test_request_answer(struct kunit *test, const struct drm_amdgpu_gem_svm *args,
				    struct drm_amdgpu_svm_attribute *attrs)
{
	KUNIT_ASSERT_EQ(test, copy_from_user(attrs, u64_to_user_ptr(args->attrs_ptr),
					     args->nattr * sizeof(*attrs)), 0);
}

/**
 * amdgpu_svm_test_pattern() - The value that names one page of a fill
 * @seed: the fill's seed
 * @addr: any address inside the page
 *
 * Return: the 64-bit value amdgpu_svm_test_fill() writes at the page start.
 */
u64 amdgpu_svm_test_pattern(u32 seed, unsigned long addr)
{
	return ((u64)seed << 32) ^ (addr >> PAGE_SHIFT);
}

/**
 * amdgpu_svm_test_fill() - Write a page-naming value into every page of a span
 * @test: the test
 * @start: page-aligned user address
 * @size: bytes, a multiple of PAGE_SIZE
 * @seed: mixed into every value, so two fills of one page differ
 *
 * The writes go through copy_to_user(), so they fault the pages in as the
 * CPU would.
 */
void amdgpu_svm_test_fill(struct kunit *test, unsigned long start,
			  unsigned long size, u32 seed)
{
	unsigned long addr;

	for (addr = start; addr < start + size; addr += PAGE_SIZE) {
		u64 val = amdgpu_svm_test_pattern(seed, addr);

		KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)addr, &val,
						   sizeof(val)), 0);
	}
}

/**
 * amdgpu_svm_test_fill_scattered() - Fill user memory so no neighbours touch
 * @test: the test
 * @start: page-aligned user address
 * @size: bytes, a multiple of PAGE_SIZE
 * @seed: as for amdgpu_svm_test_fill()
 *
 * As amdgpu_svm_test_fill(), but faults the even pages in first and the
 * odd ones after them. The page allocator hands out neighbouring physical
 * pages to faults in a row, so memory filled in order tends to be one
 * physically contiguous run, which amdgpu maps in fragments; filled this
 * way, no two neighbouring virtual pages are neighbours in physical
 * memory, and each PTE maps one page.
 */
void amdgpu_svm_test_fill_scattered(struct kunit *test, unsigned long start,
				    unsigned long size, u32 seed)
{
	unsigned long addr;
	int odd;

	for (odd = 0; odd < 2; odd++) {
		for (addr = start + odd * PAGE_SIZE; addr < start + size;
		     addr += 2 * PAGE_SIZE) {
			u64 val = amdgpu_svm_test_pattern(seed, addr);

			KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)addr, &val,
							   sizeof(val)), 0);
		}
	}
}

/**
 * amdgpu_svm_test_dma_holds() - Read a page through its DMA address
 * @dev: the device the address was mapped for
 * @addr: DMA address of the start of a page
 * @expected: the value the page must start with
 *
 * Only valid for direct DMA (no IOMMU), which is what UML offers.
 *
 * Return: true if the page behind @addr starts with @expected.
 */
bool amdgpu_svm_test_dma_holds(struct device *dev, dma_addr_t addr,
			       u64 expected)
{
	phys_addr_t phys = dma_to_phys(dev, addr);
	struct page *page = pfn_to_page(PHYS_PFN(phys));
	u64 *vaddr;
	u64 val;

	vaddr = kmap_local_page(page);
	val = vaddr[offset_in_page(phys) / sizeof(u64)];
	kunmap_local(vaddr);
	return val == expected;
}

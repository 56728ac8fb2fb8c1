/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#ifndef __AMDGPU_SVM_TEST_HELPERS_H__
#define __AMDGPU_SVM_TEST_HELPERS_H__

#include <linux/types.h>

struct amdgpu_svm;
struct amdgpu_svm_attrs;
struct device;
struct drm_amdgpu_gem_svm;
struct drm_amdgpu_svm_attribute;
struct drm_device;
struct kunit;
struct mm_struct;

struct drm_device *amdgpu_svm_test_drm_device(struct kunit *test);
unsigned long amdgpu_svm_test_mmap(struct kunit *test, unsigned long size,
				   unsigned long align);
int amdgpu_svm_test_cpu_access(struct mm_struct *mm, unsigned long addr);
int amdgpu_svm_test_gpu_reach(struct amdgpu_svm *svm, unsigned long addr,
			      struct amdgpu_svm_attrs *attrs);
const char *amdgpu_svm_test_page_mismatch(struct device *dev, unsigned long addr,
					  dma_addr_t dma);
int amdgpu_svm_test_mprotect(struct kunit *test, unsigned long addr,
			     size_t len, unsigned long prot);
struct drm_amdgpu_gem_svm amdgpu_svm_test_request(struct kunit *test, unsigned long uattrs,
						  u32 op, unsigned long start,
						  unsigned long size,
						  const struct drm_amdgpu_svm_attribute *attrs,
						  u32 nattr);
void amdgpu_svm_test_request_answer(struct kunit *test, const struct drm_amdgpu_gem_svm *args,
				    struct drm_amdgpu_svm_attribute *attrs);
u32 amdgpu_svm_test_seed(void);
u64 amdgpu_svm_test_pattern(u32 seed, unsigned long addr);
void amdgpu_svm_test_fill(struct kunit *test, unsigned long start,
			  unsigned long size, u32 seed);
void amdgpu_svm_test_fill_scattered(struct kunit *test, unsigned long start,
				    unsigned long size, u32 seed);
bool amdgpu_svm_test_dma_holds(struct device *dev, dma_addr_t addr,
			       u64 expected);
void amdgpu_svm_test_fail_alloc(struct kunit *test, int n);
u64 amdgpu_svm_test_log_mark(void);
bool amdgpu_svm_test_log_has(struct kunit *test, u64 mark, const char *needle);
void amdgpu_svm_test_fuzz(struct kunit *test, unsigned int iterations);
bool amdgpu_svm_test_bench_requested(void);
void amdgpu_svm_test_bench_report(struct kunit *test, const char *bench, const char *param,
				  u64 value, const char *unit);
u64 amdgpu_svm_test_bench_median(u64 *v, int n);

#endif

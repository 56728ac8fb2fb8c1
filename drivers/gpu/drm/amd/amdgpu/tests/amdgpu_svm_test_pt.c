// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

/**
 * DOC: SVM software page table
 *
 * The KUnit suites replace the hardware touch points of SVM
 * (&struct amdgpu_svm_gpu_ops) with a software page table: one entry per
 * GPU page, holding the DMA address and the PTE bits. It checks the same
 * context contracts the amdgpu implementation relies on, so that a run
 * with lockdep on means something: the map path holds the page-table lock
 * and the notifier lock and runs in a no-reclaim scope; the clear path
 * holds the notifier lock for write and allocates nothing. At the end of
 * every invalidation it checks that no entry of the span survived.
 *
 * amdgpu_svm_test_mirror_check() compares the table with the CPU: every
 * page of an accessible interval in a VMA that grants access must be
 * mapped (XNACK off) to the DMA address of the page the CPU sees there,
 * with the PTE bits its attributes and VMA call for, and no other page may
 * be mapped.
 */

#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include <drm/drm_device.h>

#include "../amdgpu_svm_test_hooks.h"
#include "../amdgpu_svm_ioctl.h"
#include "../amdgpu_svm_range.h"
#include "amdgpu_svm_test_helpers.h"
#include "amdgpu_svm_test_pt.h"

static struct amdgpu_svm_test_pt *to_pt(struct amdgpu_svm *svm)
{
	return svm->ops_priv;
}

static int pt_lock(struct amdgpu_svm *svm)
{
	mutex_lock(&to_pt(svm)->lock);
	return 0;
}

/*
 * Unmap the next page of the churn from another thread, as a process's
 * malloc and free would while SVM maps: it waits for the mmap lock that
 * the map path may hold.
 */
static void pt_churn_work(struct work_struct *work)
{
	struct amdgpu_svm_test_pt *pt = container_of(work, struct amdgpu_svm_test_pt,
						     churn_work);
	struct mm_struct *mm = pt->svm.mm;
	unsigned long addr = READ_ONCE(pt->churn);

	if (!addr || addr >= pt->churn_end || !mmget_not_zero(mm))
		return;
	kthread_use_mm(mm);
	vm_munmap(addr, PAGE_SIZE);
	kthread_unuse_mm(mm);
	mmput(mm);
	/* Not if the churn was stopped meanwhile. */
	cmpxchg(&pt->churn, addr, addr + PAGE_SIZE);
}

static void pt_unlock(struct amdgpu_svm *svm)
{
	struct amdgpu_svm_test_pt *pt = to_pt(svm);

	mutex_unlock(&pt->lock);
	if (READ_ONCE(pt->churn) && current->mm == svm->mm)
		queue_work(system_unbound_wq, &pt->churn_work);
}

static int pt_map(struct amdgpu_svm *svm, unsigned long start,
		  unsigned long last, dma_addr_t *dma, u32 pte)
{
	struct amdgpu_svm_test_pt *pt = to_pt(svm);
	unsigned long page;

	lockdep_assert_held(&pt->lock);
	lockdep_assert_held(&svm->gpusvm.notifier_lock);
	WARN_ON_ONCE(!(current->flags & PF_MEMALLOC));

	atomic64_add(last - start + 1, &pt->pages_written);
	if (pt->count_only)
		return 0;
	for (page = start; page <= last; page++) {
		struct amdgpu_svm_test_pte *e = xa_load(&pt->entries, page);

		if (!e) {
			e = amdgpu_svm_should_fail_alloc() ? NULL : kzalloc_obj(*e);
			if (!e)
				return -ENOMEM;
			if (xa_err(xa_store(&pt->entries, page, e, GFP_KERNEL))) {
				kfree(e);
				return -ENOMEM;
			}
		}
		e->dma = dma[page - start];
		e->pte = pte;
	}
	return 0;
}

static void pt_erase(struct amdgpu_svm_test_pt *pt, unsigned long start,
		     unsigned long last)
{
	XA_STATE(xas, &pt->entries, start);
	struct amdgpu_svm_test_pte *e;

	/* One walk, not a lookup from the root per entry. */
	xas_lock(&xas);
	xas_for_each(&xas, e, last) {
		xas_store(&xas, NULL);
		kfree(e);
	}
	xas_unlock(&xas);
}

/* Whether a test asked for this call to fail (@knob: see &amdgpu_svm_test_pt). */
static bool pt_fails(atomic_t *knob)
{
	return atomic_read(knob) < 0 || atomic_dec_if_positive(knob) >= 0;
}

static int pt_clear(struct amdgpu_svm *svm, unsigned long start,
		    unsigned long last)
{
	lockdep_assert_held_write(&svm->gpusvm.notifier_lock);
	if (pt_fails(&to_pt(svm)->fail_clears))
		return -EBUSY;
	pt_erase(to_pt(svm), start, last);
	return 0;
}

static int pt_flush(struct amdgpu_svm *svm, bool heavy)
{
	lockdep_assert_held_write(&svm->gpusvm.notifier_lock);
	return pt_fails(&to_pt(svm)->fail_flushes) ? -ETIME : 0;
}

static void pt_quiesce(struct amdgpu_svm *svm)
{
	struct amdgpu_svm_test_pt *pt = to_pt(svm);

	atomic_inc(&pt->quiesce_depth);
	atomic_inc(&pt->quiesces);
}

static void pt_resume(struct amdgpu_svm *svm)
{
	struct amdgpu_svm_test_pt *pt = to_pt(svm);

	WARN_ON(atomic_dec_return(&pt->quiesce_depth) < 0);
	atomic_inc(&pt->resumes);
}

/* Watched pages outside [start, last] that lost or changed their entry. */
static int pt_watch_lost(struct amdgpu_svm_test_pt *pt, unsigned long start,
			 unsigned long last)
{
	struct amdgpu_svm_test_pte *e;
	unsigned long page;
	int lost = 0;

	for (page = pt->watch_first; page <= pt->watch_last; page++) {
		if (page >= start && page <= last)
			continue;
		e = xa_load(&pt->entries, page);
		if ((e ? e->dma : 0) != pt->watch[page - pt->watch_first])
			lost++;
	}
	return lost;
}

static void pt_check_invalidated(struct amdgpu_svm *svm, unsigned long start,
				 unsigned long last)
{
	struct amdgpu_svm_test_pt *pt = to_pt(svm);
	struct amdgpu_svm_test_pte *e;
	unsigned long page;

	lockdep_assert_held_write(&svm->gpusvm.notifier_lock);
	xa_for_each_range(&pt->entries, page, e, start, last) {
		atomic_inc(&pt->survivors);
		break;
	}
	if (pt->watch)
		atomic_add(pt_watch_lost(pt, start, last), &pt->watch_lost);
	if (atomic_read(&pt->quiesce_depth))
		atomic_inc(&pt->held_in_notifier);
}

static bool pt_span_in_use(struct amdgpu_svm *svm, unsigned long start,
			   unsigned long last)
{
	struct amdgpu_svm_test_pt *pt = to_pt(svm);

	return pt->gem_start <= pt->gem_last && start <= pt->gem_last &&
	       last >= pt->gem_start;
}

static u64 pt_fault_checkpoint(struct amdgpu_svm *svm)
{
	lockdep_assert_held_write(&svm->gpusvm.notifier_lock);
	return atomic64_read(&to_pt(svm)->checkpoint);
}

static void pt_svm_release(struct amdgpu_svm *svm)
{
	complete(&to_pt(svm)->released);
}

static const struct amdgpu_svm_gpu_ops pt_ops = {
	.lock_pt = pt_lock,
	.unlock_pt = pt_unlock,
	.map = pt_map,
	.clear = pt_clear,
	.flush = pt_flush,
	.quiesce = pt_quiesce,
	.resume = pt_resume,
	.check_invalidated = pt_check_invalidated,
	.span_in_use = pt_span_in_use,
	.fault_checkpoint = pt_fault_checkpoint,
	.release = pt_svm_release,
};

static void pt_release(void *data)
{
	struct amdgpu_svm_test_pt *pt = data;

	WRITE_ONCE(pt->churn, 0);
	amdgpu_svm_fini(&pt->svm);
	cancel_work_sync(&pt->churn_work);
	/* The release notifier drops the last reference after SRCU readers. */
	mmu_notifier_synchronize();
	WARN_ON(!wait_for_completion_timeout(&pt->released, 10 * HZ));
	pt_erase(pt, 0, ULONG_MAX);
	xa_destroy(&pt->entries);
	mutex_destroy(&pt->lock);
}

/**
 * amdgpu_svm_test_pt_watch() - Watch the GPU pages of a span through invalidations
 * @test: the test
 * @pt: the page table
 * @start: first byte
 * @size: bytes
 *
 * Records the DMA address of each page of the span; every invalidation
 * then counts the watched pages outside its own span that lost it.
 */
void amdgpu_svm_test_pt_watch(struct kunit *test, struct amdgpu_svm_test_pt *pt,
			      unsigned long start, unsigned long size)
{
	unsigned long page, n = size >> PAGE_SHIFT;
	struct amdgpu_svm_test_pte *e;
	dma_addr_t *watch;

	watch = kunit_kcalloc(test, n, sizeof(*watch), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, watch);
	down_write(&pt->svm.gpusvm.notifier_lock);
	pt->watch_first = start >> PAGE_SHIFT;
	pt->watch_last = pt->watch_first + n - 1;
	for (page = 0; page < n; page++) {
		e = xa_load(&pt->entries, pt->watch_first + page);
		watch[page] = e ? e->dma : 0;
	}
	atomic_set(&pt->watch_lost, 0);
	pt->watch = watch;
	up_write(&pt->svm.gpusvm.notifier_lock);
}

/**
 * amdgpu_svm_test_pt_unwatch() - Stop watching, and say what was lost
 * @pt: the page table
 * @hole: first byte of the span the test unmapped
 * @size: its size
 *
 * Return: the watched pages that invalidations took outside their span,
 * plus the watched pages outside @hole that differ now.
 */
int amdgpu_svm_test_pt_unwatch(struct amdgpu_svm_test_pt *pt,
			       unsigned long hole, unsigned long size)
{
	int lost;

	down_write(&pt->svm.gpusvm.notifier_lock);
	lost = atomic_read(&pt->watch_lost) +
	       pt_watch_lost(pt, hole >> PAGE_SHIFT, ((hole + size) >> PAGE_SHIFT) - 1);
	pt->watch = NULL;
	up_write(&pt->svm.gpusvm.notifier_lock);
	return lost;
}

/**
 * amdgpu_svm_test_pt_create_on() - An SVM on an mm with a software page table
 * @test: the test; the SVM is torn down with it unless destroyed before
 * @mm: the mm
 * @xnack_on: the mode
 *
 * Return: the page table, whose @svm member is the SVM.
 */
struct amdgpu_svm_test_pt *amdgpu_svm_test_pt_create_on(struct kunit *test,
							struct mm_struct *mm,
							bool xnack_on)
{
	struct amdgpu_svm_test_pt *pt = kunit_kzalloc(test, sizeof(*pt), GFP_KERNEL);
	struct drm_device *drm;

	KUNIT_ASSERT_NOT_NULL(test, pt);
	drm = amdgpu_svm_test_drm_device(test);
	mutex_init(&pt->lock);
	xa_init(&pt->entries);
	init_completion(&pt->released);
	INIT_WORK(&pt->churn_work, pt_churn_work);
	pt->gem_start = 1;
	KUNIT_ASSERT_EQ(test, amdgpu_svm_init(&pt->svm, drm, mm, xnack_on,
					      9, &pt_ops, pt), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pt_release, pt), 0);
	return pt;
}

/**
 * amdgpu_svm_test_pt_create() - An SVM on the test's mm with a software page table
 * @test: the test; the SVM is torn down with it unless destroyed before
 * @xnack_on: the mode
 *
 * Return: the page table, whose @svm member is the SVM.
 */
struct amdgpu_svm_test_pt *amdgpu_svm_test_pt_create(struct kunit *test,
						     bool xnack_on)
{
	KUNIT_ASSERT_EQ(test, kunit_attach_mm(), 0);
	return amdgpu_svm_test_pt_create_on(test, current->mm, xnack_on);
}

/**
 * amdgpu_svm_test_pt_destroy() - Tear the SVM down now and check nothing is left
 * @test: the test
 * @pt: the page table
 */
void amdgpu_svm_test_pt_destroy(struct kunit *test, struct amdgpu_svm_test_pt *pt)
{
	kunit_release_action(test, pt_release, pt);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&pt->svm.nr_ranges), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&pt->svm.work.nr_queued), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&pt->svm.attrs.nr_nodes), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&pt->svm.attrs.unmaps.nr_pending), 0);
	KUNIT_EXPECT_EQ(test, amdgpu_svm_live_read(&pt->svm.attrs.unmaps.nr_notifiers), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->quiesce_depth), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->quiesces), atomic_read(&pt->resumes));
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->survivors), 0);
}

/**
 * amdgpu_svm_test_set() - SET_ATTR of one attribute, without the ioctl
 * @svm: the SVM
 * @addr: page-aligned start
 * @size: bytes, a multiple of PAGE_SIZE
 * @type: the attribute
 * @value: its value
 *
 * Return: as amdgpu_svm_set_attr(), or -EINVAL for an invalid attribute.
 */
int amdgpu_svm_test_set(struct amdgpu_svm *svm, unsigned long addr,
			unsigned long size, u32 type, u32 value)
{
	struct drm_amdgpu_svm_attribute a = { .type = type, .value = value };
	struct amdgpu_svm_attr_req req;
	int ret = amdgpu_svm_ioctl_parse_attrs(&req, &a, 1);

	return ret ?: amdgpu_svm_set_attr(svm, addr >> PAGE_SHIFT,
					  ((addr + size) >> PAGE_SHIFT) - 1, &req);
}

/**
 * amdgpu_svm_test_set_ok() - amdgpu_svm_test_set() that must succeed
 * @test: the test, which stops here if it does not
 * @svm: the SVM
 * @addr: page-aligned start
 * @size: bytes, a multiple of PAGE_SIZE
 * @type: the attribute
 * @value: its value
 */
void amdgpu_svm_test_set_ok(struct kunit *test, struct amdgpu_svm *svm,
			    unsigned long addr, unsigned long size, u32 type,
			    u32 value)
{
	KUNIT_ASSERT_EQ(test, amdgpu_svm_test_set(svm, addr, size, type, value), 0);
}

/**
 * amdgpu_svm_test_remove_all_ranges() - Remove every range of an SVM
 * @svm: the SVM, not locked
 *
 * After the workers are flushed, so that counters then show only leaks.
 */
void amdgpu_svm_test_remove_all_ranges(struct amdgpu_svm *svm)
{
	unsigned long first = 0, last = (TASK_SIZE >> PAGE_SHIFT) - 1;

	amdgpu_svm_flush_work(svm);
	mutex_lock(&svm->lock);
	amdgpu_svm_range_remove_span(svm, &first, &last);
	mutex_unlock(&svm->lock);
}

/**
 * amdgpu_svm_test_ranges_in_tree() - How many ranges drm_gpusvm holds
 * @svm: the SVM, not locked
 *
 * Once the workers are flushed, every live range must be one of these.
 *
 * Return: the number of ranges in drm_gpusvm's notifiers.
 */
int amdgpu_svm_test_ranges_in_tree(struct amdgpu_svm *svm)
{
	struct drm_gpusvm_notifier *notifier;
	struct drm_gpusvm_range *range;
	int n = 0;

	mutex_lock(&svm->lock);
	drm_gpusvm_for_each_notifier(notifier, &svm->gpusvm, 0, TASK_SIZE)
		drm_gpusvm_for_each_range(range, notifier, 0, TASK_SIZE)
			n++;
	mutex_unlock(&svm->lock);
	return n;
}

/**
 * amdgpu_svm_test_pt_count() - How many GPU pages of a span are mapped
 * @pt: the page table
 * @start: first page
 * @last: last page
 *
 * Return: the number of entries.
 */
unsigned long amdgpu_svm_test_pt_count(struct amdgpu_svm_test_pt *pt,
				       unsigned long start, unsigned long last)
{
	struct amdgpu_svm_test_pte *e;
	unsigned long page, n = 0;

	xa_for_each_range(&pt->entries, page, e, start, last)
		n++;
	return n;
}

/**
 * amdgpu_svm_test_pt_lookup() - The entry of one GPU page
 * @pt: the page table
 * @page: the page number
 *
 * Return: the entry or NULL. Only stable while nothing maps or unmaps.
 */
const struct amdgpu_svm_test_pte *
amdgpu_svm_test_pt_lookup(struct amdgpu_svm_test_pt *pt, unsigned long page)
{
	return xa_load(&pt->entries, page);
}

/* Check one page; returns a static description of what is wrong, or NULL. */
static const char *mirror_check_page(struct amdgpu_svm_test_pt *pt,
				     unsigned long addr, bool complete)
{
	const struct amdgpu_svm_test_pte *e;
	struct amdgpu_svm_attrs attrs;
	int reach;

	reach = amdgpu_svm_test_gpu_reach(&pt->svm, addr, &attrs);
	if (reach < 0)
		return "attribute lookup failed";
	e = amdgpu_svm_test_pt_lookup(pt, addr >> PAGE_SHIFT);
	if (!reach)
		return e ? "mapped but not accessible" : NULL;
	if (!e)
		return complete ? "accessible but not mapped" : NULL;
	if (e->pte != amdgpu_svm_range_pte(&attrs, reach == 1))
		return "wrong PTE flags";
	return amdgpu_svm_test_page_mismatch(pt->svm.drm->dev, addr, e->dma);
}

static void mirror_check(struct kunit *test, struct amdgpu_svm_test_pt *pt,
			 unsigned long start, unsigned long size, bool complete)
{
	unsigned long addr, bad = 0;
	const char *why;

	mutex_lock(&pt->svm.lock);
	for (addr = start; addr < start + size; addr += PAGE_SIZE) {
		why = mirror_check_page(pt, addr, complete);
		if (why && bad++ < 4)
			kunit_err(test, "mirror: page %#lx: %s\n", addr, why);
	}
	mutex_unlock(&pt->svm.lock);
	KUNIT_EXPECT_EQ_MSG(test, bad, 0, "pages that do not mirror the CPU");
	KUNIT_EXPECT_EQ(test, atomic_read(&pt->survivors), 0);
}

/**
 * amdgpu_svm_test_mirror_check_safe() - Nothing the GPU maps is stale
 * @test: the test
 * @pt: the page table
 * @start: first address of the window to check
 * @size: bytes
 *
 * Every mapped page is the CPU's page, with the right PTE bits, in an
 * accessible interval of a VMA that grants access. Whether every such
 * page is mapped is not checked (XNACK on maps on fault; racing SET and
 * mmap leave that undefined). Call at a quiescent point (workers flushed).
 * Also checks that no invalidation so far left an entry behind.
 */
void amdgpu_svm_test_mirror_check_safe(struct kunit *test,
				       struct amdgpu_svm_test_pt *pt,
				       unsigned long start, unsigned long size)
{
	mirror_check(test, pt, start, size, false);
}

/**
 * amdgpu_svm_test_mirror_check() - The GPU page table mirrors the CPU's
 * @test: the test
 * @pt: the page table
 * @start: first address of the window to check
 * @size: bytes
 *
 * As amdgpu_svm_test_mirror_check_safe(); with XNACK off, also every page
 * of an accessible interval in a VMA that grants access is mapped.
 */
void amdgpu_svm_test_mirror_check(struct kunit *test, struct amdgpu_svm_test_pt *pt,
				  unsigned long start, unsigned long size)
{
	mirror_check(test, pt, start, size, !pt->svm.xnack_on);
}

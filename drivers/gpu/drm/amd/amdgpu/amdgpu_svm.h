/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright 2026 Advanced Micro Devices, Inc.
 */

#ifndef __AMDGPU_SVM_H__
#define __AMDGPU_SVM_H__

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <drm/drm_gpusvm.h>
#include <drm/drm_print.h>

#include "amdgpu_svm_attr.h"
#include "amdgpu_svm_test_hooks.h"

struct amdgpu_svm;
struct drm_device;
struct drm_pagemap;

/* The longest a worker waits before it tries a failed mapping again. */
#define AMDGPU_SVM_RETRY_MAX_MS	1000

/**
 * enum amdgpu_svm_pte - What a GPU mapping allows, before the ASIC encodes it
 * @AMDGPU_SVM_PTE_READ: the GPU may read (every valid mapping)
 * @AMDGPU_SVM_PTE_WRITE: the GPU may write
 * @AMDGPU_SVM_PTE_EXEC: the GPU may execute
 * @AMDGPU_SVM_PTE_SNOOP: accesses snoop the CPU caches (system memory)
 * @AMDGPU_SVM_PTE_COHERENT: coherent with the CPU (COHERENT attribute)
 * @AMDGPU_SVM_PTE_EXT_COHERENT: coherent across devices (EXT_COHERENT)
 * @AMDGPU_SVM_PTE_VRAM: the pages are in this device's VRAM; the addresses
 *	are the ones its PTEs take (VRAM offset plus vram_base_offset), not
 *	DMA addresses. Set by the range layer per run of pages, never asked
 *	for by a request.
 */
enum amdgpu_svm_pte {
	AMDGPU_SVM_PTE_READ = BIT(0),
	AMDGPU_SVM_PTE_WRITE = BIT(1),
	AMDGPU_SVM_PTE_EXEC = BIT(2),
	AMDGPU_SVM_PTE_SNOOP = BIT(3),
	AMDGPU_SVM_PTE_COHERENT = BIT(4),
	AMDGPU_SVM_PTE_EXT_COHERENT = BIT(5),
	AMDGPU_SVM_PTE_VRAM = BIT(6),
};

/**
 * struct amdgpu_svm_gpu_ops - The points where SVM touches the hardware
 *
 * Each SVM instance holds a table of these; the amdgpu implementation
 * drives the VM's page tables, the TLB and the process's queues, and the
 * KUnit suites install a software page table. A table rather than static
 * stubs, because workers and MMU notifiers call these from tasks other
 * than the one that set them up.
 *
 * Page numbers are GPU pages of PAGE_SIZE; SVM maps a CPU page at the GPU
 * page of the same number.
 */
struct amdgpu_svm_gpu_ops {
	/**
	 * @lock_pt: make page-table updates possible (the amdgpu version
	 * reserves the root page directory); may sleep and allocate.
	 */
	int (*lock_pt)(struct amdgpu_svm *svm);
	/**
	 * @unlock_pt: wait for the updates made since @lock_pt, make them
	 * visible to the GPU (TLB), and undo @lock_pt.
	 */
	void (*unlock_pt)(struct amdgpu_svm *svm);
	/**
	 * @prepare_pt: optional; make the page tables that a map of GPU
	 * pages [@start, @last] to @dma needs, and make none of the pages
	 * valid. Called between @lock_pt and @map, without the notifier
	 * lock, for a range that has no live mapping; @dma was read under
	 * that lock and may be stale by now, which only shapes the tables.
	 * @map then allocates no page table under the lock.
	 */
	int (*prepare_pt)(struct amdgpu_svm *svm, unsigned long start,
			  unsigned long last, dma_addr_t *dma);
	/**
	 * @map: point GPU pages [@start, @last] at @dma (one address per
	 * page) with @pte (&enum amdgpu_svm_pte). Called between @lock_pt
	 * and @unlock_pt, with the drm_gpusvm notifier lock held for read
	 * after the pages were checked valid, in a memalloc_noreclaim scope:
	 * allocations must not enter reclaim, and no page table is made
	 * here if @prepare_pt made them. Waiting for the update is left to
	 * @unlock_pt.
	 */
	int (*map)(struct amdgpu_svm *svm, unsigned long start,
		   unsigned long last, dma_addr_t *dma, u32 pte);
	/**
	 * @clear: invalidate GPU pages [@start, @last]. Called with the
	 * notifier lock held for write, from MMU notifiers: no allocation
	 * that can enter reclaim, no driver mutex.
	 */
	int (*clear)(struct amdgpu_svm *svm, unsigned long start,
		     unsigned long last);
	/**
	 * @flush: wait for the page-table updates issued so far and flush
	 * the TLB; @heavy after clears, so that no stale translation
	 * survives. Same context as @clear. Returns 0 or the error of the
	 * flush; the PTEs are cleared either way.
	 */
	int (*flush)(struct amdgpu_svm *svm, bool heavy);
	/**
	 * @quiesce: stop everything that can touch the VM (queues, jobs);
	 * with XNACK on, only refuse new jobs: running ones may wait for a
	 * fault SVM serves. Callable from MMU notifiers. Refcounted: each
	 * call is matched by one @resume.
	 */
	void (*quiesce)(struct amdgpu_svm *svm);
	/** @resume: undo one @quiesce. */
	void (*resume)(struct amdgpu_svm *svm);
#if IS_ENABLED(CONFIG_DRM_AMDGPU_SVM_KUNIT_TEST)
	/**
	 * @check_invalidated: optional, KUnit builds only; called at the end
	 * of every MMU notifier invalidation of GPU pages [@start, @last], in
	 * the same context as @clear. The KUnit page table checks there that
	 * no entry of the span survived.
	 */
	void (*check_invalidated)(struct amdgpu_svm *svm, unsigned long start,
				  unsigned long last);
#endif
	/**
	 * @span_in_use: optional; whether GPU pages [@start, @last] hold
	 * other mappings of the VM (GEM VA mappings), which SET_ATTR must
	 * not replace. Called with no SVM lock held.
	 */
	bool (*span_in_use)(struct amdgpu_svm *svm, unsigned long start,
			    unsigned long last);
	/**
	 * @fault_checkpoint: optional (XNACK on); the timestamp of the
	 * newest GPU fault already raised but not yet handled, or 0. Called
	 * when the CPU unmaps GPU-mapped pages, in the context of @clear:
	 * faults up to it may be about the old pages and are dropped.
	 */
	u64 (*fault_checkpoint)(struct amdgpu_svm *svm);
	/**
	 * @release: optional; free the SVM once the last reference is gone.
	 * Everything else was torn down before; may be called from an SRCU
	 * callback, so it must not sleep.
	 */
	void (*release)(struct amdgpu_svm *svm);
};

/**
 * struct amdgpu_svm_stats - Counters the tests and benchmarks read
 * @pages_obtained: pages DMA-mapped by get_pages for GPU mappings
 * @pages_rebuilt: of those, pages obtained to rebuild ranges that a
 *	partial unmap destroyed
 * @ranges_removed: ranges removed by the garbage collector
 * @ranges_split: ranges a partial unmap cut that were replaced by what
 *	is left of them, with its pages and PTEs
 * @partial_unmap_fallbacks: GPU-mapped ranges a partial unmap cut whose
 *	rest lost its mapping all the same (a huge page reaching out of the
 *	hole, one IOVA reservation, a failed clear or split), to be mapped
 *	again
 * @ranges_parked: tries to remove a range that failed to clear or flush
 *	its GPU mapping, and left it parked for a retry
 * @faults_handled: GPU faults that mapped pages
 * @faults_stale: GPU faults dropped as older than the last CPU unmap
 * @faults_duplicate: GPU faults on pages already mapped as asked
 * @faults_retry: GPU faults that failed for a reason that may pass, left
 *	for the GPU to retry
 * @quiesces: times the queues were stopped (&amdgpu_svm_gpu_ops.quiesce)
 * @resumes: times they were let go again
 */
struct amdgpu_svm_stats {
	struct amdgpu_svm_stat pages_obtained;
	struct amdgpu_svm_stat pages_rebuilt;
	struct amdgpu_svm_stat ranges_removed;
	struct amdgpu_svm_stat ranges_split;
	struct amdgpu_svm_stat partial_unmap_fallbacks;
	struct amdgpu_svm_stat ranges_parked;
	struct amdgpu_svm_stat faults_handled;
	struct amdgpu_svm_stat faults_stale;
	struct amdgpu_svm_stat faults_duplicate;
	struct amdgpu_svm_stat faults_retry;
	struct amdgpu_svm_stat quiesces;
	struct amdgpu_svm_stat resumes;
};

/**
 * struct amdgpu_svm_work - The workers of one SVM and what they hold
 *
 * Owned by amdgpu_svm_work.c; the rest of SVM goes through its functions.
 *
 * @wq: ordered workqueue of @gc_work and @restore_work
 * @lock: protects the lists and @retry (taken in notifiers)
 * @gc_list: ranges the CPU unmapped, to remove (and rebuild around)
 * @restore_list: evicted ranges to map again (XNACK off)
 * @parked_list: ranges whose GPU mapping could not be cleared, for the
 *	garbage collector to try again after the retry delay
 * @retry: a span a worker could not map (XNACK off): the restore worker
 *	tries again after @retry.delay_ms, doubling up to
 *	%AMDGPU_SVM_RETRY_MAX_MS, and the queues stay stopped meanwhile
 * @retry.pending: there is such a span
 * @retry.first: its first page
 * @retry.last: its last page
 * @retry.err: the error of the last failed attempt; 0 for a span handed
 *	to the restore worker on purpose
 * @retry.delay_ms: the delay before the next attempt
 * @gc_work: the garbage collector
 * @restore_work: the restore worker; delayed when it retries
 * @evictions: evictions since the queues were last resumed; the first one
 *	quiesces the queues
 * @queues_lock: serialises stopping the queues with letting them go, so
 *	that no resume overtakes a quiesce on its way and a second eviction
 *	waits until the queues are stopped
 * @resume_wq: woken when @evictions drops to zero (the queues resume)
 * @nr_queued: ranges on the lists
 */
struct amdgpu_svm_work {
	struct workqueue_struct *wq;
	spinlock_t lock; /* the lists, retry */
	struct list_head gc_list;
	struct list_head restore_list;
	struct list_head parked_list;
	struct {
		bool pending;
		unsigned long first;
		unsigned long last;
		int err;
		unsigned int delay_ms;
	} retry;
	struct work_struct gc_work;
	struct delayed_work restore_work;
	atomic_t evictions;
	struct mutex queues_lock; /* quiesce vs resume */
	wait_queue_head_t resume_wq;
	struct amdgpu_svm_live nr_queued;
};

/**
 * struct amdgpu_svm - Shared virtual memory of one process on one device
 * @gpusvm: the drm_gpusvm instance (ranges, notifiers, DMA mappings)
 * @attrs: the attributes userspace set
 * @lock: the SVM lock: inserting, mapping and removing ranges
 * @drm: the device that DMA-maps the pages
 * @ops: the hardware touch points
 * @ops_priv: data of @ops
 * @xnack_on: whether the GPU retries faults (mapping on fault) or not
 *	(mapping by ioctl, queues stopped while pages are restored)
 * @work: the workers, their lists and the eviction count
 * @nr_ranges: live ranges
 * @stats: counters
 * @mm: the process served (a grab, dropped at teardown)
 * @ref: references: the owner's, the release notifier's, and one per
 *	caller between amdgpu_svm_get() and amdgpu_svm_put()
 * @release_notifier: tears the SVM down when the process's mm goes
 * @teardown_lock: held for read by every request, for write by teardown
 * @torn_down: teardown ran; requests fail with -ESRCH (@teardown_lock)
 * @fault_checkpoint: GPU faults raised up to this timestamp may be about
 *	pages the CPU unmapped since; 0 when there is none (XNACK on)
 * @dpagemap: the device memory pages may migrate to, or NULL for none
 *	(amdgpu_svm_migrate_set_pagemap())
 * @pgmap_owner: the owner of @dpagemap's device-private pages, which
 *	get_pages() hands SVM in place rather than migrating them back
 * @warn_rs: rate limit of this SVM's warnings from its workers
 *	(amdgpu_svm_warn()), so that one process's failures do not silence
 *	another's
 * @notifier_warn_rs: rate limit of its warnings from MMU notifiers
 *	(amdgpu_svm_notifier_warn()), apart: a worker that keeps failing
 *	must not silence the report of a GPU mapping that outlived the CPU's
 */
struct amdgpu_svm {
	struct drm_gpusvm gpusvm;
	struct amdgpu_svm_attr_tree attrs;
	struct mutex lock; /* ranges: insert, map, remove */
	struct drm_device *drm;
	const struct amdgpu_svm_gpu_ops *ops;
	void *ops_priv;
	bool xnack_on;
	struct amdgpu_svm_work work;
	struct amdgpu_svm_live nr_ranges;
	struct amdgpu_svm_stats stats;
	struct mm_struct *mm;
	struct kref ref;
	struct mmu_notifier release_notifier;
	struct rw_semaphore teardown_lock; /* requests vs teardown */
	bool torn_down;
	atomic64_t fault_checkpoint;
	struct drm_pagemap *dpagemap;
	void *pgmap_owner;
	struct ratelimit_state warn_rs;
	struct ratelimit_state notifier_warn_rs;
};

__printf(2, 3) void amdgpu_svm_warn(struct amdgpu_svm *svm, const char *fmt, ...);
__printf(2, 3) void amdgpu_svm_notifier_warn(struct amdgpu_svm *svm, const char *fmt, ...);

/**
 * amdgpu_svm_dbg() - Say what SVM does to a span of pages
 * @svm: the SVM
 * @what: the step: "invalidate", "gc", "restore", "fault", "map", ...
 * @first: first page number of the span
 * @last: last page number of the span
 * @fmt: more, after the span
 *
 * A drm_dbg_driver() line (drm.debug=0x2) in the style of xe's
 * range_debug(), one per step, naming the span as the warnings do.
 */
#define amdgpu_svm_dbg(svm, what, first, last, fmt, ...)		\
	drm_dbg_driver((svm)->drm, "SVM %s pages %#lx-%#lx" fmt "\n", (what), \
		       (unsigned long)(first), (unsigned long)(last),	\
		       ##__VA_ARGS__)

int amdgpu_svm_init(struct amdgpu_svm *svm, struct drm_device *drm,
		    struct mm_struct *mm, bool xnack_on, unsigned int granularity,
		    const struct amdgpu_svm_gpu_ops *ops, void *ops_priv);
void amdgpu_svm_fini(struct amdgpu_svm *svm);
void amdgpu_svm_get(struct amdgpu_svm *svm);
void amdgpu_svm_put(struct amdgpu_svm *svm);
bool amdgpu_svm_is_torn_down(struct amdgpu_svm *svm);
bool amdgpu_svm_holds_queues(struct amdgpu_svm *svm);
void amdgpu_svm_hold_queues(struct amdgpu_svm *svm);
int amdgpu_svm_wait_for_queues(struct amdgpu_svm *svm);
void amdgpu_svm_flush_work(struct amdgpu_svm *svm);
void amdgpu_svm_retry_later(struct amdgpu_svm *svm, unsigned long first,
			    unsigned long last, int err);
int amdgpu_svm_work_init(struct amdgpu_svm *svm);
void amdgpu_svm_work_forget_retry(struct amdgpu_svm *svm);
void amdgpu_svm_work_fini(struct amdgpu_svm *svm);
void amdgpu_svm_work_destroy(struct amdgpu_svm *svm);
void amdgpu_svm_work_kick_restore(struct amdgpu_svm *svm);
void amdgpu_svm_work_release_hold(struct amdgpu_svm *svm, unsigned long first,
				  unsigned long last, int err);
bool amdgpu_svm_work_pending(struct amdgpu_svm *svm);
int amdgpu_svm_set_attr(struct amdgpu_svm *svm, unsigned long start,
			unsigned long last, const struct amdgpu_svm_attr_req *req);
int amdgpu_svm_reset_attr(struct amdgpu_svm *svm, unsigned long start,
			  unsigned long last);
int amdgpu_svm_handle_fault(struct amdgpu_svm *svm, unsigned long addr,
			    u64 ts, bool write);
int amdgpu_svm_ioctl(struct amdgpu_svm *svm, struct drm_amdgpu_gem_svm *args);
int amdgpu_svm_ioctl_get_defaults(bool xnack_on, unsigned int granularity,
				  struct drm_amdgpu_gem_svm *args);

#endif
